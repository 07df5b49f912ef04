package org.mtasts.javamail;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import javax.net.SocketFactory;

/**
 * The plain socket factory handed to Angus as {@code mail.smtp.socketFactory} for one MX session:
 * its sockets connect to the addresses our {@link org.mtasts.HostResolver} found for the MX host,
 * trying each in turn, whatever address Angus asks for (STS-JM-01). Angus is given the literal of
 * the first address as its host ({@link #hostLiteral}), so neither it ({@code new
 * InetSocketAddress(host, port)}) nor Jakarta Mail ({@code URLName}) ever asks the JVM's resolver
 * for the MX name; SNI and the certificate check use the MX name, which the TLS socket factory is
 * made for (STS-MX-13: every address of one MX shares its validation). The sockets also tell the
 * {@link SessionRecorder} whether TCP connected and whether STARTTLS was sent, so a failure can be
 * told apart: no connection (STS-APPLY-07), or STARTTLS refused (STS-TLS-01).
 */
final class PinnedSocketFactory extends SocketFactory {
  /** Angus's host when no address is a resolved one; never connected to. */
  private static final String UNRESOLVED = "0.0.0.0";

  private final String mxHost;
  private final List<InetSocketAddress> targets;
  private final SessionRecorder recorder;

  /**
   * @param mxHost the MX host name, for messages
   * @param targets the addresses to connect to, in order; not empty
   */
  PinnedSocketFactory(String mxHost, List<InetSocketAddress> targets, SessionRecorder recorder) {
    this.mxHost = Objects.requireNonNull(mxHost, "mxHost");
    this.targets = List.copyOf(targets);
    this.recorder = Objects.requireNonNull(recorder, "recorder");
    if (this.targets.isEmpty()) {
      throw new IllegalArgumentException(mxHost + ": no address to connect to");
    }
  }

  /**
   * The host to give Angus: an address literal, which {@code InetAddress} parses without a lookup.
   */
  String hostLiteral() {
    for (InetSocketAddress target : targets) {
      if (!target.isUnresolved()) {
        return target.getAddress().getHostAddress();
      }
    }
    return UNRESOLVED;
  }

  @Override
  public Socket createSocket() {
    return new PinnedSocket(mxHost, targets, recorder);
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    Socket s = createSocket();
    s.connect(InetSocketAddress.createUnresolved(host, port));
    return s;
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    Socket s = createSocket();
    s.bind(new InetSocketAddress(localHost, localPort));
    s.connect(InetSocketAddress.createUnresolved(host, port));
    return s;
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    Socket s = createSocket();
    s.connect(new InetSocketAddress(host, port));
    return s;
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
      int localPort) throws IOException {
    Socket s = createSocket();
    s.bind(new InetSocketAddress(localAddress, localPort));
    s.connect(new InetSocketAddress(address, port));
    return s;
  }

  @Override
  public String toString() {
    return "PinnedSocketFactory{" + mxHost + " " + targets + "}";
  }

  /**
   * A socket that delegates to a plain {@link Socket} made when it connects, one per address tried
   * (a JDK socket whose connect failed is closed and cannot be reused). Options set before {@code
   * connect} are applied to each attempt.
   */
  static final class PinnedSocket extends Socket {
    private final String mxHost;
    private final List<InetSocketAddress> targets;
    private final SessionRecorder recorder;
    // Proxy.NO_PROXY: a plain new Socket() consults the JVM-wide ProxySelector (and
    // -DsocksProxyHost), which would reroute connections to MX hosts (SEC-27).
    private Socket inner = new Socket(Proxy.NO_PROXY);
    private SocketAddress bindpoint;
    private OutputStream out;
    private int soTimeout;

    PinnedSocket(String mxHost, List<InetSocketAddress> targets, SessionRecorder recorder) {
      this.mxHost = mxHost;
      this.targets = targets;
      this.recorder = recorder;
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
      connect(endpoint, 0);
    }

