package org.mtasts.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.testkit.Dane;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.dns.DnssecFault;
import org.mtasts.testkit.dns.Tlsa;

/**
 * {@code mta-sts check} on signed domains (RFC 7672): the DANE status of every MX host in text and
 * JSON, with a fix for each problem; and the global options {@code --dnssec-trust-anchor FILE}
 * and {@code --no-dane}.
 */
class DaneCheckCommandTest {
  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(
          w -> w.domain("dane.example", d -> d.signed()
                  .policy("enforce", "mx.dane.example")
                  .maxAge(604_800)
                  .mx(10, "mx.dane.example", Mx.goodTls(), Dane.ee()))
              .domain("mismatch.example", d -> d.signed()
                  .policy("enforce", "mx.mismatch.example")
                  .maxAge(604_800)
                  .mx(10, "mx.mismatch.example", Mx.goodTls(), Dane.mismatch()))
              .domain("bogus.example", d -> d.signed()
                  .policy("enforce", "mx.bogus.example")
                  .maxAge(604_800)
                  .mx(10, "mx.bogus.example", Mx.goodTls(), Dane.ee()))
              .domain("pkix.example", d -> d.signed()
                  .policy("enforce", "mx.pkix.example")
                  .maxAge(604_800)
                  .mx(10, "mx.pkix.example", Mx.goodTls(), Dane.unusable()))
              .domain("unsigned.example", d -> d
                  .policy("enforce", "mx.unsigned.example")
                  .maxAge(604_800)
                  .mx(10, "mx.unsigned.example", Mx.goodTls(), Dane.ee()))
              .dns(dns -> dns.dnssecFault("_25._tcp.mx.bogus.example", "TLSA",
                  DnssecFault.BAD_SIGNATURE)));

  @TempDir static Path dir;
  static Path trustPem;
  static Path anchor;

  @BeforeAll
  static void writeAnchors() throws IOException {
    trustPem = world.writeTrustPem(dir.resolve("ca.pem"));
    anchor = Files.writeString(dir.resolve("anchor.ds"), world.dnssecTrustAnchor());
  }

  /** The SHA-256 of the public key {@code host} presents: the data of its DANE-EE 3 1 1 record. */
  static byte[] spki(String host) {
    X509Certificate certificate = world.smtp(host).behaviour().certificate().orElseThrow()
        .certificate();
    return Tlsa.data(certificate, Tlsa.SPKI, Tlsa.SHA2_256);
  }

  static CliRun run(String... args) {
    return CliRun.inWorld(world, trustPem, args);
  }

  /** The world's options and its DNSSEC trust anchor. */
  static CliRun runDane(String... args) {
    List<String> all = new ArrayList<>(List.of("--dnssec-trust-anchor", anchor.toString()));
    all.addAll(List.of(args));
    return run(all.toArray(new String[0]));
  }

  @Test
  void matchingTlsa_daneAuthenticated_json_STS_DANE_05() {
    CliRun r = runDane("check", "dane.example", "--json");
    assertEquals(0, r.exit(), r.err() + r.out());
    String json = r.out();
    String dane = item(json, "dane", "mx.dane.example");
    assertTrue(dane.contains("\"verdict\":\"ok\""), dane);
    assertTrue(dane.contains("authenticated: the certificate matches a usable TLSA record at"
        + " _25._tcp.mx.dane.example"), dane);
    assertTrue(json.contains("\"dane\":{\"status\":\"authenticate\""), json);
    assertTrue(json.contains("\"tlsa_owner\":\"_25._tcp.mx.dane.example\""), json);
    assertTrue(json.contains("\"records\":[\"3 1 1 " + hex(spki("mx.dane.example")) + "\"]"),
        json);
    assertTrue(json.contains("\"result\":\"authenticated\""), json);
    assertTrue(json.contains("\"dane\":{\"status\":\"active\""), "the run's DANE status: " + json);
    assertEquals("", r.err());
  }

