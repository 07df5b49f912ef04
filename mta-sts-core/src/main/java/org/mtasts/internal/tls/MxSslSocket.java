package org.mtasts.internal.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.mtasts.tls.RefusalReason;
import org.mtasts.tls.TlsOutcome;
import org.mtasts.tls.TlsStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JDK client {@link SSLSocket} with the MTA-STS (and, for a DANE-protected host, the DANE)
 * guarantees kept for its whole life:
 *
 * <ul>
 *   <li>the first handshake, whether started explicitly or by opening a stream, reports exactly
 *       one {@link TlsOutcome}: failed with a classified reason, or completed with protocol,
 *       cipher suite and the certificate verdicts;
 *   <li>after the handshake the verdicts are computed again from the session's peer certificates
 *       ({@link SessionChecks}), so a resumed session (which skips the trust manager) is held to
 *       the same rules, DANE's included; a verdict that aborts closes the socket and throws;
 *   <li>{@link #setEnabledProtocols} and {@link #setSSLParameters} keep only TLS 1.3 and 1.2
 *       (D-04) and keep SNI on the MX host (STS-TLS-02), or under DANE on the TLSA base domain
 *       (STS-DANE-07), whatever a mail client configures (Angus Mail applies {@code
 *       mail.smtp.ssl.protocols} this way);
 *   <li>its streams are the caller's {@link TlsStreams} wrappers around the JDK socket's, made
 *       once, after the checked handshake.
 * </ul>
 *
 * <p>Everything else is delegated unchanged. Thread safety is that of the JDK socket.
 */
final class MxSslSocket extends SSLSocket {
  private static final Logger log = LoggerFactory.getLogger(MxSslSocket.class);

  private final SSLSocket delegate;
  private final SessionChecks checks;
  private final String mxHost;
  private final Consumer<? super TlsOutcome> outcomes;
  private final AtomicBoolean handshakeStarted = new AtomicBoolean();
  private volatile boolean handshakeChecked;
  /** The connection under TLS (null if unknown), and the caller's wrappers of the streams. */
  private final Socket plain;
  private final TlsStreams streams;
  private InputStream in;
  private OutputStream out;

  MxSslSocket(
      SSLSocket delegate,
      SessionChecks checks,
      Consumer<? super TlsOutcome> outcomes,
      Socket plain,
      TlsStreams streams) {
    this.delegate = delegate;
    this.checks = checks;
    this.mxHost = checks.mxHost();
    this.outcomes = outcomes;
    this.plain = plain;
    this.streams = streams;
  }

  @Override
  public void startHandshake() throws IOException {
    if (!delegate.isConnected() || !handshakeStarted.compareAndSet(false, true)) {
      // Not connected: the JDK throws and there was no handshake to report. Already started:
      // a later call is a renegotiation or key update on a checked session.
      delegate.startHandshake();
      return;
    }
    try {
      delegate.startHandshake();
    } catch (IOException | RuntimeException e) {
      report(failedOutcome(e));
      throw e;
    }
    SSLSession session = delegate.getSession();
    SessionChecks.Verdict verdict = recheck(session);
    if (verdict.abort().isPresent()) {
      report(verdict.failed(localAddress(), remoteAddress()));
      delegate.close();
      SSLHandshakeException abort = new SSLHandshakeException(verdict.message());
      abort.initCause(new MxCertificateException(verdict));
      throw abort;
    }
    // Under testing a failed check is reported and the session is used anyway (RFC 8461 §5 item
    // 2, STS-TLS-11): that is the documented report-only mode. Under DANE the DANE check passed
    // here, and a WebPKI failure is reported only, unless required (D-23).
    handshakeChecked = true;
    report(verdict.completed(session.getProtocol(), session.getCipherSuite(), localAddress(),
        remoteAddress()));
  }

  /**
   * The outcome of a handshake that threw {@code e}: under DANE, when the trust manager aborted it,
   * with both verdicts it reached; otherwise with the reason classified from the exception.
   */
  private TlsOutcome failedOutcome(Throwable e) {
    if (checks.isDane()) {
      int depth = 0;
      for (Throwable t = e; t != null && depth < 32; t = t.getCause(), depth++) {
        if (t instanceof MxCertificateException m && m.verdict().isPresent()) {
          return m.verdict().get().failed(localAddress(), remoteAddress());
        }
      }
    }
    RefusalReason reason = TlsFailures.classify(e).orElse(RefusalReason.TLS_HANDSHAKE_FAILED);
    return TlsOutcome.failed(mxHost, checks.enforce(), reason,
        "TLS handshake with " + mxHost + " failed: " + TlsFailures.rootMessage(e),
        localAddress(), remoteAddress());
  }

  private SessionChecks.Verdict recheck(SSLSession session) {
    Certificate[] peer;
    try {
      peer = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return checks.noCertificate("presented no certificate");
    }
    X509Certificate[] chain = new X509Certificate[peer.length];
    for (int i = 0; i < peer.length; i++) {
      if (!(peer[i] instanceof X509Certificate)) {
        return checks.noCertificate("presented a non-X.509 certificate");
      }
      chain[i] = (X509Certificate) peer[i];
    }
    if (chain.length == 0) {
      return checks.noCertificate("presented no certificate");
    }
    return checks.judge(chain, CertificateVerification.UNKNOWN_AUTH_TYPE);
  }

  private void report(TlsOutcome outcome) {
    try {
      outcomes.accept(outcome);
    } catch (RuntimeException e) {
      log.warn("TLS outcome listener threw on {}", outcome, e);
    }
  }

  private InetSocketAddress localAddress() {
    SocketAddress address = delegate.getLocalSocketAddress();
    return address instanceof InetSocketAddress ? (InetSocketAddress) address : null;
  }

  private InetSocketAddress remoteAddress() {
    SocketAddress address = delegate.getRemoteSocketAddress();
    return address instanceof InetSocketAddress ? (InetSocketAddress) address : null;
  }

  /** Runs the first handshake through {@link #startHandshake()} before any application data. */
  private void ensureHandshake() throws IOException {
    if (!handshakeStarted.get()) {
      startHandshake();
    } else if (!handshakeChecked && (checks.enforce() || checks.isDane())) {
      throw new SSLException("the TLS session with " + mxHost + " was not validated");
    }
  }

  @Override
  public InputStream getInputStream() throws IOException {
    ensureHandshake();
    synchronized (this) {
      if (in == null) {
        in = streams.input(plain, delegate.getInputStream());
      }
      return in;
    }
  }

  @Override
  public OutputStream getOutputStream() throws IOException {
    ensureHandshake();
    synchronized (this) {
      if (out == null) {
        out = streams.output(plain, delegate.getOutputStream());
      }
      return out;
    }
  }

  // Protocol and SNI floor.

  @Override
  public void setEnabledProtocols(String[] protocols) {
    delegate.setEnabledProtocols(MxSocketFactory.allowedProtocols(protocols));
  }

  @Override
  public void setSSLParameters(SSLParameters parameters) {
    if (parameters.getProtocols() != null) {
      parameters.setProtocols(MxSocketFactory.allowedProtocols(parameters.getProtocols()));
    }
    parameters.setServerNames(List.of(new SNIHostName(checks.sniHost())));
    delegate.setSSLParameters(parameters);
  }

  // Plain delegation below.

  @Override
  public SSLParameters getSSLParameters() {
    return delegate.getSSLParameters();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return delegate.getSupportedCipherSuites();
  }

  @Override
  public String[] getEnabledCipherSuites() {
    return delegate.getEnabledCipherSuites();
  }

  @Override
  public void setEnabledCipherSuites(String[] suites) {
    delegate.setEnabledCipherSuites(suites);
  }

  @Override
  public String[] getSupportedProtocols() {
    return delegate.getSupportedProtocols();
  }

  @Override
  public String[] getEnabledProtocols() {
    return delegate.getEnabledProtocols();
  }

  @Override
  public SSLSession getSession() {
    // The JDK starts the handshake here if none was done; route it through ours.
    if (delegate.isConnected() && !handshakeStarted.get()) {
      try {
        startHandshake();
      } catch (IOException e) {
        // As the JDK does: the caller gets the invalid null session; the outcome is reported.
      }
    }
    return delegate.getSession();
  }

  @Override
  public SSLSession getHandshakeSession() {
    return delegate.getHandshakeSession();
  }

  @Override
  public void addHandshakeCompletedListener(HandshakeCompletedListener listener) {
    delegate.addHandshakeCompletedListener(listener);
  }

  @Override
  public void removeHandshakeCompletedListener(HandshakeCompletedListener listener) {
    delegate.removeHandshakeCompletedListener(listener);
  }

  @Override
  public void setUseClientMode(boolean mode) {
    if (!mode) {
      throw new IllegalArgumentException("an MX socket is always a TLS client");
    }
    delegate.setUseClientMode(true);
  }

  @Override
  public boolean getUseClientMode() {
    return delegate.getUseClientMode();
  }

  @Override
  public void setNeedClientAuth(boolean need) {
    delegate.setNeedClientAuth(need);
  }

  @Override
  public boolean getNeedClientAuth() {
    return delegate.getNeedClientAuth();
  }

  @Override
  public void setWantClientAuth(boolean want) {
    delegate.setWantClientAuth(want);
  }

  @Override
  public boolean getWantClientAuth() {
    return delegate.getWantClientAuth();
  }

  @Override
  public void setEnableSessionCreation(boolean flag) {
    delegate.setEnableSessionCreation(flag);
  }

  @Override
  public boolean getEnableSessionCreation() {
    return delegate.getEnableSessionCreation();
  }

  @Override
  public String getApplicationProtocol() {
    return delegate.getApplicationProtocol();
  }

  @Override
  public String getHandshakeApplicationProtocol() {
    return delegate.getHandshakeApplicationProtocol();
  }

  @Override
  public void setHandshakeApplicationProtocolSelector(
      BiFunction<SSLSocket, List<String>, String> selector) {
    delegate.setHandshakeApplicationProtocolSelector(selector);
  }

  @Override
  public BiFunction<SSLSocket, List<String>, String> getHandshakeApplicationProtocolSelector() {
    return delegate.getHandshakeApplicationProtocolSelector();
  }

  @Override
  public void connect(SocketAddress endpoint) throws IOException {
    delegate.connect(endpoint);
  }

  @Override
  public void connect(SocketAddress endpoint, int timeout) throws IOException {
    delegate.connect(endpoint, timeout);
  }

  @Override
  public void bind(SocketAddress bindpoint) throws IOException {
    delegate.bind(bindpoint);
  }

  @Override
  public InetAddress getInetAddress() {
    return delegate.getInetAddress();
  }

  @Override
  public InetAddress getLocalAddress() {
    return delegate.getLocalAddress();
  }

  @Override
  public int getPort() {
    return delegate.getPort();
  }

  @Override
  public int getLocalPort() {
    return delegate.getLocalPort();
  }

  @Override
  public SocketAddress getRemoteSocketAddress() {
    return delegate.getRemoteSocketAddress();
  }

  @Override
  public SocketAddress getLocalSocketAddress() {
    return delegate.getLocalSocketAddress();
  }

  @Override
  public SocketChannel getChannel() {
    return delegate.getChannel();
  }

  @Override
  public void setTcpNoDelay(boolean on) throws SocketException {
    delegate.setTcpNoDelay(on);
  }

  @Override
  public boolean getTcpNoDelay() throws SocketException {
    return delegate.getTcpNoDelay();
  }

  @Override
  public void setSoLinger(boolean on, int linger) throws SocketException {
    delegate.setSoLinger(on, linger);
  }

  @Override
  public int getSoLinger() throws SocketException {
    return delegate.getSoLinger();
  }

  @Override
  public void sendUrgentData(int data) throws IOException {
    delegate.sendUrgentData(data);
  }

  @Override
  public void setOOBInline(boolean on) throws SocketException {
    delegate.setOOBInline(on);
  }

  @Override
  public boolean getOOBInline() throws SocketException {
    return delegate.getOOBInline();
  }

  @Override
  public void setSoTimeout(int timeout) throws SocketException {
    delegate.setSoTimeout(timeout);
  }

  @Override
  public int getSoTimeout() throws SocketException {
    return delegate.getSoTimeout();
  }

  @Override
  public void setSendBufferSize(int size) throws SocketException {
    delegate.setSendBufferSize(size);
  }

  @Override
  public int getSendBufferSize() throws SocketException {
    return delegate.getSendBufferSize();
  }

  @Override
  public void setReceiveBufferSize(int size) throws SocketException {
    delegate.setReceiveBufferSize(size);
  }

  @Override
  public int getReceiveBufferSize() throws SocketException {
    return delegate.getReceiveBufferSize();
  }

  @Override
  public void setKeepAlive(boolean on) throws SocketException {
    delegate.setKeepAlive(on);
  }

  @Override
  public boolean getKeepAlive() throws SocketException {
    return delegate.getKeepAlive();
  }

  @Override
  public void setTrafficClass(int tc) throws SocketException {
    delegate.setTrafficClass(tc);
  }

  @Override
  public int getTrafficClass() throws SocketException {
    return delegate.getTrafficClass();
  }

  @Override
  public void setReuseAddress(boolean on) throws SocketException {
    delegate.setReuseAddress(on);
  }

  @Override
  public boolean getReuseAddress() throws SocketException {
    return delegate.getReuseAddress();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }

  @Override
  public void shutdownInput() throws IOException {
    delegate.shutdownInput();
  }

  @Override
  public void shutdownOutput() throws IOException {
    delegate.shutdownOutput();
  }

  @Override
  public boolean isConnected() {
    return delegate.isConnected();
  }

  @Override
  public boolean isBound() {
    return delegate.isBound();
  }

  @Override
  public boolean isClosed() {
    return delegate.isClosed();
  }

  @Override
  public boolean isInputShutdown() {
    return delegate.isInputShutdown();
  }

  @Override
  public boolean isOutputShutdown() {
    return delegate.isOutputShutdown();
  }

  @Override
  public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
    delegate.setPerformancePreferences(connectionTime, latency, bandwidth);
  }

  @Override
  public <T> java.net.Socket setOption(SocketOption<T> name, T value) throws IOException {
    delegate.setOption(name, value);
    return this;
  }

  @Override
  public <T> T getOption(SocketOption<T> name) throws IOException {
    return delegate.getOption(name);
  }

  @Override
  public Set<SocketOption<?>> supportedOptions() {
    return delegate.supportedOptions();
  }

  @Override
  public String toString() {
    return "MxSslSocket{" + checks + ", " + delegate + "}";
  }
}
