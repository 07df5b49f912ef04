package org.mtasts.testkit.https;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A minimal HTTPS client for tests: a JDK {@link SSLSocket} layered over a plain socket (so the SNI
 * and the verified name are exactly the ones given), a hand-written request, and the raw response
 * bytes, so tests see what the server put on the wire and not what an HTTP client made of it.
 */
final class WireClient {
  private WireClient() {}

  /**
   * Connects and completes the handshake.
   *
   * @param sni the name to send as SNI and to verify, or null for no SNI (then {@code verifyName}
   *     must be false)
   */
  static SSLSocket open(PolicyServer server, SSLContext context, String sni, boolean verifyName)
      throws IOException {
    SSLSocket ssl = connect(server, context, sni, verifyName);
    ssl.startHandshake();
    return ssl;
  }

  /** Connects without starting the handshake. */
  static SSLSocket connect(PolicyServer server, SSLContext context, String sni, boolean verifyName)
      throws IOException {
    Socket plain = new Socket();
    plain.connect(server.address(), 2000);
    plain.setSoTimeout(5000);
    String peer = sni != null ? sni : "no-sni.invalid";
    SSLSocket ssl =
        (SSLSocket) context.getSocketFactory().createSocket(plain, peer, server.port(), true);
    SSLParameters parameters = ssl.getSSLParameters();
    parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
    if (verifyName) {
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
    }
    ssl.setSSLParameters(parameters);
    return ssl;
  }

  /**
   * Closes a client that gave up. The JDK client waits up to its read timeout for the server's
   * close_notify on close; a trickling server never sends one, so the wait is cut to 1 ms.
   */
  static void abandon(SSLSocket ssl) throws IOException {
    ssl.setSoTimeout(1);
    ssl.close();
  }

  /** Sends {@code GET target} with a Host header and the given extra header lines. */
  static void sendGet(SSLSocket ssl, String host, String target, String... headerLines)
      throws IOException {
    send(ssl, "GET", host, target, headerLines);
  }

  static void send(SSLSocket ssl, String method, String host, String target, String... headerLines)
      throws IOException {
    StringBuilder request = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
    if (host != null) {
      request.append("Host: ").append(host).append("\r\n");
    }
    for (String line : headerLines) {
      request.append(line).append("\r\n");
    }
    request.append("\r\n");
    OutputStream out = ssl.getOutputStream();
    out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Reads until the server closes the connection. */
  static Response readAll(SSLSocket ssl) throws IOException {
    return Response.parse(ssl.getInputStream().readAllBytes());
  }

  /** Reads the status line and headers only, leaving the body in the stream. */
  static Response readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("EOF in head after " + head.size() + " bytes");
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return Response.parse(head.toByteArray());
  }

  /** GET of the policy path, verifying the certificate against {@code host}; reads to EOF. */
  static Response get(PolicyServer server, SSLContext context, String host, String... headerLines)
      throws IOException {
    try (SSLSocket ssl = open(server, context, host, true)) {
      sendGet(ssl, host, PolicyServer.POLICY_PATH, headerLines);
      return readAll(ssl);
    }
  }

  /** Decodes a chunked body; fails on bad framing or a missing terminating chunk. */
  static byte[] dechunk(byte[] wire) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (true) {
      int lineEnd = indexOf(wire, "\r\n".getBytes(StandardCharsets.US_ASCII), i);
      if (lineEnd < 0) {
        throw new AssertionError("chunked body ends without the last chunk");
      }
      int size = Integer.parseInt(new String(wire, i, lineEnd - i, StandardCharsets.US_ASCII), 16);
      i = lineEnd + 2;
      if (size == 0) {
        return out.toByteArray();
      }
      out.write(wire, i, size);
      i += size + 2;
    }
  }

  static int indexOf(byte[] data, byte[] pattern, int from) {
    outer:
    for (int i = from; i <= data.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** A response as read off the wire: the body is the raw bytes after the head. */
  record Response(String statusLine, List<HttpHeader> headers, byte[] body) {
    static Response parse(byte[] wire) {
      int headEnd = indexOf(wire, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
      if (headEnd < 0) {
        throw new AssertionError(
            "no complete head in "
                + wire.length
                + " bytes: "
                + new String(wire, StandardCharsets.ISO_8859_1));
      }
      String[] lines = new String(wire, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n", -1);
      List<HttpHeader> headers = new ArrayList<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.add(
            new HttpHeader(lines[i].substring(0, colon), lines[i].substring(colon + 1).strip()));
      }
      byte[] body = java.util.Arrays.copyOfRange(wire, headEnd + 4, wire.length);
      return new Response(lines[0], List.copyOf(headers), body);
    }

    int status() {
      return Integer.parseInt(statusLine.split(" ")[1]);
    }

    Optional<String> header(String name) {
      return headers.stream().filter(h -> h.hasName(name)).map(HttpHeader::value).findFirst();
    }

    List<String> headerValues(String name) {
      return headers.stream().filter(h -> h.hasName(name)).map(HttpHeader::value).toList();
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }
}
