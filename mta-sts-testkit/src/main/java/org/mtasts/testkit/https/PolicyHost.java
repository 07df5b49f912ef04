package org.mtasts.testkit.https;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.mtasts.testkit.tls.IssuedCertificate;

/**
 * One policy host served by a {@link PolicyServer}, such as {@code mta-sts.example.com}: its
 * certificate, its TLS behaviour and its answer to {@code GET /.well-known/mta-sts.txt}.
 *
 * <p>Made by {@link PolicyServer#host(String)}. Every setting can be changed while the server runs
 * and applies to connections that start afterwards (a connection in progress keeps the response it
 * already took). Thread-safe. Setters return {@code this}.
 *
 * <p>Until told otherwise a host answers {@code 404 Not Found}, offers the JDK's default TLS
 * versions (TLS 1.3 and 1.2) and presents the certificate given or issued when it was made.
 */
public final class PolicyHost {
  private static final PolicyResponse NOT_FOUND = PolicyResponse.status(404);

  private final PolicyServer server;
  private final String name;
  private final Set<String> allowedProtocols;
  private volatile IssuedCertificate certificate;
  private volatile List<String> tlsProtocols; // null: JDK default
  private volatile TlsFault tlsFault = TlsFault.NONE;
  private volatile Duration handshakeDelay = Duration.ZERO;
  private PolicyResponse standing = NOT_FOUND; // guarded by this
  private final ArrayDeque<PolicyResponse> queue = new ArrayDeque<>(); // guarded by this

  PolicyHost(PolicyServer server, String name, IssuedCertificate certificate, Set<String> allowed) {
    this.server = server;
    this.name = name;
    this.certificate = certificate;
    this.allowedProtocols = allowed;
  }

  /** The host name, lower case without a trailing dot; {@code ""} for the fallback host. */
  public String name() {
    return name;
  }

  /** The certificate presented when a ClientHello names this host. */
  public IssuedCertificate certificate() {
    return certificate;
  }

  /**
   * Presents {@code certificate} from now on, for example an expired one or one for another name.
   * Every connection makes a full handshake (the server resumes no TLS sessions), so the next
   * connection sees it.
   */
  public PolicyHost certificate(IssuedCertificate certificate) {
    this.certificate = Objects.requireNonNull(certificate, "certificate");
    return this;
  }

  /**
   * Answers every request for the policy file with {@code response} (after any {@link #enqueue
   * queued} responses are used up).
   */
  public PolicyHost respond(PolicyResponse response) {
    Objects.requireNonNull(response, "response");
    synchronized (this) {
      standing = response;
    }
    return this;
  }

  /**
   * Answers with {@code 200}, {@code Content-Type: text/plain} and {@code policyText}; short for
   * {@code respond(PolicyResponse.policy(policyText))}.
   */
  public PolicyHost servePolicy(String policyText) {
    return respond(PolicyResponse.policy(policyText));
  }

  /**
   * Queues {@code response} to answer one request, before the standing response; queued responses
   * are used in order, each once. A response that {@linkplain
   * PolicyResponse.Builder#disconnectAfterHandshake disconnects after the handshake} is used by the
   * next connection's handshake.
   */
  public PolicyHost enqueue(PolicyResponse response) {
    Objects.requireNonNull(response, "response");
    synchronized (this) {
      queue.add(response);
    }
    return this;
  }

  /**
   * Restores the defaults: answers {@code 404}, drops queued responses, offers the default TLS
   * versions, no fault, no handshake delay. The certificate stays.
   */
  public PolicyHost reset() {
    synchronized (this) {
      queue.clear();
      standing = NOT_FOUND;
    }
    tlsProtocols = null;
    tlsFault = TlsFault.NONE;
    handshakeDelay = Duration.ZERO;
    return this;
  }

  /**
   * Offers only these TLS versions to clients that name this host, for example {@code "TLSv1.2"} or
   * {@code "TLSv1.3"}. The server reads the SNI before JSSE starts, so this works per host on the
   * shared port.
   *
   * <p>Only versions the JDK enables can be offered: on JDK 17 that is TLS 1.3 and 1.2, because
   * {@code jdk.tls.disabledAlgorithms} disables TLS 1.0 and 1.1 and the testkit never changes
   * security properties. For a server stuck on TLS 1.0 or 1.1 use {@link TlsFault#LEGACY_TLS_1_0}
   * or {@link TlsFault#LEGACY_TLS_1_1}.
   *
   * @throws IllegalArgumentException if a version is not enabled in this JVM
   */
  public PolicyHost tlsProtocols(String... protocols) {
    List<String> list = List.of(protocols);
    if (list.isEmpty()) {
      throw new IllegalArgumentException("no TLS versions given");
    }
    for (String protocol : list) {
      if (!allowedProtocols.contains(protocol)) {
        throw new IllegalArgumentException(
            "TLS version "
                + protocol
                + " is not enabled in this JVM (enabled: "
                + allowedProtocols
                + "); for TLS 1.0/1.1 use TlsFault.LEGACY_TLS_1_0 or LEGACY_TLS_1_1");
      }
    }
    this.tlsProtocols = list;
    return this;
  }

  /** Misbehaves during the TLS handshake; {@link TlsFault#NONE} restores a normal handshake. */
  public PolicyHost tlsFault(TlsFault fault) {
    this.tlsFault = Objects.requireNonNull(fault, "fault");
    return this;
  }

  /**
   * Waits this long after reading the ClientHello before answering it: a slow TLS handshake that
   * still completes. {@link PolicyServer#close()} ends the wait at once.
   *
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  public PolicyHost handshakeDelay(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay is negative: " + delay);
    }
    this.handshakeDelay = delay;
    return this;
  }

  /** Requests recorded for this host: {@code server.requestCount(name())}. */
  public int requestCount() {
    return server.requestCount(name);
  }

  /** Connections whose SNI named this host: {@code server.connectionCount(name())}. */
  public int connectionCount() {
    return server.connectionCount(name);
  }

  String[] enabledProtocols() {
    List<String> p = tlsProtocols;
    return p == null ? null : p.toArray(new String[0]);
  }

  TlsFault fault() {
    return tlsFault;
  }

  Duration delayBeforeHandshake() {
    return handshakeDelay;
  }

  /**
   * The response to apply right after the handshake if the next one disconnects there (and takes it
   * if queued), or null.
   */
  synchronized PolicyResponse takeIfDisconnectAfterHandshake() {
    PolicyResponse next = queue.peek();
    if (next != null) {
      return next.disconnectAfterHandshake ? queue.poll() : null;
    }
    return standing.disconnectAfterHandshake ? standing : null;
  }

  /** The response for one request for the policy file. */
  synchronized PolicyResponse takeResponse() {
    PolicyResponse next = queue.poll();
    return next != null ? next : standing;
  }

  @Override
  public String toString() {
    PolicyResponse current;
    int queued;
    synchronized (this) {
      current = standing;
      queued = queue.size();
    }
    return "PolicyHost{"
        + (name.isEmpty() ? "(fallback)" : name)
        + ", "
        + current
        + (queued > 0 ? ", queued=" + queued : "")
        + (tlsProtocols != null ? ", tls=" + tlsProtocols : "")
        + (tlsFault != TlsFault.NONE ? ", fault=" + tlsFault : "")
        + "}";
  }
}
