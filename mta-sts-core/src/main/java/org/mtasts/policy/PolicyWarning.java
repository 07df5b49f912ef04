package org.mtasts.policy;

import java.util.Objects;
import java.util.Optional;

/**
 * Something in a policy that was accepted but deserves the publisher's attention: a formatting
 * slip with one unambiguous meaning (byte-order mark, blank lines, {@code max_age} above the cap),
 * a line that was ignored (a malformed {@code mx} pattern, a duplicate field) or a weak pattern.
 *
 * <p>Warnings are values returned with the parsed policy (see {@link ParsedPolicy#warnings()});
 * the parser does not log them. Messages quote policy text with control and non-ASCII characters
 * escaped, so they are safe to log. Instances are immutable; equality covers all four
 * components.
 */
public final class PolicyWarning {

  /** What kind of problem a warning is about, for callers that act on some kinds only. */
  public enum Kind {
    /** A UTF-8 byte-order mark before the first line was removed (project decision D-13). */
    BYTE_ORDER_MARK,
    /** Empty or whitespace-only lines were skipped (D-12); reported once, at the first. */
    BLANK_LINES,
    /** A later occurrence of a single-valued field was ignored; the first counts (§3.2). */
    DUPLICATE_FIELD,
    /** {@code max_age} was above 31 557 600 seconds and was capped (D-10). */
    MAX_AGE_CAPPED,
    /** An {@code mx} line with a value that is not a valid pattern was ignored (D-11). */
    MX_IGNORED,
    /** An {@code mx} pattern repeated an earlier one and was dropped (EDGE-74). */
    MX_DUPLICATE,
    /** A wildcard directly under a single label such as {@code *.com} (SEC-18, §10.4). */
    MX_TOP_LEVEL_WILDCARD,
    /** A pattern that looks like an IPv4 address; it matches only a host of that name (EDGE-72). */
    MX_LOOKS_LIKE_ADDRESS,
    /** More warnings than the parser keeps; the rest were dropped. */
    TOO_MANY_WARNINGS
  }

  private final Kind kind;
  private final int line;
  private final String field;
  private final String message;

  PolicyWarning(Kind kind, int line, String field, String message) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.line = line;
    this.field = field;
    this.message = Objects.requireNonNull(message, "message");
  }

  /**
   * Returns the kind of warning.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }

  /**
   * Returns the 1-based line number the warning is about, or 0 when it concerns the policy as a
   * whole.
   *
   * @return the line number, or 0
   */
  public int line() {
    return line;
  }

  /**
   * Returns the field name the warning is about ({@code mx}, {@code max_age}, ...), if any.
   *
   * @return the field name, or empty
   */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }

  /**
   * Returns the explanation, without the line and field prefix that {@link #toString()} adds.
   *
   * @return the message
   */
  public String message() {
    return message;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PolicyWarning)) {
      return false;
    }
    PolicyWarning w = (PolicyWarning) o;
    return kind == w.kind
        && line == w.line
        && Objects.equals(field, w.field)
        && message.equals(w.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, line, field, message);
  }

  /** Returns e.g. {@code line 4: mx: '*.com' ...}. */
  @Override
  public String toString() {
    return PolicySyntaxException.prefix(line, field) + message;
  }
}
