package org.mtasts.policy;

import java.net.IDN;
import java.util.Objects;
import org.mtasts.internal.text.Texts;

/**
 * The one place where host names are validated and normalised: the form {@code N(name)} of the
 * project's RFC notes, used for policy domains, cache keys, MX host names and URL hosts.
 *
 * <p>A normalised name is ASCII, lower case, in A-label form for internationalised labels, with
 * no trailing dot; every label is 1 to {@value #MAX_LABEL_LENGTH} letters, digits or hyphens and
 * neither starts nor ends with a hyphen; the whole name is at most {@value #MAX_NAME_LENGTH}
 * characters (255 octets on the wire).
 *
 * <p><b>Internationalised names.</b> U-labels are converted with {@link IDN#toASCII(String, int)}
 * and {@link IDN#USE_STD3_ASCII_RULES}. {@code java.net.IDN} implements IDNA2003, whereas RFC 8461
 * and the DNS today use IDNA2008 (UTS #46 non-transitional). For most names both give the same
 * A-label, but for the four "deviation" characters they do not: IDNA2003 maps {@code ß} (U+00DF)
 * to {@code ss}, final sigma {@code ς} (U+03C2) to {@code σ}, and drops ZERO WIDTH JOINER
 * (U+200D) and ZERO WIDTH NON-JOINER (U+200C), while IDNA2008 keeps them, so {@code faß.de} would
 * become {@code fass.de} instead of {@code xn--fa-hia.de} — a different domain. Input containing
 * any of these characters is therefore rejected with an {@link InvalidDomainException} (fail
 * closed) rather than silently mapped to another domain's policy. Characters that IDNA2003 does
 * not know (it uses Unicode 3.2, e.g. most emoji) are rejected as well. Callers that must handle
 * such names can convert them to A-labels with an IDNA2008 library and pass the A-label form.
 *
 * <p>All methods are static, pure and thread-safe.
 */
public final class DomainNames {

  /** Longest allowed name in characters, without a trailing dot (255 octets on the wire). */
  public static final int MAX_NAME_LENGTH = 253;

  /** Longest allowed label in characters (RFC 1035 §2.3.4). */
  public static final int MAX_LABEL_LENGTH = 63;

  /** Input longer than this is rejected before any conversion. */
  private static final int MAX_INPUT_LENGTH = 1024;

  private DomainNames() {}

  /**
   * Validates {@code domain} and returns its normalised form: A-labels, lower-case ASCII, one
   * trailing dot removed.
   *
   * <p>Rejects, among others: empty names and empty labels ({@code a..b}), labels or names that
   * are too long, characters other than letters, digits, hyphens and dots (so {@code _}, spaces,
   * {@code /}, {@code @}, {@code :} are all rejected, SEC-13), IP addresses (any name whose last
   * label is all digits, which also covers dotted quads and shorthand such as {@code 127.1}),
   * IPv6 and bracketed address literals, and the IDNA deviation characters described in the class
   * documentation.
   *
   * <p>When {@code domain} is already normalised (lower-case ASCII letters, digits, hyphens and
   * dots, no trailing dot, valid labels), the same instance is returned and nothing is allocated,
   * so this can be called on every delivery.
   *
   * @param domain a domain or host name, in U-label or A-label form, any case, with or without
   *     one trailing dot
   * @return the normalised name
   * @throws InvalidDomainException if {@code domain} is not an acceptable host name; the message
   *     names the input and the reason
   * @throws NullPointerException if {@code domain} is null
   */
  public static String normalize(String domain) {
    Objects.requireNonNull(domain, "domain");
    if (isNormalized(domain)) {
      return domain;
    }
    return normalizeSlowly(domain);
  }

  /**
   * Tells whether {@code name} is already in normalised form, i.e. whether {@link
   * #normalize(String)} would return it unchanged. Never throws for non-null input.
   *
   * @param name the name to test
   * @return {@code true} if {@code name} is a valid, normalised host name
   * @throws NullPointerException if {@code name} is null
   */
  public static boolean isNormalized(String name) {
    int len = name.length();
    if (len == 0 || len > MAX_NAME_LENGTH) {
      return false;
    }
    int labelStart = 0;
    boolean allDigits = true;
    for (int i = 0; i < len; i++) {
      char c = name.charAt(i);
      if (c == '.') {
        if (!isLabelShapeOk(name, labelStart, i)) {
          return false;
        }
        labelStart = i + 1;
        allDigits = true;
      } else if (c >= '0' && c <= '9') {
        // still possibly an all-digit label
      } else if ((c >= 'a' && c <= 'z') || c == '-') {
        allDigits = false;
      } else {
        return false;
      }
    }
    return isLabelShapeOk(name, labelStart, len) && !allDigits;
  }

  private static boolean isLabelShapeOk(String s, int from, int to) {
    int n = to - from;
    return n >= 1 && n <= MAX_LABEL_LENGTH && s.charAt(from) != '-' && s.charAt(to - 1) != '-';
  }

