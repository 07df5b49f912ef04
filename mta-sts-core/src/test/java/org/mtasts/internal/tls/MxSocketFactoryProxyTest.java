package org.mtasts.internal.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.mtasts.tls.MxTlsVerifier;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/** SEC-27: the verifier's sockets connect directly, whatever the JVM-wide ProxySelector says. */
class MxSocketFactoryProxyTest {
  @Test
  void sec27_directConnectIgnoresAJvmWideSocksProxy() throws Exception {
    MxTlsVerifier verifier =
        MxTlsVerifier.create(TestCertificateAuthority.create("Proxy Test").trustManager());
    List<String> consulted = new CopyOnWriteArrayList<>();
    ProxySelector previous = ProxySelector.getDefault();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ProxySelector.setDefault(new ProxySelector() {
        @Override
        public List<Proxy> select(URI uri) {
          consulted.add(uri.toString());
          // What -DsocksProxyHost makes the JDK's own selector answer; nothing listens there.
          return List.of(new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", 9)));
        }

        @Override
        public void connectFailed(URI uri, SocketAddress address, IOException e) {}
      });
      try (Socket socket =
          verifier.socketFactory("mx1.example.com", true, outcome -> { })
              .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
          Socket accepted = server.accept()) {
        assertTrue(socket.isConnected());
        assertEquals(socket.getLocalPort(), accepted.getPort());
      }
    } finally {
      ProxySelector.setDefault(previous);
    }
    assertEquals(List.of(), consulted);
  }
}
