package org.mtasts.internal.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.mtasts.tls.TlsOutcome;
import org.mtasts.tls.TlsStreams;

/**
 * TLS sockets for one MX host under one policy mode: TLS 1.3 and 1.2 only (D-04), SNI = the MX
 * host (STS-TLS-02) — under DANE the TLSA base domain (STS-DANE-07) — and the MX certificate
 * checks of {@link MxTrustManager} ({@link SessionChecks}). Every socket is a {@link MxSslSocket},
 * which reports a {@link TlsOutcome} after its handshake.
 *
 * <p>The host argument of the {@code createSocket} methods is used only to open the TCP connection
 * (it may be an address pinned by the caller, STS-JM-01); SNI and the certificate's reference
 * identities are always those this factory was made for (STS-TLS-12). The layering method
 * {@link #createSocket(Socket, String, int, boolean)} is the one Jakarta Mail uses for STARTTLS.
 * The caller's {@link TlsStreams} is asked before each socket is layered and wraps its streams.
 *
 * <p>Each factory has its own {@link SSLContext}, so TLS sessions are never resumed across MX
 * hosts or modes; a resumed session is checked again anyway by {@link MxSslSocket}. Immutable and
 * thread-safe.
 */
public final class MxSocketFactory extends SSLSocketFactory {
  /** The only protocols offered, best first (D-04, RFC 8996, RFC 9325). */
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  private final SSLSocketFactory delegate;
  private final SessionChecks checks;
  private final Consumer<? super TlsOutcome> outcomes;
  private final TlsStreams streams;

  /**
   * Creates a factory.
   *
   * @param verification the certificate checks
   * @param mxHost the MX host name, normalised
   * @param enforce true for an enforce policy, false for testing (report-only)
   * @param outcomes receives one outcome per socket handshake; must be fast and must not throw
   * @param streams the caller's layer inside each socket ({@link TlsStreams#NONE} for none)
   */
  public MxSocketFactory(
      CertificateVerification verification,
      String mxHost,
      boolean enforce,
      Consumer<? super TlsOutcome> outcomes,
      TlsStreams streams) {
    this(verification, mxHost, enforce, outcomes, streams, TlsProviders.configured());
  }

  /**
   * Creates a factory whose TLS is {@code provider}'s (tests force one here).
   *
   * @see #MxSocketFactory(CertificateVerification, String, boolean, Consumer, TlsStreams)
   */
  public MxSocketFactory(
      CertificateVerification verification,
      String mxHost,
      boolean enforce,
      Consumer<? super TlsOutcome> outcomes,
      TlsStreams streams,
      TlsProviders.Choice provider) {
    this(SessionChecks.mtaSts(verification, mxHost, enforce), outcomes, streams, provider);
  }

  /**
   * Creates a factory whose sockets make {@code checks} (e.g. {@link SessionChecks#dane}).
   *
   * @param checks what the sockets check and which failures abort
   * @param outcomes receives one outcome per socket handshake; must be fast and must not throw
   * @param streams the caller's layer inside each socket ({@link TlsStreams#NONE} for none)
   * @param provider the TLS implementation
   */
  public MxSocketFactory(
      SessionChecks checks,
      Consumer<? super TlsOutcome> outcomes,
      TlsStreams streams,
      TlsProviders.Choice provider) {
    this.checks = Objects.requireNonNull(checks, "checks");
    this.outcomes = Objects.requireNonNull(outcomes, "outcomes");
    this.streams = Objects.requireNonNull(streams, "streams");
    try {
      SSLContext context = TlsProviders.newContext(provider);
      context.init(
          null,
          new TrustManager[] {
            new MxTrustManager(checks, chain -> TlsProviders.forPkix(context, chain))
          },
          null);
      this.delegate = context.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot create a TLS context", e);
    }
  }

  /** The MX host name: the reference identity of the WebPKI check. */
  public String mxHost() {
    return checks.mxHost();
  }

