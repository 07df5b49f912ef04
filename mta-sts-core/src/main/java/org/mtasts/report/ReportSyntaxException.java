package org.mtasts.report;

import java.util.Objects;

/**
 * Thrown by {@link TlsReport#parse(byte[])} when a document is not a TLS report of the shape this
 * library writes (RFC 8460 §4.4): not JSON, not UTF-8, a member missing, unknown or repeated, a
 * value of the wrong type, or a value the report model rejects.
 *
 * <p>The message says where ({@link #path()}, e.g. {@code policies[0].summary}) and what is wrong;
 * text from the document in it is quoted with control characters escaped.
 */
public final class ReportSyntaxException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String path;
  private final String reason;

  /**
   * Creates an exception.
   *
   * @param path where in the document, e.g. {@code policies[0].policy.policy-type}, or {@code $}
   *     for the document as a whole
   * @param reason what is wrong, for a person
   * @param cause the underlying error, or null
   * @throws NullPointerException if {@code path} or {@code reason} is null
   */
  public ReportSyntaxException(String path, String reason, Throwable cause) {
    super("invalid TLS report: " + Objects.requireNonNull(path, "path") + ": "
        + Objects.requireNonNull(reason, "reason"), cause);
    this.path = path;
    this.reason = reason;
  }

  /**
   * Returns where in the document the problem is, e.g. {@code policies[0].failure-details[2]}.
   *
   * @return the path; {@code $} for the whole document
   */
  public String path() {
    return path;
  }

  /**
   * Returns what is wrong, without the path.
   *
   * @return the reason
   */
  public String reason() {
    return reason;
  }
}
