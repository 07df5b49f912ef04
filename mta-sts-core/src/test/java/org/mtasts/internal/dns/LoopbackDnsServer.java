package org.mtasts.internal.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Section;

/**
 * A throw-away DNS server on 127.0.0.1, UDP and TCP on the same port, answering from a {@link
 * FakeResolver}. Only for this module's tests until the testkit's DNS server is available.
 */
final class LoopbackDnsServer implements AutoCloseable {

  private final FakeResolver zone;
  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final Thread udpThread;
  private final Thread tcpThread;
  private volatile Socket connection;
  private int udpQueries;
  private int tcpQueries;
  private int dropUdp;
  private boolean truncateUdp;

  LoopbackDnsServer(FakeResolver zone) throws IOException {
    this.zone = zone;
    DatagramSocket u = null;
    ServerSocket t = null;
    for (int attempt = 0; t == null; attempt++) {
      u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      try {
        t = new ServerSocket();
        t.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), u.getLocalPort()));
      } catch (IOException e) {
        u.close();
        t = null;
        if (attempt == 10) {
          throw e;
        }
      }
    }
    this.udp = u;
    this.tcp = t;
    udpThread = new Thread(this::serveUdp, "loopback-dns-udp");
    tcpThread = new Thread(this::serveTcp, "loopback-dns-tcp");
    udpThread.setDaemon(true);
    tcpThread.setDaemon(true);
    udpThread.start();
    tcpThread.start();
  }

  InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort());
  }

  /** Ignores the next {@code count} UDP queries, as a lossy network would. */
  synchronized LoopbackDnsServer dropUdp(int count) {
    dropUdp = count;
    return this;
  }

  /** Answers every UDP query with TC set and no records, so the client must use TCP. */
  synchronized LoopbackDnsServer truncateUdp() {
    truncateUdp = true;
    return this;
  }

  synchronized int udpQueries() {
    return udpQueries;
  }

  synchronized int tcpQueries() {
    return tcpQueries;
  }

  /** Waits until at least {@code count} UDP queries arrived, or fails after {@code timeout}. */
  synchronized void awaitUdpQueries(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (udpQueries < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("expected " + count + " UDP queries, got " + udpQueries);
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  private void serveUdp() {
    byte[] buffer = new byte[65535];
    while (!udp.isClosed()) {
      try {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        udp.receive(packet);
        Message query = new Message(Arrays.copyOf(packet.getData(), packet.getLength()));
        boolean drop;
        boolean truncate;
        synchronized (this) {
          udpQueries++;
          notifyAll();
          drop = dropUdp > 0;
          if (drop) {
            dropUdp--;
          }
          truncate = truncateUdp;
        }
        if (drop) {
          continue;
        }
        Message response = truncate ? truncated(query) : answer(query);
        byte[] out = response.toWire();
        udp.send(new DatagramPacket(out, out.length, packet.getSocketAddress()));
      } catch (SocketException e) {
        return; // closed
      } catch (IOException e) {
        // a bad packet; keep serving
      }
    }
  }

  private void serveTcp() {
    while (!tcp.isClosed()) {
      try (Socket socket = tcp.accept()) {
        connection = socket;
        DataInputStream in = new DataInputStream(socket.getInputStream());
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        while (true) {
          int length;
          try {
            length = in.readUnsignedShort();
          } catch (EOFException e) {
            break;
          }
          byte[] data = new byte[length];
          in.readFully(data);
          synchronized (this) {
            tcpQueries++;
          }
          byte[] response = answer(new Message(data)).toWire();
          out.writeShort(response.length);
          out.write(response);
          out.flush();
        }
      } catch (SocketException e) {
        if (tcp.isClosed()) {
          return;
        }
      } catch (IOException e) {
        // a broken connection; keep serving
      }
    }
  }

  private Message answer(Message query) {
    return zone.sendAsync(query, Runnable::run).toCompletableFuture().join();
  }

  private static Message truncated(Message query) {
    Message response = new Message(query.getHeader().getID());
    response.getHeader().setFlag(Flags.QR);
    response.getHeader().setFlag(Flags.TC);
    response.addRecord(query.getQuestion(), Section.QUESTION);
    return response;
  }

  @Override
  public void close() {
    udp.close();
    try {
      tcp.close();
      Socket open = connection;
      if (open != null) {
        open.close(); // dnsjava keeps TCP connections open; unblock the reading thread
      }
    } catch (IOException e) {
      // closing anyway
    }
    try {
      udpThread.join(5_000);
      tcpThread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
