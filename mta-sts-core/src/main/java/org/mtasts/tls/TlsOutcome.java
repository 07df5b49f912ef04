package org.mtasts.tls;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * What happened in one TLS handshake with an MX host made through {@link
 * MxTlsVerifier#socketFactory(String, boolean, java.util.function.Consumer)}: whether the
 * handshake completed, the MTA-STS verdict (RFC 8461 §4.2, §7.2), the negotiated protocol and
 * cipher suite, and the socket addresses a TLS-RPT report needs (RFC 8460 §4.4).
 *
 * <p>Three shapes occur:
 *
 * <ul>
 *   <li>completed and passed: the session may be used;
 *   <li>completed but refused: only in testing (report-only) mode, where a bad certificate is
 *       reported but the session continues (STS-TLS-11);
 *   <li>not completed: the handshake failed or was aborted by the verifier; {@link #refusal()}
 *       says why.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class TlsOutcome {
  private final String mxHost;
  private final boolean enforced;
  private final boolean handshakeCompleted;
  private final RefusalReason refusal;
  private final String message;
  private final String protocol;
  private final String cipherSuite;
  private final InetSocketAddress localAddress;
  private final InetSocketAddress remoteAddress;

  private TlsOutcome(
      String mxHost,
      boolean enforced,
      boolean handshakeCompleted,
      RefusalReason refusal,
      String message,
      String protocol,
      String cipherSuite,
      InetSocketAddress localAddress,
      InetSocketAddress remoteAddress) {
    this.mxHost = Objects.requireNonNull(mxHost, "mxHost");
    this.enforced = enforced;
    this.handshakeCompleted = handshakeCompleted;
    this.refusal = refusal;
    this.message = Objects.requireNonNull(message, "message");
    this.protocol = protocol;
    this.cipherSuite = cipherSuite;
    this.localAddress = localAddress;
    this.remoteAddress = remoteAddress;
  }

  /**
   * A handshake that completed, with the certificate verdict.
   *
   * @param mxHost the MX host name (reference identity and SNI)
   * @param enforced whether the policy mode was enforce
   * @param protocol the negotiated protocol, e.g. {@code TLSv1.3}
   * @param cipherSuite the negotiated cipher suite
   * @param check the certificate verdict
   * @param localAddress the sending side's address, or null if unknown
   * @param remoteAddress the MX's address, or null if unknown
   * @throws NullPointerException if a non-nullable argument is null
   */
  public static TlsOutcome completed(
      String mxHost,
      boolean enforced,
      String protocol,
      String cipherSuite,
      CertificateCheck check,
      InetSocketAddress localAddress,
      InetSocketAddress remoteAddress) {
    Objects.requireNonNull(check, "check");
    return new TlsOutcome(
        mxHost,
        enforced,
        true,
        check.refusal().orElse(null),
        check.message(),
        Objects.requireNonNull(protocol, "protocol"),
        Objects.requireNonNull(cipherSuite, "cipherSuite"),
        localAddress,
        remoteAddress);
  }

  /**
   * A handshake that did not complete.
   *
   * @param mxHost the MX host name
   * @param enforced whether the policy mode was enforce
   * @param reason why it failed
   * @param message what happened
   * @param localAddress the sending side's address, or null if unknown
   * @param remoteAddress the MX's address, or null if unknown
   * @throws NullPointerException if a non-nullable argument is null
   */
  public static TlsOutcome failed(
      String mxHost,
      boolean enforced,
      RefusalReason reason,
      String message,
      InetSocketAddress localAddress,
      InetSocketAddress remoteAddress) {
    return new TlsOutcome(
        mxHost,
        enforced,
        false,
        Objects.requireNonNull(reason, "reason"),
        message,
        null,
        null,
        localAddress,
        remoteAddress);
  }

  /** The MX host name the session was checked against. */
  public String mxHost() {
    return mxHost;
  }

  /** Whether the socket was made for an enforce policy (false: testing, report-only). */
  public boolean enforced() {
    return enforced;
  }

  /** Whether the TLS handshake completed, so the session can carry SMTP. */
  public boolean handshakeCompleted() {
    return handshakeCompleted;
  }

  /** Whether the handshake completed and every MTA-STS check passed. */
  public boolean passed() {
    return handshakeCompleted && refusal == null;
  }

  /** Why the MX fails MTA-STS validation; empty when it {@linkplain #passed() passed}. */
  public Optional<RefusalReason> refusal() {
    return Optional.ofNullable(refusal);
  }

  /** A one-line description of the outcome. */
  public String message() {
    return message;
  }

  /** The negotiated protocol, e.g. {@code TLSv1.3}, if the handshake completed. */
  public Optional<String> protocol() {
    return Optional.ofNullable(protocol);
  }

  /** The negotiated cipher suite, if the handshake completed. */
  public Optional<String> cipherSuite() {
    return Optional.ofNullable(cipherSuite);
  }

  /** The local end of the connection ({@code sending-mta-ip} of TLS-RPT), if known. */
  public Optional<InetSocketAddress> localAddress() {
    return Optional.ofNullable(localAddress);
  }

  /** The MX end of the connection ({@code receiving-ip} of TLS-RPT), if known. */
  public Optional<InetSocketAddress> remoteAddress() {
    return Optional.ofNullable(remoteAddress);
  }

  /**
   * What this handshake means for {@link org.mtasts.MtaSts#check}: a completed handshake is {@link
   * TlsFacts#verified} or, with a refusal, {@link TlsFacts#certificateProblem}; a failed one is
   * {@link TlsFacts#handshakeFailed} with its reason ({@link RefusalReason#TLS_HANDSHAKE_FAILED}
   * when none is known). The one conversion between the verifier's and the check's vocabulary.
   *
   * @return the facts of this session; never null
   */
  public TlsFacts facts() {
    if (!handshakeCompleted) {
      return TlsFacts.handshakeFailed(refusal != null ? refusal : RefusalReason.TLS_HANDSHAKE_FAILED);
    }
    String negotiated = protocol != null ? protocol : "TLS";
    return refusal != null
        ? TlsFacts.certificateProblem(negotiated, refusal)
        : TlsFacts.verified(negotiated);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("TlsOutcome{").append(mxHost);
    s.append(enforced ? ", enforce" : ", testing");
    s.append(handshakeCompleted ? ", completed " + protocol + " " + cipherSuite : ", failed");
    if (refusal != null) {
      s.append(", ").append(refusal.code());
    }
    return s.append(": ").append(message).append('}').toString();
  }
}