    /**
     * Connects to the pinned addresses in turn; {@code endpoint} (Angus's host literal and the
     * configured port) only has to be an {@link InetSocketAddress}.
     */
    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      if (!(endpoint instanceof InetSocketAddress)) {
        throw new IllegalArgumentException("unsupported address type " + endpoint);
      }
      IOException failure = null;
      for (InetSocketAddress target : targets) {
        Socket attempt = inner;
        if (attempt.isClosed()) {
          attempt = new Socket(Proxy.NO_PROXY);
          attempt.setSoTimeout(soTimeout);
          inner = attempt;
        }
        try {
          if (bindpoint != null) {
            attempt.bind(bindpoint);
          }
          attempt.connect(target, timeout);
          // SMTP writes whole commands and flushes; Nagle only holds back the second of two
          // writes (the TLS Finished, then EHLO) until the server's delayed ACK: 40 ms more
          // for 13-18% of the messages on loopback in TransportOverheadBenchmark.
          attempt.setTcpNoDelay(true);
          recorder.connected(target);
          return;
        } catch (IOException e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
          attempt.close();
        }
      }
      recorder.connectFailed(failure);
      throw failure;
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
      this.bindpoint = bindpoint;
    }

    @Override
    public InputStream getInputStream() throws IOException {
      return inner.getInputStream();
    }

    @Override
    public synchronized OutputStream getOutputStream() throws IOException {
      if (out == null) {
        out = new CommandWatcher(inner.getOutputStream(), recorder);
      }
      return out;
    }

    @Override
    public InetAddress getInetAddress() {
      return inner.getInetAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
      return inner.getLocalAddress();
    }

    @Override
    public int getPort() {
      return inner.getPort();
    }

    @Override
    public int getLocalPort() {
      return inner.getLocalPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
      return inner.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
      return inner.getLocalSocketAddress();
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
      inner.setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
      return inner.getTcpNoDelay();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
      inner.setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
      return inner.getSoLinger();
    }

    @Override
    public synchronized void setSoTimeout(int timeout) throws SocketException {
      soTimeout = timeout;
      inner.setSoTimeout(timeout);
    }

    @Override
    public synchronized int getSoTimeout() throws SocketException {
      return inner.getSoTimeout();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
      inner.setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
      return inner.getKeepAlive();
    }

    @Override
    public synchronized void close() throws IOException {
      inner.close();
    }

    @Override
    public void shutdownInput() throws IOException {
      inner.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
      inner.shutdownOutput();
    }

    @Override
    public boolean isConnected() {
      return inner.isConnected();
    }

    @Override
    public boolean isBound() {
      return inner.isBound();
    }

    @Override
    public boolean isClosed() {
      return inner.isClosed();
    }

    @Override
    public boolean isInputShutdown() {
      return inner.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
      return inner.isOutputShutdown();
    }

    @Override
    public String toString() {
      return "PinnedSocket{" + mxHost + " " + inner + "}";
    }
  }

  /** Notes a {@code STARTTLS} command on the plaintext channel. */
  private static final class CommandWatcher extends FilterOutputStream {
    private static final byte[] STARTTLS = "STARTTLS".getBytes(StandardCharsets.US_ASCII);
    private final SessionRecorder recorder;

    CommandWatcher(OutputStream out, SessionRecorder recorder) {
      super(out);
      this.recorder = recorder;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (!recorder.startTlsSent() && contains(b, off, len)) {
        recorder.startTlsSent(true);
      }
      out.write(b, off, len);
    }

    private static boolean contains(byte[] b, int off, int len) {
      outer:
      for (int i = off; i + STARTTLS.length <= off + len; i++) {
        for (int j = 0; j < STARTTLS.length; j++) {
          if (Character.toUpperCase(b[i + j]) != STARTTLS[j]) {
            continue outer;
          }
        }
        return true;
      }
      return false;
    }
  }
}
