package org.mtasts.testkit.dns;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.mtasts.testkit.dns.TestDnsServer.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sockets and threads of a {@link TestDnsServer}: one UDP socket and one listening TCP socket
 * on the same loopback port, a thread for each, a scheduler for delayed answers and a bounded pool
 * for TCP connections. Every message goes to the {@link Responder}. Started once and closed once,
 * by the server, which guards the lifecycle.
 */
final class DnsListener {
  private static final Logger log = LoggerFactory.getLogger(TestDnsServer.class);

  /** An open TCP connection with no query for this long is closed, like real servers do. */
  private static final int TCP_IDLE_TIMEOUT_MILLIS = 30_000;

  private static final int BIND_ATTEMPTS = 32;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private enum State {
    NEW,
    RUNNING,
    CLOSED
  }

  private final Responder responder;
  private final Object stateLock = new Object();
  private State state = State.NEW; // guarded by stateLock
  private volatile boolean closing;
  private volatile InetSocketAddress address;
  private DatagramSocket udpSocket;
  private ServerSocket tcpSocket;
  private ScheduledThreadPoolExecutor scheduler;
  private ThreadPoolExecutor connectionPool;
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

  DnsListener(Responder responder) {
    this.responder = responder;
  }

  /** The bound address, or null before {@link #start()}; kept after {@link #close()}. */
  InetSocketAddress address() {
    return address;
  }

  /** Binds UDP and TCP to one free loopback port and starts serving. */
  void start() throws IOException {
    synchronized (stateLock) {
      if (state != State.NEW) {
        throw new IllegalStateException(
            "server already " + state.name().toLowerCase(java.util.Locale.ROOT));
      }
      startServing();
      state = State.RUNNING;
    }
  }

  private void startServing() throws IOException {
    bind();
    int port = address.getPort();
    String prefix = "TestDnsServer-" + port + "-";
    scheduler = new ScheduledThreadPoolExecutor(1, threadFactory(prefix + "delay"));
    scheduler.setRemoveOnCancelPolicy(true);
    connectionPool =
        new ThreadPoolExecutor(
            0,
            TestDnsServer.MAX_TCP_CONNECTIONS,
            10,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            threadFactory(prefix + "tcp"));
    threadFactory(prefix + "udp").newThread(this::serveUdp).start();
    threadFactory(prefix + "accept").newThread(this::acceptTcp).start();
    log.debug("DNS server listening on {} (UDP and TCP)", address);
  }

