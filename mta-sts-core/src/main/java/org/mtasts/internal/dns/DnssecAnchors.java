package org.mtasts.internal.dns;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** Parses DNSSEC trust anchors given by the user, so that mistakes show up in the builder. */
public final class DnssecAnchors {

  /**
   * The root zone's trust anchors as IANA publishes them in {@code
   * https://data.iana.org/root-anchors/root-anchors.xml} (RFC 9718): the SHA-256 digests (DS) of
   * KSK-2017 (key tag 20326, valid from 2017-02-02) and KSK-2024 (key tag 38696, valid from
   * 2024-07-18), both RSA/SHA-256 (algorithm 8). Both are listed so that the roll from one to the
   * other needs no new release. The digests were checked against dnsjava's, BIND's and other
   * projects' copies, and {@code DnssecAnchorsTest} recomputes them from the root DNSKEYs. When
   * IANA publishes a new KSK, add its DS here (and its DNSKEY to the test).
   */
  public static final String ROOT =
      ". 172800 IN DS 20326 8 2"
          + " E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"
          + ". 172800 IN DS 38696 8 2"
          + " 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16\n";

  private DnssecAnchors() {}

  /**
   * Parses DS and DNSKEY records in zone-file format and returns them re-serialised, one per line,
   * ready for {@code ValidatingResolver.loadTrustAnchors}. Only DS and DNSKEY records are kept;
   * {@code $INCLUDE} is refused, since dnsjava would otherwise read any local file.
   *
   * @throws IllegalArgumentException if the text does not parse or has no DS or DNSKEY record
   */
  public static String parse(String text) {
    StringBuilder sb = new StringBuilder();
    for (Record r : records(text)) {
      sb.append(r).append('\n');
    }
    return sb.toString();
  }

  /**
   * The owner names of the anchors in {@code text}, in order of appearance, without repeats: the
   * names whose DNSKEY RRsets the anchors vouch for.
   *
   * @throws IllegalArgumentException as {@link #parse(String)}
   */
  static List<Name> owners(String text) {
    Set<Name> owners = new LinkedHashSet<>();
    for (Record r : records(text)) {
      owners.add(r.getName());
    }
    return List.copyOf(owners);
  }

  private static List<Record> records(String text) {
    List<Record> anchors = new ArrayList<>();
    try (Master master =
        new Master(
            new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), Name.root, 3600)) {
      master.disableIncludes(true);
      Record record;
      while ((record = master.nextRecord()) != null) {
        if (record.getType() == Type.DS || record.getType() == Type.DNSKEY) {
          anchors.add(record);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "DNSSEC trust anchors do not parse as zone-file records: " + e.getMessage(), e);
    }
    if (anchors.isEmpty()) {
      throw new IllegalArgumentException("DNSSEC trust anchors contain no DS or DNSKEY record");
    }
    return anchors;
  }
}
