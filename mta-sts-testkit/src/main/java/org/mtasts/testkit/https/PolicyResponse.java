package org.mtasts.testkit.https;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;

/**
 * What the server does with one request for the policy file: status, headers, body, framing,
 * content coding, pacing and where to cut the connection. Immutable and thread-safe; one response
 * can be served any number of times, to any number of connections at once.
 *
 * <pre>{@code
 * PolicyResponse.policy(text);                                  // 200, text/plain
 * PolicyResponse.status(404);
 * PolicyResponse.redirect(301, "https://mta-sts.example.com/.well-known/mta-sts.txt?x");
 * PolicyResponse.builder().body(text).noContentType().build();  // no Content-Type header at all
 * PolicyResponse.builder().paddedBody(text, 1 << 20).contentLength(100).build(); // lying length
 * PolicyResponse.gzipBomb(10 << 20);                            // inflates to 10 MiB
 * PolicyResponse.builder().body(text).trickleBody(1, Duration.ofSeconds(5)).build();
 * PolicyResponse.builder().endlessBody(text).build();           // chunked, never ends
 * PolicyResponse.builder().status(301).rawHeaderLine("Location: x\r\u001b[2J").build(); // hostile
 * }</pre>
 *
 * <p><b>Headers.</b> The server adds, in this order and only for names the response does not set
 * itself: {@code Content-Type} ({@code text/plain} unless {@link Builder#contentType changed} or
 * {@link Builder#noContentType() removed}), {@code Content-Length} (the true length of the bytes
 * sent; not for 1xx and 204, RFC 9110 §8.6) or {@code Transfer-Encoding: chunked}, {@code
 * Content-Encoding: gzip} when the body is gzipped, and {@code Connection: close}. Headers set with
 * {@link Builder#header} follow, in the order given. Setting a header by name replaces the
 * automatic one, which is how a {@code Content-Length} lies: the body is still sent in full.
 *
 * <p><b>Connection.</b> The server answers one request per connection and closes it afterwards
 * (with a TLS {@code close_notify}), whatever the headers say.
 */
public final class PolicyResponse {
  /** A valid enforce policy, for tests that do not care about the policy text. */
  public static final String SAMPLE_POLICY =
      "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 86400\n";

  /** How the end of the body is marked. */
  enum Framing {
    CONTENT_LENGTH,
    CHUNKED,
    CLOSE_DELIMITED
  }

  /** When to gzip the body. */
  enum Coding {
    IDENTITY,
    GZIP_IF_ACCEPTED,
    GZIP_ALWAYS
  }

  private static final Map<Integer, String> REASONS =
      Map.ofEntries(
          Map.entry(200, "OK"),
          Map.entry(201, "Created"),
          Map.entry(202, "Accepted"),
          Map.entry(203, "Non-Authoritative Information"),
          Map.entry(204, "No Content"),
          Map.entry(206, "Partial Content"),
          Map.entry(300, "Multiple Choices"),
          Map.entry(301, "Moved Permanently"),
          Map.entry(302, "Found"),
          Map.entry(303, "See Other"),
          Map.entry(304, "Not Modified"),
          Map.entry(307, "Temporary Redirect"),
          Map.entry(308, "Permanent Redirect"),
          Map.entry(400, "Bad Request"),
          Map.entry(401, "Unauthorized"),
          Map.entry(403, "Forbidden"),
          Map.entry(404, "Not Found"),
          Map.entry(405, "Method Not Allowed"),
          Map.entry(410, "Gone"),
          Map.entry(421, "Misdirected Request"),
          Map.entry(429, "Too Many Requests"),
          Map.entry(500, "Internal Server Error"),
          Map.entry(502, "Bad Gateway"),
          Map.entry(503, "Service Unavailable"),
          Map.entry(504, "Gateway Timeout"));

