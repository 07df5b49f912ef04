package org.mtasts.redis;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.mtasts.StoredPolicy;
import org.mtasts.policy.Policy;
import org.mtasts.policy.PolicySyntaxException;

/**
 * The value of one policy key: a versioned header of three lines (domain, record id, fetch time)
 * and the policy text verbatim, readable with {@code redis-cli GET}. Redis writes a value whole,
 * so there is no checksum; a value that does not decode is foreign or damaged.
 *
 * <pre>
 * mta-sts-java policy v1
 * domain: example.com
 * id: 20160831085700Z
 * fetched: 2026-11-28T15:02:07.123Z
 *
 * version: STSv1 ...
 * </pre>
 */
final class PolicyValue {
  static final String MAGIC = "mta-sts-java policy v1\n";

  private PolicyValue() {}

  /** Encodes an entry; equal entries give equal values (the conditional removal compares them). */
  static String encode(StoredPolicy p) {
    return MAGIC + "domain: " + p.domain() + "\nid: " + p.recordId() + "\nfetched: "
        + p.fetchedAt() + "\n\n" + p.policyText();
  }

  /**
   * Decodes a value.
   *
   * @throws IllegalArgumentException with the reason, if the value is not an entry
   */
  static StoredPolicy decode(String value) {
    if (!value.startsWith(MAGIC)) {
      throw new IllegalArgumentException("not an mta-sts-java policy entry (unknown header)");
    }
    int pos = MAGIC.length();
    String[] header = new String[3];
    String[] names = {"domain: ", "id: ", "fetched: "};
    for (int i = 0; i < 3; i++) {
      int end = value.indexOf('\n', pos);
      if (end < 0 || !value.startsWith(names[i], pos)) {
        throw new IllegalArgumentException("truncated or damaged header (" + names[i].trim()
            + " expected)");
      }
      header[i] = value.substring(pos + names[i].length(), end);
      pos = end + 1;
    }
    if (!value.startsWith("\n", pos)) {
      throw new IllegalArgumentException("damaged header (no empty line before the policy)");
    }
    Instant fetched;
    try {
      fetched = Instant.parse(header[2]);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("bad fetch time", e);
    }
    return new StoredPolicy(header[0], header[1], value.substring(pos + 1), fetched);
  }

  /**
   * When the entry's policy expires: {@code fetchedAt + max_age}, {@code max_age} read with core's
   * parser. Text that does not parse gets the largest {@code max_age} any policy may have, so that
   * no entry ever expires before its policy would.
   */
  static Instant expiresAt(StoredPolicy p) {
    Duration maxAge;
    try {
      maxAge = Policy.parse(p.policyText()).maxAge();
    } catch (PolicySyntaxException | RuntimeException e) {
      maxAge = Policy.MAX_AGE_LIMIT;
    }
    Instant limit = Instant.MAX.minus(maxAge);
    return p.fetchedAt().isAfter(limit) ? Instant.MAX : p.fetchedAt().plus(maxAge);
  }
}
