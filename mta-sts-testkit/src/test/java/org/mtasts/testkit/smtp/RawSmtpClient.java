package org.mtasts.testkit.smtp;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A deliberately simple SMTP client on a raw socket, independent of the receiver's code: reads byte
 * by byte (so nothing is buffered across STARTTLS unless a test asks for it) and upgrades to TLS
 * with a verifying JDK client that sends SNI.
 */
final class RawSmtpClient implements AutoCloseable {
  private final Socket plain;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  private RawSmtpClient(Socket plain) throws IOException {
    this.plain = plain;
    this.socket = plain;
    this.in = plain.getInputStream();
    this.out = plain.getOutputStream();
  }

  static RawSmtpClient connect(SmtpReceiver receiver) throws IOException {
    Socket socket = new Socket();
    socket.connect(receiver.address(), 5000);
    socket.setSoTimeout(5000);
    socket.setTcpNoDelay(true);
    return new RawSmtpClient(socket);
  }

  /** Reads one (possibly multi-line) reply; lines joined with "\n". */
  String readReply() throws IOException {
    StringBuilder reply = new StringBuilder();
    while (true) {
      String line = readLine();
      if (line == null) {
        throw new EOFException("connection closed; reply so far: " + reply);
      }
      reply.append(line);
      if (line.length() < 4 || line.charAt(3) != '-') {
        return reply.toString();
      }
      reply.append('\n');
    }
  }

  /** Sends one command line and returns the reply. */
  String command(String line) throws IOException {
    send(line + "\r\n");
    return readReply();
  }

  void send(String raw) throws IOException {
    out.write(raw.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** One read() call on the socket: what arrived together. */
  String readOnce() throws IOException {
    byte[] buffer = new byte[4096];
    int n = in.read(buffer);
    return n < 0 ? null : new String(buffer, 0, n, StandardCharsets.US_ASCII);
  }

  /** Reads until end of stream; returns the bytes read. */
  byte[] readToEnd() throws IOException {
    return in.readAllBytes();
  }

  /** Layers a verifying TLS client over the plain socket, with SNI = {@code host}. */
  SSLSocket startTls(SSLContext context, String host, String... protocols) throws IOException {
    SSLSocket tls =
        (SSLSocket) context.getSocketFactory().createSocket(plain, host, plain.getPort(), true);
    SSLParameters parameters = tls.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    parameters.setServerNames(List.of(new SNIHostName(host)));
    if (protocols.length > 0) {
      parameters.setProtocols(protocols);
    }
    tls.setSSLParameters(parameters);
    tls.startHandshake();
    socket = tls;
    in = tls.getInputStream();
    out = tls.getOutputStream();
    return tls;
  }

  /** Like {@link #startTls} with only the given cipher suites offered. */
  SSLSocket startTlsWithSuites(SSLContext context, String host, String... suites)
      throws IOException {
    SSLSocket tls =
        (SSLSocket) context.getSocketFactory().createSocket(plain, host, plain.getPort(), true);
    SSLParameters parameters = tls.getSSLParameters();
    parameters.setServerNames(List.of(new SNIHostName(host)));
    parameters.setCipherSuites(suites);
    tls.setSSLParameters(parameters);
    tls.startHandshake();
    socket = tls;
    return tls;
  }

  InetSocketAddress localAddress() {
    return (InetSocketAddress) plain.getLocalSocketAddress();
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
      }
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int length =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(Arrays.copyOf(bytes, length), StandardCharsets.UTF_8);
      }
      line.write(b);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
    plain.close();
  }
}
