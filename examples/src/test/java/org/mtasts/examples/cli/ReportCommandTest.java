package org.mtasts.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ReportStore;
import org.mtasts.report.ResultType;
import org.mtasts.report.SessionResult;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.smtp.ReceivedMessage;

/** Runs the real {@code mta-sts report show|send} against a testkit world. */
class ReportCommandTest {
  @RegisterExtension
  static final TestWorldExtension world = TestWorldExtension.create(w -> w
      .domain("rua.example", d -> d.mx(10, "mx.rua.example", Mx.goodTls()))
      .dns(dns -> dns
          .txt("_smtp._tls.policy.example", "v=TLSRPTv1; rua=mailto:tlsrpt@rua.example")));

  @TempDir static Path shared;
  static Path trustPem;
  static Path dkimKey;

  @TempDir Path dir;

  @BeforeAll
  static void files() throws Exception {
    trustPem = world.writeTrustPem(shared.resolve("ca.pem"));
    byte[] pkcs8 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate()
        .getEncoded();
    dkimKey = Files.writeString(shared.resolve("dkim.pem"), "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(pkcs8)
        + "\n-----END PRIVATE KEY-----\n");
  }

  void count(String domain) throws Exception {
    ReportStore store = ReportStore.directory(dir);
    ReportPolicy policy = ReportPolicy.noPolicyFound(domain);
    store.add(SessionResult.success(Instant.now(), policy));
    store.add(SessionResult.failure(Instant.now(), policy,
        FailureDetail.of(ResultType.STARTTLS_NOT_SUPPORTED, null)));
  }

  CliRun report(String... args) {
    List<String> all = new ArrayList<>(List.of("--timeout", "10", "report"));
    all.addAll(List.of(args));
    return CliRun.inWorld(world, trustPem, all.toArray(new String[0]));
  }

  @Test
  void show_json_onePerLine_withRuaAndTheRfc8460Report() throws Exception {
    count("policy.example");
    CliRun r = report("show", "--cache-dir", dir.toString(), "--today", "--json");
    assertEquals(0, r.exit(), r.out() + r.err());
    String[] lines = r.out().strip().split("\n");
    assertEquals(1, lines.length, r.out());
    assertTrue(lines[0].startsWith("{\"policy-domain\":\"policy.example\","
        + "\"rua\":[\"mailto:tlsrpt@rua.example\"],\"report\":{\"organization-name\":"),
        lines[0]);
    assertTrue(lines[0].contains("\"policies\":[{\"policy\":{\"policy-type\":"
        + "\"no-policy-found\""), lines[0]);
    assertTrue(lines[0].contains("\"total-successful-session-count\":1,"
        + "\"total-failure-session-count\":1"), lines[0]);
  }

  @Test
  void show_endedDaysOnly_withoutToday_nothing() throws Exception {
    count("policy.example");
    CliRun r = report("show", "--cache-dir", dir.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals("", r.out());
  }

  @Test
  void send_mailtoSignedDelivered_jsonLine_exitZero_storeEmptied() throws Exception {
    count("policy.example");
    CliRun r = report("send", "--cache-dir", dir.toString(), "--organization", "Sender Inc.",
        "--contact", "tlsrpt@sender.example", "--today", "--json",
        "--dkim-domain", "sender.example", "--dkim-selector", "ed",
        "--dkim-key", dkimKey.toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    assertEquals("{\"policy-domain\":\"policy.example\",\"destination\":"
        + "\"mailto:tlsrpt@rua.example\",\"delivered\":true,\"error\":null}", r.out().strip());
    ReceivedMessage got =
        world.smtp("mx.rua.example").awaitMessages(1, Duration.ofSeconds(20)).get(0);
    assertEquals(List.of("tlsrpt@rua.example"), got.recipients());
    assertTrue(got.header("DKIM-Signature").orElseThrow().contains("d=sender.example"));
    assertEquals("policy.example", got.header("TLS-Report-Domain").orElseThrow().strip());
    assertTrue(ReportStore.directory(dir).days().isEmpty());
  }

  @Test
  void send_domainWithoutRecord_notDelivered_exitOne() throws Exception {
    count("norecord.example");
    CliRun r = report("send", "--cache-dir", dir.toString(), "--organization", "Sender Inc.",
        "--contact", "tlsrpt@sender.example", "--today");
    assertEquals(1, r.exit(), r.out() + r.err());
    assertTrue(r.out().startsWith("norecord.example -> (no destination): NOT delivered"
        + " (no-reporting-policy"), r.out());
  }

  @Test
  void send_usageErrors() {
    CliRun r = report("send", "--cache-dir", dir.toString(), "--organization", "X",
        "--contact", "tlsrpt@sender.example", "--dkim-domain", "sender.example");
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("--dkim-key"), r.err());
    CliRun noDir = report("send", "--organization", "X", "--contact", "a@sender.example");
    assertEquals(2, noDir.exit(), noDir.err());
  }
}
