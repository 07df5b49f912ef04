package org.mtasts.internal.dns;

import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** How long a response may be reused. */
final class Ttls {

  private Ttls() {}

  /**
   * The lifetime of a response in seconds, and whether it is negative (no record of the asked
   * type at the end of its answer section).
   */
  record Lifetime(long seconds, boolean negative) {}

  /**
   * The smallest TTL in the answer section; when the answer does not end in records of the asked
   * type (NODATA, NXDOMAIN, or a CNAME towards either), also the negative-caching time of RFC
   * 2308 §5: the lower of the SOA record's TTL and its MINIMUM field, or zero without an SOA.
   */
  static Lifetime of(Message response) {
    Record question = response.getQuestion();
    int type = question == null ? -1 : question.getType();
    long min = Long.MAX_VALUE;
    boolean positive = false;
    for (Record r : response.getSection(Section.ANSWER)) {
      min = Math.min(min, r.getTTL());
      if (r.getType() == type) {
        positive = true;
      }
    }
    if (!positive) {
      min = Math.min(min, negativeTtl(response));
    }
    return new Lifetime(min == Long.MAX_VALUE ? 0 : min, !positive);
  }

  private static long negativeTtl(Message response) {
    for (Record r : response.getSection(Section.AUTHORITY)) {
      if (r.getType() == Type.SOA) {
        return Math.min(r.getTTL(), ((SOARecord) r).getMinimum());
      }
    }
    return 0;
  }
}
