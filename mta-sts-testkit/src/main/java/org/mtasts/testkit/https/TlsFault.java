package org.mtasts.testkit.https;

/**
 * A misbehaviour of the TLS handshake for one host, chosen by {@link PolicyHost#tlsFault}. The
 * server reads the whole ClientHello first (so the SNI is always recorded), then misbehaves.
 */
public enum TlsFault {
  /** A normal handshake. */
  NONE,

  /** Reads the ClientHello and closes the TCP connection without answering. */
  CLOSE_AFTER_CLIENT_HELLO,

  /**
   * Reads the ClientHello and never answers: the connection stays open until the client gives up or
   * the server is closed. Models a slow TLS handshake (RFC 8461 §3.3 "slow-drip").
   */
  STALL_AFTER_CLIENT_HELLO,

  /**
   * Answers with a TLS 1.0 ServerHello (version 3.1, no extensions), as a server that supports
   * nothing newer would, then waits for the client's reply. A client that requires TLS 1.2 must
   * abort with a {@code protocol_version} alert; the alert it sent is recorded in {@link
   * RecordedConnection#failure()}.
   *
   * <p>This is an emulation written byte by byte: JDK 17 disables TLS 1.0 and 1.1 through the
   * {@code jdk.tls.disabledAlgorithms} security property, which the testkit never changes, so a
   * real TLS 1.0 handshake cannot be completed in-process. A client that accepts the old version
   * sees the connection close after the ServerHello instead of completing the handshake.
   */
  LEGACY_TLS_1_0,

  /** Like {@link #LEGACY_TLS_1_0} with a TLS 1.1 (version 3.2) ServerHello. */
  LEGACY_TLS_1_1
}
