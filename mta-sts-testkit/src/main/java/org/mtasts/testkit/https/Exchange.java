package org.mtasts.testkit.https;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.mtasts.testkit.internal.TlsRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One connection: ClientHello, handshake (or a fault), one request, one response, close. */
final class Exchange implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Exchange.class);
  private static final int MAX_LINE = 8 * 1024;
  private static final int MAX_HEAD = 64 * 1024;
  private static final int MAX_HEADERS = 100;
  private static final int PIECE = 16 * 1024;
  private static final byte[] CRLF = {'\r', '\n'};
  private static final PolicyResponse NOT_FOUND = PolicyResponse.status(404);
  private static final PolicyResponse METHOD_NOT_ALLOWED =
      PolicyResponse.builder().status(405).header("Allow", "GET, HEAD").build();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final PolicyServer server;
  private final Socket raw;

  Exchange(PolicyServer server, Socket raw) {
    this.server = server;
    this.raw = raw;
  }

  @Override
  public void run() {
    try {
      serve();
    } catch (IOException e) {
      // The client went away or the server is closing: both normal for a fault injector.
      log.debug("connection ended: {}", e.toString());
    } catch (RuntimeException e) {
      log.warn("policy server connection failed", e);
    } finally {
      server.forget(raw);
    }
  }

  private void serve() throws IOException {
    raw.setTcpNoDelay(true);
    int timeout = (int) server.readTimeout().toMillis();
    raw.setSoTimeout(timeout);
    ClientHello hello;
    try {
      hello = ClientHello.read(raw.getInputStream());
    } catch (IOException e) {
      if (!server.isClosed()) {
        server.recordings.connection(null, false, null, "no ClientHello: " + message(e));
      }
      return;
    }
    if (!hello.tls) {
      server.recordings.connection(null, true, null, hello.problem);
      return;
    }
    PolicyHost host = server.hostFor(hello.sni);
    if (!server.pause(host.delayBeforeHandshake())) {
      return;
    }
    TlsFault fault = host.fault();
    switch (fault) {
      case CLOSE_AFTER_CLIENT_HELLO:
        server.recordings.connection(hello.sni, false, null, "fault " + fault);
        return;
      case STALL_AFTER_CLIENT_HELLO:
        server.recordings.connection(hello.sni, false, null, "fault " + fault);
        stall();
        return;
      case LEGACY_TLS_1_0:
      case LEGACY_TLS_1_1:
        legacyServerHello(hello, fault);
        return;
      case NONE:
      default:
        break;
    }

    SSLSocket ssl =
        (SSLSocket)
            server
                .newSslContext()
                .getSocketFactory()
                .createSocket(raw, new ByteArrayInputStream(hello.consumed), true);
    String[] protocols = host.enabledProtocols();
    if (protocols != null) {
      ssl.setEnabledProtocols(protocols);
    }
    try {
      ssl.startHandshake();
    } catch (IOException e) {
      server.recordings.connection(hello.sni, false, null, message(e));
      return;
    }
    SSLSession session = ssl.getSession();
    String sni = SniKeyManager.requestedHostName(session);
    if (sni == null) {
      sni = hello.sni;
    }
    long connection = server.recordings.connection(sni, false, session.getProtocol(), null);
    if (host.takeIfDisconnectAfterHandshake() != null) {
      closeTls(ssl);
      return;
    }

    InputStream in = new BufferedInputStream(ssl.getInputStream());
    OutputStream out = new BufferedOutputStream(ssl.getOutputStream(), PIECE + 64);
    Head head;
    try {
      head = Head.read(in);
    } catch (BadRequest e) {
      log.debug("bad request: {}", e.getMessage());
      writeSimple(out, "400 Bad Request", e.getMessage() + "\n");
      closeTls(ssl);
      return;
    }
    String routed = sni;
    if (routed == null) {
      routed = head.header("Host").map(HostNames::fromHostHeader).orElse("");
    }
    RecordedRequest request =
        server.recordings.request(
            connection,
            routed,
            sni,
            session.getProtocol(),
            head.method,
            head.target,
            head.version,
            head.headers);

    PolicyResponse response;
    if (!head.target.equals(PolicyServer.POLICY_PATH)) {
      response = NOT_FOUND;
    } else if (!head.method.equals("GET") && !head.method.equals("HEAD")) {
      response = METHOD_NOT_ALLOWED;
    } else {
      response = server.hostFor(routed).takeResponse();
    }
    if (!response.disconnectAfterHandshake && !response.disconnectAfterRequest) {
      new ResponseWriter(server, response, request, out).write();
    }
    if (!server.isClosed()) {
      closeTls(ssl);
    }
  }

  /** Sends close_notify and closes, waiting at most a second for the client's answer. */
  private static void closeTls(SSLSocket ssl) {
    try {
      ssl.setSoTimeout(1000);
      ssl.close();
    } catch (IOException e) {
      log.debug("TLS close: {}", e.toString());
    }
  }

  /** Reads and discards until the client closes or the server closes the socket. */
  private void stall() throws IOException {
    raw.setSoTimeout(0);
    InputStream in = raw.getInputStream();
    byte[] buffer = new byte[512];
    while (in.read(buffer) >= 0) {
      // discard
    }
  }

  private void legacyServerHello(ClientHello hello, TlsFault fault) throws IOException {
    int minor = fault == TlsFault.LEGACY_TLS_1_0 ? 1 : 2;
    String version = fault == TlsFault.LEGACY_TLS_1_0 ? "TLS 1.0" : "TLS 1.1";
    int suite = legacySuite(hello.cipherSuites);
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    // empty session id; null compression and no extensions, as a TLS 1.0 server without any
    byte[] record = TlsRecords.serverHello(0x0300 | minor, random, new byte[0], suite);
    OutputStream out = raw.getOutputStream();
    out.write(record);
    out.flush();

    String outcome;
    InputStream in = raw.getInputStream();
    try {
      byte[] header = in.readNBytes(5);
      if (header.length < 5) {
        outcome = "client closed the connection without an alert";
      } else if (header[0] == TlsRecords.CONTENT_ALERT) {
        byte[] alert = in.readNBytes(2);
        outcome =
            alert.length < 2
                ? "client sent a truncated alert"
                : "client answered with "
                    + (alert[0] == 2 ? "fatal" : "warning")
                    + " alert "
                    + alertName(alert[1] & 0xff);
      } else {
        outcome = "client answered with a TLS record of type " + (header[0] & 0xff);
      }
    } catch (SocketTimeoutException e) {
      outcome = "client did not answer within " + server.readTimeout().toMillis() + " ms";
    } catch (IOException e) {
      outcome = "client connection failed: " + message(e);
    }
    server.recordings.connection(
        hello.sni,
        false,
        null,
        "fault " + fault + " (" + version + " ServerHello sent): " + outcome);
  }

  /** A pre-TLS-1.2 suite the client offered, so the ServerHello is otherwise plausible. */
  private static int legacySuite(List<Integer> offered) {
    int[] preferred = {0xC013, 0xC014, 0xC009, 0xC00A, 0x002F, 0x0035};
    for (int suite : preferred) {
      if (offered.contains(suite)) {
        return suite;
      }
    }
    for (int suite : offered) {
      if ((suite >> 8) != 0x13 && suite != 0x00FF && suite != 0x5600) {
        return suite;
      }
    }
    return 0x002F;
  }

  static String alertName(int code) {
    return TlsRecords.alertName(code).orElse("unknown") + " (" + code + ")";
  }

  private static String message(Exception e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static void writeSimple(OutputStream out, String status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "HTTP/1.1 "
            + status
            + "\r\nContent-Type: text/plain\r\nContent-Length: "
            + b.length
            + "\r\nConnection: close\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.write(b);
    out.flush();
  }

  /** A malformed request head. */
  static final class BadRequest extends IOException {
    BadRequest(String message) {
      super(message);
    }
  }

  /** The request line and header fields. */
  static final class Head {
    final String method;
    final String target;
    final String version;
    final List<HttpHeader> headers;

    private Head(String method, String target, String version, List<HttpHeader> headers) {
      this.method = method;
      this.target = target;
      this.version = version;
      this.headers = headers;
    }

    java.util.Optional<String> header(String name) {
      return headers.stream().filter(h -> h.hasName(name)).map(HttpHeader::value).findFirst();
    }

    static Head read(InputStream in) throws IOException {
      int[] budget = {MAX_HEAD};
      String requestLine = readLine(in, budget);
      if (requestLine == null) {
        throw new EOFException("client closed without a request");
      }
      String[] parts = requestLine.split(" ", -1);
      if (parts.length != 3
          || parts[0].isEmpty()
          || parts[1].isEmpty()
          || !parts[2].startsWith("HTTP/")) {
        throw new BadRequest("bad request line: " + printable(requestLine));
      }
      List<HttpHeader> headers = new ArrayList<>();
      while (true) {
        String line = readLine(in, budget);
        if (line == null) {
          throw new EOFException("client closed inside the request head");
        }
        if (line.isEmpty()) {
          break;
        }
        int colon = line.indexOf(':');
        if (colon <= 0 || line.substring(0, colon).strip().length() != colon) {
          throw new BadRequest("bad header line: " + printable(line));
        }
        if (headers.size() == MAX_HEADERS) {
          throw new BadRequest("more than " + MAX_HEADERS + " header fields");
        }
        headers.add(new HttpHeader(line.substring(0, colon), line.substring(colon + 1).strip()));
      }
      return new Head(parts[0], parts[1], parts[2], List.copyOf(headers));
    }

    /** One line without its CR LF (a bare LF is accepted), or null at EOF before any byte. */
    private static String readLine(InputStream in, int[] budget) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      while (true) {
        int b = in.read();
        if (b < 0) {
          if (line.size() == 0) {
            return null;
          }
          throw new EOFException("client closed inside a line");
        }
        if (--budget[0] < 0) {
          throw new BadRequest("request head longer than " + MAX_HEAD + " bytes");
        }
        if (b == '\n') {
          byte[] bytes = line.toByteArray();
          int length =
              bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
          return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        }
        if (line.size() == MAX_LINE) {
          throw new BadRequest("line longer than " + MAX_LINE + " bytes");
        }
        line.write(b);
      }
    }

    private static String printable(String s) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < s.length() && i < 200; i++) {
        char c = s.charAt(i);
        b.append(c >= 0x20 && c < 0x7f ? c : '?');
      }
      return b.toString();
    }
  }

  /** Writes one {@link PolicyResponse}: delay, head, body, pacing, early disconnects. */
  static final class ResponseWriter {
    private final PolicyServer server;
    private final PolicyResponse response;
    private final RecordedRequest request;
    private final OutputStream out;
    private boolean firstPiece = true;

    ResponseWriter(
        PolicyServer server, PolicyResponse response, RecordedRequest request, OutputStream out) {
      this.server = server;
      this.response = response;
      this.request = request;
      this.out = out;
    }

    void write() throws IOException {
      PolicyResponse r = response;
      boolean gzip =
          r.coding == PolicyResponse.Coding.GZIP_ALWAYS
              || (r.coding == PolicyResponse.Coding.GZIP_IF_ACCEPTED
                  && acceptsGzip(request.headers("Accept-Encoding")));
      InputStream body;
      long length;
      if (gzip) {
        byte[] compressed = r.gzippedBody();
        body = new ByteArrayInputStream(compressed);
        length = compressed.length;
      } else {
        body = r.body.open();
        length = r.body.length();
      }

      List<HttpHeader> headers = new ArrayList<>();
      if (r.contentType != null && !sets("Content-Type")) {
        headers.add(new HttpHeader("Content-Type", r.contentType));
      }
      boolean mayHaveLength = r.status >= 200 && r.status != 204; // RFC 9110 §8.6
      if (r.framing == PolicyResponse.Framing.CONTENT_LENGTH
          && mayHaveLength
          && !sets("Content-Length")) {
        headers.add(new HttpHeader("Content-Length", Long.toString(length)));
      }
      if (r.framing == PolicyResponse.Framing.CHUNKED && !sets("Transfer-Encoding")) {
        headers.add(new HttpHeader("Transfer-Encoding", "chunked"));
      }
      if (gzip && !sets("Content-Encoding")) {
        headers.add(new HttpHeader("Content-Encoding", "gzip"));
      }
      if (!sets("Connection")) {
        headers.add(new HttpHeader("Connection", "close"));
      }
      headers.addAll(r.headers);
      StringBuilder head = new StringBuilder();
      if (r.rawStatusLine != null) {
        head.append(r.rawStatusLine).append("\r\n");
      } else {
        head.append("HTTP/1.1 ").append(r.status).append(' ').append(r.reason).append("\r\n");
      }
      for (HttpHeader h : headers) {
        head.append(h.name()).append(": ").append(h.value()).append("\r\n");
      }
      for (String line : r.rawHeaderLines) {
        head.append(line).append("\r\n");
      }
      head.append("\r\n");
      byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);

      if (!server.pause(r.headersDelay)) {
        return;
      }
      if (r.paceHead) {
        for (int i = 0; i < headBytes.length; i += r.paceBytes) {
          if (!piece(headBytes, i, Math.min(r.paceBytes, headBytes.length - i))) {
            return;
          }
        }
      } else {
        out.write(headBytes);
      }
      out.flush();
      if (r.disconnectAfterHeaders || request.method().equals("HEAD")) {
        return;
      }

      boolean chunked = r.framing == PolicyResponse.Framing.CHUNKED;
      long limit = r.disconnectAfterBodyBytes >= 0 ? r.disconnectAfterBodyBytes : Long.MAX_VALUE;
      byte[] buffer = new byte[r.paceBytes > 0 ? r.paceBytes : PIECE];
      long sent = 0;
      try (body) {
        while (true) {
          if (sent >= limit) {
            out.flush();
            return; // cut: no terminating chunk
          }
          int n = body.readNBytes(buffer, 0, (int) Math.min(buffer.length, limit - sent));
          if (n == 0) {
            break;
          }
          if (chunked) {
            ByteArrayOutputStream chunk = new ByteArrayOutputStream(n + 16);
            chunk.writeBytes(Integer.toHexString(n).getBytes(StandardCharsets.US_ASCII));
            chunk.writeBytes(CRLF);
            chunk.write(buffer, 0, n);
            chunk.writeBytes(CRLF);
            byte[] c = chunk.toByteArray();
            if (!piece(c, 0, c.length)) {
              return;
            }
          } else if (!piece(buffer, 0, n)) {
            return;
          }
          sent += n;
        }
      }
      if (chunked) {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.flush();
    }

    /** Writes one piece, waiting the pacing interval before every piece but the first. */
    private boolean piece(byte[] b, int off, int len) throws IOException {
      if (response.paceBytes > 0) {
        if (!firstPiece && !server.pause(response.paceInterval)) {
          return false;
        }
        firstPiece = false;
        out.write(b, off, len);
        out.flush();
      } else {
        out.write(b, off, len);
      }
      return !server.isClosed();
    }

    private boolean sets(String name) {
      return response.headers.stream().anyMatch(h -> h.hasName(name));
    }

    static boolean acceptsGzip(List<String> acceptEncoding) {
      Double gzip = null;
      Double any = null;
      for (String value : acceptEncoding) {
        for (String item : value.split(",")) {
          String[] params = item.split(";");
          String coding = params[0].strip().toLowerCase(Locale.ROOT);
          double q = 1;
          for (int i = 1; i < params.length; i++) {
            String p = params[i].strip();
            if (p.startsWith("q=") || p.startsWith("Q=")) {
              try {
                q = Double.parseDouble(p.substring(2));
              } catch (NumberFormatException e) {
                q = 0;
              }
            }
          }
          if (coding.equals("gzip") || coding.equals("x-gzip")) {
            gzip = q;
          } else if (coding.equals("*")) {
            any = q;
          }
        }
      }
      double chosen = gzip != null ? gzip : any != null ? any : 0;
      return chosen > 0;
    }
  }
}
