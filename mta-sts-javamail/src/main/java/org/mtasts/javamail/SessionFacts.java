package org.mtasts.javamail;

import org.mtasts.RefusalReason;

/**
 * What happened on one SMTP session as far as MTA-STS cares; mirrors the core's {@code TlsFacts}.
 *
 * @param startTlsOffered whether STARTTLS was offered and accepted
 * @param tlsNegotiated whether a TLS session came about
 * @param protocol the negotiated protocol, or null
 * @param problem the certificate or handshake problem, or null
 */
record SessionFacts(boolean startTlsOffered, boolean tlsNegotiated, String protocol,
    RefusalReason problem) {

  static SessionFacts verified(String protocol) {
    return new SessionFacts(true, true, protocol, null);
  }

  static SessionFacts certificateProblem(String protocol, RefusalReason problem) {
    return new SessionFacts(true, true, protocol, problem);
  }

  static SessionFacts noStartTls() {
    return new SessionFacts(false, false, null, null);
  }

  static SessionFacts handshakeFailed(RefusalReason reason) {
    return new SessionFacts(true, false, null, reason);
  }
}
