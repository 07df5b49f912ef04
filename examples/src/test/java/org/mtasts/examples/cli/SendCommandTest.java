package org.mtasts.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.policy.Policy;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.PolicyTally;
import org.mtasts.report.ReportDay;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ReportStore;
import org.mtasts.report.ResultType;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.smtp.ReceivedMessage;

/** Runs the real {@code mta-sts send} command against a testkit world. */
class SendCommandTest {
  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(w -> w
          .domain("banana-pancakes.com", d -> d
              .policy("enforce", "mx1.banana-pancakes.com", "mx2.banana-pancakes.com")
              .mx(10, "mx1.banana-pancakes.com", Mx.noStartTls())
              .mx(20, "mx2.banana-pancakes.com", Mx.goodTls()))
          .domain("locked.example", d -> d
              .policy("enforce", "mx.locked.example")
              .mx(10, "mx.locked.example", Mx.expiredCertificate()))
          .domain("plain.example", d -> d.mx(10, "mx.plain.example", Mx.noStartTls()))
          .domain("nomail.example", d -> d.nullMx())
          .domain("testing-broken.example", d -> d
              .policy("testing", "mx1.testing-broken.example")
              .mx(10, "mx1.testing-broken.example", Mx.expiredCertificate()))
          .dns(dns -> dns.txt("_smtp._tls.testing-broken.example",
              "v=TLSRPTv1; rua=mailto:tlsrpt@banana-pancakes.com")));

  @TempDir static Path dir;
  static Path trustPem;

  @BeforeAll
  static void writeTrust() {
    trustPem = world.writeTrustPem(dir.resolve("ca.pem"));
  }

  static CliRun send(String... args) {
    List<String> all = new ArrayList<>(List.of("--timeout", "10", "send"));
    all.addAll(List.of(args));
    return CliRun.inWorld(world, trustPem, all.toArray(new String[0]));
  }

  @Test
  void stsTls01_strippedMxSkipped_deliveredOverVerifiedTlsToTheNext() throws Exception {
    CliRun r = send("--from", "demo@sender.example", "--to", "burritos@banana-pancakes.com",
        "--subject", "Hi", "--body", "over TLS only", "--json");
    assertEquals(0, r.exit(), r.out() + r.err());
    String json = r.out().strip();
    assertTrue(json.startsWith("{\"results\":[{\"recipient\":\"burritos@banana-pancakes.com\","
        + "\"domain\":\"banana-pancakes.com\",\"delivered\":true,\"mx\":\"mx2.banana-pancakes.com\","
        + "\"tls\":\"TLSv1."), json);
    assertTrue(json.contains("\"mode\":\"enforce\",\"reason\":null"), json);
    assertTrue(json.contains("{\"mx\":\"mx1.banana-pancakes.com\",\"outcome\":\"refused\","
        + "\"reason\":\"starttls-not-supported\",\"status\":\"4.7.10\",\"tls\":null,"
        + "\"message\":\""), json);
    ReceivedMessage got =
        world.smtp("mx2.banana-pancakes.com").awaitMessages(1, Duration.ofSeconds(10)).get(0);
    assertTrue(got.tlsActive());
    assertEquals(List.of("burritos@banana-pancakes.com"), got.recipients());
    assertTrue(world.messagesFor("mx1.banana-pancakes.com").isEmpty());
  }

  @Test
  void perRecipientOutcomesAndExitOneWhenAnyFails() {
    CliRun r = send("--from", "demo@sender.example", "--to", "ricflair@banana-pancakes.com",
        "--to", "someone@locked.example", "--to", "x@plain.example", "--to", "y@nomail.example");
    assertEquals(1, r.exit(), r.out() + r.err());
    String[] lines = r.out().split("\n");
    assertTrue(lines[0].startsWith("ricflair@banana-pancakes.com: delivered to "
        + "mx2.banana-pancakes.com over TLSv1."), r.out());
    assertTrue(r.out().contains("someone@locked.example: NOT delivered (temporary, mode enforce)"),
        r.out());
    assertTrue(r.out().contains("mx.locked.example: refused certificate-expired (4.7.5)"), r.out());
    assertTrue(r.out().contains("x@plain.example: delivered to mx.plain.example over plaintext"
        + " (no policy)"), r.out());
    assertTrue(r.out().contains("y@nomail.example: NOT delivered (permanent"), r.out());
    assertFalse(r.err().contains("\tat "), r.err());
  }

  @Test
  @DisplayName("TLSRPT-DATA-02: send --cache-dir counts each session where `report` reads it")
  void cacheDir_failureAndSuccessCounted_TLSRPT_DATA_02(@TempDir Path cache) throws Exception {
    String mx = "mx1.testing-broken.example";
    String[] args = {"--cache-dir", cache.toString(), "--from", "demo@sender.example",
        "--to", "ops@testing-broken.example"};
    assertEquals(0, send(args).exit(), "testing mode delivers despite the expired certificate");
    world.setMx(mx, Mx.goodTls());
    try {
      assertEquals(0, send(args).exit());
    } finally {
      world.setMx(mx, Mx.expiredCertificate());
    }

    ReportStore store = ReportStore.directory(cache);
    List<ReportDay> days = store.days();
    assertEquals(1, days.size(), days.toString());
    assertEquals("testing-broken.example", days.get(0).policyDomain());
    String text = world.domain("testing-broken.example").policyText().orElseThrow();
    ReportPolicy policy =
        ReportPolicy.sts("testing-broken.example", Policy.splitLines(text), Policy.parse(text));
    FailureDetail expired = new FailureDetail(ResultType.CERTIFICATE_EXPIRED, "127.0.0.1", mx,
        mx, "127.0.0.1", null, null);
    assertEquals(List.of(new PolicyTally(policy, 1, 1, Map.of(expired, 1L))),
        store.tallies(days.get(0)));

    CliRun show = CliRun.inWorld(world, trustPem, "report", "show", "--cache-dir",
        cache.toString(), "--today", "--json");
    assertEquals(0, show.exit(), show.out() + show.err());
    assertTrue(show.out().contains("\"rua\":[\"mailto:tlsrpt@banana-pancakes.com\"]"),
        show.out());
    assertTrue(show.out().contains("\"total-successful-session-count\":1,"
        + "\"total-failure-session-count\":1"), show.out());
    assertTrue(show.out().contains("\"result-type\":\"certificate-expired\""), show.out());
  }

  @Test
  void badAddressIsAUsageError() {
    CliRun r = send("--from", "not an address", "--to", "a@b.example");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--from"), r.err());
  }
}
