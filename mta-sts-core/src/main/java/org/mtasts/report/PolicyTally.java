package org.mtasts.report;

import java.util.Map;
import java.util.Objects;

/**
 * The counts of one report entry (one element of {@code policies}, RFC 8460 §4.4) for one day.
 *
 * <p>Immutable and thread-safe.
 *
 * @param policy the policy the sessions were counted under
 * @param successfulSessions {@code total-successful-session-count}
 * @param failedSessions {@code total-failure-session-count}
 * @param failureDetails each {@code failure-details} key with its {@code failed-session-count}; a
 *     store that hit its bound on distinct details for the day keeps the session counts exact and
 *     may leave details out
 */
public record PolicyTally(
    ReportPolicy policy,
    long successfulSessions,
    long failedSessions,
    Map<FailureDetail, Long> failureDetails) {

  /**
   * Validates the components.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if a count is negative
   */
  public PolicyTally {
    Objects.requireNonNull(policy, "policy");
    if (successfulSessions < 0 || failedSessions < 0) {
      throw new IllegalArgumentException("negative count");
    }
    failureDetails = Map.copyOf(failureDetails);
    for (long n : failureDetails.values()) {
      if (n < 1) {
        throw new IllegalArgumentException("failure detail count below 1: " + n);
      }
    }
  }
}
