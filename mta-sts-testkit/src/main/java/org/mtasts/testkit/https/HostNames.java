package org.mtasts.testkit.https;

import java.util.Locale;
import java.util.Objects;

/** Host name normalisation for the policy server: lower-case ASCII, no trailing dot. */
final class HostNames {
  private HostNames() {}

  /**
   * Normalises a host name given by a test.
   *
   * @throws IllegalArgumentException if the name is empty or not ASCII
   */
  static String normalize(String host) {
    Objects.requireNonNull(host, "host");
    String name = lenient(host);
    if (name.isEmpty()) {
      throw new IllegalArgumentException("empty host name: \"" + host + "\"");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == '/' || c == ':') {
        throw new IllegalArgumentException(
            "host name must be ASCII (use A-labels) without spaces, ':' or '/': \"" + host + "\"");
      }
    }
    return name;
  }

  /** Normalises a name seen on the wire (SNI, Host header) without rejecting anything. */
  static String lenient(String host) {
    String name = host.trim().toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    return name;
  }

  /** The host part of a {@code Host} header value: strips a port and IPv6 brackets. */
  static String fromHostHeader(String value) {
    String v = value.trim();
    if (v.startsWith("[")) {
      int end = v.indexOf(']');
      return end > 0 ? v.substring(1, end).toLowerCase(Locale.ROOT) : lenient(v);
    }
    int colon = v.lastIndexOf(':');
    if (colon >= 0 && v.indexOf(':') == colon) {
      v = v.substring(0, colon);
    }
    return lenient(v);
  }
}