  private static String normalizeSlowly(String domain) {
    if (domain.isEmpty()) {
      throw invalid(domain, "is empty");
    }
    // Even a U-label spelling with decomposed characters stays far below this; the bound keeps
    // hostile input (a megabyte "domain") away from java.net.IDN.
    if (domain.length() > MAX_INPUT_LENGTH) {
      throw invalid(
          domain,
          "has " + domain.length() + " characters; a host name has at most " + MAX_NAME_LENGTH);
    }
    boolean nonAscii = false;
    for (int i = 0; i < domain.length(); i++) {
      char c = domain.charAt(i);
      String problem = forbiddenCharacter(c);
      if (problem != null) {
        throw invalid(domain, problem);
      }
      if (c >= 0x80) {
        nonAscii = true;
      }
    }
    String ascii = domain;
    if (nonAscii) {
      try {
        ascii = IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES);
      } catch (IllegalArgumentException e) {
        // java.net.IDN's message repeats the rejected label verbatim (SEC-20).
        throw invalid(
            domain,
            "is not a valid internationalised domain name ("
                + Texts.printable(e.getMessage(), 200)
                + ")");
      }
    }
    if (ascii.endsWith(".")) {
      ascii = ascii.substring(0, ascii.length() - 1);
    }
    String lower = toLowerAscii(ascii);
    String error = ldhNameError(lower, 0, lower.length(), true);
    if (error != null) {
      throw invalid(domain, error);
    }
    return lower;
  }

  /** Characters that can never appear in a host name, with a reason a person can act on. */
  private static String forbiddenCharacter(char c) {
    switch (c) {
      case '[':
      case ']':
      case ':':
        return "looks like an IP address literal or has a port ("
            + Texts.describe(c)
            + " is not allowed in a host name)";
      case '\u00DF':
      case '\u03C2':
      case '\u200C':
      case '\u200D':
        return "contains "
            + Texts.describe(c)
            + ", an IDNA deviation character that IDNA2003 (java.net.IDN) and IDNA2008 map to"
            + " different domains; pass the name in A-label (xn--) form instead";
      default:
        break;
    }
    if (c == ' ' || c == '\t' || Character.isWhitespace(c) || Character.isSpaceChar(c)) {
      return "contains whitespace";
    }
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) {
      return "contains the control character " + Texts.describe(c);
    }
    if (c < 0x80 && c != '.' && c != '-' && !Texts.isAsciiLetterOrDigit(c)) {
      return "contains " + Texts.describe(c) + ", which is not allowed in a host name";
    }
    return null;
  }

  /**
   * Checks that {@code s[from, to)} is a dot-separated sequence of LDH labels (RFC 5321 {@code
   * Domain}), without trailing dot, within the length limits.
   *
   * @param rejectNumericTld whether a name whose last label is all digits (an IPv4 address or
   *     similar) is an error
   * @return {@code null} when valid, otherwise the reason
   */
  static String ldhNameError(String s, int from, int to, boolean rejectNumericTld) {
    if (to == from) {
      return "is empty";
    }
    if (to - from > MAX_NAME_LENGTH) {
      return "is longer than " + MAX_NAME_LENGTH + " characters";
    }
    int labelStart = from;
    boolean allDigits = true;
    for (int i = from; i <= to; i++) {
      char c = i < to ? s.charAt(i) : '.';
      if (c == '.') {
        String labelError = labelError(s, labelStart, i, from, to);
        if (labelError != null) {
          return labelError;
        }
        if (i < to) {
          labelStart = i + 1;
          allDigits = true;
        }
      } else if (c >= '0' && c <= '9') {
        // an all-digit label is LDH (RFC 5321 Domain); only the last one is suspicious
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-') {
        allDigits = false;
      } else {
        return "contains " + Texts.describe(c)
            + "; only letters, digits, hyphens and dots are allowed";
      }
    }
    if (rejectNumericTld && allDigits) {
      return "looks like an IP address (its last label is all digits); "
          + "an address has no MTA-STS policy domain";
    }
    return null;
  }

  private static String labelError(String s, int from, int to, int nameFrom, int nameTo) {
    if (to == from) {
      if (from == nameFrom) {
        return "starts with a dot (empty first label)";
      }
      if (to == nameTo) {
        return "ends with more than one dot (empty last label)";
      }
      return "has an empty label (two dots in a row)";
    }
    if (to - from > MAX_LABEL_LENGTH) {
      return "has a label longer than " + MAX_LABEL_LENGTH + " characters: "
          + Texts.quote(s.substring(from, to));
    }
    if (s.charAt(from) == '-' || s.charAt(to - 1) == '-') {
      return "has a label that starts or ends with a hyphen: " + Texts.quote(s.substring(from, to));
    }
    return null;
  }

  /** Lower-cases ASCII letters only; other characters are left alone (no locale, no Kelvin). */
  static String toLowerAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        char[] chars = s.toCharArray();
        for (int j = i; j < chars.length; j++) {
          char d = chars[j];
          if (d >= 'A' && d <= 'Z') {
            chars[j] = (char) (d + ('a' - 'A'));
          }
        }
        return new String(chars);
      }
    }
    return s;
  }

  private static InvalidDomainException invalid(String input, String reason) {
    return new InvalidDomainException("domain", input, reason);
  }
}
