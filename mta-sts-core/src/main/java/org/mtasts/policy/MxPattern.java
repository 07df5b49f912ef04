package org.mtasts.policy;

import java.util.Objects;
import org.mtasts.internal.text.Texts;

/**
 * One {@code mx} pattern of an MTA-STS policy (RFC 8461 §3.2, §4.1): either an exact host name
 * such as {@code mail.example.com}, or a wildcard {@code *.example.net} that stands for exactly
 * one additional leftmost label.
 *
 * <p>Patterns are validated when created: the host part must be an RFC 5321 {@code Domain} in
 * A-label form (letters, digits and hyphens; no empty label; labels of at most 63 characters;
 * at most 253 characters in all), the wildcard may only be the entire first label, and one
 * trailing dot is removed. U-labels and other non-ASCII text are rejected, since RFC 8461 §3.2
 * requires publishers to use A-labels and converting them here would hide homograph tricks
 * (SEC-26). All-digit labels are valid LDH labels, so {@code 192.0.2.1} is a valid pattern; it
 * matches only an MX host literally named {@code 192.0.2.1}, never an address (EDGE-72).
 *
 * <p>Instances are immutable and thread-safe. Two patterns are equal when their normalised text
 * (lower case, no trailing dot) is equal; {@link #toString()} returns that text.
 */
public final class MxPattern {

  private static final String WILDCARD_PREFIX = "*.";

  private final String text;
  private final boolean wildcard;
  /** Lower-case name after the {@code *.} for wildcards, the whole name otherwise. */
  private final String suffix;

  private MxPattern(String text, boolean wildcard) {
    this.text = text;
    this.wildcard = wildcard;
    this.suffix = wildcard ? text.substring(WILDCARD_PREFIX.length()) : text;
  }

