package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-MX socket factory handed to Angus (STS-JM-01). */
class PinnedSocketFactoryTest {

  static PinnedSocketFactory factory(String host, List<InetSocketAddress> targets,
      SessionRecorder recorder) {
    return new PinnedSocketFactory(host, targets, recorder,
        Deadline.after(Settings.DEFAULT_DELIVERY_DEADLINE, System::nanoTime),
        Settings.DEFAULT_REPLY_TIMEOUT);
  }

  @Test
  void connectsToThePinnedAddressWhateverAngusAsksFor_STS_JM_01() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      InetSocketAddress pinned = (InetSocketAddress) server.getLocalSocketAddress();
      PinnedSocketFactory factory =
          factory("mx.example.com", List.of(pinned), new SessionRecorder());
      try (Socket socket = factory.createSocket("192.0.2.1", 25)) {
        assertEquals(pinned, socket.getRemoteSocketAddress());
      }
    }
  }

  @Test
  void connectedSocketsDoNotWaitForAcks_nagleOff() throws Exception {
    // Nagle held the first command after the TLS handshake until the server's delayed ACK: 40 ms
    // more for 13-18% of all messages (issue 8, TransportOverheadBenchmark).
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      InetSocketAddress refusing =
          new InetSocketAddress(InetAddress.getByName("127.0.0.2"), server.getLocalPort());
      for (List<InetSocketAddress> targets :
          List.of(List.of((InetSocketAddress) server.getLocalSocketAddress()),
              List.of(refusing, (InetSocketAddress) server.getLocalSocketAddress()))) {
        PinnedSocketFactory factory =
            factory("mx.example.com", targets, new SessionRecorder());
        try (Socket socket = factory.createSocket()) {
          socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), 25), 5_000);
          assertTrue(socket.getTcpNoDelay(), targets.toString());
        }
      }
    }
  }
}
