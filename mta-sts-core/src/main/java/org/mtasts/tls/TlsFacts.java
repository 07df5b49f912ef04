package org.mtasts.tls;

import java.util.Objects;
import java.util.Optional;

/**
 * What happened on one SMTP connection, as far as MTA-STS cares (RFC 8461 §4.2, §5): whether the
 * MX offered STARTTLS, whether TLS was negotiated, with which protocol, and the certificate problem
 * found by the TLS verifier, if any. Input to {@link org.mtasts.MtaSts#check}. Immutable.
 *
 * <p>Use the factories; they cannot describe impossible sessions.
 */
public final class TlsFacts {
  private final boolean startTlsOffered;
  private final boolean tlsNegotiated;
  private final String protocol;
  private final RefusalReason certificateProblem;

  private TlsFacts(boolean startTlsOffered, boolean tlsNegotiated, String protocol,
      RefusalReason certificateProblem) {
    this.startTlsOffered = startTlsOffered;
    this.tlsNegotiated = tlsNegotiated;
    this.protocol = protocol;
    this.certificateProblem = certificateProblem;
  }

  /**
   * TLS was negotiated with {@code protocol} and the certificate passed the verifier's checks.
   *
   * @param protocol the negotiated protocol, e.g. {@code TLSv1.3}
   * @return the facts
   */
  public static TlsFacts verified(String protocol) {
    return new TlsFacts(true, true, Objects.requireNonNull(protocol, "protocol"), null);
  }

  /**
   * TLS was negotiated with {@code protocol}, but the verifier found {@code problem} with the
   * certificate.
   *
   * @param protocol the negotiated protocol
   * @param problem e.g. {@link RefusalReason#CERTIFICATE_EXPIRED}
   * @return the facts
   */
  public static TlsFacts certificateProblem(String protocol, RefusalReason problem) {
    return new TlsFacts(true, true, Objects.requireNonNull(protocol, "protocol"),
        Objects.requireNonNull(problem, "problem"));
  }

  /**
   * The MX did not offer STARTTLS (or an attacker stripped it), or refused the command.
   *
   * @return the facts
   */
  public static TlsFacts noStartTls() {
    return new TlsFacts(false, false, null, null);
  }

  /**
   * STARTTLS was offered, but no TLS session came about; {@code reason} says why, e.g. {@link
   * RefusalReason#TLS_VERSION}, {@link RefusalReason#TLS_HANDSHAKE_FAILED} or a certificate reason
   * when the certificate check aborted the handshake.
   *
   * @param reason why the handshake failed
   * @return the facts
   */
  public static TlsFacts handshakeFailed(RefusalReason reason) {
    return new TlsFacts(true, false, null, Objects.requireNonNull(reason, "reason"));
  }

  /** Whether the MX offered STARTTLS. */
  public boolean startTlsOffered() {
    return startTlsOffered;
  }

  /** Whether a TLS session was negotiated. */
  public boolean tlsNegotiated() {
    return tlsNegotiated;
  }

  /** The negotiated protocol, e.g. {@code TLSv1.3}. */
  public Optional<String> protocol() {
    return Optional.ofNullable(protocol);
  }

  /** The certificate or handshake problem, if any. */
  public Optional<RefusalReason> problem() {
    return Optional.ofNullable(certificateProblem);
  }

  /**
   * Returns the first reason this session fails MTA-STS validation (RFC 8461 §4.2), leaving the
   * {@code mx} pattern check aside: STARTTLS not offered, no TLS session, a protocol below TLS
   * 1.2, or a certificate problem, in that order.
   *
   * @return the reason, or empty if the session satisfies MTA-STS
   */
  public Optional<RefusalReason> failure() {
    if (!startTlsOffered) {
      return Optional.of(RefusalReason.STARTTLS_NOT_SUPPORTED);
    }
    if (!tlsNegotiated) {
      return Optional.of(certificateProblem);
    }
    if (protocol.equals("TLSv1") || protocol.equals("TLSv1.1") || protocol.startsWith("SSL")) {
      return Optional.of(RefusalReason.TLS_VERSION); // D-04: TLS 1.2 at least
    }
    return Optional.ofNullable(certificateProblem);
  }

  @Override
  public String toString() {
    if (!startTlsOffered) {
      return "TlsFacts{no STARTTLS}";
    }
    if (!tlsNegotiated) {
      return "TlsFacts{handshake failed: " + certificateProblem.code() + "}";
    }
    return "TlsFacts{" + protocol
        + (certificateProblem == null ? ", verified" : ", " + certificateProblem.code()) + "}";
  }
}