  @Test
  void mismatchingTlsa_failsWithTheDigestOfTheCurrentKey_textAndJson_STS_DANE_01() {
    String digest = hex(spki("mx.mismatch.example"));
    CliRun json = runDane("check", "mismatch.example", "--json");
    assertEquals(1, json.exit(), json.err() + json.out());
    String dane = item(json.out(), "dane", "mx.mismatch.example");
    assertTrue(dane.contains("\"verdict\":\"fail\""), dane);
    assertTrue(dane.contains("the certificate of mx.mismatch.example matches no usable TLSA"
        + " record at _25._tcp.mx.mismatch.example"), dane);
    assertTrue(dane.contains("senders that do DANE refuse mx.mismatch.example (tlsa-invalid),"
        + " even where MTA-STS passes"), dane);
    assertTrue(dane.contains("\"fix\":\"publish TLSA 3 1 1 " + digest
        + " at _25._tcp.mx.mismatch.example"), dane);
    // MTA-STS alone would pass: the certificate is valid for the MX host
    assertTrue(item(json.out(), "starttls", "mx.mismatch.example").contains("\"verdict\":\"ok\""),
        json.out());
    assertTrue(json.out().contains("\"result\":\"failed\""), json.out());
    assertTrue(json.out().contains("\"current_key_record\":\"3 1 1 " + digest + "\""),
        json.out());

    CliRun text = runDane("check", "mismatch.example");
    assertEquals(1, text.exit(), text.err() + text.out());
    String line = text.out().lines().filter(l -> l.startsWith("fail   dane")).findFirst()
        .orElseThrow(() -> new AssertionError(text.out()));
    assertTrue(line.contains("mx.mismatch.example"), line);
    assertTrue(text.out().contains("fix: publish TLSA 3 1 1 " + digest), text.out());
    assertFalse(text.out().contains("\\u"), "no escapes in the table: " + text.out());
  }

  @Test
  void bogusTlsa_dnssecFailed_STS_DANE_03() {
    CliRun r = runDane("check", "bogus.example", "--json");
    assertEquals(1, r.exit(), r.err() + r.out());
    String dane = item(r.out(), "dane", "mx.bogus.example");
    assertTrue(dane.contains("\"verdict\":\"fail\""), dane);
    assertTrue(dane.contains("DNSSEC validation failed: TLSA lookup of"
        + " _25._tcp.mx.bogus.example failed: bogus"), dane);
    assertTrue(r.out().contains("\"status\":\"dnssec-failed\""), r.out());
  }

  @Test
  void onlyPkixTlsa_tlsRequired_warns_STS_DANE_04() {
    CliRun r = runDane("check", "pkix.example", "--json");
    assertEquals(0, r.exit(), r.err() + r.out());
    String dane = item(r.out(), "dane", "mx.pkix.example");
    assertTrue(dane.contains("\"verdict\":\"warn\""), dane);
    assertTrue(dane.contains("has no record usable for SMTP (1 1 1 "), dane);
    assertTrue(dane.contains("publish _25._tcp.mx.pkix.example. IN TLSA 3 1 1 "
        + hex(spki("mx.pkix.example"))), dane);
  }

  @Test
  void unsignedDomain_daneNotUsed_ok_STS_DANE_02() {
    CliRun r = runDane("check", "unsigned.example", "--json");
    assertEquals(0, r.exit(), r.err() + r.out());
    String dane = item(r.out(), "dane", "mx.unsigned.example");
    assertTrue(dane.contains("\"verdict\":\"ok\""), dane);
    assertTrue(dane.contains("not used: the MX RRset of unsigned.example is not DNSSEC-validated"
        + " (insecure)"), dane);
  }

  @Test
  void noDane_noDaneItems_statusDisabled() {
    CliRun r = runDane("check", "mismatch.example", "--json", "--no-dane");
    assertEquals(0, r.exit(), "without DANE the MTA-STS set-up is fine: " + r.err() + r.out());
    assertFalse(r.out().contains("{\"item\":\"dane\""), r.out());
    assertTrue(r.out().contains("\"dane\":{\"status\":\"disabled\",\"reason\":\"turned off by"
        + " --no-dane\"}"), r.out());
    assertEquals("", r.err());
  }

