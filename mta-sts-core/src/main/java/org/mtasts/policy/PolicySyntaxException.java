package org.mtasts.policy;

import java.util.Objects;
import java.util.Optional;

/**
 * Thrown when a policy body does not conform to RFC 8461 §3.2 as this library reads it: the
 * policy is invalid as a whole ({@code sts-policy-invalid} in TLS-RPT terms).
 *
 * <p>The exception says where and why: {@link #line()} is the 1-based line number (0 when the
 * problem is not tied to one line, such as a missing required field), {@link #field()} the field
 * name when known, and the message reads like {@code line 3: mode: 'Enforce' is not one of
 * enforce, testing, none (values are case-sensitive)}. Policy text in the message is quoted with
 * control and non-ASCII characters escaped, so the message is safe to log.
 */
public final class PolicySyntaxException extends Exception {

  private static final long serialVersionUID = 1L;

  private final int line;
  private final String field;
  private final String reason;

  PolicySyntaxException(int line, String field, String reason) {
    super(prefix(line, field) + reason);
    this.line = line;
    this.field = field;
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  static String prefix(int line, String field) {
    String p = line > 0 ? "line " + line + ": " : "";
    return field == null ? p : p + field + ": ";
  }

  /**
   * Returns the 1-based number of the offending line, or 0 when the problem concerns the policy
   * as a whole (for example a required field that is missing).
   *
   * @return the line number, or 0
   */
  public int line() {
    return line;
  }

  /**
   * Returns the name of the field at fault ({@code version}, {@code mode}, {@code max_age},
   * {@code mx} or an extension name), when the problem is tied to a field.
   *
   * @return the field name, or empty
   */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }

  /**
   * Returns the reason without the line and field prefix of {@link #getMessage()}.
   *
   * @return the reason
   */
  public String reason() {
    return reason;
  }
}
