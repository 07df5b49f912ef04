package org.mtasts.report;

import java.util.Objects;
import org.mtasts.internal.text.Texts;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;

/**
 * Who sends TLS reports (RFC 8460 §4.4, §5.3): the {@code organization-name}, the {@code
 * contact-info} address, and the submitter domain that appears in the {@code TLS-Report-Submitter}
 * header, the file name and the Subject.
 *
 * <p>The contact address is an RFC 5322 addr-spec (a dot-atom or quoted-string local part, no
 * domain literal) whose domain is the submitter domain (TLSRPT-DEL-04: receivers compare the two).
 * Both are kept with the domain in lower-case A-label form, so {@code Tls@Bücher.Example} becomes
 * {@code Tls@xn--bcher-kva.example}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param organizationName the organisation responsible for the reports; not blank, no control
 *     characters
 * @param contactInfo the contact address, domain normalised
 * @param domain the submitter domain, normalised to lower-case A-labels
 */
public record ReportSubmitter(String organizationName, String contactInfo, String domain) {

  /** Longest organisation name accepted, in characters. */
  static final int MAX_ORGANIZATION_NAME = 256;

  /** Longest local part of an address (RFC 5321 §4.5.3.1.1). */
  private static final int MAX_LOCAL_PART = 64;

  /**
   * Validates and normalises the components.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code organizationName} is blank, too long or holds
   *     control characters or unpaired surrogates, if {@code contactInfo} is not an addr-spec, if
   *     {@code domain} is not a host name, or if the contact's domain is not {@code domain}
   *     (TLSRPT-DEL-04)
   */
  public ReportSubmitter {
    Objects.requireNonNull(organizationName, "organizationName");
    Objects.requireNonNull(contactInfo, "contactInfo");
    Objects.requireNonNull(domain, "domain");
    checkOrganizationName(organizationName);
    try {
      domain = DomainNames.normalize(domain);
    } catch (InvalidDomainException e) {
      throw new IllegalArgumentException("submitter domain: " + e.getMessage(), e);
    }
    int at = contactInfo.lastIndexOf('@');
    if (at < 0) {
      throw new IllegalArgumentException(
          "contact-info " + Texts.quote(contactInfo) + " is not an address local@domain");
    }
    String local = contactInfo.substring(0, at);
    String contactDomain = contactDomain(contactInfo, contactInfo.substring(at + 1));
    checkLocalPart(contactInfo, local);
    if (!contactDomain.equals(domain)) {
      throw new IllegalArgumentException(
          "contact-info " + Texts.quote(contactInfo) + " is in the domain " + contactDomain
              + ", not in the submitter domain " + domain
              + " (RFC 8460 §5.3: the TLS-Report-Submitter is the contact's domain)");
    }
    contactInfo = local + "@" + contactDomain;
  }

  /**
   * A submitter whose domain is the domain of its contact address, the usual case.
   *
   * @param organizationName the organisation responsible for the reports
   * @param contactInfo the contact address, e.g. {@code tlsrpt@sender.example}
   * @return the submitter
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException as the canonical constructor
   */
  public static ReportSubmitter of(String organizationName, String contactInfo) {
    Objects.requireNonNull(contactInfo, "contactInfo");
    int at = contactInfo.lastIndexOf('@');
    if (at < 0) {
      throw new IllegalArgumentException(
          "contact-info " + Texts.quote(contactInfo) + " is not an address local@domain");
    }
    return new ReportSubmitter(
        organizationName, contactInfo, contactDomain(contactInfo, contactInfo.substring(at + 1)));
  }

  private static String contactDomain(String contactInfo, String domain) {
    if (domain.startsWith("[")) {
      throw new IllegalArgumentException("contact-info " + Texts.quote(contactInfo)
          + " has an address literal; it needs a domain, the submitter's");
    }
    try {
      return DomainNames.normalize(domain);
    } catch (InvalidDomainException e) {
      throw new IllegalArgumentException(
          "contact-info " + Texts.quote(contactInfo) + " has an invalid domain: " + e.getMessage(),
          e);
    }
  }

  private static void checkOrganizationName(String name) {
    if (name.isBlank()) {
      throw new IllegalArgumentException("organization-name is blank");
    }
    if (name.length() > MAX_ORGANIZATION_NAME) {
      throw new IllegalArgumentException(
          "organization-name is longer than " + MAX_ORGANIZATION_NAME + " characters");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isISOControl(c)
          || c == '\u2028'
          || c == '\u2029'
          || (Character.isSurrogate(c) && !isPaired(name, i))) {
        throw new IllegalArgumentException(
            "organization-name " + Texts.quote(name) + " contains " + Texts.describe(c));
      }
      if (Character.isHighSurrogate(c)) {
        i++;
      }
    }
  }

  private static boolean isPaired(String s, int i) {
    return Character.isHighSurrogate(s.charAt(i))
        && i + 1 < s.length()
        && Character.isLowSurrogate(s.charAt(i + 1));
  }

  /** RFC 5322 §3.4.1 local-part: dot-atom-text or quoted-string, ASCII only (no SMTPUTF8). */
  private static void checkLocalPart(String contactInfo, String local) {
    if (local.isEmpty() || local.length() > MAX_LOCAL_PART) {
      throw new IllegalArgumentException("contact-info " + Texts.quote(contactInfo)
          + " has a local part of " + local.length() + " characters (1 to " + MAX_LOCAL_PART
          + " allowed)");
    }
    boolean ok = local.charAt(0) == '"' ? isQuotedString(local) : isDotAtomText(local);
    if (!ok) {
      throw new IllegalArgumentException("contact-info " + Texts.quote(contactInfo)
          + " is not an RFC 5322 addr-spec: the local part is neither a dot-atom nor a quoted"
          + " string of ASCII characters");
    }
  }

  /** RFC 5322 dot-atom-text: atext runs separated by single dots. */
  static boolean isDotAtomText(String s) {
    if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '.' && !isAtext(c)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAtext(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
  }

  private static boolean isQuotedString(String s) {
    if (s.length() < 2 || s.charAt(s.length() - 1) != '"') {
      return false;
    }
    for (int i = 1; i < s.length() - 1; i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        i++;
        if (i >= s.length() - 1) {
          return false;
        }
        char q = s.charAt(i);
        if (q < 0x20 || q > 0x7E) {
          return false;
        }
      } else if (c == '"' || c < 0x20 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }
}
