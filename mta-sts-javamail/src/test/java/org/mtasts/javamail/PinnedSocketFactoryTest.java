package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mtasts.tls.MxTlsVerifier;
import org.mtasts.tls.TlsStreams;

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

  @Test
  @DisplayName("item02: a write the MX never reads is ended by the delivery deadline (SEC-09)")
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void item02_blockedWrite_closedAtTheDeadline_SEC_09() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      SessionRecorder recorder = new SessionRecorder();
      PinnedSocketFactory factory = new PinnedSocketFactory("mx.example.com",
          List.of((InetSocketAddress) server.getLocalSocketAddress()), recorder,
          Deadline.after(500, System::nanoTime), Settings.DEFAULT_REPLY_TIMEOUT);
      long start = System.nanoTime();
      try (Socket socket = factory.createSocket("192.0.2.1", 25);
          Socket accepted = server.accept()) { // accepted, never read
        OutputStream out = socket.getOutputStream();
        byte[] chunk = new byte[1 << 20];
        IOException e = assertThrows(IOException.class, () -> {
          for (int i = 0; i < 1024; i++) { // 1 GiB: far beyond any socket buffer
            out.write(chunk);
          }
        });
        assertInstanceOf(SocketException.class, e, e.toString());
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertEquals(MxLimitException.Limit.DEADLINE, recorder.limit().limit());
      assertTrue(took.compareTo(Duration.ofSeconds(30)) < 0, "bounded: " + took);
    }
  }

  @Test
  @DisplayName("item02: a connect that hangs is bounded by the deadline, not the connect timeout")
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void item02_hangingConnect_boundedByTheDeadline() throws Exception {
    // A listener whose backlog is full: Linux drops further SYNs, so a connect hangs until its
    // timeout (as for a blackholed address).
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Socket> filling = new ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) {
          Socket s = new Socket();
          try {
            s.connect(server.getLocalSocketAddress(), 200);
            filling.add(s);
          } catch (IOException full) {
            s.close();
            break;
          }
        }
        SessionRecorder recorder = new SessionRecorder();
        PinnedSocketFactory factory = new PinnedSocketFactory("mx.example.com",
            List.of((InetSocketAddress) server.getLocalSocketAddress()), recorder,
            Deadline.after(700, System::nanoTime), Settings.DEFAULT_REPLY_TIMEOUT);
        long start = System.nanoTime();
        Socket socket = factory.createSocket();
        IOException e = assertThrows(IOException.class,
            () -> socket.connect(new InetSocketAddress("192.0.2.1", 25), 120_000));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertInstanceOf(MxLimitException.class, e, e.toString());
        assertEquals(MxLimitException.Limit.DEADLINE, recorder.limit().limit());
        assertTrue(took.compareTo(Duration.ofSeconds(30)) < 0, "not the 120 s connect timeout: "
            + took);
      } finally {
        for (Socket s : filling) {
          s.close();
        }
      }
    }
  }

  @Test
  @DisplayName("item01: TLS is layered only over the transport's own, bounded MX socket")
  void tlsOnlyOverPinnedSockets() throws Exception {
    // Core's verifier makes the TLS socket; the transport's layer refuses any other connection,
    // and a connection the factory would open itself before it is resolved or made.
    TlsStreams layer = factory("mx.example.com",
        List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 25)),
        new SessionRecorder()).tlsStreams();
    SSLSocketFactory tls =
        MxTlsVerifier.create().socketFactory("mx.example.com", true, outcome -> { }, layer);
    try (Socket foreign = new Socket()) {
      assertThrows(SocketException.class,
          () -> tls.createSocket(foreign, "mx.example.com", 25, true));
    }
    assertThrows(SocketException.class, () -> tls.createSocket("mx.example.com", 25));
    assertThrows(SocketException.class, () -> tls.createSocket());
  }
}
