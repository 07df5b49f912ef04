package org.mtasts.testkit.internal;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;

/**
 * Hand-written TLS bytes (RFC 5246, RFC 8446) for the legacy-TLS emulation of both the HTTPS policy
 * server and the SMTP receivers: record and handshake framing, a ServerHello, and the names of
 * alert descriptions. The JDK's own TLS cannot play a TLS 1.0 or 1.1 server any more, so these
 * servers write the ServerHello themselves.
 *
 * <p><b>Internal:</b> not part of the testkit's API (see the {@linkplain org.mtasts.testkit.internal
 * package}). Stateless and thread-safe.
 */
public final class TlsRecords {
  /** Record content type {@code alert}. */
  public static final int CONTENT_ALERT = 21;

  /** Record content type {@code handshake}. */
  public static final int CONTENT_HANDSHAKE = 22;

  /** Handshake message type {@code server_hello}. */
  public static final int HANDSHAKE_SERVER_HELLO = 2;

  private static final Map<Integer, String> ALERTS =
      Map.ofEntries(
          Map.entry(0, "close_notify"),
          Map.entry(10, "unexpected_message"),
          Map.entry(20, "bad_record_mac"),
          Map.entry(40, "handshake_failure"),
          Map.entry(42, "bad_certificate"),
          Map.entry(43, "unsupported_certificate"),
          Map.entry(44, "certificate_revoked"),
          Map.entry(45, "certificate_expired"),
          Map.entry(46, "certificate_unknown"),
          Map.entry(47, "illegal_parameter"),
          Map.entry(48, "unknown_ca"),
          Map.entry(50, "decode_error"),
          Map.entry(51, "decrypt_error"),
          Map.entry(70, "protocol_version"),
          Map.entry(71, "insufficient_security"),
          Map.entry(80, "internal_error"),
          Map.entry(86, "inappropriate_fallback"),
          Map.entry(90, "user_canceled"),
          Map.entry(109, "missing_extension"),
          Map.entry(110, "unsupported_extension"),
          Map.entry(112, "unrecognized_name"),
          Map.entry(116, "certificate_required"),
          Map.entry(120, "no_application_protocol"));

  private TlsRecords() {}

  /**
   * The name of TLS alert {@code description}, e.g. {@code protocol_version} for 70.
   *
   * @param description the alert description byte, 0 to 255
   * @return the name, or empty for a description this table does not know
   */
  public static Optional<String> alertName(int description) {
    return Optional.ofNullable(ALERTS.get(description));
  }

  /**
   * One ServerHello handshake message in one record, with null compression and no extensions, as a
   * TLS 1.0 or 1.1 server without any extension sends it.
   *
   * @param version the wire version for the record and the message, e.g. {@code 0x0302} for TLS
   *     1.1
   * @param random the 32-byte server random
   * @param sessionId the session id, 0 to 32 bytes
   * @param cipherSuite the chosen cipher suite
   * @return the record bytes
   */
  public static byte[] serverHello(int version, byte[] random, byte[] sessionId, int cipherSuite) {
    ByteBuffer body = ByteBuffer.allocate(2 + random.length + 1 + sessionId.length + 2 + 1);
    body.putShort((short) version).put(random).put((byte) sessionId.length).put(sessionId);
    body.putShort((short) cipherSuite).put((byte) 0); // no compression, no extensions
    return record(CONTENT_HANDSHAKE, version, handshake(HANDSHAKE_SERVER_HELLO, body.array()));
  }

  /**
   * A handshake message: type, 24-bit length, body.
   *
   * @param type the handshake message type
   * @param body the message body
   * @return the message bytes
   */
  public static byte[] handshake(int type, byte[] body) {
    ByteBuffer message = ByteBuffer.allocate(4 + body.length);
    message.put((byte) type).put((byte) (body.length >>> 16)).putShort((short) body.length);
    return message.put(body).array();
  }

  /**
   * A TLS record: content type, version, 16-bit length, fragment.
   *
   * @param type the content type, e.g. {@link #CONTENT_HANDSHAKE}
   * @param version the record version, e.g. {@code 0x0301}
   * @param fragment the fragment, at most 2^14 bytes
   * @return the record bytes
   */
  public static byte[] record(int type, int version, byte[] fragment) {
    ByteBuffer record = ByteBuffer.allocate(5 + fragment.length);
    record.put((byte) type).putShort((short) version).putShort((short) fragment.length);
    return record.put(fragment).array();
  }
}
