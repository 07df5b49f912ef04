package org.mtasts.internal.dns;

import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** How long a response may be reused. */
final class Ttls {

  private Ttls() {}

  /**
   * The lifetime of a response in seconds, and whether it is negative (it says that there is no
   * record of the asked type).
   */
  record Lifetime(long seconds, boolean negative) {}

  /**
   * The smallest TTL in the answer section. A response without records of the asked type is
   * negative when it is NXDOMAIN, or is empty, or carries an SOA (NODATA, possibly after CNAMEs);
   * its lifetime is then also bounded by the negative-caching time of RFC 2308 §5, the lower of the
   * SOA record's TTL and its MINIMUM field, or zero without an SOA. A response holding only CNAMEs
   * to follow, without an SOA, is not negative.
   */
  static Lifetime of(Message response) {
    Record question = response.getQuestion();
    int type = question == null ? -1 : question.getType();
    long min = Long.MAX_VALUE;
    boolean positive = false;
    boolean empty = true;
    for (Record r : response.getSection(Section.ANSWER)) {
      empty = false;
      min = Math.min(min, ttl(r.getTTL()));
      if (r.getType() == type) {
        positive = true;
      }
    }
    SOARecord soa = soa(response);
    boolean negative = !positive && (empty || soa != null || response.getRcode() == Rcode.NXDOMAIN);
    if (negative) {
      min = Math.min(min, soa == null ? 0 : Math.min(ttl(soa.getTTL()), ttl(soa.getMinimum())));
    }
    return new Lifetime(min == Long.MAX_VALUE ? 0 : min, negative);
  }

  /** RFC 2181 §8: a TTL with the most significant bit set is taken as zero. */
  private static long ttl(long value) {
    return value > 0x7FFF_FFFFL ? 0 : value;
  }

  private static SOARecord soa(Message response) {
    for (Record r : response.getSection(Section.AUTHORITY)) {
      if (r.getType() == Type.SOA) {
        return (SOARecord) r;
      }
    }
    return null;
  }
}
