package org.mtasts.testkit.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import org.xbill.DNS.Message;

/** Hand-made packets and connections, for what a well-behaved client never sends. */
final class RawDns {
  static final int TIMEOUT_MILLIS = (int) DnsClient.TIMEOUT.toMillis();

  private RawDns() {}

  /** Sends one datagram as is and returns the answer, as a plain (non-EDNS) client would. */
  static Message udpExchange(InetSocketAddress server, Message query) throws IOException {
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(TIMEOUT_MILLIS);
      byte[] out = query.toWire();
      socket.send(new DatagramPacket(out, out.length, server));
      return new Message(receive(socket));
    }
  }

  static byte[] receive(DatagramSocket socket) throws IOException {
    byte[] buffer = new byte[65_535];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    socket.receive(packet);
    return Arrays.copyOf(buffer, packet.getLength());
  }

  /** A TCP connection that sends and reads length-prefixed DNS messages. */
  static final class TcpConnection implements AutoCloseable {
    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    TcpConnection(InetSocketAddress server) throws IOException {
      socket = new Socket();
      socket.connect(server, TIMEOUT_MILLIS);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      in = new DataInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    /** Writes all messages, each with its length prefix, in one write. */
    void write(byte[]... messages) throws IOException {
      int total = 0;
      for (byte[] m : messages) {
        total += m.length + 2;
      }
      byte[] all = new byte[total];
      int at = 0;
      for (byte[] m : messages) {
        all[at++] = (byte) (m.length >>> 8);
        all[at++] = (byte) m.length;
        System.arraycopy(m, 0, all, at, m.length);
        at += m.length;
      }
      out.write(all);
      out.flush();
    }

    Message read() throws IOException {
      byte[] message = new byte[in.readUnsignedShort()];
      in.readFully(message);
      return new Message(message);
    }

    /** Returns -1 if the server closed the connection. */
    int readByte() throws IOException {
      return in.read();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
