package org.mtasts.testkit.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import javax.net.SocketFactory;

/**
 * A socket factory for Angus Mail's {@code mail.smtp.socketFactory} that connects every socket to
 * one loopback address, whatever host the client asked for. The client keeps using the MX host name
 * for SNI and certificate checks, so no DNS is needed in tests. Used by the Angus Mail tests of
 * the {@code smtp} package and by {@code SnippetTest}, which pins to an address of the world's
 * host map.
 */
public final class PinnedSocketFactory extends SocketFactory {
  private final InetSocketAddress target;

  /**
   * Creates the factory.
   *
   * @param target where every socket connects
   */
  public PinnedSocketFactory(InetSocketAddress target) {
    this.target = target;
  }

  @Override
  public Socket createSocket() {
    return new Socket() {
      @Override
      public void connect(SocketAddress endpoint, int timeout) throws IOException {
        super.connect(target, timeout);
      }
    };
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected();
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return connected();
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected();
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return connected();
  }

  private Socket connected() throws IOException {
    Socket socket = createSocket();
    socket.connect(target, 5000);
    return socket;
  }
}
