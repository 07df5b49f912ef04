package org.mtasts.testkit.smtp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One message an {@link SmtpReceiver} accepted (its reply to the final dot was 2xx): the envelope,
 * the data, and the state of the session it came in on.
 *
 * <p>The data is what the client sent between {@code DATA} and the final dot, with dot-stuffing
 * removed and every line ended by CRLF. Header access is deliberately simple: the header block is
 * everything before the first empty line, folded lines are unfolded, nothing is decoded (no RFC
 * 2047, no MIME).
 *
 * <p>Immutable and thread-safe.
 */
public final class ReceivedMessage {
  private final int sessionId;
  private final String ehloName;
  private final String mailFrom;
  private final List<String> recipients;
  private final byte[] data;
  private final String tlsProtocol;
  private final String cipherSuite;
  private final String sniHostName;
  private final List<String> headers;
  private final String body;

  ReceivedMessage(
      int sessionId,
      String ehloName,
      String mailFrom,
      List<String> recipients,
      byte[] data,
      String tlsProtocol,
      String cipherSuite,
      String sniHostName) {
    this.sessionId = sessionId;
    this.ehloName = ehloName;
    this.mailFrom = Objects.requireNonNull(mailFrom, "mailFrom");
    this.recipients = List.copyOf(recipients);
    this.data = data.clone();
    this.tlsProtocol = tlsProtocol;
    this.cipherSuite = cipherSuite;
    this.sniHostName = sniHostName;
    String text = new String(data, StandardCharsets.UTF_8);
    int end = headerEnd(text);
    this.headers = unfold(text.substring(0, end));
    this.body = end < text.length() ? text.substring(Math.min(text.length(), end + 2)) : "";
  }

  /** The id of the session ({@link SessionRecord#id()}) the message came in on. */
  public int sessionId() {
    return sessionId;
  }

  /**
   * The name the client gave in its last {@code EHLO} or {@code HELO} before this message (after
   * STARTTLS, the name from the post-TLS greeting).
   */
  public String ehloName() {
    return ehloName;
  }

  /** The reverse-path of {@code MAIL FROM} without angle brackets; empty for the null sender. */
  public String mailFrom() {
    return mailFrom;
  }

  /** The forward-paths of the accepted {@code RCPT TO} commands, in order, without brackets. */
  public List<String> recipients() {
    return recipients;
  }

  /** A copy of the message data: dot-stuffing removed, lines ended by CRLF. */
  public byte[] data() {
    return data.clone();
  }

  /** The message data decoded as UTF-8 (malformed bytes replaced). */
  public String text() {
    return new String(data, StandardCharsets.UTF_8);
  }

  /**
   * The header fields in order, each unfolded to one line such as {@code "Subject: Hello"}, not
   * decoded.
   */
  public List<String> headers() {
    return headers;
  }

  /**
   * The value of the first header field called {@code name} (ASCII case-insensitive), trimmed.
   *
   * @throws NullPointerException if {@code name} is null
   */
  public Optional<String> header(String name) {
    List<String> values = headerValues(name);
    return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /**
   * The trimmed values of every header field called {@code name} (ASCII case-insensitive), in
   * order.
   *
   * @throws NullPointerException if {@code name} is null
   */
  public List<String> headerValues(String name) {
    String wanted = Objects.requireNonNull(name, "name").toLowerCase(Locale.ROOT);
    List<String> values = new ArrayList<>();
    for (String header : headers) {
      int colon = header.indexOf(':');
      if (colon > 0 && header.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals(wanted)) {
        values.add(header.substring(colon + 1).strip());
      }
    }
    return values;
  }

  /** Everything after the empty line that ends the header block, as UTF-8 text. */
  public String body() {
    return body;
  }

  /** Whether TLS was active on the session when the message was sent. */
  public boolean tlsActive() {
    return tlsProtocol != null;
  }

  /** The negotiated TLS version, such as {@code "TLSv1.3"}, if TLS was active. */
  public Optional<String> tlsProtocol() {
    return Optional.ofNullable(tlsProtocol);
  }

  /** The negotiated cipher suite, such as {@code "TLS_AES_128_GCM_SHA256"}, if TLS was active. */
  public Optional<String> cipherSuite() {
    return Optional.ofNullable(cipherSuite);
  }

  /** The host name the client sent as SNI in its ClientHello, if TLS was active and it sent one. */
  public Optional<String> sniHostName() {
    return Optional.ofNullable(sniHostName);
  }

  @Override
  public String toString() {
    return "ReceivedMessage{session="
        + sessionId
        + ", from=<"
        + mailFrom
        + ">, to="
        + recipients
        + ", "
        + data.length
        + " octets, tls="
        + (tlsProtocol == null ? "none" : tlsProtocol + " SNI=" + sniHostName)
        + "}";
  }

  /** Index of the CRLF CRLF (or CRLF at the very start) that ends the header block. */
  private static int headerEnd(String text) {
    if (text.startsWith("\r\n")) {
      return 0;
    }
    int blank = text.indexOf("\r\n\r\n");
    return blank < 0 ? text.length() : blank + 2;
  }

  private static List<String> unfold(String block) {
    List<String> fields = new ArrayList<>();
    for (String line : block.split("\r\n")) {
      if (line.isEmpty()) {
        continue;
      }
      if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !fields.isEmpty()) {
        fields.set(fields.size() - 1, fields.get(fields.size() - 1) + line);
      } else {
        fields.add(line);
      }
    }
    return List.copyOf(fields);
  }
}
