package org.mtasts;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.mtasts.policy.Mode;
import org.mtasts.policy.Policy;
import org.mtasts.policy.PolicyWarning;

/**
 * The outcome of resolving the MTA-STS policy of one domain with {@link MtaSts#resolve(String)}:
 * whether a policy applies, which one, where it came from, and why there is none. Immutable and
 * thread-safe.
 *
 * <p>Only {@link Status#VALID} carries a policy. Every other status means "deliver as for a
 * domain without MTA-STS" (RFC 8461 §3.3, §5; STS-FETCH-15, D-01), except that a caller that
 * configured {@link MtaSts.Builder#deferOnDnsFailure(boolean)} defers on {@link Status#DNS_ERROR}
 * (see {@link #shouldDefer()}). A cached policy is never given up because DNS or HTTPS fails: in
 * that case the status is {@code VALID}, the source {@link Source#STALE_CACHE} and {@link
 * #failure()} says what failed.
 */
public final class PolicyLookup {

  /** Whether a policy applies. */
  public enum Status {
    /** A policy applies: fresh or cached; includes {@code mode: none}. */
    VALID,
    /** The domain publishes no {@code _mta-sts} record, and nothing is cached. */
    NO_POLICY,
    /**
     * The TXT record (several records, or one with bad syntax) or the policy is invalid, and
     * nothing is cached. Deliver as without a policy.
     */
    INVALID,
    /**
     * The TXT record is present but the policy could not be fetched, and nothing is cached.
     * Deliver as without a policy (STS-FETCH-15).
     */
    FETCH_ERROR,
    /**
     * The TXT lookup failed temporarily and nothing is cached. Deliver as without a policy, or
     * defer if so configured (D-01, STS-DISC-16).
     */
    DNS_ERROR
  }

  /** Where the policy of a {@link Status#VALID} lookup came from. */
  public enum Source {
    /** Fetched over HTTPS during this lookup. */
    FETCHED,
    /** From the cache; the TXT record still announces the same id (STS-CACHE-04). */
    CACHE,
    /**
     * From the cache although the live policy could not be confirmed: the fetch of a new id failed
     * or was postponed, or the TXT record is missing, invalid or its lookup failed (STS-CACHE-05,
     * STS-FETCH-16, STS-DISC-14). {@link #failure()} says what failed.
     */
    STALE_CACHE,
    /**
     * From the local overrides ({@link PolicyOverrides.Action#PINNED}): neither DNS nor HTTPS was
     * asked. {@link #override()} names the rule.
     */
    PINNED
  }

  private final String domain;
  private final Status status;
  private final Source source;
  private final CachedPolicy policy;
  private final List<PolicyWarning> warnings;
  private final LookupFailure failure;
  private final boolean deferOnDnsFailure;
  private final PolicyOverrides.Rule override;
  /** The applied policy's text, for its TLS-RPT lines; null unless the client records TLS-RPT. */
  private final String policyText;

  private PolicyLookup(String domain, Status status, Source source, CachedPolicy policy,
      List<PolicyWarning> warnings, LookupFailure failure, boolean deferOnDnsFailure,
      PolicyOverrides.Rule override, String policyText) {
    this.domain = Objects.requireNonNull(domain, "domain");
    this.status = Objects.requireNonNull(status, "status");
    this.source = source;
    this.policy = policy;
    this.warnings = List.copyOf(warnings);
    this.failure = failure;
    this.deferOnDnsFailure = deferOnDnsFailure;
    this.override = override;
    this.policyText = policyText;
  }

  /** This lookup as changed by nothing but noted as under {@code rule}. */
  PolicyLookup withOverride(PolicyOverrides.Rule rule) {
    return new PolicyLookup(domain, status, source, policy, warnings, failure, deferOnDnsFailure,
        Objects.requireNonNull(rule, "rule"), policyText);
  }

  /** This lookup's {@code testing} policy applied as {@code enforce}, under {@code rule}. */
  PolicyLookup asEnforced(PolicyOverrides.Rule rule) {
    CachedPolicy enforced = new CachedPolicy(policy.domain(), policy.recordId(),
        policy.policy().toBuilder().mode(Mode.ENFORCE).build(), policy.fetchedAt(),
        policy.expiresAt());
    return new PolicyLookup(domain, status, source, enforced, warnings, failure,
        deferOnDnsFailure, Objects.requireNonNull(rule, "rule"), policyText);
  }

  static PolicyLookup valid(Source source, CachedPolicy policy, List<PolicyWarning> warnings,
      LookupFailure failure) {
    return valid(source, policy, warnings, failure, null);
  }

