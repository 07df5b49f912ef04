package org.mtasts.testkit.https;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One TCP connection to the policy server and how its TLS handshake ended. Recorded when the
 * handshake phase is over: completed, failed, or cut short by a {@link TlsFault}. Immutable.
 *
 * @param sequence position among all connections this server recorded, from 1
 * @param time when the handshake phase ended, from the server's clock
 * @param sni the server name the ClientHello carried (lower case, no trailing dot), if any
 * @param plaintext true if the first bytes were not a TLS handshake record (for example a plain
 *     HTTP request on the TLS port); the connection was then closed
 * @param tlsProtocol the negotiated protocol if the handshake completed
 * @param failure why the handshake did not complete, if it did not: the server's exception message
 *     (for example {@code "Received fatal alert: certificate_unknown"} when the client refused the
 *     certificate), the fault applied, or the alert the client sent in reply
 */
public record RecordedConnection(
    long sequence,
    Instant time,
    Optional<String> sni,
    boolean plaintext,
    Optional<String> tlsProtocol,
    Optional<String> failure) {

  /** Checks that nothing is null. */
  public RecordedConnection {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(sni, "sni");
    Objects.requireNonNull(tlsProtocol, "tlsProtocol");
    Objects.requireNonNull(failure, "failure");
  }

  /** Whether the TLS handshake completed. */
  public boolean handshakeCompleted() {
    return tlsProtocol.isPresent();
  }

  @Override
  public String toString() {
    return "RecordedConnection{#"
        + sequence
        + ", sni="
        + sni.orElse("(none)")
        + (plaintext ? ", plaintext" : "")
        + tlsProtocol.map(p -> ", " + p).orElse("")
        + failure.map(f -> ", failure=" + f).orElse("")
        + "}";
  }
}
