package org.mtasts.internal.dns;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** Parses DNSSEC trust anchors given by the user, so that mistakes show up in the builder. */
public final class DnssecAnchors {

  private DnssecAnchors() {}

  /**
   * Parses DS and DNSKEY records in zone-file format and returns them re-serialised, one per line,
   * ready for {@code ValidatingResolver.loadTrustAnchors}. Only DS and DNSKEY records are kept;
   * {@code $INCLUDE} is refused, since dnsjava would otherwise read any local file.
   *
   * @throws IllegalArgumentException if the text does not parse or has no DS or DNSKEY record
   */
  public static String parse(String text) {
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
    StringBuilder sb = new StringBuilder();
    for (Record r : anchors) {
      sb.append(r).append('\n');
    }
    return sb.toString();
  }
}
