package org.mtasts.tls;

import java.util.Objects;
import java.util.Optional;

/**
 * A verdict on one MX certificate chain: passed, or refused with a {@link RefusalReason} and a
 * message a person can act on. Two checks make one:
 *
 * <ul>
 *   <li>the MTA-STS (WebPKI) check of {@link MxTlsVerifier#verify(String,
 *       java.security.cert.X509Certificate[])} (RFC 8461 §4.2), whose {@link #dane()} is empty;
 *   <li>the DANE check of {@link MxTlsVerifier#verify(DaneTlsa,
 *       java.security.cert.X509Certificate[])} (RFC 7672 §3), whose {@link #dane()} says {@link
 *       DaneResult#AUTHENTICATED} (passed) or {@link DaneResult#FAILED} (refused as {@link
 *       RefusalReason#TLSA_INVALID}).
 * </ul>
 *
 * <p>Immutable and thread-safe; value equality over reason, DANE result and message.
 */
public final class CertificateCheck {
  private static final CertificateCheck PASSED =
      new CertificateCheck(null, null, "certificate valid");

  private final RefusalReason refusal;
  private final DaneResult dane;
  private final String message;

  private CertificateCheck(RefusalReason refusal, DaneResult dane, String message) {
    this.refusal = refusal;
    this.dane = dane;
    this.message = message;
  }

  /** The verdict for a chain that is trusted, within its validity period and names the MX. */
  public static CertificateCheck ok() {
    return PASSED;
  }

  /**
   * A refusal.
   *
   * @param reason why the certificate fails
   * @param message what was wrong, naming the MX host
   * @throws NullPointerException if an argument is null
   */
  public static CertificateCheck refused(RefusalReason reason, String message) {
    return new CertificateCheck(
        Objects.requireNonNull(reason, "reason"), null, Objects.requireNonNull(message, "message"));
  }

  /**
   * The DANE verdict for a chain that matched a usable TLSA record (RFC 7672 §3): passed, with
   * {@link #dane()} = {@link DaneResult#AUTHENTICATED}.
   *
   * @param message which record matched, naming the MX host
   * @return the verdict
   * @throws NullPointerException if {@code message} is null
   */
  public static CertificateCheck daneAuthenticated(String message) {
    return new CertificateCheck(
        null, DaneResult.AUTHENTICATED, Objects.requireNonNull(message, "message"));
  }

  /**
   * The DANE verdict for a chain that matched no usable TLSA record, or whose DANE-TA(2) matches
   * failed their chain, date or name checks: refused as {@link RefusalReason#TLSA_INVALID}, with
   * {@link #dane()} = {@link DaneResult#FAILED} (STS-DANE-01).
   *
   * @param message which records were tried and why each failed, naming the MX host
   * @return the verdict
   * @throws NullPointerException if {@code message} is null
   */
  public static CertificateCheck daneFailed(String message) {
    return new CertificateCheck(
        RefusalReason.TLSA_INVALID, DaneResult.FAILED, Objects.requireNonNull(message, "message"));
  }

  /** Whether the certificate passed every check. */
  public boolean passed() {
    return refusal == null;
  }

  /** Why the certificate was refused; empty if it {@linkplain #passed() passed}. */
  public Optional<RefusalReason> refusal() {
    return Optional.ofNullable(refusal);
  }

  /**
   * The DANE result, when this is a DANE verdict; empty for an MTA-STS (WebPKI) verdict.
   *
   * @return {@link DaneResult#AUTHENTICATED} or {@link DaneResult#FAILED}, or empty
   */
  public Optional<DaneResult> dane() {
    return Optional.ofNullable(dane);
  }

  /** A one-line description: what was wrong, or that the certificate is valid. */
  public String message() {
    return message;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CertificateCheck c
        && c.refusal == refusal
        && c.dane == dane
        && c.message.equals(message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(refusal, dane, message);
  }

  @Override
  public String toString() {
    String kind = dane == null ? "" : "DANE ";
    return refusal == null
        ? "CertificateCheck{" + kind + "passed}"
        : "CertificateCheck{" + kind + refusal.code() + ": " + message + "}";
  }
}
