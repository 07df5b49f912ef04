package org.mtasts.testkit.https;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.mtasts.testkit.tls.IssuedCertificate;
import org.mtasts.testkit.tls.TestCertificateAuthority;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTPS server on {@code 127.0.0.1} that serves MTA-STS policy files for any number of hosts
 * from one port, choosing each connection's certificate and behaviour by the SNI host name.
 *
 * <pre>{@code
 * TestCertificateAuthority ca = TestCertificateAuthority.create("Test Root");
 * try (PolicyServer server = PolicyServer.create(ca).start()) {
 *   server.host("mta-sts.example.com").servePolicy(PolicyResponse.SAMPLE_POLICY);
 *   server.host("mta-sts.broken.example").respond(PolicyResponse.status(500));
 *   server.host("mta-sts.expired.example")
 *       .certificate(ca.leaf("mta-sts.expired.example").expired().build());
 *   // ... fetch https://mta-sts.example.com/.well-known/mta-sts.txt via 127.0.0.1:server.port()
 *   RecordedRequest request = server.requests("mta-sts.example.com").get(0);
 *   assertEquals(Optional.of("mta-sts.example.com"), request.sni());
 *   assertTrue(request.header("If-None-Match").isEmpty());
 * }
 * }</pre>
 *
 * <p><b>Routing.</b> The server reads the ClientHello itself before handing it to JSSE, so the SNI
 * name picks the {@link PolicyHost} whose TLS versions, faults and certificate apply. A request is
 * routed by the SNI name, or without SNI by the {@code Host} header. Names with no configured host,
 * and connections without SNI, get the {@linkplain #fallbackHost() fallback host}: the default
 * certificate and {@code 404}. Only {@code GET} and {@code HEAD} of exactly {@value #POLICY_PATH}
 * reach a host's response; any other target gets {@code 404}, any other method {@code 405}. Every
 * request is recorded whatever it gets.
 *
 * <p><b>Connections.</b> One request per connection: the server closes after each response (and
 * says {@code Connection: close}). Every handshake is a full one (no session resumption), so a
 * certificate change applies to the next connection. Plain HTTP bytes on the port are recorded as a
 * {@linkplain RecordedConnection#plaintext() plaintext} connection and closed.
 *
 * <p><b>Threads.</b> One accept thread and a pool of at most {@link
 * Builder#maxConcurrentConnections} daemon connection threads; further connections wait in a queue.
 * A trickling or endless response holds its thread until it ends, the client goes away or the
 * server closes. {@link #close()} closes every socket, wakes every wait and returns when all
 * threads have ended, normally within milliseconds.
 *
 * <p><b>Thread safety.</b> All methods may be called from any thread at any time, including while
 * connections are being served.
 */
public final class PolicyServer implements AutoCloseable {
  /** The path of the policy file, RFC 8461 §3.2. */
  public static final String POLICY_PATH = "/.well-known/mta-sts.txt";

  private static final Logger log = LoggerFactory.getLogger(PolicyServer.class);
  private static final AtomicInteger SERVERS = new AtomicInteger();
  private static final int NEW = 0;
  private static final int RUNNING = 1;
  private static final int CLOSED = 2;

  private final TestCertificateAuthority authority;
  private final int maxConcurrentConnections;
  private final Duration readTimeout;
  private final String threadPrefix;
  private final SecureRandom random = new SecureRandom();
  private final Set<String> enabledProtocols;
  private final ConcurrentMap<String, PolicyHost> hosts = new ConcurrentHashMap<>();
  private final PolicyHost fallbackHost;
  private final SniKeyManager keyManager;
  private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final CountDownLatch closedLatch = new CountDownLatch(1);
  private final AtomicInteger state = new AtomicInteger(NEW);

  /** What the server saw; Exchange records into it. */
  final Recordings recordings;

  private volatile ServerSocket serverSocket;
  private volatile Thread acceptThread;
  private volatile ThreadPoolExecutor executor;

  private PolicyServer(Builder b) {
    this.authority = b.authority;
    IssuedCertificate defaultCertificate =
        b.defaultCertificate != null
            ? b.defaultCertificate
            : b.authority.issue("unknown-host.testkit.invalid");
    this.maxConcurrentConnections = b.maxConcurrentConnections;
    this.readTimeout = b.readTimeout;
    this.recordings = new Recordings(b.clock);
    this.threadPrefix = "mta-sts-testkit-https-" + SERVERS.incrementAndGet();
    this.enabledProtocols = jdkEnabledProtocols();
    this.fallbackHost = new PolicyHost(this, "", defaultCertificate, enabledProtocols);
    this.keyManager = new SniKeyManager(name -> hostFor(name).certificate());
  }

  /**
   * A server (not yet started) that issues each host's certificate from {@code authority} and
   * presents a certificate for {@code unknown-host.testkit.invalid} to unknown names.
   */
  public static PolicyServer create(TestCertificateAuthority authority) {
    return builder().certificateAuthority(authority).build();
  }

  /** A builder for a server with non-default settings. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Binds a free port on {@code 127.0.0.1} and starts accepting connections. Hosts may be
   * configured before or after.
   *
   * @return this server
   * @throws IOException if no port can be bound
   * @throws IllegalStateException if the server was started or closed before
   */
  public PolicyServer start() throws IOException {
    if (!state.compareAndSet(NEW, RUNNING)) {
      throw new IllegalStateException(
          state.get() == CLOSED ? "server is closed" : "server is already started");
    }
    ServerSocket socket = new ServerSocket();
    try {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
    } catch (IOException e) {
      socket.close();
      state.set(CLOSED);
      closedLatch.countDown();
      throw e;
    }
    serverSocket = socket;
    AtomicInteger threadNumber = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            maxConcurrentConnections,
            maxConcurrentConnections,
            2,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            task -> {
              Thread t = new Thread(task, threadPrefix + "-conn-" + threadNumber.incrementAndGet());
              t.setDaemon(true);
              threads.removeIf(old -> !old.isAlive()); // idle workers time out and die
              threads.add(t);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    executor = pool;
    Thread accept = new Thread(this::acceptLoop, threadPrefix + "-accept");
    accept.setDaemon(true);
    acceptThread = accept;
    accept.start();
    log.debug("policy server listening on {}", socket.getLocalSocketAddress());
    return this;
  }

  /**
   * The port the server listens on.
   *
   * @throws IllegalStateException if the server has not been started
   */
  public int port() {
    return address().getPort();
  }

  /**
   * The address the server listens on: {@code 127.0.0.1} and {@link #port()}.
   *
   * @throws IllegalStateException if the server has not been started
   */
  public InetSocketAddress address() {
    ServerSocket socket = serverSocket;
    if (socket == null) {
      throw new IllegalStateException("server is not started");
    }
    return new InetSocketAddress(socket.getInetAddress(), socket.getLocalPort());
  }

  /**
   * {@code https://<host>:<port>/.well-known/mta-sts.txt}: the policy URL of {@code host} on this
   * server's port (the host name still has to resolve to {@code 127.0.0.1}).
   *
   * @throws IllegalStateException if the server has not been started
   */
  public URI policyUri(String host) {
    return URI.create("https://" + HostNames.normalize(host) + ":" + port() + POLICY_PATH);
  }

  /**
   * The host named {@code name}, made on first use with a certificate issued for it by the
   * certificate authority (or, without one, the default certificate) and answering {@code 404}.
   *
   * @param name a host name such as {@code mta-sts.example.com}; case and a trailing dot are
   *     ignored
   * @throws IllegalArgumentException if the name is empty or not ASCII
   */
  public PolicyHost host(String name) {
    String normalized = HostNames.normalize(name);
    return hosts.computeIfAbsent(
        normalized,
        n ->
            new PolicyHost(
                this,
                n,
                authority != null ? authority.issue(n) : defaultCertificate(),
                enabledProtocols));
  }

  /**
   * The host that serves names with no configured host and connections without SNI. It presents the
   * default certificate and answers {@code 404} until told otherwise.
   */
  public PolicyHost fallbackHost() {
    return fallbackHost;
  }

  /**
   * The certificate presented for unknown names and to clients that send no SNI: the {@linkplain
   * #fallbackHost() fallback host}'s certificate.
   */
  public IssuedCertificate defaultCertificate() {
    return fallbackHost.certificate();
  }

  /** Every request recorded since start or the last {@link #resetRecordings()}, in order. */
  public List<RecordedRequest> requests() {
    return recordings.requests();
  }

  /** The recorded requests routed to {@code host}, in order. */
  public List<RecordedRequest> requests(String host) {
    String name = HostNames.lenient(host);
    return filter(requests(), r -> r.host().equals(name));
  }

  /** How many requests were recorded. */
  public int requestCount() {
    return recordings.requestCount();
  }

  /** How many requests were routed to {@code host} (any path, any method). */
  public int requestCount(String host) {
    return requests(host).size();
  }

  /** Every connection recorded since start or the last {@link #resetRecordings()}, in order. */
  public List<RecordedConnection> connections() {
    return recordings.connections();
  }

  /** The recorded connections whose ClientHello named {@code host}, in order. */
  public List<RecordedConnection> connections(String host) {
    Optional<String> name = Optional.of(HostNames.lenient(host));
    return filter(connections(), c -> c.sni().equals(name));
  }

  /**
   * How many connections named {@code host} in their SNI, whether or not the handshake completed.
   */
  public int connectionCount(String host) {
    return connections(host).size();
  }

  /**
   * Waits until at least {@code count} requests have been routed to {@code host}.
   *
   * @return whether the count was reached before the timeout
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitRequestCount(String host, int count, Duration timeout)
      throws InterruptedException {
    return recordings.awaitRequests(HostNames.lenient(host), count, timeout);
  }

  /**
   * Waits until at least {@code count} connections naming {@code host} have been recorded.
   *
   * @return whether the count was reached before the timeout
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitConnectionCount(String host, int count, Duration timeout)
      throws InterruptedException {
    return recordings.awaitConnections(HostNames.lenient(host), count, timeout);
  }

  /** Forgets every recorded connection and request. Hosts and their settings stay. */
  public void resetRecordings() {
    recordings.reset();
  }

  /**
   * Stops the server: closes the listening socket and every connection, ends every wait and returns
   * when the accept and connection threads have finished. Idempotent; a server that was never
   * started just becomes closed. Recordings stay readable.
   */
  @Override
  public void close() {
    int previous = state.getAndSet(CLOSED);
    if (previous == CLOSED) {
      return;
    }
    closedLatch.countDown();
    if (previous == NEW) {
      return;
    }
    closeQuietly(serverSocket);
    for (Socket socket : openSockets) {
      closeQuietly(socket);
    }
    ThreadPoolExecutor pool = executor;
    pool.shutdownNow();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      acceptThread.join(TimeUnit.SECONDS.toMillis(5));
      // Join the workers themselves: the pool reports termination a moment before they die.
      for (Thread thread : threads) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left > 0) {
          thread.join(left);
        }
        if (thread.isAlive()) {
          log.warn("policy server thread {} still running 5 s after close()", thread.getName());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.debug("policy server on port {} closed", serverSocket.getLocalPort());
  }

  @Override
  public String toString() {
    ServerSocket socket = serverSocket;
    return "PolicyServer{"
        + (socket == null ? "not started" : "127.0.0.1:" + socket.getLocalPort())
        + (state.get() == CLOSED ? ", closed" : "")
        + ", hosts="
        + hosts.keySet()
        + "}";
  }

  // ---- package-private, for Exchange ----

  PolicyHost hostFor(String name) {
    if (name == null || name.isEmpty()) {
      return fallbackHost;
    }
    PolicyHost host = hosts.get(name);
    return host != null ? host : fallbackHost;
  }

  Duration readTimeout() {
    return readTimeout;
  }

  boolean isClosed() {
    return state.get() == CLOSED;
  }

  /** Waits {@code delay}; false if the server closed (or the thread was interrupted) first. */
  boolean pause(Duration delay) {
    if (delay.isZero()) {
      return !isClosed();
    }
    try {
      return !closedLatch.await(delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A fresh TLS context per connection, so that no session can be resumed. */
  SSLContext newSslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      // An empty trust manager array: no client authentication, and no default trust store load.
      context.init(new KeyManager[] {keyManager}, new TrustManager[0], random);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a TLS context", e);
    }
  }

  // ---- internals ----

  private void acceptLoop() {
    ServerSocket listener = serverSocket;
    while (!isClosed()) {
      Socket socket;
      try {
        socket = listener.accept();
      } catch (IOException e) {
        if (!isClosed()) {
          log.warn("policy server stops accepting connections", e);
        }
        return;
      }
      openSockets.add(socket);
      if (isClosed()) {
        forget(socket);
        return;
      }
      try {
        executor.execute(new Exchange(this, socket));
      } catch (RejectedExecutionException e) {
        forget(socket); // closing
      }
    }
  }

  /** Closes the socket and stops tracking it. */
  void forget(Socket socket) {
    openSockets.remove(socket);
    closeQuietly(socket);
  }

  private static <T> List<T> filter(List<T> list, Predicate<T> predicate) {
    return list.stream().filter(predicate).toList();
  }

  private static void closeQuietly(java.io.Closeable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (SocketException ignored) {
      // already closed
    } catch (IOException e) {
      log.debug("close failed", e);
    }
  }

  private static Set<String> jdkEnabledProtocols() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[0], new TrustManager[0], null);
      return Set.copyOf(
          new LinkedHashSet<>(List.of(context.getDefaultSSLParameters().getProtocols())));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
  }

  /**
   * Configures a {@link PolicyServer}. Validates each value at once. Not thread-safe; use one
   * builder per thread.
   */
  public static final class Builder {
    private TestCertificateAuthority authority;
    private IssuedCertificate defaultCertificate;
    private int maxConcurrentConnections = 128;
    private Duration readTimeout = Duration.ofSeconds(10);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Issues a certificate from {@code authority} for each host made with {@link
     * PolicyServer#host(String)} (and for the default certificate unless one is given).
     */
    public Builder certificateAuthority(TestCertificateAuthority authority) {
      this.authority = Objects.requireNonNull(authority, "authority");
      return this;
    }

    /** The certificate presented for unknown names and to clients that send no SNI. */
    public Builder defaultCertificate(IssuedCertificate certificate) {
      this.defaultCertificate = Objects.requireNonNull(certificate, "certificate");
      return this;
    }

    /**
     * At most this many connections are served at once (default 128); more wait in a queue.
     *
     * @throws IllegalArgumentException if {@code max < 1}
     */
    public Builder maxConcurrentConnections(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxConcurrentConnections must be positive: " + max);
      }
      this.maxConcurrentConnections = max;
      return this;
    }

    /**
     * How long one read may wait for a silent client while the server reads the ClientHello,
     * completes the handshake and reads the request head (default 10 s); then the connection is
     * closed. Responses are not bounded by it: a trickle runs as long as configured.
     *
     * @throws IllegalArgumentException if the timeout is not positive
     */
    public Builder readTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("readTimeout must be 1 ms to 24 days: " + timeout);
      }
      this.readTimeout = timeout;
      return this;
    }

    /** The clock for the times of recorded connections and requests (default UTC system). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Makes the server; call {@link PolicyServer#start()} to listen.
     *
     * @throws IllegalStateException if neither a certificate authority nor a default certificate
     *     was given
     */
    public PolicyServer build() {
      if (authority == null && defaultCertificate == null) {
        throw new IllegalStateException("give a certificateAuthority or a defaultCertificate");
      }
      return new PolicyServer(this);
    }
  }
}
