package org.mtasts.javamail;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * What one delegate SMTP session did, seen from its sockets: whether TCP connected, whether
 * STARTTLS was sent, and the TLS handshake outcome. Written on the sending thread (and the
 * verifier's callback on it), read after {@code connect} returns or throws.
 */
final class SessionRecorder {
  private volatile InetSocketAddress remote;
  private volatile IOException connectFailure;
  private volatile boolean startTlsSent;
  private volatile TlsGate.Handshake handshake;

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
