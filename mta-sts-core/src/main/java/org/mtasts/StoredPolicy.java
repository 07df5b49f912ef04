package org.mtasts;

import java.time.Instant;
import java.util.Objects;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.PolicyRecord;

/**
 * A cached policy as persisted by a {@link PolicyStore}: the policy domain, the id of the DNS
 * record the policy was fetched under, the raw policy text and when it was fetched.
 *
 * <p>The raw text is kept rather than a parsed form: it is parsed again when loaded, so that a
 * stored entry gets exactly the checks of a fresh fetch (SEC-25), and TLS-RPT needs its lines
 * verbatim as the {@code policy-string} (RFC 8460 §4.4). The store does not parse it.
 *
 * <p>The constructor validates every component, so every instance is well formed:
 *
 * <ul>
 *   <li>{@code domain} is non-null and a valid host name; it is stored in normalised form
 *       ({@link DomainNames#normalize(String)}: A-labels, lower case, no trailing dot), so {@code
 *       Example.COM.} becomes {@code example.com};
 *   <li>{@code recordId} is 1 to {@value PolicyRecord#MAX_ID_LENGTH} ASCII letters or digits, as
 *       in the {@code id=} field of the {@code _mta-sts} TXT record (RFC 8461 §3.1);
 *   <li>{@code policyText} is non-null, at most {@value #MAX_POLICY_TEXT_BYTES} bytes in UTF-8 (the
 *       policy fetch limit), and encodable as UTF-8 (no unpaired surrogates); it is kept
 *       verbatim, including CR LF line ends;
 *   <li>{@code fetchedAt} is non-null. It is not checked against the clock: a time in the future
 *       is kept as given, and the facade clamps it when it loads the entry (SEC-24).
 * </ul>
 *
 * <p>Records are immutable and thread-safe. {@link #toString()} shows the size of the policy text
 * rather than the text itself, to keep logs short.
 *
 * @param domain the policy domain, normalised by the constructor
 * @param recordId the {@code id} of the {@code _mta-sts} TXT record the policy was fetched under
 * @param policyText the policy text exactly as served
 * @param fetchedAt when the policy was fetched
 */
public record StoredPolicy(String domain, String recordId, String policyText, Instant fetchedAt) {

  /**
   * Largest accepted policy text, in UTF-8 bytes: 65 536, the default body limit of the policy
   * fetch (RFC 8461 §3.3 suggests 64 KB).
   */
  public static final int MAX_POLICY_TEXT_BYTES = 65_536;

  /**
   * Validates and normalises the components; see the class documentation for the rules.
   *
   * @param domain the policy domain, in any form {@link DomainNames#normalize(String)} accepts
   * @param recordId the {@code id} of the {@code _mta-sts} TXT record
   * @param policyText the policy text exactly as served
   * @param fetchedAt when the policy was fetched
   * @throws NullPointerException if any component is null
   * @throws IllegalArgumentException if {@code domain} is not a valid host name (an {@link
   *     org.mtasts.policy.InvalidDomainException}), {@code recordId} is not 1 to 32 ASCII letters
   *     or digits, or {@code policyText} is larger than {@value #MAX_POLICY_TEXT_BYTES} UTF-8
   *     bytes or contains an unpaired surrogate
   */
  public StoredPolicy {
    domain = DomainNames.normalize(Objects.requireNonNull(domain, "domain"));
    Objects.requireNonNull(recordId, "recordId");
    Objects.requireNonNull(policyText, "policyText");
    Objects.requireNonNull(fetchedAt, "fetchedAt");
    checkRecordId(recordId);
    checkPolicyText(policyText);
  }

  private static void checkRecordId(String id) {
    boolean ok = !id.isEmpty() && id.length() <= PolicyRecord.MAX_ID_LENGTH;
    for (int i = 0; ok && i < id.length(); i++) {
      char c = id.charAt(i);
      ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "invalid record id (" + id.length() + " characters): a record id has 1 to "
              + PolicyRecord.MAX_ID_LENGTH + " ASCII letters or digits");
    }
  }

  /** Counts UTF-8 bytes without encoding, stopping early once the limit is passed. */
  private static void checkPolicyText(String text) {
    long bytes = 0;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            "policy text has an unpaired surrogate at index " + i + "; it is not valid UTF-8");
      } else {
        bytes += 3;
      }
      if (bytes > MAX_POLICY_TEXT_BYTES) {
        throw new IllegalArgumentException(
            "policy text is larger than " + MAX_POLICY_TEXT_BYTES + " bytes in UTF-8");
      }
    }
  }

  /**
   * Returns a short description: domain, record id, fetch time and the size of the policy text
   * (not the text).
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "StoredPolicy{" + domain + ", id=" + recordId + ", fetchedAt=" + fetchedAt
        + ", policyText=" + policyText.length() + " chars}";
  }
}
