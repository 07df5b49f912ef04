package org.mtasts.internal.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The one host name rule for MX certificates (RFC 8461 §4.2 with RFC 6125 §6.4, project decision
 * D-21): the reference identity is the MX host name, compared with the certificate's
 * subjectAltName {@code dNSName} entries only.
 *
 * <ul>
 *   <li>No Common Name fallback: a certificate without a matching DNS-ID does not match, whatever
 *       its subject says (STS-TLS-06, EDGE-94).
 *   <li>ASCII case-insensitive; one trailing dot on either side is ignored.
 *   <li>A wildcard is allowed only as the complete leftmost label ({@code *.example.com}) and
 *       stands for exactly one non-empty label: it matches {@code mx1.example.com}, but neither
 *       {@code example.com} (EDGE-93) nor {@code a.b.example.com}. Partial-label wildcards such
 *       as {@code mx*.example.com} or {@code *mx.example.com}, a second {@code *}, and a wildcard
 *       over a single label ({@code *.com}) never match (STS-TLS-07, D-21; RFC 9525 §6.3).
 *   <li>Names are compared as A-labels: the caller passes the reference in normalised A-label
 *       form (see {@link org.mtasts.policy.DomainNames}); a presented name containing any
 *       non-ASCII character never matches.
 * </ul>
 *
 * <p>Static, pure and thread-safe.
 */
public final class DnsIdMatcher {
  /** GeneralName tag of a dNSName in {@link X509Certificate#getSubjectAlternativeNames()}. */
  private static final int DNS_NAME = 2;

  private DnsIdMatcher() {}

  /**
   * Tells whether the presented identifier {@code dnsId} (one SAN dNSName) matches {@code
   * reference}.
   *
   * @param reference the MX host name, normalised: lower-case ASCII A-labels, no trailing dot
   * @param dnsId a dNSName from the certificate, as presented
   * @return true if it matches under the rules of the class documentation
   */
  public static boolean matches(String reference, String dnsId) {
    String presented = dnsId;
    if (presented.endsWith(".")) {
      presented = presented.substring(0, presented.length() - 1);
    }
    if (presented.isEmpty() || !isAscii(presented)) {
      return false;
    }
    if (presented.indexOf('*') < 0) {
      return presented.equalsIgnoreCase(reference);
    }
    // A wildcard: only "*." followed by a name of at least two labels without another '*'.
    if (!presented.startsWith("*.") || presented.indexOf('*', 1) >= 0) {
      return false;
    }
    String suffix = presented.substring(1); // ".example.com"
    if (suffix.indexOf('.', 1) < 0) {
      return false; // "*.com": a wildcard over a whole top-level domain
    }
    int firstDot = reference.indexOf('.');
    if (firstDot <= 0) {
      return false; // the reference has no label for the '*' to stand for
    }
    return reference.regionMatches(true, firstDot, suffix, 0, suffix.length())
        && reference.length() - firstDot == suffix.length();
  }

  /**
   * Tells whether any of {@code dnsIds} matches {@code reference}.
   *
   * @param reference the MX host name, normalised
   * @param dnsIds the certificate's SAN dNSName entries
   * @return true if one matches
   */
  public static boolean matchesAny(String reference, List<String> dnsIds) {
    for (String dnsId : dnsIds) {
      if (matches(reference, dnsId)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The subjectAltName dNSName entries of {@code certificate}, in order; empty when it has no
   * subjectAltName extension or no dNSName in it. IP addresses, URIs, e-mail addresses and the
   * subject Common Name are not DNS-IDs and are not returned.
   *
   * @throws CertificateParsingException if the extension cannot be decoded
   */
  public static List<String> dnsIds(X509Certificate certificate)
      throws CertificateParsingException {
    Collection<List<?>> names = certificate.getSubjectAlternativeNames();
    if (names == null) {
      return List.of();
    }
    List<String> dnsIds = new ArrayList<>();
    for (List<?> entry : names) {
      if (entry.size() >= 2
          && entry.get(0) instanceof Integer
          && (Integer) entry.get(0) == DNS_NAME
          && entry.get(1) instanceof String) {
        dnsIds.add((String) entry.get(1));
      }
    }
    return List.copyOf(dnsIds);
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