  @Test
  void rootAnchorsAgainstTheTestDns_daneUnavailable_saidOnceOnStderr_checkGoesOn_STS_DANE_06() {
    // The built-in root anchors do not validate the test world's root: the probe says so.
    CliRun text = run("check", "mismatch.example");
    assertEquals(0, text.exit(), text.err() + text.out());
    assertFalse(text.out().contains(" dane "), text.out());
    assertTrue(text.out().contains("ok     starttls"), text.out());
    List<String> notes = text.err().lines().toList();
    assertEquals(1, notes.size(), text.err());
    assertTrue(notes.get(0).startsWith("mta-sts: DANE unavailable ("), text.err());
    assertTrue(notes.get(0).contains("MTA-STS alone applies"), text.err());

    CliRun json = run("check", "mismatch.example", "--json");
    assertEquals(0, json.exit(), json.err() + json.out());
    assertEquals("", json.err(), "in JSON mode the document says it");
    assertTrue(json.out().contains("\"dane\":{\"status\":\"unavailable\",\"reason\":\""),
        json.out());
  }

  @Test
  void strippingResolver_daneUnavailable_mtaStsStillWorks_STS_DANE_06() {
    world.dns().stripDnssec(true);
    try {
      CliRun r = runDane("check", "dane.example", "--json");
      assertEquals(0, r.exit(), r.err() + r.out());
      assertTrue(r.out().contains("\"dane\":{\"status\":\"unavailable\",\"reason\":\"resolver"
          + " does not return DNSSEC records"), r.out());
      assertTrue(item(r.out(), "policy", "mta-sts.dane.example").contains("\"verdict\":\"ok\""),
          r.out());
    } finally {
      world.dns().stripDnssec(false);
    }
  }

  @Test
  void badTrustAnchorFile_usageError() throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.ds"), "this is not a zone file\n",
        StandardCharsets.UTF_8);
    for (String command : List.of("check", "policy")) {
      CliRun r = CliRun.run(List.of("--dnssec-trust-anchor", bad.toString(), command,
          "dane.example"));
      assertEquals(2, r.exit(), r.err() + r.out());
      assertTrue(r.err().startsWith("mta-sts: --dnssec-trust-anchor " + bad + ": DNSSEC trust"
          + " anchors"), r.err());
      assertTrue(r.err().contains("want DS or DNSKEY records in zone-file format"), r.err());
      assertFalse(r.err().contains("\tat "), r.err());
    }
    Path none = dir.resolve("missing.ds");
    CliRun missing = CliRun.run(List.of("check", "dane.example", "--dnssec-trust-anchor",
        none.toString()));
    assertEquals(2, missing.exit(), missing.err());
    assertEquals("mta-sts: --dnssec-trust-anchor " + none + ": no such file",
        missing.err().strip());
    Path onlyA = Files.writeString(dir.resolve("a.zone"), "example. 300 IN A 192.0.2.1\n");
    CliRun noAnchor = CliRun.run(List.of("--dnssec-trust-anchor", onlyA.toString(), "check",
        "dane.example"));
    assertEquals(2, noAnchor.exit(), noAnchor.err());
    assertTrue(noAnchor.err().contains("contain no DS or DNSKEY record"), noAnchor.err());
  }

  /**
   * The JSON item {@code item} for {@code subject}, as text: up to the next item or the end of the
   * list (a DNSSEC failure's detail quotes braces, which CheckCommandTest's pattern stops at).
   */
  static String item(String json, String item, String subject) {
    int start = json.indexOf("{\"item\":\"" + item + "\",\"subject\":\"" + subject + "\"");
    if (start < 0) {
      throw new AssertionError("no item " + item + " " + subject + " in " + json);
    }
    int next = json.indexOf(",{\"item\":", start + 1);
    int end = json.indexOf("}],", start);
    return json.substring(start, next >= 0 && next < end ? next : end + 1);
  }

  static String hex(byte[] data) {
    return HexFormat.of().formatHex(data);
  }
}
