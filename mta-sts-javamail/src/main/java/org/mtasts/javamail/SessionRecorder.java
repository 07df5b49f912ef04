package org.mtasts.javamail;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.mtasts.report.SessionEndpoints;
import org.mtasts.tls.RefusalReason;
import org.mtasts.tls.TlsFacts;
import org.mtasts.tls.TlsOutcome;

/**
 * What one delegate SMTP session did, seen from its sockets: whether TCP connected (and between
 * which addresses), the name the MX gave itself, whether STARTTLS and DATA were sent, the core
 * verifier's {@link TlsOutcome} of the handshake, and the first bound the MX crossed. Written on the sending thread (and the verifier's callback on it,
 * and the deadline watchdog), read after {@code connect} or {@code sendMessage} returns or throws.
 */
final class SessionRecorder {
  private volatile InetSocketAddress remote;
  private volatile InetAddress local;
  private volatile String greetingName;
  private volatile String ehloName;
  private volatile boolean startTlsSent;
  private volatile TlsOutcome handshake;
  private volatile boolean dataSent;
  private volatile MxLimitException limit;

  /** TCP connected from {@code local} (null if the socket does not say) to {@code remote}. */
  void connected(InetSocketAddress remote, InetAddress local) {
    this.local = local;
    this.remote = remote;
  }

  /** The name on the first line of the MX's 220 greeting (D-31, the fallback). */
  void greetingName(String name) {
    this.greetingName = name;
  }

  /** The name on the first line of the MX's EHLO reply (D-31). */
  void ehloName(String name) {
    this.ehloName = name;
  }

  /**
   * The session's endpoints for TLS-RPT: the addresses of the connection that was made, and the
   * MX's EHLO name, else its greeting's (D-31); each null when unknown (D-28).
   */
  SessionEndpoints endpoints() {
    InetSocketAddress r = remote;
    String helo = ehloName;
    return new SessionEndpoints(local, r == null ? null : r.getAddress(),
        helo != null ? helo : greetingName);
  }

  boolean isConnected() {
    return remote != null;
  }

  InetSocketAddress remote() {
    return remote;
  }

  boolean startTlsSent() {
    return startTlsSent;
  }

  void startTlsSent(boolean sent) {
    this.startTlsSent = sent;
  }

  /** Whether {@code DATA} or {@code BDAT} was sent: from then on the MX may hold the message. */
  boolean dataSent() {
    return dataSent;
  }

  void dataSent(boolean sent) {
    this.dataSent = sent;
  }

  /** The MX crossed a bound on what we read (item 1) or the deadline passed (item 2). */
  void limitExceeded(MxLimitException crossed) {
    if (limit == null) {
      limit = crossed;
    }
  }

  /** The first bound the MX crossed, or null. */
  MxLimitException limit() {
    return limit;
  }

  /** The verifier's callback ({@code MxTlsVerifier.socketFactory}); the first outcome counts. */
  void handshake(TlsOutcome outcome) {
    if (handshake == null) {
      handshake = outcome;
    }
  }

  /** The reason the verifier aborted or saw fail the handshake, if it did. */
  Optional<RefusalReason> handshakeFailure() {
    TlsOutcome h = handshake;
    return h == null || h.handshakeCompleted() ? Optional.empty() : h.refusal();
  }

  /**
   * The facts of a handshake the verifier saw fail or aborted, with its DANE verdict if it checked
   * one (a DANE mismatch is {@code TLSA_INVALID} with {@code DaneResult.FAILED}); empty when no
   * handshake failed.
   */
  Optional<TlsFacts> failedHandshake() {
    TlsOutcome h = handshake;
    return h == null || h.handshakeCompleted() ? Optional.empty() : Optional.of(h.facts());
  }

  /** The negotiated TLS protocol, empty while the session is in plaintext. */
  Optional<String> tlsProtocol() {
    TlsOutcome h = handshake;
    return h != null && h.handshakeCompleted() ? h.protocol() : Optional.empty();
  }

  /** The facts of a session whose {@code connect} succeeded, for the core's {@code check}. */
  TlsFacts facts() {
    return facts(handshake);
  }

  /** The facts of a handshake for the core's {@code check}; null: no handshake, no STARTTLS. */
  static TlsFacts facts(TlsOutcome h) {
    return h == null ? TlsFacts.noStartTls() : h.facts();
  }
}
