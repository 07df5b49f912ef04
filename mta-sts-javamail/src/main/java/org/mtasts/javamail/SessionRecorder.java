package org.mtasts.javamail;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * What one delegate SMTP session did, seen from its sockets: whether TCP connected, whether
 * STARTTLS and DATA were sent, the TLS handshake outcome, and the first bound the MX crossed.
 * Written on the sending thread (and the verifier's callback on it, and the deadline watchdog),
 * read after {@code connect} or {@code sendMessage} returns or throws.
 */
final class SessionRecorder {
  private volatile InetSocketAddress remote;
  private volatile IOException connectFailure;
  private volatile boolean startTlsSent;
  private volatile TlsGate.Handshake handshake;
  private volatile boolean dataSent;
  private volatile MxLimitException limit;

  void connected(InetSocketAddress remote) {
    this.remote = remote;
  }

  void connectFailed(IOException failure) {
    this.connectFailure = failure;
  }

  boolean isConnected() {
    return remote != null;
  }

  InetSocketAddress remote() {
    return remote;
  }

  IOException connectFailure() {
    return connectFailure;
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

  void handshake(TlsGate.Handshake outcome) {
    if (handshake == null) {
      handshake = outcome;
    }
  }

  TlsGate.Handshake handshake() {
    return handshake;
  }

  /** The facts of a session whose {@code connect} succeeded. */
  SessionFacts facts() {
    TlsGate.Handshake h = handshake;
    if (h == null) {
      return SessionFacts.noStartTls();
    }
    if (!h.completed()) {
      return SessionFacts.handshakeFailed(h.reason());
    }
    return h.reason() == null
        ? SessionFacts.verified(h.protocol())
        : SessionFacts.certificateProblem(h.protocol(), h.reason());
  }
}
