package org.mtasts.report;

import java.util.List;
import java.util.Objects;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;
import org.mtasts.policy.MxPattern;
import org.mtasts.policy.ParsedPolicy;
import org.mtasts.policy.Policy;

/**
 * The {@code policy} object of one TLS-RPT report entry (RFC 8460 §4.4): the key under which
 * sessions are counted (TLSRPT-JSON-04). Two sessions under equal {@code ReportPolicy} values are
 * counted together.
 *
 * <p>Immutable and thread-safe.
 *
 * @param type the policy type
 * @param domain the policy domain, normalised to lower-case A-labels (TLSRPT-JSON-02)
 * @param policyString the policy as served, one element per line, line terminators removed,
 *     including lines that made it invalid (TLSRPT-JSON-03); for {@code tlsa} one element per TLSA
 *     record; empty for {@code no-policy-found} and for a policy that could not be fetched
 * @param mxHost the policy's {@code mx} patterns, converted to A-label form (TLSRPT-JSON-02);
 *     values that are neither a host name nor a {@code *.}-pattern are left out (the line that
 *     held one stays in {@code policyString}); empty but for {@code sts}
 */
public record ReportPolicy(
    PolicyType type, String domain, List<String> policyString, List<String> mxHost) {

  /**
   * Validates and normalises the components.
   *
   * @throws NullPointerException if an argument or element is null
   * @throws org.mtasts.policy.InvalidDomainException if {@code domain} is not a host name
   */
  public ReportPolicy {
    Objects.requireNonNull(type, "type");
    domain = DomainNames.normalize(domain);
    policyString = List.copyOf(policyString);
    mxHost = mxHost.stream().map(ReportPolicy::aLabelsOrNull).filter(Objects::nonNull).toList();
  }

  /**
   * Returns a host name or {@code *.}-pattern in normalised A-label form, or null when it is
   * neither.
   */
  static String aLabelsOrNull(String name) {
    Objects.requireNonNull(name, "mxHost element");
    try {
      return name.startsWith("*.")
          ? "*." + DomainNames.normalize(name.substring(2))
          : DomainNames.normalize(name);
    } catch (InvalidDomainException e) {
      return null;
    }
  }

  /**
   * The entry for sessions under an MTA-STS policy, keyed by its lines as served.
   *
   * @param domain the policy domain
   * @param lines the policy's lines as served (see {@link ParsedPolicy#lines()})
   * @param policy the parsed policy, for its {@code mx} patterns
   * @return the report policy
   */
  public static ReportPolicy sts(String domain, List<String> lines, Policy policy) {
    return new ReportPolicy(PolicyType.STS, domain, lines,
        policy.mxPatterns().stream().map(MxPattern::toString).toList());
  }

  /**
   * The entry for a policy domain whose policy could not be fetched or was invalid, with the lines
   * that were served if any (TLSRPT-DATA-06).
   *
   * @param domain the policy domain
   * @param lines the lines served (empty when nothing usable arrived)
   * @param mxPatterns the {@code mx} values found in those lines, if any
   * @return the report policy
   */
  public static ReportPolicy sts(String domain, List<String> lines, List<String> mxPatterns) {
    return new ReportPolicy(PolicyType.STS, domain, lines, mxPatterns);
  }

  /**
   * The entry for sessions under DANE (RFC 7672): policy type {@code tlsa}, the TLSA records as
   * {@code policy-string} (STS-DANE-08).
   *
   * @param tlsaBaseDomain the TLSA base domain (RFC 7672 §2.2.3), the Policy Domain of DANE
   *     results (RFC 8460 §1.1)
   * @param tlsaRecords the TLSA RRset in presentation form, one record per element, e.g. {@code
   *     "3 1 1 0a1b..."}; empty when the RRset could not be obtained ({@code dnssec-invalid})
   * @return the report policy
   */
  public static ReportPolicy tlsa(String tlsaBaseDomain, List<String> tlsaRecords) {
    return new ReportPolicy(PolicyType.TLSA, tlsaBaseDomain, tlsaRecords, List.of());
  }

  /**
   * The entry for sessions to a domain without a policy (D-32).
   *
   * @param domain the recipient domain
   * @return the report policy
   */
  public static ReportPolicy noPolicyFound(String domain) {
    return new ReportPolicy(PolicyType.NO_POLICY_FOUND, domain, List.of(), List.of());
  }
}