  static PolicyLookup valid(Source source, CachedPolicy policy, List<PolicyWarning> warnings,
      LookupFailure failure, String policyText) {
    Objects.requireNonNull(source, "source");
    return new PolicyLookup(policy.domain(), Status.VALID, source, policy, warnings, failure,
        false, null, policyText);
  }

  static PolicyLookup failed(String domain, Status status, LookupFailure failure,
      boolean deferOnDnsFailure) {
    if (status == Status.VALID) {
      throw new IllegalArgumentException("a VALID lookup needs a policy");
    }
    return new PolicyLookup(domain, status, null, null, List.of(), failure,
        status == Status.DNS_ERROR && deferOnDnsFailure, null, null);
  }

  /** The applied policy's text as kept by a client that records TLS-RPT results, or null. */
  String policyText() {
    return policyText;
  }

  /** The policy domain, normalised (A-labels, lower case, no trailing dot). */
  public String domain() {
    return domain;
  }

  /** Whether a policy applies, or why none does. */
  public Status status() {
    return status;
  }

  /** The policy, present exactly when the status is {@link Status#VALID}. */
  public Optional<Policy> policy() {
    return policy == null ? Optional.empty() : Optional.of(policy.policy());
  }

  /** The mode of the applied policy, present exactly when the status is {@link Status#VALID}. */
  public Optional<Mode> mode() {
    return policy == null ? Optional.empty() : Optional.of(policy.mode());
  }

  /** The policy with its id and lifetime, present exactly when the status is VALID. */
  public Optional<CachedPolicy> cachedPolicy() {
    return Optional.ofNullable(policy);
  }

  /** The id of the TXT record the applied policy was fetched for. */
  public Optional<String> recordId() {
    return policy == null ? Optional.empty() : Optional.of(policy.recordId());
  }

  /** Where the applied policy came from, present exactly when the status is VALID. */
  public Optional<Source> source() {
    return Optional.ofNullable(source);
  }

  /** When the applied policy was fetched. */
  public Optional<Instant> fetchedAt() {
    return policy == null ? Optional.empty() : Optional.of(policy.fetchedAt());
  }

  /**
   * When the applied policy expires: {@code fetchedAt + max_age}. Equal to {@link #fetchedAt()}
   * for {@code max_age: 0}, which applies to this lookup only (D-09).
   */
  public Optional<Instant> expiresAt() {
    return policy == null ? Optional.empty() : Optional.of(policy.expiresAt());
  }

  /** The parser's warnings about the applied policy (publisher slips that were tolerated). */
  public List<PolicyWarning> warnings() {
    return warnings;
  }

  /**
   * What failed: present for {@link Status#INVALID}, {@link Status#FETCH_ERROR} and {@link
   * Status#DNS_ERROR}, and for a {@code VALID} lookup whose source is {@link Source#STALE_CACHE};
   * empty for {@link Status#NO_POLICY} (nothing failed) and a confirmed policy. For TLS-RPT and
   * logs.
   */
  public Optional<LookupFailure> failure() {
    return Optional.ofNullable(failure);
  }

  /**
   * The local override rule that shaped this lookup ({@link MtaSts.Builder#overrides}), if one
   * is in force for the domain: the policy applied may then differ from the published one ({@code
   * treat-testing-as-enforce} makes it {@code enforce}, {@code pinned} replaces it, {@code
   * exempt} removes it: status {@link Status#NO_POLICY}), and {@code require-tls} makes {@link
   * MtaSts#check} require verified TLS.
   */
  public Optional<PolicyOverrides.Rule> override() {
    return Optional.ofNullable(override);
  }

  /** Whether a policy applies. */
  public boolean isValid() {
    return status == Status.VALID;
  }

  /** Whether an {@code enforce} policy applies: deliveries must pass its checks. */
  public boolean isEnforced() {
    return policy != null && policy.mode() == Mode.ENFORCE;
  }

  /**
   * Whether the caller should defer delivery and retry later: the TXT lookup failed temporarily,
   * nothing is cached and the client was built with {@code deferOnDnsFailure(true)}.
   */
  public boolean shouldDefer() {
    return deferOnDnsFailure;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("PolicyLookup{").append(domain).append(' ').append(status);
    if (policy != null) {
      b.append(", ").append(source).append(", id=").append(policy.recordId())
          .append(", ").append(policy.policy())
          .append(", expiresAt=").append(policy.expiresAt());
    }
    if (failure != null) {
      b.append(", failure=").append(failure);
    }
    if (deferOnDnsFailure) {
      b.append(", defer");
    }
    if (override != null) {
      b.append(", override=").append(override);
    }
    return b.append('}').toString();
  }
}
