package org.mtasts.testkit.smtp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ESMTP receiver on loopback that plays one MX host: it listens on {@code 127.0.0.1} (or another
 * loopback address) on a free port, greets with its {@linkplain #hostName() host name}, speaks
 * EHLO/HELO, STARTTLS (RFC 3207), MAIL, RCPT, DATA, RSET, NOOP and QUIT, and behaves as its {@link
 * SmtpBehaviour} says: good or bad certificates, STARTTLS missing, refused or broken, old TLS
 * versions, injected plaintext, scripted refusals. It records every message and every session for
 * assertions.
 *
 * <pre>{@code
 * TestCertificateAuthority ca = TestCertificateAuthority.create("Test Root");
 * try (SmtpReceiver mx = SmtpReceiver.builder("mx1.example.com")
 *     .behaviour(SmtpBehaviour.startTls(ca.issue("mx1.example.com")))
 *     .start()) {
 *   // point the code under test at mx.address(), trusting ca, expecting mx.hostName()
 *   ReceivedMessage message = mx.awaitMessages(1, Duration.ofSeconds(5)).get(0);
 *   assertEquals(Optional.of("mx1.example.com"), message.sniHostName());
 * }
 * }</pre>
 *
 * <p>Each connection runs on its own daemon thread with a read timeout, so a stuck client never
 * holds a thread longer than {@linkplain Builder#readTimeout(Duration) that timeout}; {@link
 * #close()} closes the listening socket and every open connection and waits for all threads.
 *
 * <p>Thread-safe: counters, captures and the behaviour may be read and changed from any thread
 * while sessions run. A session uses the behaviour that was current when it was accepted.
 */
public final class SmtpReceiver implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SmtpReceiver.class);
  private static final Pattern HOST_NAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9.])?");
  private static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final String hostName;
  private final InetAddress bindAddress;
  private final int readTimeoutMillis;
  private volatile SmtpBehaviour behaviour;

  private final Object lock = new Object();
  private ServerSocket serverSocket; // guarded by lock
  private Thread acceptThread; // guarded by lock
  private boolean started; // guarded by lock
  private boolean closed; // guarded by lock
  private final List<ReceivedMessage> messages = new ArrayList<>(); // guarded by lock
  private final List<SessionRecord> sessions = new ArrayList<>(); // guarded by lock

  private final CountDownLatch closedLatch = new CountDownLatch(1);
  private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();
  private final Set<Thread> sessionThreads = ConcurrentHashMap.newKeySet();
  private final AtomicInteger sessionIds = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger startTlsAttempts = new AtomicInteger();
  private final AtomicInteger tlsHandshakes = new AtomicInteger();
  private final AtomicInteger handshakeFailures = new AtomicInteger();

  private SmtpReceiver(Builder builder) {
    this.hostName = builder.hostName;
    this.bindAddress = builder.bindAddress;
    this.readTimeoutMillis =
        (int) Math.max(1, Math.min(Integer.MAX_VALUE, builder.readTimeout.toMillis()));
    this.behaviour = builder.behaviour;
  }

  /**
   * Starts a builder for a receiver that plays {@code hostName}, e.g. {@code "mx1.example.com"}.
   *
   * @throws IllegalArgumentException if {@code hostName} is not a plain DNS name (letters, digits,
   *     hyphens and dots)
   * @throws NullPointerException if {@code hostName} is null
   */
  public static Builder builder(String hostName) {
    return new Builder(hostName);
  }

  /**
   * Binds a free port on its loopback address ({@code 127.0.0.1} unless {@linkplain
   * Builder#bindAddress(InetAddress) set}) and starts accepting connections. Returns at once.
   *
   * @return this receiver
   * @throws IllegalStateException if already started or closed
   * @throws UncheckedIOException if the port cannot be bound
   */
  public SmtpReceiver start() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException(this + " is closed");
      }
      if (started) {
        throw new IllegalStateException(this + " is already started");
      }
      try {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(bindAddress, 0), 50);
        serverSocket = socket;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot listen for " + hostName, e);
      }
      started = true;
      acceptThread = new Thread(this::acceptLoop, threadNamePrefix() + "accept");
      acceptThread.setDaemon(true);
      acceptThread.start();
    }
    log.debug("{} listening on {}", hostName, address());
    return this;
  }

  /**
   * Waits {@code delay} for a paced (hostile) reply; returns false at once when the receiver is
   * closed or the thread is interrupted, so no session outlives {@link #close()}.
   */
  boolean pause(Duration delay) {
    try {
      return !closedLatch.await(delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The MX host name this receiver plays, as used in its greeting and EHLO reply. */
  public String hostName() {
    return hostName;
  }

  /**
   * The loopback address and port the receiver listens on.
   *
   * @throws IllegalStateException if not started
   */
  public InetSocketAddress address() {
    synchronized (lock) {
      if (serverSocket == null) {
        throw new IllegalStateException(hostName + " receiver is not started");
      }
      return new InetSocketAddress(serverSocket.getInetAddress(), serverSocket.getLocalPort());
    }
  }

  /**
   * The port the receiver listens on.
   *
   * @throws IllegalStateException if not started
   */
  public int port() {
    return address().getPort();
  }

  /** The behaviour new connections get. */
  public SmtpBehaviour behaviour() {
    return behaviour;
  }

  /**
   * Changes the behaviour for connections accepted from now on; sessions already running keep
   * theirs.
   *
   * @throws NullPointerException if {@code behaviour} is null
   */
  public void setBehaviour(SmtpBehaviour behaviour) {
    this.behaviour = Objects.requireNonNull(behaviour, "behaviour");
  }

  /** How many TCP connections the receiver has accepted; 0 proves nobody connected. */
  public int connectionCount() {
    return connections.get();
  }

  /** How many {@code STARTTLS} commands the receiver has received, whatever it answered. */
  public int startTlsAttempts() {
    return startTlsAttempts.get();
  }

  /** How many TLS handshakes completed. */
  public int tlsHandshakes() {
    return tlsHandshakes.get();
  }

  /**
   * How many times the receiver answered {@code 220} to STARTTLS but no TLS session came of it (the
   * client refused the certificate or version, or the behaviour broke the handshake).
   */
  public int handshakeFailures() {
    return handshakeFailures.get();
  }

  /** The messages accepted so far, in order of acceptance. */
  public List<ReceivedMessage> messages() {
    synchronized (lock) {
      return List.copyOf(messages);
    }
  }

  /**
   * Waits until at least {@code count} messages have been accepted and returns all accepted so far.
   * A message is captured before the client sees the {@code 250} for it, so a client that returned
   * from sending never has to wait here.
   *
   * @throws AssertionError if fewer than {@code count} arrive within {@code timeout}; the message
   *     lists the sessions seen, so a failing test shows what happened on the wire
   * @throws InterruptedException if interrupted while waiting
   * @throws NullPointerException if {@code timeout} is null
   */
  public List<ReceivedMessage> awaitMessages(int count, Duration timeout)
      throws InterruptedException {
    synchronized (lock) {
      await(() -> messages.size() >= count, timeout, count + " message(s)");
      return List.copyOf(messages);
    }
  }

  /** The sessions that have ended so far, in the order they ended. */
  public List<SessionRecord> sessions() {
    synchronized (lock) {
      return List.copyOf(sessions);
    }
  }

  /**
   * Waits until at least {@code count} sessions have ended and returns all ended so far. Use it to
   * look at a session the client abandoned, e.g. after a failed handshake.
   *
   * @throws AssertionError if fewer than {@code count} end within {@code timeout}
   * @throws InterruptedException if interrupted while waiting
   * @throws NullPointerException if {@code timeout} is null
   */
  public List<SessionRecord> awaitSessions(int count, Duration timeout)
      throws InterruptedException {
    synchronized (lock) {
      await(() -> sessions.size() >= count, timeout, count + " ended session(s)");
      return List.copyOf(sessions);
    }
  }

  /**
   * Forgets captured messages and sessions and sets every counter to 0. Sessions still running are
   * recorded when they end.
   */
  public void clear() {
    synchronized (lock) {
      messages.clear();
      sessions.clear();
      connections.set(0);
      startTlsAttempts.set(0);
      tlsHandshakes.set(0);
      handshakeFailures.set(0);
    }
  }

  /**
   * Stops listening, closes every open connection and waits (up to a few seconds) for all the
   * receiver's threads to end. Captures stay readable. Idempotent.
   */
  @Override
  public void close() {
    ServerSocket socket;
    Thread acceptor;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      socket = serverSocket;
      acceptor = acceptThread;
      lock.notifyAll();
    }
    closedLatch.countDown();
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    try {
      if (socket != null) {
        closeQuietly(socket);
      }
      if (acceptor != null) {
        join(acceptor, deadline); // afterwards no new session threads can appear
      }
      for (Socket open : openSockets) {
        closeQuietly(open);
      }
      for (Thread thread : sessionThreads) {
        join(thread, deadline);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sessionThreads.removeIf(thread -> !thread.isAlive());
    if (!sessionThreads.isEmpty() || (acceptor != null && acceptor.isAlive())) {
      log.warn("{}: threads still running after close: {}", hostName, sessionThreads);
    }
    log.debug("{} closed", hostName);
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "SmtpReceiver{"
          + hostName
          + (serverSocket == null ? "" : " on " + serverSocket.getLocalSocketAddress())
          + (closed ? ", closed" : "")
          + ", "
          + behaviour
          + "}";
    }
  }

  // Callbacks from sessions.

  void startTlsCommandReceived() {
    startTlsAttempts.incrementAndGet();
  }

  void handshakeCompleted() {
    tlsHandshakes.incrementAndGet();
  }

  void handshakeFailed() {
    handshakeFailures.incrementAndGet();
  }

  void messageReceived(ReceivedMessage message) {
    synchronized (lock) {
      messages.add(message);
      lock.notifyAll();
    }
  }

  void sessionEnded(Socket socket, SessionRecord record) {
    openSockets.remove(socket);
    synchronized (lock) {
      sessions.add(record);
      lock.notifyAll();
    }
  }

  private void acceptLoop() {
    ServerSocket listening;
    synchronized (lock) {
      listening = serverSocket;
    }
    while (true) {
      Socket socket;
      try {
        socket = listening.accept();
      } catch (IOException e) {
        if (listening.isClosed()) {
          return;
        }
        log.warn("{}: accept failed", hostName, e);
        continue;
      }
      connections.incrementAndGet();
      int id = sessionIds.incrementAndGet();
      SmtpConnection connection =
          new SmtpConnection(this, socket, behaviour, id, readTimeoutMillis);
      synchronized (lock) {
        if (closed) {
          closeQuietly(socket);
          return;
        }
        sessionThreads.removeIf(thread -> !thread.isAlive());
        openSockets.add(socket);
        Thread thread = new Thread(connection, threadNamePrefix() + "session-" + id);
        thread.setDaemon(true);
        sessionThreads.add(thread);
        thread.start();
      }
    }
  }

  private String threadNamePrefix() {
    return "smtp-receiver[" + hostName + ":" + serverSocket.getLocalPort() + "]-";
  }

  private interface Condition {
    boolean holds();
  }

  /** Waits on {@link #lock}, which the caller holds, until {@code condition} holds. */
  private void await(Condition condition, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Objects.requireNonNull(timeout, "timeout").toNanos();
    while (!condition.holds()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            hostName
                + ": expected "
                + what
                + " within "
                + timeout
                + "; have "
                + messages.size()
                + " message(s), "
                + sessions.size()
                + " ended session(s) of "
                + connections.get()
                + " connection(s): "
                + sessions);
      }
      TimeUnit.NANOSECONDS.timedWait(lock, left);
    }
  }

  private static void join(Thread thread, long deadline) throws InterruptedException {
    long left = deadline - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.timedJoin(thread, left);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // Best effort while shutting down.
    }
  }

  /**
   * Configures an {@link SmtpReceiver}. Not thread-safe; checks arguments at once and names the bad
   * value.
   */
  public static final class Builder {
    private final String hostName;
    private SmtpBehaviour behaviour = SmtpBehaviour.plaintext();
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private InetAddress bindAddress = InetAddress.getLoopbackAddress();

    private Builder(String hostName) {
      Objects.requireNonNull(hostName, "hostName");
      if (!HOST_NAME.matcher(hostName).matches() || hostName.length() > 253) {
        throw new IllegalArgumentException("not a DNS host name: " + hostName);
      }
      this.hostName = hostName;
    }

    /**
     * Sets the behaviour for new connections (default {@link SmtpBehaviour#plaintext()}).
     *
     * @throws NullPointerException if {@code behaviour} is null
     */
    public Builder behaviour(SmtpBehaviour behaviour) {
      this.behaviour = Objects.requireNonNull(behaviour, "behaviour");
      return this;
    }

    /**
     * Sets how long a session waits for the client's next line or TLS record before it answers
     * {@code 421} and closes (default 30 seconds).
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     * @throws NullPointerException if {@code timeout} is null
     */
    public Builder readTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("read timeout must be positive: " + timeout);
      }
      this.readTimeout = timeout;
      return this;
    }

    /**
     * Sets the loopback address to listen on (default {@code 127.0.0.1}); {@code ::1} lets a test
     * give one MX an IPv6 endpoint that behaves differently from its IPv4 one.
     *
     * @throws IllegalArgumentException if {@code address} is not a loopback address
     * @throws NullPointerException if {@code address} is null
     */
    public Builder bindAddress(InetAddress address) {
      Objects.requireNonNull(address, "address");
      if (!address.isLoopbackAddress()) {
        throw new IllegalArgumentException("not a loopback address: " + address);
      }
      this.bindAddress = address;
      return this;
    }

    /** Makes the receiver, not yet listening; call {@link SmtpReceiver#start()}. */
    public SmtpReceiver build() {
      return new SmtpReceiver(this);
    }

    /**
     * Makes the receiver and starts it.
     *
     * @throws UncheckedIOException if the port cannot be bound
     */
    public SmtpReceiver start() {
      return build().start();
    }
  }
}
