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

/**
 * {@code mta-sts send} with the global DANE options over a signed testkit world: {@code
 * --dnssec-trust-anchor FILE} turns DANE on (the built-in root anchors do not validate the world),
 * {@code --no-dane} turns it off, and a DANE that cannot work is said once and MTA-STS carries on.
 * The {@code "dane"} of each result is {@link DaneSendCommandTest}'s.
 */
class DaneSendOptionsTest {
  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(w -> w
          .domain("mismatch.example", d -> d.signed()
              .policy("enforce", "mx.mismatch.example")
              .mx(10, "mx.mismatch.example", Mx.goodTls(), Dane.mismatch()))
          .domain("selfsigned.example", d -> d.signed()
              .policy("enforce", "mx.selfsigned.example")
              .mx(10, "mx.selfsigned.example", Mx.selfSignedCertificate(), Dane.ee())));

  @TempDir static Path dir;
  static Path trustPem;
  static Path anchor;

  @BeforeAll
  static void writeAnchors() throws IOException {
    trustPem = world.writeTrustPem(dir.resolve("ca.pem"));
    anchor = Files.writeString(dir.resolve("anchor.ds"), world.dnssecTrustAnchor());
  }

  static CliRun send(String to, String... options) {
    List<String> all = new ArrayList<>(List.of(options));
    all.addAll(List.of("--timeout", "10", "send", "--from", "demo@sender.example", "--to", to,
        "--body", "DANE or not"));
    return CliRun.inWorld(world, trustPem, all.toArray(new String[0]));
  }

  @Test
  @DisplayName("STS-DANE-01: with the world's anchor, a TLSA mismatch refuses what MTA-STS accepts")
  void trustAnchor_daneOn_mismatchRefused_STS_DANE_01() {
    int before = world.messagesFor("mx.mismatch.example").size();
    CliRun r = send("rae@mismatch.example", "--dnssec-trust-anchor", anchor.toString());
    assertEquals(1, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("NOT delivered (temporary, mode enforce)"), r.out());
    assertTrue(r.out().contains("mx.mismatch.example: refused tlsa-invalid (4.7.5)"), r.out());
    assertEquals("", r.err());
    assertEquals(before, world.messagesFor("mx.mismatch.example").size(), "nothing sent");
  }

  @Test
  @DisplayName("D-23: with the world's anchor, DANE-EE authenticates a self-signed certificate")
  void trustAnchor_daneOn_selfSignedDaneEeDelivered_D_23() {
    CliRun r = send("rae@selfsigned.example", "--dnssec-trust-anchor", anchor.toString(),
        "--json");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("\"delivered\":true,\"mx\":\"mx.selfsigned.example\""), r.out());
    assertTrue(r.out().contains("\"dane\":{\"status\":\"active\",\"reason\":\""), r.out());
  }

  @Test
  void noDane_mtaStsAlone_mismatchDelivered_selfSignedRefused() {
    CliRun mismatch = send("rae@mismatch.example", "--dnssec-trust-anchor", anchor.toString(),
        "--no-dane", "--json");
    assertEquals(0, mismatch.exit(), mismatch.out() + mismatch.err());
    assertTrue(mismatch.out().contains("\"delivered\":true"), mismatch.out());
    assertTrue(mismatch.out().contains("\"dane\":{\"status\":\"disabled\",\"reason\":\"turned off"
        + " by --no-dane\"}"), mismatch.out());
    assertEquals("", mismatch.err());

    CliRun selfSigned = send("rae@selfsigned.example", "--no-dane");
    assertEquals(1, selfSigned.exit(), selfSigned.out() + selfSigned.err());
    assertTrue(selfSigned.out().contains("mx.selfsigned.example: refused certificate-not-trusted"),
        selfSigned.out());
    assertEquals("", selfSigned.err(), "--no-dane probes nothing and says nothing");
  }

  @Test
  @DisplayName("STS-DANE-06: the built-in root anchors cannot validate the world: said once, MTA-STS"
      + " alone delivers")
  void rootAnchors_daneUnavailable_saidOnce_mtaStsAlone_STS_DANE_06() {
    CliRun text = send("rae@mismatch.example");
    assertEquals(0, text.exit(), text.out() + text.err());
    assertTrue(text.out().contains("rae@mismatch.example: delivered to mx.mismatch.example"),
        text.out());
    List<String> notes = text.err().lines().toList();
    assertEquals(1, notes.size(), text.err());
    assertTrue(notes.get(0).startsWith("mta-sts: DANE unavailable (the trust anchors do not"
        + " validate"), text.err());

    CliRun json = send("rae@mismatch.example", "--json");
    assertEquals(0, json.exit(), json.out() + json.err());
    assertEquals("", json.err(), "the JSON document says it");
    assertTrue(json.out().contains("\"dane\":{\"status\":\"unavailable\",\"reason\":\"the trust"
        + " anchors do not validate"), json.out());
  }

  @Test
  @DisplayName("STS-DANE-06: a resolver that strips DNSSEC turns DANE off, never MTA-STS")
  void strippingResolver_daneUnavailable_mtaStsStillDelivers_STS_DANE_06() {
    world.dns().stripDnssec(true);
    try {
      CliRun r = send("rae@mismatch.example", "--dnssec-trust-anchor", anchor.toString());
      assertEquals(0, r.exit(), r.out() + r.err());
      assertTrue(r.out().contains("rae@mismatch.example: delivered to mx.mismatch.example"),
          r.out());
      assertTrue(r.err().startsWith("mta-sts: DANE unavailable (resolver does not return DNSSEC"
          + " records"), r.err());
      assertEquals(1, r.err().lines().count(), r.err());
    } finally {
      world.dns().stripDnssec(false);
    }
  }
}
