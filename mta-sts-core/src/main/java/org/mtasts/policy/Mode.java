package org.mtasts.policy;

import java.util.Optional;

/**
 * The {@code mode} of an MTA-STS policy (RFC 8461 §5).
 *
 * <p>The wire tokens are case-sensitive: {@code enforce}, {@code testing} and {@code none} are
 * the only valid values; {@code Enforce} is not.
 */
public enum Mode {
  /** Deliver only to matching MX hosts over validated TLS; refuse otherwise. */
  ENFORCE("enforce"),
  /** Deliver as without a policy, but report what would have failed under {@link #ENFORCE}. */
  TESTING("testing"),
  /** The domain has withdrawn its policy; deliver as without a policy. */
  NONE("none");

  private final String token;

  Mode(String token) {
    this.token = token;
  }

  /**
   * Returns the token used in policy text, e.g. {@code "enforce"}.
   *
   * @return the wire token
   */
  public String token() {
    return token;
  }

  /**
   * Looks up a mode by its exact, case-sensitive wire token.
   *
   * @param token the text after {@code mode:}
   * @return the mode, or empty if {@code token} is not exactly one of {@code enforce}, {@code
   *     testing}, {@code none}
   * @throws NullPointerException if {@code token} is null
   */
  public static Optional<Mode> fromToken(String token) {
    switch (token) {
      case "enforce":
        return Optional.of(ENFORCE);
      case "testing":
        return Optional.of(TESTING);
      case "none":
        return Optional.of(NONE);
      default:
        return Optional.empty();
    }
  }
}