  /** The name sent as SNI: the MX host, or under DANE the TLSA base domain. */
  public String sniHost() {
    return checks.sniHost();
  }

  /** Whether sockets abort the handshake on a failed WebPKI check (DANE failures always do). */
  public boolean enforce() {
    return checks.enforce();
  }

  @Override
  public Socket createSocket(Socket plain, String host, int port, boolean autoClose)
      throws IOException {
    Objects.requireNonNull(plain, "plain");
    streams.layering(plain);
    SSLSocket ssl = (SSLSocket) delegate.createSocket(plain, checks.sniHost(), port, autoClose);
    return wrap(ssl, plain, autoClose ? plain : null);
  }

  // The methods below make the connection themselves: the caller's layer may refuse that before
  // anything is resolved or connected (TlsStreams#layering(null)).

  @Override
  public Socket createSocket() throws IOException {
    streams.layering(null);
    return wrap((SSLSocket) delegate.createSocket(), null, null);
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    streams.layering(null);
    return layer(direct(new InetSocketAddress(host, port), null), port);
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    streams.layering(null);
    return layer(
        direct(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort)),
        port);
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    streams.layering(null);
    return layer(direct(new InetSocketAddress(host, port), null), port);
  }

  @Override
  public Socket createSocket(
      InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    streams.layering(null);
    return layer(
        direct(new InetSocketAddress(address, port),
            new InetSocketAddress(localAddress, localPort)),
        port);
  }

  /**
   * A TCP connection that never goes through a proxy: {@code new Socket(host, port)} consults the
   * JVM-wide ProxySelector (and -DsocksProxyHost), which must not reroute MX connections (SEC-27).
   */
  private static Socket direct(InetSocketAddress target, InetSocketAddress local)
      throws IOException {
    Socket socket = new Socket(Proxy.NO_PROXY);
    try {
      if (local != null) {
        socket.bind(local);
      }
      socket.connect(target);
      return socket;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** TLS over a connection this factory opened (the caller's layer has accepted it already). */
  private Socket layer(Socket plain, int port) throws IOException {
    try {
      SSLSocket ssl = (SSLSocket) delegate.createSocket(plain, checks.sniHost(), port, true);
      return wrap(ssl, null, plain);
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  private Socket wrap(SSLSocket ssl, Socket plain, Socket closeOnFailure) throws IOException {
    try {
      ssl.setUseClientMode(true);
      SSLParameters parameters = ssl.getSSLParameters();
      parameters.setProtocols(allowedProtocols(ssl.getSupportedProtocols()));
      parameters.setServerNames(List.of(new SNIHostName(checks.sniHost())));
      // The DNS-ID check is done by MxTrustManager; the JDK's rules are weaker (STS-JM-03).
      parameters.setEndpointIdentificationAlgorithm(null);
      ssl.setSSLParameters(parameters);
      return new MxSslSocket(ssl, checks, outcomes, plain, streams);
    } catch (RuntimeException e) {
      ssl.close();
      if (closeOnFailure != null) {
        closeOnFailure.close();
      }
      throw e;
    }
  }

  /**
   * The protocols of {@code requested} that this library allows, in the requested order.
   *
   * @throws IllegalArgumentException if none is allowed
   */
  static String[] allowedProtocols(String[] requested) {
    List<String> allowed = new ArrayList<>();
    for (String protocol : requested) {
      if (PROTOCOLS.contains(protocol)) {
        allowed.add(protocol);
      }
    }
    if (allowed.isEmpty()) {
      throw new IllegalArgumentException(
          "none of the TLS protocols " + Arrays.toString(requested)
              + " may be used under an MTA-STS policy; allowed are " + PROTOCOLS
              + " (RFC 8461 §7.2, RFC 8996)");
    }
    return allowed.toArray(new String[0]);
  }

  @Override
  public String[] getDefaultCipherSuites() {
    return delegate.getDefaultCipherSuites();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return delegate.getSupportedCipherSuites();
  }

  @Override
  public String toString() {
    return "MxSocketFactory{" + checks + "}";
  }
}
