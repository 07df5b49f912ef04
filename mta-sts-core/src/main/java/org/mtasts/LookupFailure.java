package org.mtasts;

import java.util.Objects;
import java.util.Optional;
import org.mtasts.report.ResultType;

/**
 * Why a policy lookup did not get a live policy: the TLS-RPT result type it is reported as (RFC
 * 8460 §4.3.2), a message a person can act on, and the underlying exception, such as the {@link
 * PolicyFetchException} or the {@link org.mtasts.dns.DnsException}. Immutable.
 */
public final class LookupFailure {
  private final ResultType resultType;
  private final String message;
  private final Throwable cause;

  /**
   * Creates a failure.
   *
   * @param resultType the TLS-RPT result type, or null when there is nothing to report (e.g. a
   *     TXT record that vanished while a policy is cached)
   * @param message what went wrong, for a person
   * @param cause the underlying exception, or null
   * @throws NullPointerException if {@code message} is null
   */
  public LookupFailure(ResultType resultType, String message, Throwable cause) {
    this.resultType = resultType;
    this.message = Objects.requireNonNull(message, "message");
    this.cause = cause;
  }

  /** The TLS-RPT result type, e.g. {@code sts-policy-fetch-error}, if the failure is reportable. */
  public Optional<ResultType> resultType() {
    return Optional.ofNullable(resultType);
  }

  /** What went wrong, e.g. {@code policy fetch for example.com failed: HTTP 503}. */
  public String message() {
    return message;
  }

  /** The underlying exception, if any. */
  public Optional<Throwable> cause() {
    return Optional.ofNullable(cause);
  }

  /** The kind of fetch failure when the cause is a {@link PolicyFetchException}. */
  public Optional<FetchFailure> fetchFailure() {
    return cause instanceof PolicyFetchException e ? Optional.of(e.failure()) : Optional.empty();
  }

  @Override
  public String toString() {
    return "LookupFailure{" + (resultType == null ? "" : resultType.wireName() + ": ") + message + "}";
  }
}
