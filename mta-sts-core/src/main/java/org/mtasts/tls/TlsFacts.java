package org.mtasts.tls;

import java.util.Objects;
import java.util.Optional;

/**
 * What happened on one SMTP connection, as far as MTA-STS cares (RFC 8461 §4.2, §5): whether the
 * MX offered STARTTLS, whether TLS was negotiated, with which protocol, and the certificate problem
 * found by the TLS verifier, if any. Input to {@link org.mtasts.MtaSts#check}. Immutable.
 *
 * <p>For a session with a DANE-protected MX host (RFC 7672), {@link #dane()} also carries the DANE
 * verdict, beside the MTA-STS (WebPKI) one: {@link #problem()} and {@link #failure()} stay the
 * MTA-STS view of the session, so the delivery rules can let DANE decide (D-23) or, in strict mode,
 * require both.
 *
 * <p>Use the factories; they cannot describe impossible sessions.
 */
public final class TlsFacts {
  private final boolean startTlsOffered;
  private final boolean tlsNegotiated;
  private final String protocol;
  private final RefusalReason certificateProblem;
  private final DaneResult dane;

  private TlsFacts(boolean startTlsOffered, boolean tlsNegotiated, String protocol,
      RefusalReason certificateProblem, DaneResult dane) {
    this.startTlsOffered = startTlsOffered;
    this.tlsNegotiated = tlsNegotiated;
    this.protocol = protocol;
    this.certificateProblem = certificateProblem;
    this.dane = dane;
  }

  /**
   * TLS was negotiated with {@code protocol} and the certificate passed the verifier's checks.
   *
   * @param protocol the negotiated protocol, e.g. {@code TLSv1.3}
   * @return the facts
   */
  public static TlsFacts verified(String protocol) {
    return new TlsFacts(true, true, Objects.requireNonNull(protocol, "protocol"), null, null);
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
        Objects.requireNonNull(problem, "problem"), null);
  }

  /**
   * TLS was negotiated with {@code protocol}, the certificate matched a usable TLSA record of the
   * MX host ({@link DaneResult#AUTHENTICATED}) and passed the MTA-STS (WebPKI) checks as well.
   *
   * @param protocol the negotiated protocol, e.g. {@code TLSv1.3}
   * @return the facts
   * @throws NullPointerException if {@code protocol} is null
   */
  public static TlsFacts daneVerified(String protocol) {
    return new TlsFacts(true, true, Objects.requireNonNull(protocol, "protocol"), null,
        DaneResult.AUTHENTICATED);
  }

  /**
   * TLS was negotiated with {@code protocol} and the certificate matched a usable TLSA record of
   * the MX host ({@link DaneResult#AUTHENTICATED}), but fails the MTA-STS (WebPKI) checks with
   * {@code webPkiProblem} — as a self-signed certificate published as DANE-EE(3) does
   * (STS-DANE-05). Under D-23 DANE decides; a strict configuration refuses the session.
   *
   * @param protocol the negotiated protocol
   * @param webPkiProblem the MTA-STS verdict, e.g. {@link RefusalReason#CERTIFICATE_NOT_TRUSTED}
   * @return the facts; {@link #problem()} and {@link #failure()} report {@code webPkiProblem}
   * @throws IllegalArgumentException if {@code webPkiProblem} is {@link
   *     RefusalReason#TLSA_INVALID}, which contradicts the DANE verdict
   * @throws NullPointerException if an argument is null
   */
  public static TlsFacts daneVerified(String protocol, RefusalReason webPkiProblem) {
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(webPkiProblem, "webPkiProblem");
    if (webPkiProblem == RefusalReason.TLSA_INVALID) {
      throw new IllegalArgumentException("a DANE-authenticated session cannot be tlsa-invalid");
    }
    return new TlsFacts(true, true, protocol, webPkiProblem, DaneResult.AUTHENTICATED);
  }

  /**
   * The MX did not offer STARTTLS (or an attacker stripped it), or refused the command.
   *
   * @return the facts
   */
  public static TlsFacts noStartTls() {
    return new TlsFacts(false, false, null, null, null);
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
    return new TlsFacts(true, false, null, Objects.requireNonNull(reason, "reason"), null);
  }

  /**
   * STARTTLS was offered, but the handshake was aborted by a check of the certificate of a
   * DANE-protected MX host: with {@code dane} = {@link DaneResult#FAILED} because no usable TLSA
   * record matched ({@code reason} {@link RefusalReason#TLSA_INVALID}), or with {@code dane} =
   * {@link DaneResult#AUTHENTICATED} because the MTA-STS (WebPKI) check that the socket was told
   * to require as well failed ({@code reason} is that check's).
   *
   * @param reason why the handshake was aborted
   * @param dane the DANE verdict on the certificate
   * @return the facts
   * @throws IllegalArgumentException if {@code dane} is {@link DaneResult#FAILED} and {@code
   *     reason} is not {@link RefusalReason#TLSA_INVALID}, or {@code dane} is {@link
   *     DaneResult#AUTHENTICATED} and {@code reason} is
   * @throws NullPointerException if an argument is null
   */
  public static TlsFacts handshakeFailed(RefusalReason reason, DaneResult dane) {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(dane, "dane");
    if ((dane == DaneResult.FAILED) != (reason == RefusalReason.TLSA_INVALID)) {
      throw new IllegalArgumentException(
          "a handshake aborted with DANE " + dane.code() + " cannot fail as " + reason.code());
    }
    return new TlsFacts(true, false, null, reason, dane);
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
   * The DANE verdict on the MX certificate (RFC 7672 §3), if the session was made for a
   * DANE-protected host and got as far as checking the certificate; empty otherwise.
   *
   * @return the DANE result, or empty when DANE was not checked
   */
  public Optional<DaneResult> dane() {
    return Optional.ofNullable(dane);
  }

  /**
   * Returns the first reason this session fails MTA-STS validation (RFC 8461 §4.2), leaving the
   * {@code mx} pattern check aside: STARTTLS not offered, no TLS session, a protocol below TLS
   * 1.2, or a certificate problem, in that order. The DANE verdict is not consulted: a session
   * {@linkplain #daneVerified(String, RefusalReason) authenticated by DANE} with a self-signed
   * certificate still fails here; see {@link #dane()}.
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
    String daneText = dane == null ? "" : ", DANE " + dane.code();
    if (!tlsNegotiated) {
      return "TlsFacts{handshake failed: " + certificateProblem.code() + daneText + "}";
    }
    return "TlsFacts{" + protocol
        + (certificateProblem == null ? ", verified" : ", " + certificateProblem.code())
        + daneText + "}";
  }
}
