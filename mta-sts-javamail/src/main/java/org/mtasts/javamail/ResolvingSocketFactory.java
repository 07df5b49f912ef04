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
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import javax.net.SocketFactory;
import org.mtasts.HostResolver;

/**
 * The plain socket factory handed to Angus as {@code mail.smtp.socketFactory}. Angus builds {@code
 * new InetSocketAddress(host, port)} itself and connects the factory's unconnected socket to it;
 * these sockets ignore the (system-DNS) address and resolve {@link
 * InetSocketAddress#getHostString()} through our {@link HostResolver}, trying each address in turn
 * (STS-MX-13: every address of one MX shares the MX name for SNI and certificate checks). They also
 * tell the {@link SessionRecorder} whether TCP connected and whether STARTTLS was sent, so a
 * failure can be told apart: no connection (STS-APPLY-07), or STARTTLS refused (STS-TLS-01).
 */
final class ResolvingSocketFactory extends SocketFactory {
  private final HostResolver resolver;
  private final SessionRecorder recorder;

  ResolvingSocketFactory(HostResolver resolver, SessionRecorder recorder) {
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.recorder = Objects.requireNonNull(recorder, "recorder");
  }

  @Override
  public Socket createSocket() {
    return new ResolvingSocket(resolver, recorder);
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
    return "ResolvingSocketFactory{" + resolver + "}";
  }

  /**
   * A socket that delegates to a plain {@link Socket} made when it connects, one per address tried
   * (a JDK socket whose connect failed is closed and cannot be reused). Options set before {@code
   * connect} are applied to each attempt.
   */
  static final class ResolvingSocket extends Socket {
    private final HostResolver resolver;
    private final SessionRecorder recorder;
    // Proxy.NO_PROXY: a plain new Socket() consults the JVM-wide ProxySelector (and
    // -DsocksProxyHost), which would reroute connections to MX hosts (SEC-27).
    private Socket inner = new Socket(Proxy.NO_PROXY);
    private SocketAddress bindpoint;
    private OutputStream out;
    private int soTimeout;

    ResolvingSocket(HostResolver resolver, SessionRecorder recorder) {
      this.resolver = resolver;
      this.recorder = recorder;
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
      connect(endpoint, 0);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      if (!(endpoint instanceof InetSocketAddress isa)) {
        throw new IllegalArgumentException("unsupported address type " + endpoint);
      }
      List<InetSocketAddress> targets;
      try {
        // A literal address (never from us: we always pass the MX name) is used as it is.
        targets = isLiteral(isa) ? List.of(isa) : resolver.resolve(isa.getHostString(), isa.getPort());
      } catch (IOException e) {
        recorder.connectFailed(e);
        throw e;
      }
      if (targets.isEmpty()) {
        UnknownHostException e = new UnknownHostException(isa.getHostString() + ": no address");
        recorder.connectFailed(e);
        throw e;
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

    private static boolean isLiteral(InetSocketAddress isa) {
      return !isa.isUnresolved()
          && isa.getHostString().equals(isa.getAddress().getHostAddress());
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
      return "ResolvingSocket{" + inner + "}";
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
