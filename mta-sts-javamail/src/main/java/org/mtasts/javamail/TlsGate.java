package org.mtasts.javamail;

import java.util.Optional;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocketFactory;
import org.mtasts.RefusalReason;

/**
 * The TLS side of a delivery: socket factories that check an MX certificate under MTA-STS rules
 * (SAN-only name check inside the handshake), and classification of failures. A seam over the core
 * {@code MxTlsVerifier}. Implementations are thread-safe.
 */
interface TlsGate {

  /**
   * A factory for STARTTLS layering with {@code mxHost}: TLS 1.2+, SNI = {@code mxHost}. Under
   * {@code enforce} a bad certificate aborts the handshake; otherwise the handshake completes and
   * the problem is only reported. Each handshake's outcome goes to {@code outcomes}.
   */
  SSLSocketFactory socketFactory(String mxHost, boolean enforce, Consumer<Handshake> outcomes);

  /** The MTA-STS reason behind a failure, if it is a TLS or certificate failure. */
  Optional<RefusalReason> classify(Throwable failure);

  /** One handshake: completed or not, the refusal reason code if any, the protocol. */
  record Handshake(boolean completed, RefusalReason reason, String protocol, String message) {
    boolean passed() {
      return completed && reason == null;
    }
  }
}
