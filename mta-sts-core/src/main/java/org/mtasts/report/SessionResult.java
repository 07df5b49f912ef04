package org.mtasts.report;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one SMTP session attempt to one receiving IP of one MX host showed, or one delivery attempt
 * that a policy discovery failure affected: the unit that TLS-RPT counts (RFC 8460 §4).
 *
 * <p>A result without failures is a successful session, counted in {@code
 * total-successful-session-count} (the heartbeat, TLSRPT-DATA-02). A result with failures counts
 * once in {@code total-failure-session-count} and once in each of its failure details
 * (TLSRPT-DATA-04).
 *
 * <p>Immutable and thread-safe.
 *
 * @param at when the session took place; its UTC day is the report day (TLSRPT-TIME-01)
 * @param policy the policy applied, the key of the report entry
 * @param failures the failures, empty for a success; no duplicates
 */
public record SessionResult(Instant at, ReportPolicy policy, List<FailureDetail> failures) {

  /**
   * Validates the components.
   *
   * @throws NullPointerException if an argument or element is null
   */
  public SessionResult {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(policy, "policy");
    failures = List.copyOf(new java.util.LinkedHashSet<>(failures));
  }

  /**
   * A successful session.
   *
   * @param at when
   * @param policy the policy applied
   * @return the result
   */
  public static SessionResult success(Instant at, ReportPolicy policy) {
    return new SessionResult(at, policy, List.of());
  }

  /**
   * A failed session or delivery attempt.
   *
   * @param at when
   * @param policy the policy applied
   * @param failure the first failure
   * @param more further failures of the same session
   * @return the result
   */
  public static SessionResult failure(
      Instant at, ReportPolicy policy, FailureDetail failure, FailureDetail... more) {
    List<FailureDetail> all = new java.util.ArrayList<>();
    all.add(Objects.requireNonNull(failure, "failure"));
    all.addAll(List.of(more));
    return new SessionResult(at, policy, all);
  }

  /**
   * Tells whether the session succeeded.
   *
   * @return {@code true} if there are no failures
   */
  public boolean isSuccess() {
    return failures.isEmpty();
  }
}
