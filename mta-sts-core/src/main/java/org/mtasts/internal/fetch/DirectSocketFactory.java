package org.mtasts.internal.fetch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketException;
import javax.net.SocketFactory;

/**
 * Makes sockets that connect directly. A plain {@code new Socket()}, which the default socket
 * factory makes, asks the JVM-wide {@link java.net.ProxySelector} on connect and goes through any
 * SOCKS proxy it names (as {@code -DsocksProxyHost} or an application's selector do), asking the
 * JVM-wide {@link java.net.Authenticator} for its password; a socket made with {@link
 * Proxy#NO_PROXY} does neither (SEC-27: proxy use is explicit in the fetcher's configuration).
 * Every socket has {@code TCP_NODELAY} on.
 */
public final class DirectSocketFactory extends SocketFactory {
  /** The one instance; stateless. */
  public static final DirectSocketFactory INSTANCE = new DirectSocketFactory();

  private DirectSocketFactory() {}

  @Override
  public Socket createSocket() throws SocketException {
    Socket socket = new Socket(Proxy.NO_PROXY);
    // Nagle's algorithm holds the client's TLS Finished and the GET behind the server's delayed
    // ACK (about 40 ms on Linux) on every first contact; one request per connection gains nothing
    // from coalescing.
    socket.setTcpNoDelay(true);
    return socket;
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connect(null, new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return connect(new InetSocketAddress(localHost, localPort), new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connect(null, new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
      int localPort) throws IOException {
    return connect(
        new InetSocketAddress(localAddress, localPort), new InetSocketAddress(address, port));
  }

  private Socket connect(InetSocketAddress local, InetSocketAddress remote) throws IOException {
    Socket socket = createSocket();
    try {
      if (local != null) {
        socket.bind(local);
      }
      socket.connect(remote);
      return socket;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }
}
