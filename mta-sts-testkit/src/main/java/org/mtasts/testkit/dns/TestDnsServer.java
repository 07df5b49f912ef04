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
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DNS server on the loopback interface that answers from records set in Java: an offline stand-in
 * for the resolver a mail sender uses, for tests and demos.
 *
 * <p>It speaks the real DNS wire protocol over UDP and TCP on one random free port of {@code
 * 127.0.0.1}; point any stub resolver at {@link #address()}. Nothing on the machine changes: no
 * fixed or privileged port, no change to the system resolver. It answers every name as a recursive
 * resolver would: CNAME chains inside its data are followed and returned in the answer, NXDOMAIN
 * and NODATA (with an SOA in the authority section) are told apart, and the AA and RA flags are
 * set. Faults can be injected per name or per name and type to see how a client copes with
 * SERVFAIL, REFUSED, NXDOMAIN, lost packets, truncation and slow answers.
 *
 * <pre>{@code
 * try (TestDnsServer dns = new TestDnsServer().start()) {
 *   dns.txt("_mta-sts.example.com", "v=STSv1; id=20240101")
 *      .mx("example.com", 10, "mx1.example.com")
 *      .a("mx1.example.com", "127.0.0.1");
 *   Resolver resolver = new SimpleResolver(dns.address());
 *   // ... exercise the code under test, then:
 *   assertEquals(1, dns.queryCount("_mta-sts.example.com", "TXT"));
 * }
 * }</pre>
 *
 * <p><b>Names</b> are ASCII (pass IDNs as A-labels), case-insensitive, and may be given with or
 * without the trailing dot; they are always taken as absolute. Record data and faults may be set
 * before {@link #start()} and changed at any time while the server runs; a query sees the state at
 * the moment it arrives.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread. Changes are atomic per call
 * and visible to every query that arrives after the call returns.
 *
 * <p><b>Resources:</b> a running server uses one UDP socket and one listening TCP socket, one
 * thread for each of them, one scheduler thread for delayed answers, and one thread per open TCP
 * connection, at most {@value #MAX_TCP_CONNECTIONS} connections at a time (more are closed at
 * once). All threads are daemon threads named {@code TestDnsServer-<port>-...}. {@link #close()}
 * releases all of them.
 */
public final class TestDnsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TestDnsServer.class);

  /** The most TCP connections served at the same time; further connections are closed. */
  public static final int MAX_TCP_CONNECTIONS = 16;

  /** An open TCP connection with no query for this long is closed, like real servers do. */
  private static final int TCP_IDLE_TIMEOUT_MILLIS = 30_000;

  private static final int BIND_ATTEMPTS = 32;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  /**
   * A misbehaviour to inject for a name, see {@link #fault(String, Fault)}. A fault on any name of
   * a CNAME chain applies to the whole answer, as if that name's authoritative server failed.
   */
  public enum Fault {
    /** Answer with rcode SERVFAIL (2) and no records: a temporary failure. */
    SERVFAIL,
    /** Answer with rcode REFUSED (5) and no records. */
    REFUSED,
    /**
     * Answer with rcode NXDOMAIN (3) and an SOA in the authority section, whatever records the name
     * has.
     */
    NXDOMAIN,
    /** Send nothing at all, over UDP and TCP: the client times out. */
    DROP,
    /**
     * Over UDP, answer with only the question and the TC (truncated) flag, so the client must ask
     * again over TCP; over TCP, send the full answer.
     */
    TRUNCATE
  }

  /** The transport a query arrived on. */
  public enum Transport {
    /** DNS over UDP (RFC 1035 §4.2.1). */
    UDP,
    /** DNS over TCP, length-prefixed messages (RFC 1035 §4.2.2, RFC 7766). */
    TCP
  }

  private enum State {
    NEW,
    RUNNING,
    CLOSED
  }

  private final Zone zone = new Zone();
  private final QueryLog queryLog = new QueryLog();
  private final Responder responder = new Responder(zone, queryLog);

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

  /**
   * Creates a server that is not listening yet. Records and faults may be set before {@link
   * #start()}.
   */
  public TestDnsServer() {}

  // =================================================================== lifecycle

  /**
   * Binds UDP and TCP to the same free port on {@code 127.0.0.1} and starts answering. Returns once
   * both sockets are bound, so queries sent afterwards are answered.
   *
   * @return this server
   * @throws IOException if no port free for both UDP and TCP was found
   * @throws IllegalStateException if the server was already started or closed
   */
  public TestDnsServer start() throws IOException {
    synchronized (stateLock) {
      if (state != State.NEW) {
        throw new IllegalStateException(
            "server already " + state.name().toLowerCase(java.util.Locale.ROOT));
      }
      bind();
      int port = address.getPort();
      String prefix = "TestDnsServer-" + port + "-";
      scheduler = new ScheduledThreadPoolExecutor(1, threadFactory(prefix + "delay"));
      scheduler.setRemoveOnCancelPolicy(true);
      connectionPool =
          new ThreadPoolExecutor(
              0,
              MAX_TCP_CONNECTIONS,
              10,
              TimeUnit.SECONDS,
              new SynchronousQueue<>(),
              threadFactory(prefix + "tcp"));
      threadFactory(prefix + "udp").newThread(this::serveUdp).start();
      threadFactory(prefix + "accept").newThread(this::acceptTcp).start();
      state = State.RUNNING;
      log.debug("DNS server listening on {} (UDP and TCP)", address);
      return this;
    }
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
   * The address to send queries to, {@code 127.0.0.1} and the server's port, for UDP and TCP alike.
   * After {@link #close()} it still returns the address the server had.
   *
   * @return the loopback socket address of this server
   * @throws IllegalStateException if {@link #start()} has not succeeded yet
   */
  public InetSocketAddress address() {
    InetSocketAddress a = address;
    if (a == null) {
      throw new IllegalStateException("server not started");
    }
    return a;
  }

  /**
   * Stops the server: closes its sockets and open connections, discards delayed answers not yet
   * sent, and waits (up to a few seconds) until every thread it started has ended. When it returns,
   * the port is free for anyone to bind. Idempotent; a closed server cannot be started again.
   */
  @Override
  public void close() {
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

  // =================================================================== records

  /**
   * Adds an A record. Adding a record that is already there changes nothing.
   *
   * @param name owner name, e.g. {@code "mx1.example.com"}
   * @param ipv4 an IPv4 address literal, e.g. {@code "127.0.0.1"}; never looked up
   * @return this server
   * @throws IllegalArgumentException if the name or address is malformed
   * @throws IllegalStateException if the name has a CNAME
   */
  public TestDnsServer a(String name, String ipv4) {
    zone.addA(name, ipv4);
    return this;
  }

  /**
   * Adds an AAAA record. Adding a record that is already there changes nothing.
   *
   * @param name owner name
   * @param ipv6 an IPv6 address literal, e.g. {@code "::1"}
   * @return this server
   * @throws IllegalArgumentException if the name or address is malformed
   * @throws IllegalStateException if the name has a CNAME
   */
  public TestDnsServer aaaa(String name, String ipv6) {
    zone.addAaaa(name, ipv6);
    return this;
  }

  /**
   * Adds an MX record. A null MX (RFC 7505), which says a domain accepts no mail, is {@code
   * mx("example.com", 0, ".")}.
   *
   * @param name owner name, the mail domain
   * @param preference 0 to 65535, lower is preferred
   * @param exchange the mail exchanger's host name, or {@code "."}
   * @return this server
   * @throws IllegalArgumentException if a name is malformed or the preference out of range
   * @throws IllegalStateException if the name has a CNAME
   */
  public TestDnsServer mx(String name, int preference, String exchange) {
    zone.addMx(name, preference, exchange);
    return this;
  }

  /**
   * Adds a TXT record holding one character-string. Call it again to add further TXT records to the
   * same name; use {@link #txt(String, List)} for one record made of several strings.
   *
   * @param name owner name, e.g. {@code "_mta-sts.example.com"}
   * @param text the record's text, sent as UTF-8 bytes exactly as given (no escapes); at most 255
   *     bytes
   * @return this server
   * @throws IllegalArgumentException if the name is malformed or the text longer than 255 bytes
   * @throws IllegalStateException if the name has a CNAME
   */
  public TestDnsServer txt(String name, String text) {
    zone.addTxt(name, List.of(Objects.requireNonNull(text, "text")));
    return this;
  }

  /**
   * Adds one TXT record made of several character-strings, which arrive at the client as separate
   * strings of the same record, e.g. {@code txt(name, List.of("v=STSv1; id=", "abc123"))}.
   *
   * @param name owner name
   * @param characterStrings one or more strings, each sent as UTF-8 and at most 255 bytes; empty
   *     strings are allowed
   * @return this server
   * @throws IllegalArgumentException if the name is malformed, the list empty or a string longer
   *     than 255 bytes
   * @throws IllegalStateException if the name has a CNAME
   */
  public TestDnsServer txt(String name, List<String> characterStrings) {
    zone.addTxt(name, characterStrings);
    return this;
  }

  /**
   * Makes {@code name} an alias of {@code target}, replacing an earlier CNAME of that name. The
   * target need not exist. Chains and loops are allowed: queries for the alias get the chain of
   * CNAMEs followed inside this server's data (at most 16 links, each name once) and then the
   * target's records.
   *
   * @param name the alias
   * @param target the canonical name
   * @return this server
   * @throws IllegalArgumentException if a name is malformed
   * @throws IllegalStateException if the name already has records of another type
   */
  public TestDnsServer cname(String name, String target) {
    zone.setCname(name, target);
    return this;
  }

  /**
   * Sets the TTL of records added from now on to names and types that have none yet, and of the SOA
   * sent with negative answers (which bounds negative caching). Initially 300 seconds. Records of
   * an existing RRset share its TTL, see {@link #ttl(String, String, Duration)}.
   *
   * @param ttl 0 up to 2<sup>31</sup>-1 seconds; fractions of a second are dropped
   * @return this server
   * @throws IllegalArgumentException if out of range
   */
  public TestDnsServer defaultTtl(Duration ttl) {
    zone.setDefaultTtl(ttl);
    return this;
  }

  /**
   * Sets the TTL of the records of one name and type (an RRset shares one TTL, RFC 2181 §5.2).
   *
   * @param name owner name
   * @param type record type, e.g. {@code "TXT"}
   * @param ttl 0 up to 2<sup>31</sup>-1 seconds; fractions of a second are dropped
   * @return this server
   * @throws IllegalArgumentException if the name, type or TTL is invalid
   * @throws IllegalStateException if there are no such records
   */
  public TestDnsServer ttl(String name, String type, Duration ttl) {
    zone.setTtl(name, type, ttl);
    return this;
  }

  /**
   * Removes every record of a name. Names below it are untouched (so the name may still exist as an
   * empty non-terminal). Faults set for the name stay.
   *
   * @param name owner name
   * @return this server
   * @throws IllegalArgumentException if the name is malformed
   */
  public TestDnsServer remove(String name) {
    zone.remove(name);
    return this;
  }

  /**
   * Removes the records of one type from a name.
   *
   * @param name owner name
   * @param type record type, e.g. {@code "TXT"}
   * @return this server
   * @throws IllegalArgumentException if the name or type is invalid
   */
  public TestDnsServer remove(String name, String type) {
    zone.remove(name, type);
    return this;
  }

  // =================================================================== faults

  /**
   * Makes queries of any type for {@code name} misbehave until {@link #clearFaults(String)}.
   * Replaces an earlier fault for the name. A fault for the name and a specific type ({@link
   * #fault(String, String, Fault)}) takes precedence.
   *
   * @param name the queried name (or any name in its CNAME chain)
   * @param fault what to do
   * @return this server
   * @throws IllegalArgumentException if the name is malformed
   */
  public TestDnsServer fault(String name, Fault fault) {
    zone.setFault(name, null, fault);
    return this;
  }

  /**
   * Makes queries of one type for {@code name} misbehave until {@link #clearFaults(String)}.
   *
   * @param name the queried name (or any name in its CNAME chain)
   * @param type record type, e.g. {@code "TXT"}
   * @param fault what to do
   * @return this server
   * @throws IllegalArgumentException if the name or type is invalid
   */
  public TestDnsServer fault(String name, String type, Fault fault) {
    zone.setFault(name, Objects.requireNonNull(type, "type"), fault);
    return this;
  }

  /**
   * Delays answers to queries of any type for {@code name}. The answer is computed when the query
   * arrives and sent after the delay; other queries, including ones on the same TCP connection, are
   * answered meanwhile. Combines with a fault (a slow SERVFAIL); {@link Fault#DROP} still sends
   * nothing. When several names of a CNAME chain have delays, the longest applies.
   *
   * @param name the queried name (or any name in its CNAME chain)
   * @param delay how long to wait; zero removes the delay
   * @return this server
   * @throws IllegalArgumentException if the name is malformed or the delay negative
   */
  public TestDnsServer delay(String name, Duration delay) {
    zone.setDelay(name, null, delay);
    return this;
  }

  /**
   * Delays answers to queries of one type for {@code name}, see {@link #delay(String, Duration)}.
   * Takes precedence over a delay for all types of the name.
   *
   * @param name the queried name (or any name in its CNAME chain)
   * @param type record type, e.g. {@code "TXT"}
   * @param delay how long to wait; zero removes the delay
   * @return this server
   * @throws IllegalArgumentException if the name or type is invalid or the delay negative
   */
  public TestDnsServer delay(String name, String type, Duration delay) {
    zone.setDelay(name, Objects.requireNonNull(type, "type"), delay);
    return this;
  }

  /**
   * Removes every fault and delay set for {@code name}, for all types.
   *
   * @param name the name
   * @return this server
   * @throws IllegalArgumentException if the name is malformed
   */
  public TestDnsServer clearFaults(String name) {
    zone.clearFaults(name);
    return this;
  }

  /**
   * Removes every fault and delay of every name.
   *
   * @return this server
   */
  public TestDnsServer clearFaults() {
    zone.clearFaults();
    return this;
  }

  /**
   * Returns the server to its initial state while it keeps running: no records, faults or delays,
   * default TTL 300 seconds, counts and log cleared. Useful when one server is shared by several
   * tests.
   *
   * @return this server
   */
  public TestDnsServer reset() {
    zone.reset();
    queryLog.clear();
    return this;
  }

  // =================================================================== observation

  /**
   * How many queries for this name and type arrived, over UDP and TCP together, since the start or
   * the last {@link #resetCounts()}. Every query with a readable question counts, including
   * dropped, failed and truncated ones. Only the question counts: CNAME targets the server followed
   * internally do not.
   *
   * @param name the queried name, any case, with or without trailing dot
   * @param type record type, e.g. {@code "TXT"}
   * @return the number of queries
   * @throws IllegalArgumentException if the name or type is invalid
   */
  public int queryCount(String name, String type) {
    return queryCount(name, type, Transport.UDP) + queryCount(name, type, Transport.TCP);
  }

  /**
   * How many queries for this name and type arrived over one transport, see {@link
   * #queryCount(String, String)}.
   *
   * @param name the queried name
   * @param type record type, e.g. {@code "TXT"}
   * @param transport UDP or TCP
   * @return the number of queries
   * @throws IllegalArgumentException if the name or type is invalid
   */
  public int queryCount(String name, String type, Transport transport) {
    Objects.requireNonNull(transport, "transport");
    return queryLog.count(Zone.name(name), Zone.type(type), transport);
  }

  /**
   * The queries received since the start or the last {@link #resetCounts()}, oldest first: an
   * immutable snapshot of at most the last 10,000.
   *
   * @return the received queries
   */
  public List<RecordedQuery> queries() {
    return queryLog.recent();
  }

  /**
   * Sets all query counts to zero and empties {@link #queries()}.
   *
   * @return this server
   */
  public TestDnsServer resetCounts() {
    queryLog.clear();
    return this;
  }

  /** Returns a description with the address (if started) and the number of records. */
  @Override
  public String toString() {
    InetSocketAddress a = address;
    return "TestDnsServer["
        + (a == null ? "not started" : a.getAddress().getHostAddress() + ":" + a.getPort())
        + ", "
        + zone.recordCount()
        + " records]";
  }

  // =================================================================== I/O

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
            MAX_TCP_CONNECTIONS);
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
