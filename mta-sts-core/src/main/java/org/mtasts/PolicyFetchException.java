package org.mtasts;

import java.util.List;
import java.util.Objects;

/**
 * An HTTPS policy fetch failed. Carries the policy domain, the {@link FetchFailure kind} of
 * failure, a message that says what to check and, for a policy that arrived but was invalid, the
 * lines that were served (TLS-RPT reports them, RFC 8460 §4.5).
 */
public final class PolicyFetchException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String domain;
  private final FetchFailure failure;
  private final List<String> servedLines;

  /** Creates an exception for {@code domain} with the given kind, message and cause. */
  public PolicyFetchException(String domain, FetchFailure failure, String message,
      Throwable cause) {
    this(domain, failure, message, cause, List.of());
  }

  /**
   * Creates an exception for a policy that was served but could not be used, with its lines.
   *
   * @param domain the policy domain
   * @param failure what kind of failure it was
   * @param message what to check, for a person
   * @param cause the underlying exception, or null
   * @param servedLines the policy's lines as served ({@link
   *     org.mtasts.policy.Policy#splitLines}), empty when no body was read
   * @throws NullPointerException if {@code domain}, {@code failure}, {@code servedLines} or one of
   *     its lines is null
   */
  public PolicyFetchException(String domain, FetchFailure failure, String message,
      Throwable cause, List<String> servedLines) {
    super(message, cause);
    this.domain = Objects.requireNonNull(domain, "domain");
    this.failure = Objects.requireNonNull(failure, "failure");
    this.servedLines = List.copyOf(servedLines);
  }

  /** The policy domain whose policy could not be fetched. */
  public String domain() {
    return domain;
  }

  /** What kind of failure it was. */
  public FetchFailure failure() {
    return failure;
  }

  /**
   * The lines of the policy as served, when a body arrived and was found invalid ({@link
   * FetchFailure#POLICY_SYNTAX}); empty otherwise. The TLS-RPT {@code policy-string} of the
   * failure (RFC 8460 §4.5: the lines that made it invalid included). Network text, not made
   * printable: pass it through {@link NetworkText#printable} before printing it.
   *
   * @return the lines, unmodifiable
   */
  public List<String> servedLines() {
    return servedLines;
  }
}
