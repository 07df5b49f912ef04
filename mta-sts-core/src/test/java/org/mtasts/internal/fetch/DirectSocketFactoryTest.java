package org.mtasts.internal.fetch;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** The policy fetch's sockets (issue 16: the cold path's first-contact stall). */
class DirectSocketFactoryTest {

  @Test
  void unconnectedSocket_hasNagleOff_soTheGetIsNotHeldForADelayedAck() throws Exception {
    try (Socket socket = DirectSocketFactory.INSTANCE.createSocket()) {
      assertTrue(socket.getTcpNoDelay());
    }
  }

  @Test
  void connectedSocket_hasNagleOff() throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (ServerSocket server = new ServerSocket(0, 1, loopback);
        Socket socket = DirectSocketFactory.INSTANCE.createSocket(loopback, server.getLocalPort())) {
      assertTrue(socket.getTcpNoDelay());
    }
  }
}
