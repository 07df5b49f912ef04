package org.mtasts.internal.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * The built-in root trust anchors. A wrong digest would make every signed domain bogus, or, worse,
 * never secure, without any error at start-up: so the digests are recomputed here from the root
 * zone's published key-signing keys.
 */
class DnssecAnchorsTest {

  /**
   * The root zone's key-signing keys as published in the root zone (and in the newer IANA
   * root-anchors.xml, which carries the public keys too): KSK-2017 and KSK-2024. Copied from the
   * root zone's DNSKEY RRset; if one character were wrong, its key tag would no longer come out.
   */
  private static final String ROOT_KSKS =
      ". 172800 IN DNSKEY 257 3 8"
          + " AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5e"
          + "mLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0"
          + "jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uT"
          + "IdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1A"
          + "kUTV74bU=\n"
          + ". 172800 IN DNSKEY 257 3 8"
          + " AwEAAa96jeuknZlaeSrvyAJj6ZHv28hhOKkx3rLGXVaC6rXTsDc449/cidltpkyGwCJNnOAlFNKF2jBosZBU"
          + "5eeHspaQWOmOElZsjICMQMC3aeHbGiShvZsx4wMYSjH8e7Vrhbu6irwCzVBApESjbUdpWWmEnhathWu1jo+si"
          + "FUiRAAxm9qyJNg/wOZqqzL/dL/q8PkcRU5oUKEpUge71M3ej2/7CPqpdVwuMoTvoB+ZOT4YeGyxMvHmbrxlFz"
          + "GOHOijtzN+u1TQNatX2XBuzZNQ1K+s2CXkPIZo7s6JgZyvaBevYtxPvYLw4z9mR7K2vaF18UYH9Z9GNUUeayf"
          + "fKC73PYc=\n";

  @Test
  @DisplayName(
      "STS-DANE-02: the built-in root anchors are IANA's KSK-2017 (20326) and KSK-2024 (38696),"
          + " RSA/SHA-256, as SHA-256 DS records of the root")
  void rootAnchors_areKsk2017AndKsk2024_STS_DANE_02() throws IOException {
    List<DSRecord> anchors = ds(DnssecAnchors.parse(DnssecAnchors.ROOT));

    assertEquals(2, anchors.size());
    assertEquals(List.of(20326, 38696), anchors.stream().map(DSRecord::getFootprint).toList());
    for (DSRecord ds : anchors) {
      assertEquals(Name.root, ds.getName());
      assertEquals(DClass.IN, ds.getDClass());
      assertEquals(DNSSEC.Algorithm.RSASHA256, ds.getAlgorithm());
      assertEquals(DNSSEC.Digest.SHA256, ds.getDigestID());
      assertEquals(32, ds.getDigest().length);
    }
    assertEquals(List.of(Name.root), DnssecAnchors.owners(DnssecAnchors.ROOT));
  }

  @Test
  @DisplayName(
      "STS-DANE-02: each built-in root DS digest is the SHA-256 digest of the root key-signing key"
          + " with that key tag (recomputed, not copied)")
  void rootAnchors_digestsRecomputedFromRootKeys_STS_DANE_02() throws IOException {
    List<DSRecord> anchors = ds(DnssecAnchors.ROOT);
    List<DNSKEYRecord> keys = dnskeys(ROOT_KSKS);
    assertEquals(anchors.size(), keys.size());

    for (int i = 0; i < keys.size(); i++) {
      DNSKEYRecord key = keys.get(i);
      DSRecord anchor = anchors.get(i);
      assertEquals(anchor.getFootprint(), key.getFootprint(), "key tag of " + key);
      assertEquals(DNSKEYRecord.Flags.ZONE_KEY | DNSKEYRecord.Flags.SEP_KEY, key.getFlags());
      DSRecord computed = new DSRecord(Name.root, DClass.IN, 172800, DNSSEC.Digest.SHA256, key);
      assertArrayEquals(
          computed.getDigest(), anchor.getDigest(), "digest of " + key.getFootprint());
      assertEquals(computed.getAlgorithm(), anchor.getAlgorithm());
    }
  }

  @Test
  @DisplayName("The digest check above can fail: a DS with one digest bit changed does not match")
  void alteredDigest_doesNotMatch() throws IOException {
    DSRecord anchor = ds(DnssecAnchors.ROOT).get(1);
    byte[] altered = anchor.getDigest();
    altered[altered.length - 1] ^= 1;
    DSRecord computed =
        new DSRecord(Name.root, DClass.IN, 172800, DNSSEC.Digest.SHA256, dnskeys(ROOT_KSKS).get(1));

    assertFalse(Arrays.equals(altered, computed.getDigest()));
  }

  @Test
  @DisplayName("Trust anchors: DS and DNSKEY kept, other types dropped, owners listed once")
  void parse_keepsDsAndDnskey() {
    String text =
        "example. 3600 IN TXT \"not an anchor\"\n"
            + DnssecAnchors.ROOT
            + "test. 3600 IN DS 1 13 2 "
            + "0000000000000000000000000000000000000000000000000000000000000000\n";

    String parsed = DnssecAnchors.parse(text);

    assertEquals(3, parsed.lines().count());
    assertFalse(parsed.contains("TXT"));
    assertEquals(
        List.of(Name.root, Name.fromConstantString("test.")), DnssecAnchors.owners(text));
  }

  @Test
  @DisplayName("Trust anchors without DS or DNSKEY, or with $INCLUDE, are refused")
  void parse_refusesNoAnchorsAndIncludes() {
    IllegalArgumentException none =
        assertThrows(
            IllegalArgumentException.class,
            () -> DnssecAnchors.parse("example. 3600 IN TXT \"x\"\n"));
    assertTrue(none.getMessage().contains("no DS or DNSKEY"), none.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> DnssecAnchors.parse("$INCLUDE /etc/passwd\n"));
  }

  private static List<DSRecord> ds(String text) throws IOException {
    List<DSRecord> out = new ArrayList<>();
    for (Record r : records(text)) {
      out.add((DSRecord) r);
    }
    return out;
  }

  private static List<DNSKEYRecord> dnskeys(String text) throws IOException {
    List<DNSKEYRecord> out = new ArrayList<>();
    for (Record r : records(text)) {
      out.add((DNSKEYRecord) r);
    }
    return out;
  }

  private static List<Record> records(String text) throws IOException {
    List<Record> out = new ArrayList<>();
    try (Master master =
        new Master(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), Name.root)) {
      Record r;
      while ((r = master.nextRecord()) != null) {
        out.add(r);
      }
    }
    return out;
  }
}
