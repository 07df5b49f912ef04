package org.mtasts.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.testkit.Dane;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.dns.DnssecFault;

/**
 * {@code mta-sts send --json} on signed domains: each result's {@code "dane"} is {@code
 * "authenticated"}, {@code "failed"}, {@code "bogus"} or null (a fixed contract: tests outside the
 * project read it), each attempt says the same of its MX host, and the document says what DANE
 * could do in the run.
 */
class DaneSendCommandTest {
  @RegisterExtension
  static final TestWorldExtension world = TestWorldExtension.create(w -> w
      .dnssec()
      .domain("dane.example", d -> d
          .policy("enforce", "mx.dane.example")
          .mx(10, "mx.dane.example", Mx.selfSignedCertificate(), Dane.ee()))
      .domain("mismatch.example", d -> d
          .policy("enforce", "mx.mismatch.example")
          .mx(10, "mx.mismatch.example", Mx.goodTls(), Dane.mismatch()))
      .domain("bogus.example", d -> d
          .mx(10, "mx.bogus.example", Mx.goodTls(), Dane.ee()))
      .domain("unsigned.example", d -> d
          .unsigned()
          .policy("enforce", "mx.unsigned.example")
          .mx(10, "mx.unsigned.example", Mx.goodTls(), Dane.ee()))
      .dns(dns -> dns.dnssecFault("_25._tcp.mx.bogus.example", "TLSA",
          DnssecFault.BAD_SIGNATURE))).resetBeforeEach();

  @TempDir static Path dir;
  static Path trustPem;
  static Path anchor;

  @BeforeAll
  static void writeAnchors() throws IOException {
    trustPem = world.writeTrustPem(dir.resolve("ca.pem"));
    anchor = Files.writeString(dir.resolve("anchor.ds"), world.dnssecTrustAnchor());
  }

  /** {@code send} to {@code to} with the world's DNSSEC anchor, and {@code more} options. */
  static CliRun send(String to, String... more) {
    List<String> all = new ArrayList<>(List.of("--timeout", "10",
        "--dnssec-trust-anchor", anchor.toString(), "send",
        "--from", "demo@sender.example", "--to", to));
    all.addAll(List.of(more));
    return CliRun.inWorld(world, trustPem, all.toArray(new String[0]));
  }

  @Test
  @DisplayName("D-23: dane \"authenticated\": delivered over TLS matching a usable TLSA record")
  void json_authenticated_D_23() {
    CliRun r = send("rae@dane.example", "--json");
    assertEquals(0, r.exit(), r.out() + r.err());
    String json = r.out().strip();
    assertTrue(json.startsWith("{\"results\":[{\"recipient\":\"rae@dane.example\","
        + "\"domain\":\"dane.example\",\"delivered\":true,\"mx\":\"mx.dane.example\","
        + "\"tls\":\"TLSv1."), json);
    assertTrue(json.contains("\",\"dane\":\"authenticated\",\"mode\":\"enforce\""), json);
    assertTrue(json.contains("\"outcome\":\"delivered\""), json);
    assertTrue(json.contains("\"dane\":\"authenticated\"}]}],"
        + "\"dane\":{\"status\":\"active\",\"reason\":"), json);
    assertEquals(1, world.smtp("mx.dane.example").messages().size());
  }

  @Test
  @DisplayName("STS-DANE-01: dane \"failed\": secure TLSA, the certificate matched none")
  void json_failed_STS_DANE_01() {
    CliRun r = send("rae@mismatch.example", "--json");
    assertEquals(1, r.exit(), r.out() + r.err());
    String json = r.out().strip();
    assertTrue(json.contains("\"delivered\":false,\"mx\":null,\"tls\":null,\"dane\":\"failed\","
        + "\"mode\":\"enforce\",\"reason\":\"tlsa-invalid\""), json);
    assertTrue(json.contains("{\"mx\":\"mx.mismatch.example\",\"outcome\":\"refused\","
        + "\"reason\":\"tlsa-invalid\",\"status\":\"4.7.5\",\"tls\":null,\"message\":\""), json);
    assertTrue(json.contains("\",\"dane\":\"failed\"}]"), json);
    assertTrue(world.smtp("mx.mismatch.example").messages().isEmpty());
  }

  @Test
  @DisplayName("STS-DANE-03: dane \"bogus\": DNSSEC validation failed, the host not contacted")
  void json_bogus_STS_DANE_03() {
    CliRun r = send("rae@bogus.example", "--json");
    assertEquals(1, r.exit(), r.out() + r.err());
    String json = r.out().strip();
    assertTrue(json.contains("\"delivered\":false,\"mx\":null,\"tls\":null,\"dane\":\"bogus\","
        + "\"mode\":null,\"reason\":\"dnssec-invalid\""), json);
    assertTrue(json.contains("\"outcome\":\"refused\",\"reason\":\"dnssec-invalid\","
        + "\"status\":\"4.7.5\""), json);
    assertTrue(json.contains("\"temporary\":true"), json);
    assertEquals(0, world.smtp("mx.bogus.example").connectionCount());
  }

  @Test
  @DisplayName("STS-DANE-02: dane null: an unsigned domain, MTA-STS alone")
  void json_null_unsignedDomain_STS_DANE_02() {
    CliRun r = send("rae@unsigned.example", "--json");
    assertEquals(0, r.exit(), r.out() + r.err());
    String json = r.out().strip();
    assertTrue(json.contains("\"delivered\":true,\"mx\":\"mx.unsigned.example\",\"tls\":\"TLSv1."),
        json);
    assertTrue(json.contains("\",\"dane\":null,\"mode\":\"enforce\""), json);
    assertTrue(json.contains("\",\"dane\":null}]"), json);
  }

  @Test
  @DisplayName("STS-DANE-06: --no-dane: dane null, the TLSA mismatch unseen, the run says why")
  void json_noDane_null_STS_DANE_06() {
    CliRun r = send("rae@mismatch.example", "--json", "--no-dane");
    assertEquals(0, r.exit(), r.out() + r.err());
    String json = r.out().strip();
    assertTrue(json.contains("\"delivered\":true,\"mx\":\"mx.mismatch.example\""), json);
    assertTrue(json.contains("\",\"dane\":null,\"mode\":\"enforce\""), json);
    assertTrue(json.contains("\"dane\":{\"status\":\"disabled\""), json);
  }

  @Test
  @DisplayName("text: the delivered line and each refused attempt say what DANE found")
  void text_saysDane() {
    CliRun ok = send("rae@dane.example");
    assertEquals(0, ok.exit(), ok.out() + ok.err());
    assertTrue(ok.out().startsWith("rae@dane.example: delivered to mx.dane.example over TLSv1."),
        ok.out());
    assertTrue(ok.out().contains("(mode enforce, DANE authenticated)"), ok.out());

    CliRun refused = send("rae@mismatch.example");
    assertEquals(1, refused.exit());
    assertTrue(refused.out().contains(
        "mx.mismatch.example: refused tlsa-invalid (4.7.5) DANE failed"), refused.out());
  }
}
