package org.mtasts.report;

import java.time.Instant;
import java.util.Objects;

/**
 * The right, held by one sender until {@link #expiresAt()}, to send the report of one {@link
 * ReportDay}. A store hands out at most one unexpired claim per report day, so that one node of a
 * fleet sends each report; a node that dies mid-send loses its claim when it expires, and another
 * node sends the report.
 *
 * <p>Immutable and thread-safe.
 *
 * @param day the report day
 * @param token identifies this claim, so that only its holder can complete or release it
 * @param expiresAt when the claim lapses
 * @param attempt how many delivery attempts were made before this claim (0 for the first)
 * @param firstAttempt when the first attempt was claimed; retries stop 24 hours after it
 *     (TLSRPT-DEL-09)
 */
public record ReportClaim(
    ReportDay day, String token, Instant expiresAt, int attempt, Instant firstAttempt) {

  /**
   * Validates the components.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code attempt} is negative
   */
  public ReportClaim {
    Objects.requireNonNull(day, "day");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(firstAttempt, "firstAttempt");
    if (attempt < 0) {
      throw new IllegalArgumentException("negative attempt: " + attempt);
    }
  }
}
