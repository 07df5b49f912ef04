package org.mtasts.internal.tls;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.mtasts.testkit.smtp.SmtpReceiver;

/**
 * A minimal SMTP client on a raw socket for handshake tests: greeting, EHLO, STARTTLS, then layers
 * the socket factory under test over the connected plain socket the way Angus Mail does
 * ({@code createSocket(plain, host, port, true)}). Reads byte by byte so nothing is buffered across
 * STARTTLS.
 */
final class StartTlsClient implements AutoCloseable {
  private final Socket plain;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  private StartTlsClient(Socket plain) throws IOException {
    this.plain = plain;
    this.socket = plain;
    this.in = plain.getInputStream();
    this.out = plain.getOutputStream();
  }

  /** Connects, reads the greeting, sends EHLO and STARTTLS and expects 220. */
  static StartTlsClient connectAndStartTls(SmtpReceiver receiver) throws IOException {
    Socket socket = new Socket();
    socket.connect(receiver.address(), 5000);
    socket.setSoTimeout(10_000);
    StartTlsClient client = new StartTlsClient(socket);
    try {
      client.expect("220", client.readReply());
      client.expect("250", client.command("EHLO client.example"));
      client.expect("220", client.command("STARTTLS"));
      return client;
    } catch (IOException | RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /**
   * Layers {@code factory}'s socket over the plain one with {@code host} as the host argument and
   * runs the handshake.
   */
  SSLSocket upgrade(SSLSocketFactory factory, String host) throws IOException {
    SSLSocket tls = (SSLSocket) factory.createSocket(plain, host, plain.getPort(), true);
    socket = tls;
    tls.startHandshake();
    in = tls.getInputStream();
    out = tls.getOutputStream();
    return tls;
  }

  /** Layers without starting the handshake explicitly. */
  SSLSocket layer(SSLSocketFactory factory, String host) throws IOException {
    SSLSocket tls = (SSLSocket) factory.createSocket(plain, host, plain.getPort(), true);
    socket = tls;
    return tls;
  }

  /** Switches the client's streams to the layered socket (starts the handshake implicitly). */
  void useLayeredStreams() throws IOException {
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  String command(String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return readReply();
  }

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

  private void expect(String code, String reply) throws IOException {
    if (!reply.startsWith(code)) {
      throw new IOException("expected " + code + ", got " + reply);
    }
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
    try {
      socket.close();
    } finally {
      plain.close();
    }
  }
}