  final int status;
  final String reason;
  final String contentType; // null: no automatic Content-Type
  final List<HttpHeader> headers;
  final ResponseBody body;
  final Framing framing;
  final Coding coding;
  final Duration headersDelay;
  final int paceBytes; // 0: no pacing
  final Duration paceInterval;
  final boolean paceHead;
  final boolean disconnectAfterHandshake;
  final boolean disconnectAfterRequest;
  final boolean disconnectAfterHeaders;
  final long disconnectAfterBodyBytes; // -1: never
  final String rawStatusLine; // null: "HTTP/1.1 <status> <reason>"
  final List<String> rawHeaderLines;

  private byte[] gzipped; // guarded by this

  private PolicyResponse(Builder b) {
    this.status = b.status;
    this.reason =
        b.reason != null ? b.reason : REASONS.getOrDefault(b.status, "Status " + b.status);
    this.contentType = b.contentType;
    this.headers = List.copyOf(b.headers);
    this.body = b.body;
    this.framing =
        b.framing != null ? b.framing : b.body.endless() ? Framing.CHUNKED : Framing.CONTENT_LENGTH;
    this.coding = b.coding;
    this.headersDelay = b.headersDelay;
    this.paceBytes = b.paceBytes;
    this.paceInterval = b.paceInterval;
    this.paceHead = b.paceHead;
    this.disconnectAfterHandshake = b.disconnectAfterHandshake;
    this.disconnectAfterRequest = b.disconnectAfterRequest;
    this.disconnectAfterHeaders = b.disconnectAfterHeaders;
    this.disconnectAfterBodyBytes = b.disconnectAfterBodyBytes;
    this.rawStatusLine = b.rawStatusLine;
    this.rawHeaderLines = List.copyOf(b.rawHeaderLines);
  }

  /** A 200 response with {@code Content-Type: text/plain} and {@code text} in UTF-8. */
  public static PolicyResponse policy(String text) {
    return builder().body(text).build();
  }

  /** A response with the given status and an empty body ({@code Content-Length: 0}). */
  public static PolicyResponse status(int status) {
    return builder().status(status).build();
  }

  /**
   * A redirect: {@code status} (normally 301, 302, 303, 307 or 308), a {@code Location} header and
   * a short text body. The server never follows it itself; a request for the target is an ordinary
   * request and is recorded like any other.
   *
   * @throws IllegalArgumentException if {@code status} is not 3xx
   */
  public static PolicyResponse redirect(int status, String location) {
    Objects.requireNonNull(location, "location");
    if (status < 300 || status > 399) {
      throw new IllegalArgumentException("redirect status must be 3xx: " + status);
    }
    return builder().status(status).header("Location", location).body("moved\n").build();
  }

  /**
   * A 200 response whose body is gzipped whatever the request's {@code Accept-Encoding} says:
   * {@link #SAMPLE_POLICY} padded with filler lines so that it inflates to exactly {@code
   * inflatedSize} bytes. The compressed body is about a thousandth of that.
   */
  public static PolicyResponse gzipBomb(long inflatedSize) {
    return builder().paddedBody(SAMPLE_POLICY, inflatedSize).gzipAlways().build();
  }

  /** A new builder for a 200 response with an empty body. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from this response's settings. */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /** The status code. */
  public int statusCode() {
    return status;
  }

