package org.mtasts;

import java.util.Objects;

/**
 * An HTTPS policy fetch failed. Carries the policy domain, the {@link FetchFailure kind} of
 * failure and a message that says what to check.
 */
public final class PolicyFetchException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String domain;
  private final FetchFailure failure;

  /** Creates an exception for {@code domain} with the given kind, message and cause. */
  public PolicyFetchException(String domain, FetchFailure failure, String message,
      Throwable cause) {
    super(message, cause);
    this.domain = Objects.requireNonNull(domain, "domain");
    this.failure = Objects.requireNonNull(failure, "failure");
  }

  /** The policy domain whose policy could not be fetched. */
  public String domain() {
    return domain;
  }

  /** What kind of failure it was. */
  public FetchFailure failure() {
    return failure;
  }
}
