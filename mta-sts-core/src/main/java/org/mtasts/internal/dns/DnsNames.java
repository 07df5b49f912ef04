package org.mtasts.internal.dns;


import java.util.Objects;
import org.mtasts.internal.text.Texts;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * Conversion between the strings of our API and dnsjava names. Host and domain names are
 * normalised by {@link org.mtasts.policy.DomainNames#normalize} alone; this class only turns
 * already-valid names (underscore labels such as {@code _mta-sts} included) into dnsjava names and
 * back.
 */
public final class DnsNames {

  private DnsNames() {}

  /**
   * Parses a DNS name given in ASCII form (letters, digits, {@code -}, {@code _}, dots), relative
   * names being taken as absolute.
   *
   * @throws IllegalArgumentException if {@code name} is not such a name
   */
  public static Name toName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("empty DNS name");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.';
      if (!ok) {
        throw new IllegalArgumentException(
            "not a DNS name in ASCII (A-label) form: \""
                + printable(name)
                + "\" contains "
                + (c < 0x20 || c > 0x7E ? String.format("U+%04X", (int) c) : "'" + c + "'"));
      }
    }
    try {
      return Name.fromString(name, Name.root);
    } catch (TextParseException e) {
      throw new IllegalArgumentException(
          "not a valid DNS name: \"" + name + "\" (" + e.getMessage() + ")", e);
    }
  }

  /** The normalised text of a dnsjava name: lower-case, no trailing dot, {@code "."} for root. */
  public static String toText(Name name) {
    return name.canonicalize().toString(true);
  }

  private static String printable(String s) {
    return Texts.printable(s, 100);
  }
}