  /**
   * Parses one {@code mx} pattern as it appears after {@code mx:} in a policy (without
   * surrounding whitespace).
   *
   * @param pattern an exact host name or {@code *.} followed by a host name, in A-label form, any
   *     case, with or without one trailing dot
   * @return the pattern in normalised form
   * @throws InvalidDomainException if {@code pattern} is not a valid pattern, e.g. {@code
   *     *.*.example.com}, {@code mail*.example.com}, {@code .example.com}, {@code bücher.example},
   *     {@code mail.example.com:25}, {@code [192.0.2.1]}, {@code a.example, b.example}, {@code
   *     _mx.example.com} or an empty string; the message says why
   * @throws NullPointerException if {@code pattern} is null
   */
  public static MxPattern parse(String pattern) {
    Objects.requireNonNull(pattern, "pattern");
    String s = pattern;
    if (s.isEmpty()) {
      throw invalid(pattern, "is empty");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        throw invalid(pattern, nonAsciiReason(pattern, c));
      }
      String problem = forbiddenCharacter(c);
      if (problem != null) {
        throw invalid(pattern, problem);
      }
    }
    if (s.endsWith(".") && s.length() > 1) {
      s = s.substring(0, s.length() - 1);
    }
    boolean wildcard = s.startsWith(WILDCARD_PREFIX);
    int from = wildcard ? WILDCARD_PREFIX.length() : 0;
    if (s.equals("*")) {
      throw invalid(
          pattern, "is a bare '*'; a wildcard must be followed by a domain ('*.example.com')");
    }
    if (s.indexOf('*', from) >= 0) {
      throw invalid(
          pattern,
          "has a '*' that is not the entire first label; a wildcard may only appear as the"
              + " leading '*.' and covers exactly one label");
    }
    if (s.startsWith(".")) {
      throw invalid(
          pattern,
          "starts with a dot; the draft-era '.example.com' form is not valid (write"
              + " '*.example.com' if a wildcard is meant)");
    }
    if (s.length() > DomainNames.MAX_NAME_LENGTH) {
      throw invalid(pattern, "is longer than " + DomainNames.MAX_NAME_LENGTH + " characters");
    }
    String error = DomainNames.ldhNameError(s, from, s.length(), false);
    if (error != null) {
      throw invalid(pattern, error);
    }
    return new MxPattern(DomainNames.toLowerAscii(s), wildcard);
  }

  private static String forbiddenCharacter(char c) {
    switch (c) {
      case '[':
      case ']':
        return "is an address literal; mx patterns are host names";
      case ':':
        return "contains ':'; mx patterns are host names without a port";
      case ',':
        return "contains ','; put one pattern on each mx line";
      case ' ':
      case '\t':
        return "contains whitespace; put one pattern on each mx line";
      default:
        break;
    }
    if (c < 0x20 || c == 0x7F) {
      return "contains the control character " + Texts.describe(c);
    }
    if (c != '.' && c != '-' && c != '*' && !Texts.isAsciiLetterOrDigit(c)) {
      return "contains "
          + Texts.describe(c)
          + "; only letters, digits, hyphens and dots are allowed";
    }
    return null;
  }

  private static String nonAsciiReason(String pattern, char c) {
    String reason =
        "contains the non-ASCII character "
            + Texts.describe(c)
            + "; mx patterns must be written with A-labels (RFC 8461 §3.2)";
    // Help the publisher with the A-label they probably meant, but never use it for matching.
    try {
      boolean wildcard = pattern.startsWith(WILDCARD_PREFIX);
      String body = wildcard ? pattern.substring(WILDCARD_PREFIX.length()) : pattern;
      String aLabel = DomainNames.normalize(body);
      return reason + ", e.g. " + Texts.quote((wildcard ? WILDCARD_PREFIX : "") + aLabel);
    } catch (InvalidDomainException e) {
      return reason;
    }
  }

  private static InvalidDomainException invalid(String input, String reason) {
    return new InvalidDomainException("mx pattern", input, reason);
  }

  /**
   * Tells whether {@code mxHost} matches this pattern (RFC 8461 §4.1): an exact pattern matches
   * only the identical name; {@code *.example.com} matches {@code x.example.com} for any single
   * valid label {@code x}, but neither {@code example.com} nor {@code a.b.example.com}.
   *
   * <p>The comparison is case-insensitive for ASCII letters only (so the Kelvin sign or a dotless
   * i never matches {@code k} or {@code i}) and ignores one trailing dot on {@code mxHost}, as DNS
   * libraries print absolute names. For an ASCII host this allocates nothing. A host containing
   * non-ASCII characters (a U-label from some resolver wrapper) is converted with {@link
   * DomainNames#normalize(String)} first; if that fails, the result is {@code false}.
   *
   * @param mxHost the MX host name as found in DNS
   * @return whether the host matches
   * @throws NullPointerException if {@code mxHost} is null
   */
  public boolean matches(String mxHost) {
    int len = mxHost.length();
    if (len > 0 && mxHost.charAt(len - 1) == '.') {
      len--;
    }
    if (matchesAscii(mxHost, len)) {
      return true;
    }
    return hasNonAscii(mxHost) && matchesConverted(mxHost);
  }

  /** Matching for a host already known to be ASCII or already converted; see {@link #matches}. */
  boolean matchesAscii(String host, int len) {
    String s = suffix;
    int n = s.length();
    if (!wildcard) {
      return len == n && regionEqualsLowerAscii(host, 0, s, n);
    }
    int dot = len - n - 1;
    return dot >= 1
        && len <= DomainNames.MAX_NAME_LENGTH
        && host.charAt(dot) == '.'
        && regionEqualsLowerAscii(host, dot + 1, s, n)
        && isLdhLabel(host, 0, dot);
  }

  private boolean matchesConverted(String mxHost) {
    String converted = convertOrNull(mxHost);
    return converted != null && matchesAscii(converted, converted.length());
  }

  static String convertOrNull(String mxHost) {
    try {
      return DomainNames.normalize(mxHost);
    } catch (InvalidDomainException e) {
      return null;
    }
  }

  static boolean hasNonAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return true;
      }
    }
    return false;
  }

  /**
   * Compares {@code host[offset, offset + n)} with the lower-case ASCII {@code lower}, folding
   * only ASCII upper-case letters of the host. {@code String.regionMatches(true, ...)} is not used
   * because it also folds non-ASCII letters (U+212A KELVIN SIGN equals {@code k}).
   */
  private static boolean regionEqualsLowerAscii(String host, int offset, String lower, int n) {
    for (int i = n - 1; i >= 0; i--) {
      char h = host.charAt(offset + i);
      char p = lower.charAt(i);
      if (h != p && (h < 'A' || h > 'Z' || (char) (h + ('a' - 'A')) != p)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLdhLabel(String s, int from, int to) {
    if (to - from > DomainNames.MAX_LABEL_LENGTH
        || s.charAt(from) == '-'
        || s.charAt(to - 1) == '-') {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!Texts.isAsciiLetterOrDigit(c) && c != '-') {
        return false;
      }
    }
    return true;
  }

  /**
   * Tells whether this is a wildcard pattern ({@code *.example.com}).
   *
   * @return {@code true} for a wildcard pattern
   */
  public boolean isWildcard() {
    return wildcard;
  }

  /**
   * Returns the domain after the {@code *.} of a wildcard, or the whole host name of an exact
   * pattern; lower case, no trailing dot.
   *
   * @return the domain part of the pattern
   */
  public String domain() {
    return suffix;
  }

  /**
   * Tells whether this is a wildcard directly under a single-label name, such as {@code *.com},
   * which lets any host in a whole top-level domain through (RFC 8461 §10.4, SEC-18). Such a
   * pattern is valid and honoured, but the policy parser warns about it. Wildcards under
   * multi-label public suffixes ({@code *.co.uk}) are not detected: no public-suffix list is
   * consulted.
   *
   * @return {@code true} for a wildcard whose domain has a single label
   */
  public boolean isTopLevelWildcard() {
    return wildcard && suffix.indexOf('.') < 0;
  }

  /** Whether the last label is all digits, i.e. the pattern looks like an IPv4 address. */
  boolean looksLikeIpAddress() {
    int lastDot = text.lastIndexOf('.');
    for (int i = lastDot + 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * Two patterns are equal when their normalised text is equal ({@code *.Example.COM.} equals
   * {@code *.example.com}).
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof MxPattern && ((MxPattern) o).text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  /**
   * Returns the normalised pattern text, e.g. {@code *.example.com}; {@code parse(toString())}
   * gives an equal pattern.
   */
  @Override
  public String toString() {
    return text;
  }
}
