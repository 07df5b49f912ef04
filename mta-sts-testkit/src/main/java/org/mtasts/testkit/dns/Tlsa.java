package org.mtasts.testkit.dns;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Computes TLSA certificate association data (RFC 6698 §2.1) from a certificate, for {@link
 * TestDnsServer#tlsa(String, int, int, int, byte[])}.
 *
 * <pre>{@code
 * dns.tlsa("_25._tcp.mx1.example.com", 3, 1, 1, Tlsa.data(mxCertificate, 1, 1)); // DANE-EE SPKI
 * dns.tlsa("_25._tcp.mx1.example.com", 2, 0, 1, Tlsa.data(caCertificate, 0, 1)); // DANE-TA
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class Tlsa {
  /** Usage 2, DANE-TA: the record names a trust anchor of the server's chain (RFC 7218). */
  public static final int DANE_TA = 2;

  /** Usage 3, DANE-EE: the record names the server's own certificate or key (RFC 7218). */
  public static final int DANE_EE = 3;

  /** Selector 0: the full certificate, DER. */
  public static final int CERT = 0;

  /** Selector 1: the certificate's SubjectPublicKeyInfo, DER. */
  public static final int SPKI = 1;

  /** Matching type 0: the selected bytes themselves. */
  public static final int FULL = 0;

  /** Matching type 1: the SHA-256 digest of the selected bytes. */
  public static final int SHA2_256 = 1;

  /** Matching type 2: the SHA-512 digest of the selected bytes. */
  public static final int SHA2_512 = 2;

  private Tlsa() {}

  /**
   * The association data of {@code cert} for a selector and matching type.
   *
   * @param cert the certificate
   * @param selector 0 (full certificate) or 1 (SubjectPublicKeyInfo)
   * @param matchingType 0 (exact), 1 (SHA-256) or 2 (SHA-512)
   * @return a new array
   * @throws IllegalArgumentException if the selector or matching type is not one of these
   */
  public static byte[] data(X509Certificate cert, int selector, int matchingType) {
    Objects.requireNonNull(cert, "cert");
    byte[] selected;
    if (selector == CERT) {
      try {
        selected = cert.getEncoded();
      } catch (CertificateEncodingException e) {
        throw new IllegalArgumentException("certificate cannot be encoded", e);
      }
    } else if (selector == SPKI) {
      selected = cert.getPublicKey().getEncoded();
    } else {
      throw new IllegalArgumentException("TLSA selector must be 0 or 1: " + selector);
    }
    switch (matchingType) {
      case FULL:
        return selected;
      case SHA2_256:
        return digest("SHA-256", selected);
      case SHA2_512:
        return digest("SHA-512", selected);
      default:
        throw new IllegalArgumentException("TLSA matching type must be 0, 1 or 2: " + matchingType);
    }
  }

  /**
   * The record in presentation format, e.g. {@code 3 1 1 0a1b...} (hex in lower case), as core's
   * {@code TlsaRecord.toString()} and TLS-RPT policy strings show it.
   *
   * @param usage certificate usage
   * @param selector selector
   * @param matchingType matching type
   * @param data association data
   * @return the four fields separated by spaces
   */
  public static String presentation(int usage, int selector, int matchingType, byte[] data) {
    return usage + " " + selector + " " + matchingType + " " + HexFormat.of().formatHex(data);
  }

  private static byte[] digest(String algorithm, byte[] bytes) {
    try {
      return MessageDigest.getInstance(algorithm).digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " missing from the JDK", e);
    }
  }
}