  /**
   * The body as sent without content coding, for finite bodies only.
   *
   * @throws IllegalStateException if the body is endless
   */
  public byte[] bodyBytes() {
    if (body.endless()) {
      throw new IllegalStateException("endless body");
    }
    try (InputStream in = body.open()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The gzip form of the body, computed once. */
  synchronized byte[] gzippedBody() {
    if (gzipped == null) {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      try (InputStream in = body.open();
          GZIPOutputStream gzip = new GZIPOutputStream(buffer, 64 * 1024)) {
        in.transferTo(gzip);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      gzipped = buffer.toByteArray();
    }
    return gzipped;
  }

  private static String escape(String raw) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : raw.toCharArray()) {
      if (c < 0x20 || c == 0x7f || c == '\\' || c == '"') {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  @Override
  public String toString() {
    StringBuilder s =
        new StringBuilder("PolicyResponse{").append(status).append(' ').append(reason);
    s.append(", body=").append(body).append(", ").append(framing);
    if (coding != Coding.IDENTITY) {
      s.append(", ").append(coding);
    }
    if (contentType == null) {
      s.append(", no Content-Type");
    } else if (!contentType.equals("text/plain")) {
      s.append(", Content-Type=").append(contentType);
    }
    if (!headers.isEmpty()) {
      s.append(", headers=").append(headers);
    }
    if (!headersDelay.isZero()) {
      s.append(", headersDelay=").append(headersDelay);
    }
    if (paceBytes > 0) {
      s.append(paceHead ? ", trickleResponse=" : ", trickleBody=")
          .append(paceBytes)
          .append("B/")
          .append(paceInterval);
    }
    if (disconnectAfterHandshake) {
      s.append(", disconnectAfterHandshake");
    }
    if (disconnectAfterRequest) {
      s.append(", disconnectAfterRequest");
    }
    if (disconnectAfterHeaders) {
      s.append(", disconnectAfterHeaders");
    }
    if (disconnectAfterBodyBytes >= 0) {
      s.append(", disconnectAfterBodyBytes=").append(disconnectAfterBodyBytes);
    }
    if (rawStatusLine != null) {
      s.append(", rawStatusLine=").append(escape(rawStatusLine));
    }
    for (String line : rawHeaderLines) {
      s.append(", rawHeaderLine=").append(escape(line));
    }
    return s.append('}').toString();
  }

  /**
   * Builds a {@link PolicyResponse}. Each method validates its arguments at once and names the bad
   * value. Not thread-safe; use one builder per thread.
   */
  public static final class Builder {
    private int status = 200;
    private String reason;
    private String contentType = "text/plain";
    private final List<HttpHeader> headers = new ArrayList<>();
    private ResponseBody body = ResponseBody.bytes(new byte[0]);
    private Framing framing;
    private Coding coding = Coding.IDENTITY;
    private Duration headersDelay = Duration.ZERO;
    private int paceBytes;
    private Duration paceInterval = Duration.ZERO;
    private boolean paceHead;
    private boolean disconnectAfterHandshake;
    private boolean disconnectAfterRequest;
    private boolean disconnectAfterHeaders;
    private long disconnectAfterBodyBytes = -1;
    private String rawStatusLine;
    private final List<String> rawHeaderLines = new ArrayList<>();

    private Builder() {}

    private Builder(PolicyResponse r) {
      status = r.status;
      reason = r.reason;
      contentType = r.contentType;
      headers.addAll(r.headers);
      body = r.body;
      framing = r.framing;
      coding = r.coding;
      headersDelay = r.headersDelay;
      paceBytes = r.paceBytes;
      paceInterval = r.paceInterval;
      paceHead = r.paceHead;
      disconnectAfterHandshake = r.disconnectAfterHandshake;
      disconnectAfterRequest = r.disconnectAfterRequest;
      disconnectAfterHeaders = r.disconnectAfterHeaders;
      disconnectAfterBodyBytes = r.disconnectAfterBodyBytes;
      rawStatusLine = r.rawStatusLine;
      rawHeaderLines.addAll(r.rawHeaderLines);
    }

    /**
     * Sets the status code (default 200) and the standard reason phrase for it.
     *
     * @throws IllegalArgumentException unless {@code 100 <= status <= 999}
     */
    public Builder status(int status) {
      if (status < 100 || status > 999) {
        throw new IllegalArgumentException("status must have three digits: " + status);
      }
      this.status = status;
      this.reason = null;
      return this;
    }

    /** Sets the reason phrase of the status line (default: the standard one). */
    public Builder reason(String reason) {
      Objects.requireNonNull(reason, "reason");
      if (reason.indexOf('\r') >= 0 || reason.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("reason contains CR or LF: \"" + reason + "\"");
      }
      this.reason = reason;
      return this;
    }

    /** Sets the automatic {@code Content-Type} value (default {@code text/plain}). */
    public Builder contentType(String contentType) {
      this.contentType = new HttpHeader("Content-Type", contentType).value();
      return this;
    }

    /** Sends no {@code Content-Type} header at all (unless one is added with {@link #header}). */
    public Builder noContentType() {
      this.contentType = null;
      return this;
    }

    /**
     * Adds a header after the automatic ones; headers with the same name are all sent. Setting
     * {@code Content-Type}, {@code Content-Length}, {@code Transfer-Encoding}, {@code
     * Content-Encoding} or {@code Connection} here suppresses the automatic header of that name.
     */
    public Builder header(String name, String value) {
      headers.add(new HttpHeader(name, value));
      return this;
    }

    /** Removes every header of this name added so far, then adds this one. */
    public Builder setHeader(String name, String value) {
      removeHeader(name);
      return header(name, value);
    }

    /** Removes every header of this name added with {@link #header}. */
    public Builder removeHeader(String name) {
      Objects.requireNonNull(name, "name");
      headers.removeIf(h -> h.hasName(name));
      return this;
    }

    /**
     * Declares {@code Content-Length: declared} whatever the body really is: the whole body is
     * still sent, so a shorter declaration hides extra bytes and a longer one ends in a truncated
     * body when the server closes the connection.
     *
     * @throws IllegalArgumentException if {@code declared} is negative
     */
    public Builder contentLength(long declared) {
      if (declared < 0) {
        throw new IllegalArgumentException("declared length is negative: " + declared);
      }
      framing = Framing.CONTENT_LENGTH;
      return setHeader("Content-Length", Long.toString(declared));
    }

    /** Sends the body with {@code Transfer-Encoding: chunked} (default for endless bodies). */
    public Builder chunked() {
      framing = Framing.CHUNKED;
      return this;
    }

    /** Sends neither Content-Length nor chunked: the body ends when the server closes. */
    public Builder closeDelimited() {
      framing = Framing.CLOSE_DELIMITED;
      return this;
    }

    /** Sets the body to {@code text} in UTF-8. */
    public Builder body(String text) {
      Objects.requireNonNull(text, "text");
      return body(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sets the body to a copy of {@code bytes}, which may be invalid UTF-8. */
    public Builder body(byte[] bytes) {
      Objects.requireNonNull(bytes, "bytes");
      this.body = ResponseBody.bytes(bytes.clone());
      return this;
    }

    /**
     * Sets the body to {@code start} followed by filler lines {@code "filler: xxx…\n"} (a policy
     * extension, so the text stays a valid policy if {@code start} is one) to exactly {@code size}
     * bytes. The body is generated while it is sent, so gigabytes cost no memory unless it is
     * gzipped.
     *
     * @throws IllegalArgumentException if {@code start} is longer than {@code size}, or 1 to 3
     *     bytes shorter (too little room for a filler line)
     */
    public Builder paddedBody(String start, long size) {
      this.body = ResponseBody.padded(start.getBytes(StandardCharsets.UTF_8), size);
      return this;
    }

    /**
     * Sets a body that never ends: {@code start}, then filler lines for as long as the client reads
     * (chunked unless another framing is chosen). Combine with {@link #trickleBody} for a slow
     * endless body. Cannot be gzipped.
     */
    public Builder endlessBody(String start) {
      this.body = ResponseBody.endless(start.getBytes(StandardCharsets.UTF_8));
      return this;
    }

    /**
     * Gzips the body ({@code Content-Encoding: gzip}) when the request's {@code Accept-Encoding}
     * allows gzip; otherwise sends it as is.
     */
    public Builder gzip() {
      this.coding = Coding.GZIP_IF_ACCEPTED;
      return this;
    }

    /** Gzips the body ({@code Content-Encoding: gzip}) whatever the request says. */
    public Builder gzipAlways() {
      this.coding = Coding.GZIP_ALWAYS;
      return this;
    }

    /** Waits this long after reading the request before sending the status line. */
    public Builder headersDelay(Duration delay) {
      this.headersDelay = nonNegative(delay, "delay");
      return this;
    }

    /**
     * Sends the body {@code bytes} at a time with {@code every} between pieces; the first piece
     * goes at once. With chunked framing each piece is one chunk of {@code bytes} payload bytes.
     *
     * @throws IllegalArgumentException if {@code bytes < 1} or {@code every} is negative
     */
    public Builder trickleBody(int bytes, Duration every) {
      return pace(bytes, every, false);
    }

    /**
     * Like {@link #trickleBody}, but the status line and headers trickle too: a client waiting for
     * the headers waits as long as one waiting for the body.
     */
    public Builder trickleResponse(int bytes, Duration every) {
      return pace(bytes, every, true);
    }

    private Builder pace(int bytes, Duration every, boolean head) {
      if (bytes < 1) {
        throw new IllegalArgumentException("bytes per piece must be positive: " + bytes);
      }
      this.paceBytes = bytes;
      this.paceInterval = nonNegative(every, "every");
      this.paceHead = head;
      return this;
    }

    /**
     * Closes the connection right after the TLS handshake, before reading the request. The
     * connection is recorded; no request is.
     */
    public Builder disconnectAfterHandshake() {
      this.disconnectAfterHandshake = true;
      return this;
    }

    /** Reads and records the request, then closes without sending a byte. */
    public Builder disconnectAfterRequest() {
      this.disconnectAfterRequest = true;
      return this;
    }

    /** Sends the status line and headers, then closes before the body. */
    public Builder disconnectAfterHeaders() {
      this.disconnectAfterHeaders = true;
      return this;
    }

    /**
     * Closes after {@code bytes} body bytes (counted after content coding, without chunk framing);
     * with chunked framing the terminating chunk is never sent.
     *
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public Builder disconnectAfterBodyBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("bytes is negative: " + bytes);
      }
      this.disconnectAfterBodyBytes = bytes;
      return this;
    }

    /**
     * Sends {@code line} instead of the status line, byte for byte in UTF-8 and followed by CRLF,
     * without any check: a malformed status line, or one with a bare CR, ESC or other control
     * characters, for clients that must keep such text out of their logs and messages (SEC-20).
     * {@link PolicyResponse#statusCode()} still reports the status set with {@link #status}.
     */
    public Builder rawStatusLine(String line) {
      this.rawStatusLine = Objects.requireNonNull(line, "line");
      return this;
    }

    /**
     * Adds {@code line} after all other headers, byte for byte in UTF-8 and followed by CRLF,
     * without any check: a header with a bare CR, an LF (which starts another line), ESC or no
     * colon at all (SEC-20). Unlike {@link #header}, it suppresses no automatic header; use
     * {@link #noContentType()} to make a raw {@code Content-Type} the only one.
     */
    public Builder rawHeaderLine(String line) {
      rawHeaderLines.add(Objects.requireNonNull(line, "line"));
      return this;
    }

    /**
     * Makes the response.
     *
     * @throws IllegalStateException if an endless body is gzipped or framed by an honest {@code
     *     Content-Length} (set one with {@link #contentLength} to lie instead)
     */
    public PolicyResponse build() {
      if (body.endless() && coding != Coding.IDENTITY) {
        throw new IllegalStateException("an endless body cannot be gzipped");
      }
      if (body.endless()
          && framing == Framing.CONTENT_LENGTH
          && headers.stream().noneMatch(h -> h.hasName("Content-Length"))) {
        throw new IllegalStateException(
            "an endless body has no honest Content-Length; use chunked(), closeDelimited() or"
                + " contentLength(n)");
      }
      return new PolicyResponse(this);
    }

    private static Duration nonNegative(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " is negative: " + d);
      }
      return d;
    }
  }
}
