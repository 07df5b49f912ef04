package org.mtasts.tls;

import java.util.Objects;
import java.util.Optional;

/**
 * The verdict of {@link MxTlsVerifier#verify(String, java.security.cert.X509Certificate[])} on one
 * MX certificate chain (RFC 8461 §4.2): passed, or refused with a {@link RefusalReason} and a
 * message a person can act on.
 *
 * <p>Immutable and thread-safe; value equality over reason and message.
 */
public final class CertificateCheck {
  private static final CertificateCheck PASSED = new CertificateCheck(null, "certificate valid");

  private final RefusalReason refusal;
  private final String message;

  private CertificateCheck(RefusalReason refusal, String message) {
    this.refusal = refusal;
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
        Objects.requireNonNull(reason, "reason"), Objects.requireNonNull(message, "message"));
  }

  /** Whether the certificate passed every check. */
  public boolean passed() {
    return refusal == null;
  }

  /** Why the certificate was refused; empty if it {@linkplain #passed() passed}. */
  public Optional<RefusalReason> refusal() {
    return Optional.ofNullable(refusal);
  }

  /** A one-line description: what was wrong, or that the certificate is valid. */
  public String message() {
    return message;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CertificateCheck
        && ((CertificateCheck) o).refusal == refusal
        && ((CertificateCheck) o).message.equals(message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(refusal, message);
  }

  @Override
  public String toString() {
    return refusal == null ? "CertificateCheck{passed}" : "CertificateCheck{" + refusal.code()
        + ": " + message + "}";
  }
}
