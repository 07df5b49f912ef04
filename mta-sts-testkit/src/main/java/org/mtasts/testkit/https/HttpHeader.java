package org.mtasts.testkit.https;

import java.util.Objects;

/**
 * One HTTP header field as it appeared on the wire (name with its original case, value without
 * surrounding whitespace). Immutable.
 *
 * @param name the field name, never empty
 * @param value the field value, possibly empty
 */
public record HttpHeader(String name, String value) {
  /**
   * Checks the field.
   *
   * @throws IllegalArgumentException if the name is empty or either part contains CR or LF
   */
  public HttpHeader {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (name.isEmpty() || name.indexOf(':') >= 0 || hasLineBreak(name)) {
      throw new IllegalArgumentException("bad header name: \"" + name + "\"");
    }
    if (hasLineBreak(value)) {
      throw new IllegalArgumentException("header value contains CR or LF: \"" + value + "\"");
    }
  }

  /** Whether this header has the given name, compared case-insensitively as HTTP requires. */
  public boolean hasName(String otherName) {
    return name.equalsIgnoreCase(otherName);
  }

  private static boolean hasLineBreak(String text) {
    return text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0;
  }

  @Override
  public String toString() {
    return name + ": " + value;
  }
}
