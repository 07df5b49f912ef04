package org.mtasts.testkit.smtp;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A deliberately simple SMTP client on a raw socket for tests of SMTP code, independent of the
 * receiver's implementation: it reads byte by byte (so nothing is buffered across STARTTLS unless a
 * test asks for it) and upgrades to TLS either with a verifying JDK client that sends SNI ({@link
 * #startTls}) or with any {@link SSLSocketFactory} under test, layered over the connected plain
 * socket the way Angus Mail does ({@link #upgrade}, {@link #layer}). Not thread-safe: one test
 * thread drives one client.
 */
public final class SmtpTestClient implements AutoCloseable {
  private final Socket plain;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  private SmtpTestClient(Socket plain) throws IOException {
    this.plain = plain;
    this.socket = plain;
    this.in = plain.getInputStream();
    this.out = plain.getOutputStream();
  }

  /** Connects to {@code receiver} (5 s connect and read timeouts); reads nothing yet. */
  public static SmtpTestClient connect(SmtpReceiver receiver) throws IOException {
    return connect(receiver.address(), Duration.ofSeconds(5));
  }

  /** Connects to {@code address} with {@code timeout} for the connect and for every read. */
  public static SmtpTestClient connect(InetSocketAddress address, Duration timeout)
      throws IOException {
    Socket socket = new Socket(Proxy.NO_PROXY);
    try {
      socket.connect(address, (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      socket.setTcpNoDelay(true);
      return new SmtpTestClient(socket);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /**
   * Connects, reads the 220 greeting, sends EHLO and STARTTLS and expects 220: the client is then
   * ready for {@link #upgrade} or {@link #layer}.
   *
   * @throws IOException if a reply is not the one expected (the message quotes it)
   */
  public static SmtpTestClient connectUntilStartTls(SmtpReceiver receiver) throws IOException {
    SmtpTestClient client = connect(receiver.address(), Duration.ofSeconds(10));
    try {
      expect("220", client.readReply());
      expect("250", client.command("EHLO client.example"));
      expect("220", client.command("STARTTLS"));
      return client;
    } catch (IOException | RuntimeException e) {
      client.close();
      throw e;
    }
  }

  private static void expect(String code, String reply) throws IOException {
    if (!reply.startsWith(code)) {
      throw new IOException("expected " + code + ", got " + reply);
    }
  }

  /**
   * Layers {@code factory}'s socket over the plain one with {@code host} as the host argument, runs
   * the handshake and switches the client's streams to it.
   */
  public SSLSocket upgrade(SSLSocketFactory factory, String host) throws IOException {
    SSLSocket tls = layer(factory, host);
    tls.startHandshake();
    useLayeredStreams();
    return tls;
  }

  /** Layers {@code factory}'s socket over the plain one without starting the handshake. */
  public SSLSocket layer(SSLSocketFactory factory, String host) throws IOException {
    SSLSocket tls = (SSLSocket) factory.createSocket(plain, host, plain.getPort(), true);
    socket = tls;
    return tls;
  }

  /** Switches the client's streams to the layered socket (starting the handshake implicitly). */
  public void useLayeredStreams() throws IOException {
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Reads one (possibly multi-line) reply; lines joined with "\n". */
  public String readReply() throws IOException {
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
  public String command(String line) throws IOException {
    send(line + "\r\n");
    return readReply();
  }

  public void send(String raw) throws IOException {
    out.write(raw.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** One read() call on the socket: what arrived together. */
  public String readOnce() throws IOException {
    byte[] buffer = new byte[4096];
    int n = in.read(buffer);
    return n < 0 ? null : new String(buffer, 0, n, StandardCharsets.US_ASCII);
  }

  /** Reads until end of stream; returns the bytes read. */
  public byte[] readToEnd() throws IOException {
    return in.readAllBytes();
  }

  /** Layers a verifying TLS client over the plain socket, with SNI = {@code host}. */
  public SSLSocket startTls(SSLContext context, String host, String... protocols)
      throws IOException {
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
  public SSLSocket startTlsWithSuites(SSLContext context, String host, String... suites)
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

  /** The local address of the plain connection. */
  public InetSocketAddress localAddress() {
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

  /** Closes the connection (the TLS layer too, if any). */
  @Override
  public void close() throws IOException {
    socket.close();
    plain.close();
  }
}
