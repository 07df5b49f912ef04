package org.mtasts.javamail;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Future;
import javax.net.SocketFactory;
import org.mtasts.tls.TlsStreams;

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
 *
 * <p>This factory is the one place where MX sockets are made, and every byte an MX sends passes
 * a bound on its way to Angus (issue 12, items 1 and 2): the sockets' input goes through a {@link
 * BoundedInputStream} (reply lines and whole replies limited by a {@link SmtpReplyLimiter}, each
 * reply and the whole delivery limited in time by {@link MxBounds}), and {@link #tlsStreams} is
 * the layer core's TLS socket after STARTTLS runs its streams through, so that it is bounded the
 * same way ({@link BoundedTlsStreams}). The domain's {@link Deadline} also shrinks every connect
 * timeout and, through a watchdog, closes a socket whose write is still blocked when it passes.
 */
final class PinnedSocketFactory extends SocketFactory {
  /** Angus's host when no address is a resolved one; never connected to. */
  private static final String UNRESOLVED = "0.0.0.0";

  private final String mxHost;
  private final List<InetSocketAddress> targets;
  private final SessionRecorder recorder;
  private final Deadline deadline;
  private final int replyTimeoutMillis;

  /**
   * @param mxHost the MX host name, for messages
   * @param targets the addresses to connect to, in order; not empty
   * @param deadline the domain's delivery deadline
   * @param replyTimeoutMillis how long one reply may take from its first byte
   */
  PinnedSocketFactory(String mxHost, List<InetSocketAddress> targets, SessionRecorder recorder,
      Deadline deadline, int replyTimeoutMillis) {
    this.mxHost = Objects.requireNonNull(mxHost, "mxHost");
    this.targets = List.copyOf(targets);
    this.recorder = Objects.requireNonNull(recorder, "recorder");
    this.deadline = Objects.requireNonNull(deadline, "deadline");
    this.replyTimeoutMillis = replyTimeoutMillis;
    if (this.targets.isEmpty()) {
      throw new IllegalArgumentException(mxHost + ": no address to connect to");
    }
  }

  /**
   * The layer for the verifier's STARTTLS socket factory ({@code mail.smtp.ssl.socketFactory}):
   * TLS only over this factory's sockets, with the replies inside TLS bounded.
   */
  TlsStreams tlsStreams() {
    return new BoundedTlsStreams(recorder);
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
    return new PinnedSocket(mxHost, targets, recorder,
        new MxBounds(mxHost, recorder, deadline, replyTimeoutMillis));
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
  static final class PinnedSocket extends Socket implements BoundedInputStream.ReadTimeouts {
    private final String mxHost;
    private final List<InetSocketAddress> targets;
    private final SessionRecorder recorder;
    private final MxBounds bounds;
    // Proxy.NO_PROXY: a plain new Socket() consults the JVM-wide ProxySelector (and
    // -DsocksProxyHost), which would reroute connections to MX hosts (SEC-27).
    private volatile Socket inner = new Socket(Proxy.NO_PROXY);
    private SocketAddress bindpoint;
    private BoundedInputStream in;
    private HeloWatcher helo;
    private CommandWatcher out;
    private int soTimeout;
    private Future<?> watchdog;

    PinnedSocket(String mxHost, List<InetSocketAddress> targets, SessionRecorder recorder,
        MxBounds bounds) {
      this.mxHost = mxHost;
      this.targets = targets;
      this.recorder = recorder;
      this.bounds = bounds;
      bounds.onFailure(this::closeQuietly);
    }

    /** The bounds of this connection, shared with the TLS socket layered on it. */
    MxBounds bounds() {
      return bounds;
    }

    /**
     * STARTTLS: from now on this socket carries TLS records; the reply limits move to the TLS
     * socket's stream, the time bounds stay here.
     */
    synchronized void startTls() throws IOException {
      getInputStream().carryTls();
      helo.stop(); // TLS records from here on
      ((CommandWatcher) getOutputStream()).carryTls();
    }

    @Override
    public void beforeRead(MxBounds b) throws IOException {
      inner.setSoTimeout(b.readTimeout(soTimeout));
    }

    private void closeQuietly() {
      try {
        inner.close();
      } catch (IOException ignored) {
        // closing a failed connection is best effort
      }
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
      Deadline deadline = bounds.deadline();
      for (InetSocketAddress target : targets) {
        if (deadline.passed()) {
          // Issue 12, item 2: the remaining addresses are not tried.
          failure = merge(bounds.deadlinePassed(), failure);
          break;
        }
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
          attempt.connect(target, deadline.shrink(timeout, deadline.now()));
          // SMTP writes whole commands and flushes; Nagle only holds back the second of two
          // writes (the TLS Finished, then EHLO) until the server's delayed ACK: 40 ms more
          // for 13-18% of the messages on loopback in TransportOverheadBenchmark.
          attempt.setTcpNoDelay(true);
          recorder.connected(target, attempt.getLocalAddress()); // TLS-RPT: both ends
          // A write has no timeout: the watchdog closes the socket when the deadline passes.
          watchdog = deadline.watch(bounds::deadlinePassed);
          return;
        } catch (SocketTimeoutException e) {
          // The deadline may have shrunk the timeout: then the deadline is the reason.
          failure = deadline.passed()
              ? merge(bounds.deadlinePassed(), merge(e, failure))
              : merge(failure, e);
          attempt.close();
        } catch (IOException e) {
          failure = merge(failure, e);
          attempt.close();
        }
      }
      throw failure;
    }

    /** {@code first} with {@code other} suppressed in it (either may be null). */
    private static IOException merge(IOException first, IOException other) {
      if (first == null) {
        return other;
      }
      if (other != null && other != first) {
        first.addSuppressed(other);
      }
      return first;
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
      this.bindpoint = bindpoint;
    }

    @Override
    public synchronized BoundedInputStream getInputStream() throws IOException {
      if (in == null) {
        helo = new HeloWatcher(inner.getInputStream(), recorder); // D-31, for TLS-RPT
        in = new BoundedInputStream(helo, bounds, this, new SmtpReplyLimiter());
      }
      return in;
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

    /** The read timeout Angus set; each read may use less (the deadline, the reply time). */
    @Override
    public synchronized int getSoTimeout() throws SocketException {
      return soTimeout;
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
      if (watchdog != null) {
        watchdog.cancel(false);
      }
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

  /**
   * Notes the commands that change what a failure means: {@code STARTTLS} (a failure after it is
   * a TLS failure) and {@code DATA} or {@code BDAT} (after it the MX may have taken the message,
   * so it is not sent to the next MX). Angus writes each command in one flush, so a command is
   * looked for at the start of a write; message content only follows {@code DATA}/{@code BDAT}.
   */
  static final class CommandWatcher extends FilterOutputStream {
    private static final byte[] STARTTLS = "STARTTLS".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "DATA".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BDAT = "BDAT".getBytes(StandardCharsets.US_ASCII);
    private final SessionRecorder recorder;
    private volatile boolean ciphertext;

    CommandWatcher(OutputStream out, SessionRecorder recorder) {
      super(out);
      this.recorder = recorder;
    }

    /** The bytes written from now on are TLS records: nothing to look for. */
    void carryTls() {
      ciphertext = true;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (!ciphertext) {
        if (!recorder.startTlsSent() && contains(b, off, len, STARTTLS)) {
          recorder.startTlsSent(true);
        }
        if (!recorder.dataSent() && (startsWith(b, off, len, DATA)
            || startsWith(b, off, len, BDAT))) {
          recorder.dataSent(true);
        }
      }
      out.write(b, off, len);
    }

    private static boolean contains(byte[] b, int off, int len, byte[] word) {
      for (int i = off; i + word.length <= off + len; i++) {
        if (startsWith(b, i, off + len - i, word)) {
          return true;
        }
      }
      return false;
    }

    private static boolean startsWith(byte[] b, int off, int len, byte[] word) {
      if (len < word.length) {
        return false;
      }
      for (int j = 0; j < word.length; j++) {
        if (Character.toUpperCase(b[off + j]) != word[j]) {
          return false;
        }
      }
      return true;
    }
  }
}
