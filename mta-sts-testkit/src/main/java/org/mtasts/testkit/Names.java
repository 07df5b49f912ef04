package org.mtasts.testkit;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/** Host and domain names as the world keeps them. */
final class Names {
  private static final Pattern NAME =
      Pattern.compile("(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62})(\\.[a-z0-9_]([a-z0-9_-]{0,62}))*");

  private Names() {}

  /**
   * Normalises a host or domain name: lower case, without a trailing dot.
   *
   * @throws IllegalArgumentException if it is not an ASCII DNS name
   * @throws NullPointerException if it is null
   */
  static String hostName(String name) {
    Objects.requireNonNull(name, "name");
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    if (!NAME.matcher(n).matches()) {
      throw new IllegalArgumentException("not a DNS name: \"" + name + "\"");
    }
    return n;
  }
}