  private void bind() throws IOException {
    InetAddress loopback = InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    IOException last = null;
    for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
      DatagramSocket udp = new DatagramSocket(null);
      ServerSocket tcp = null;
      try {
        udp.bind(new InetSocketAddress(loopback, 0));
        int port = udp.getLocalPort();
        tcp = new ServerSocket();
        tcp.setReuseAddress(true);
        tcp.bind(new InetSocketAddress(loopback, port), 50);
        udpSocket = udp;
        tcpSocket = tcp;
        address = new InetSocketAddress(loopback, port);
        return;
      } catch (BindException e) {
        // The ephemeral UDP port is taken for TCP by someone else: try another one.
        last = e;
        udp.close();
        if (tcp != null) {
          tcp.close();
        }
      } catch (IOException | RuntimeException e) {
        udp.close();
        if (tcp != null) {
          tcp.close();
        }
        throw e;
      }
    }
    throw new IOException("no loopback port free for both UDP and TCP", last);
  }

  /**
   * Closes the sockets and open connections, discards delayed answers and waits (up to a few
   * seconds) for every thread to end. Idempotent; a closed listener cannot be started again.
   */
  void close() {
    synchronized (stateLock) {
      if (state == State.CLOSED) {
        return;
      }
      boolean wasRunning = state == State.RUNNING;
      state = State.CLOSED;
      if (!wasRunning) {
        return;
      }
      closing = true;
    }
    closeQuietly(udpSocket);
    closeQuietly(tcpSocket);
    for (Socket s : connections) {
      closeQuietly(s);
    }
    scheduler.shutdownNow();
    connectionPool.shutdownNow();
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    boolean interrupted = false;
    for (Thread t : threads) {
      if (t == Thread.currentThread()) {
        continue;
      }
      long remaining = deadline - System.nanoTime();
      try {
        if (remaining > 0) {
          t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
      if (t.isAlive()) {
        log.warn("Thread {} did not end within {}", t.getName(), CLOSE_TIMEOUT);
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    log.debug("DNS server on {} closed", address);
  }


  private interface Sender {
    void send(byte[] wire) throws IOException;
  }

  /** Sends a reply now, or later from the scheduler, so a delay never blocks a receive loop. */
  private void dispatch(Responder.Reply reply, Sender sender, Object peer) {
    if (reply.isNone()) {
      return;
    }
    Runnable send =
        () -> {
          try {
            sender.send(reply.wire());
          } catch (IOException e) {
            if (!closing) {
              log.debug("Could not send answer to {}: {}", peer, e.toString());
            }
          }
        };
    if (reply.delay().isZero()) {
      send.run();
      return;
    }
    try {
      scheduler.schedule(send, reply.delay().toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // Closing: delayed answers are discarded.
    }
  }

  private void serveUdp() {
    byte[] buffer = new byte[65_535];
    while (!closing) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        udpSocket.receive(packet);
      } catch (IOException e) {
        if (!closing) {
          log.warn("UDP receive failed on {}", address, e);
        }
        continue;
      }
      byte[] in = Arrays.copyOfRange(buffer, packet.getOffset(), packet.getLength());
      SocketAddress client = packet.getSocketAddress();
      try {
        Responder.Reply reply = responder.respond(in, Transport.UDP);
        dispatch(
            reply, wire -> udpSocket.send(new DatagramPacket(wire, wire.length, client)), client);
      } catch (RuntimeException e) {
        log.warn("Failed to answer UDP query from {}", client, e);
      }
    }
  }

  private void acceptTcp() {
    while (!closing) {
      Socket socket;
      try {
        socket = tcpSocket.accept();
      } catch (IOException e) {
        if (!closing) {
          log.warn("TCP accept failed on {}", address, e);
        }
        continue;
      }
      connections.add(socket);
      if (closing) { // close() may have run between accept() and add()
        closeConnection(socket);
        return;
      }
      try {
        connectionPool.execute(() -> serveTcp(socket));
      } catch (RejectedExecutionException e) {
        log.warn(
            "Closing TCP connection from {}: {} connections already open",
            socket.getRemoteSocketAddress(),
            TestDnsServer.MAX_TCP_CONNECTIONS);
        closeConnection(socket);
      }
    }
  }

  /** Serves length-prefixed messages on one connection until the peer closes it or idles. */
  private void serveTcp(Socket socket) {
    SocketAddress peer = socket.getRemoteSocketAddress();
    Object writeLock = new Object();
    try {
      socket.setSoTimeout(TCP_IDLE_TIMEOUT_MILLIS);
      socket.setTcpNoDelay(true);
      DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
      OutputStream out = socket.getOutputStream();
      Sender sender =
          wire -> {
            byte[] framed = new byte[wire.length + 2];
            framed[0] = (byte) (wire.length >>> 8);
            framed[1] = (byte) wire.length;
            System.arraycopy(wire, 0, framed, 2, wire.length);
            synchronized (writeLock) { // answers may come from this thread and the scheduler
              out.write(framed);
              out.flush();
            }
          };
      while (!closing) {
        int length;
        try {
          length = in.readUnsignedShort();
        } catch (EOFException | SocketTimeoutException e) {
          break;
        }
        byte[] message = new byte[length];
        in.readFully(message);
        try {
          dispatch(responder.respond(message, Transport.TCP), sender, peer);
        } catch (RuntimeException e) {
          log.warn("Failed to answer TCP query from {}", peer, e);
        }
      }
    } catch (IOException e) {
      if (!closing) {
        log.debug("TCP connection from {} ended: {}", peer, e.toString());
      }
    } finally {
      closeConnection(socket);
    }
  }

  private void closeConnection(Socket socket) {
    closeQuietly(socket);
    connections.remove(socket);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      log.debug("Error while closing {}: {}", c, e.toString());
    }
  }

  private ThreadFactory threadFactory(String name) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      int n = counter.getAndIncrement();
      Thread t = new Thread(runnable, n == 0 ? name : name + "-" + n);
      t.setDaemon(true);
      threads.removeIf(old -> old.getState() == Thread.State.TERMINATED);
      threads.add(t);
      return t;
    };
  }
}
