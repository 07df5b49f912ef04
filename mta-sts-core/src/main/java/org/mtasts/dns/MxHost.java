package org.mtasts.dns;

import java.util.Objects;

/**
 * A host to deliver to, in the order chosen by {@link MxResolver}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the MX exchange name as published (never CNAME-expanded, STS-MX-12), or the domain
 *     itself for an implicit MX; normalised (lower-case, no trailing dot)
 * @param preference the MX preference, 0 for an implicit MX
 */
public record MxHost(String name, int preference) {

  /**
   * Validates the components.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is empty or {@code "."}, or {@code preference}
   *     is outside 0..65535
   */
  public MxHost {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.equals(".")) {
      throw new IllegalArgumentException("not a mail host name: \"" + name + "\"");
    }
    if (preference < 0 || preference > 0xFFFF) {
      throw new IllegalArgumentException("MX preference out of range 0..65535: " + preference);
    }
  }
}
