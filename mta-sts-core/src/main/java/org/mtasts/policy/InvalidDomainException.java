package org.mtasts.policy;

import java.util.Objects;
import org.mtasts.internal.text.Texts;

/**
 * Thrown when a string is not an acceptable host name or {@code mx} pattern: an empty label, a
 * character outside letters, digits and hyphens, an over-long label or name, an IP address or
 * address literal, a URL fragment ({@code /}, {@code @}, {@code :}), whitespace, or an
 * internationalised name that cannot be converted safely.
 *
 * <p>The message names the rejected input (quoted and escaped, so it is safe to log) and the
 * reason; {@link #input()} and {@link #reason()} give both separately. Instances are immutable.
 */
public final class InvalidDomainException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String input;
  private final String reason;

  InvalidDomainException(String what, String input, String reason) {
    super(what + " " + Texts.quote(input) + " " + reason);
    this.input = Objects.requireNonNull(input, "input");
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * Returns the rejected input exactly as it was passed in (not escaped).
   *
   * @return the rejected input
   */
  public String input() {
    return input;
  }

  /**
   * Returns why the input was rejected, without the input itself, e.g. {@code "has an empty
   * label"}.
   *
   * @return the reason
   */
  public String reason() {
    return reason;
  }
}
