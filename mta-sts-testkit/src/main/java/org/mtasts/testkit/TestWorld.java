package org.mtasts.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import org.mtasts.testkit.dns.TestDnsServer;
import org.mtasts.testkit.https.PolicyServer;
import org.mtasts.testkit.smtp.ReceivedMessage;
import org.mtasts.testkit.smtp.SmtpBehaviour;
import org.mtasts.testkit.smtp.SmtpReceiver;
import org.mtasts.testkit.tls.TestCertificateAuthority;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small offline internet for MTA-STS tests and demos: one certificate authority, one loopback DNS
 * server, one HTTPS policy server and one SMTP receiver per MX host, started together and wired to
 * each other from a few lines of description.
 *
 * <pre>{@code
 * try (TestWorld world = TestWorld.start(w -> w
 *     .domain("example.com", d -> d
 *         .policy("enforce", "mx1.example.com", "mx2.example.com")
 *         .mx(10, "mx1.example.com", Mx.goodTls())
 *         .mx(20, "mx2.example.com", Mx.noStartTls())))) {
 *   // give the code under test: world.dnsAddress() as its only resolver, world.hostMap() to
 *   // reach mta-sts.example.com:443 and mx1.example.com:25 on their loopback ports, and
 *   // world.trustManager() as its only trust anchor; then
 *   assertEquals(1, world.messagesFor("mx1.example.com").size());
 * }
 * }</pre>
 *
 * <p><b>What is wired.</b> See {@link DomainSpec} for the records, hosts and certificates each
 * domain gets. Every server listens on a random free port of the loopback interface and every name
 * resolves to that loopback address: nothing needs privileges, and nothing on the machine or in the
 * JVM's global settings changes (no resolver, trust store, security property or system property is
 * touched). Because the ports are random, code under test must be told where a host really listens:
 * {@link #hostMap()} maps each policy host (to the HTTPS server, instead of port 443) and each MX
 * host (to its receiver, instead of port 25).
 *
 * <p><b>Changes at run time.</b> {@link #domain(String)} gives a {@link WorldDomain} whose mutators
 * change the published policy, the TXT record and id, and {@link #setMx(String, Mx)} changes how an
 * MX host behaves; each applies to queries and connections that start after the call returns.
 * {@link #reset()} goes back to the state the world started in; {@link #resetRecordings()} only
 * forgets what was recorded. The parts ({@link #dns()}, {@link #smtp(String)}) stay reachable for
 * anything the world itself does not offer.
 *
 * <p><b>Thread safety.</b> All methods may be called from any thread, also while the code under
 * test is talking to the servers. Mutators of the world and its domains are serialised.
 *
 * <p><b>Resources.</b> The world owns its servers' sockets and threads; {@link #close()} releases
 * all of them and returns when their threads have ended.
 */
public final class TestWorld implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TestWorld.class);

  private final Object lock = new Object();
  private final TestCertificateAuthority ca;
  private final TestDnsServer dns;
  private final PolicyServer policyServer;
  private final Map<String, WorldDomain> domains; // insertion order, immutable after start
  private final Map<String, MxHost> mxHosts; // insertion order, immutable after start
  private final Map<String, InetSocketAddress> hostMap = new ConcurrentHashMap<>();
  private final Map<String, InetSocketAddress> hostMapView = Collections.unmodifiableMap(hostMap);
  private final WorldParts parts;
  private boolean closed; // guarded by lock

  private TestWorld(Builder builder, List<AutoCloseable> started) throws IOException {
    long begin = System.nanoTime();
    this.parts = new WorldParts(builder, started);
    this.ca = parts.ca;
    this.dns = parts.dns;
    this.policyServer = parts.policyServer;
    this.mxHosts = parts.mxHosts;
    for (MxHost host : mxHosts.values()) {
      hostMap.put(host.name, host.address);
    }

    Map<String, WorldDomain> worldDomains = new LinkedHashMap<>();
    for (DomainSpec spec : parts.specs) {
      worldDomains.put(spec.name, new WorldDomain(this, spec));
    }
    this.domains = Collections.unmodifiableMap(worldDomains);

    synchronized (lock) {
      install();
    }
    log.debug(
        "Test world started in {} ms: DNS {}, policy server {}, domains {}, MX hosts {}",
        (System.nanoTime() - begin) / 1_000_000,
        dns.address(),
        policyServer.address(),
        domains.keySet(),
        mxHosts.keySet());
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds and starts a world in one go: {@code TestWorld.start(w -> w.domain(...))}.
   *
   * @param spec configures the builder
   * @return the running world; close it when done
   * @throws UncheckedIOException if a server cannot bind a port
   * @throws IllegalStateException if the description is contradictory, e.g. one MX host with two
   *     behaviours
   * @throws NullPointerException if {@code spec} is null
   */
  public static TestWorld start(Consumer<Builder> spec) {
    Builder builder = builder();
    Objects.requireNonNull(spec, "spec").accept(builder);
    return builder.start();
  }

  /**
   * A raw RFC 8461 §3.2 policy body: {@code version: STSv1}, {@code mode: <mode>}, one {@code mx:
   * <pattern>} line per pattern and {@code max_age: <seconds>}, each line ended by LF. Nothing is
   * checked, so invalid policies can be made too.
   *
   * @throws NullPointerException if an argument is null
   */
  public static String policyText(String mode, long maxAgeSeconds, String... mxPatterns) {
    Objects.requireNonNull(mode, "mode");
    StringBuilder text = new StringBuilder("version: STSv1\n").append("mode: ").append(mode);
    text.append('\n');
    for (String pattern : mxPatterns) {
      text.append("mx: ").append(Objects.requireNonNull(pattern, "mx pattern")).append('\n');
    }
    return text.append("max_age: ").append(maxAgeSeconds).append('\n').toString();
  }

  // =================================================================== where things are

  /** The DNS server's address ({@code 127.0.0.1} and its port, UDP and TCP): the only resolver. */
  public InetSocketAddress dnsAddress() {
    return dns.address();
  }

  /**
   * The DNSSEC trust anchor of the world's DNS, the root's DS in zone-file format: the only trust
   * anchor to give a validating client. See {@link Builder#dnssec()}.
   */
  public String dnssecTrustAnchor() {
    return dns.dnssecTrustAnchor();
  }

  /**
   * Where each host of the world really listens: each policy host {@code mta-sts.<domain>} maps to
   * the HTTPS policy server, each MX host (and each domain with an implicit MX) to its SMTP
   * receiver (or, for {@link Mx#unreachable()}, to a loopback port nobody listens on). Keys are
   * lower case without a trailing dot. Code under test uses it in place of ports 443 and 25.
   *
   * @return an unmodifiable live view: hosts added at run time (a domain that starts to publish
   *     MTA-STS) appear in it
   */
  public Map<String, InetSocketAddress> hostMap() {
    return hostMapView;
  }

  /**
   * The address {@code host} really listens on, from {@link #hostMap()}.
   *
   * @throws IllegalArgumentException if the world has no such host
   */
  public InetSocketAddress address(String host) {
    InetSocketAddress address = hostMap.get(Names.hostName(host));
    if (address == null) {
      throw new IllegalArgumentException(
          "no host " + host + " in this world; hosts: " + hostMap.keySet());
    }
    return address;
  }

  // =================================================================== trust

  /** The world's certificate authority, which signed every good certificate of the world. */
  public TestCertificateAuthority ca() {
    return ca;
  }

  /** A trust manager that trusts the world's authority and nothing else. */
  public X509TrustManager trustManager() {
    return ca.trustManager();
  }

  /** A fresh PKCS#12 key store holding only the world's root certificate. */
  public KeyStore trustStore() {
    return ca.trustStore();
  }

  /** A client TLS context that trusts the world's authority and nothing else. */
  public SSLContext clientContext() {
    return ca.clientContext();
  }

  /**
   * Writes the world's root certificate as PEM to {@code file}, for clients configured with a PEM
   * bundle (such as the CLI).
   *
   * @return {@code file}
   * @throws UncheckedIOException if the file cannot be written
   */
  public Path writeTrustPem(Path file) {
    return ca.writeCertificatePem(file);
  }

  // =================================================================== parts

  /** The DNS server, for faults, delays, TTLs and records the world does not set itself. */
  public TestDnsServer dns() {
    return dns;
  }

  /**
   * The HTTPS policy server that plays every policy host {@code mta-sts.<domain>} on one port, for
   * its recordings and for hosts the world does not set up itself. A domain's own host is also
   * reachable through {@link WorldDomain#policyHost()}.
   */
  public PolicyServer policyServer() {
    return policyServer;
  }

  /**
   * The receiver that plays {@code host}.
   *
   * @throws IllegalArgumentException if {@code host} is not an MX host of the world, or is {@link
   *     Mx#unreachable()}
   */
  public SmtpReceiver smtp(String host) {
    MxHost mxHost = mxHost(host);
    if (mxHost.receiver == null) {
      throw new IllegalArgumentException(host + " is unreachable: no receiver plays it");
    }
    return mxHost.receiver;
  }

  /**
   * The MX host names of the world, including domains with an implicit MX, in declaration order.
   */
  public Set<String> mxHosts() {
    return mxHosts.keySet();
  }

  /**
   * The domain named {@code name}, to look at or change at run time.
   *
   * @throws IllegalArgumentException if the world has no such domain
   */
  public WorldDomain domain(String name) {
    WorldDomain domain = domains.get(Names.hostName(name));
    if (domain == null) {
      throw new IllegalArgumentException(
          "no domain " + name + " in this world; domains: " + domains.keySet());
    }
    return domain;
  }

  /** The world's domains in declaration order. */
  public List<WorldDomain> domains() {
    return List.copyOf(domains.values());
  }

  // =================================================================== what happened

  /**
   * Every message accepted by any receiver so far: grouped by receiver in {@link #mxHosts()} order,
   * each group in order of acceptance. A message is captured before the client sees the {@code 250}
   * for it.
   */
  public List<ReceivedMessage> messages() {
    return MxHost.messages(mxHosts.values());
  }

  /**
   * The messages the receiver of {@code host} accepted so far, in order.
   *
   * @throws IllegalArgumentException if {@code host} is not a reachable MX host of the world
   */
  public List<ReceivedMessage> messagesFor(String host) {
    return smtp(host).messages();
  }

  /**
   * How many HTTPS requests (any path) the policy host {@code mta-sts.<domain>} received since the
   * start or the last reset.
   *
   * @throws IllegalArgumentException if {@code domain} is not a valid name
   */
  public int policyRequests(String domain) {
    return policyServer.requestCount("mta-sts." + Names.hostName(domain));
  }

  /**
   * How many TXT queries for {@code _mta-sts.<domain>} the DNS server received (UDP and TCP) since
   * the start or the last reset.
   *
   * @throws IllegalArgumentException if {@code domain} is not a valid name
   */
  public int txtQueries(String domain) {
    return dns.queryCount("_mta-sts." + Names.hostName(domain), "TXT");
  }

  // =================================================================== run-time changes

  /**
   * Makes {@code host} behave as {@code mx} says for connections accepted from now on; sessions
   * already running keep their behaviour.
   *
   * @return this world
   * @throws IllegalArgumentException if {@code host} is not an MX host of the world, or it or
   *     {@code mx} is {@link Mx#unreachable()} (reachability is fixed for the world's life)
   * @throws NullPointerException if {@code mx} is null
   */
  public TestWorld setMx(String host, Mx mx) {
    Objects.requireNonNull(mx, "mx");
    MxHost mxHost = mxHost(host);
    SmtpBehaviour behaviour = mxHost.behaviourFor(mx, mx(host), ca);
    synchronized (lock) {
      mxHost.receiver.setBehaviour(behaviour);
      mxHost.currentMx = mx;
    }
    return this;
  }

  /**
   * The recipe {@code host} behaves by now.
   *
   * @throws IllegalArgumentException if {@code host} is not an MX host of the world
   */
  public Mx mx(String host) {
    MxHost mxHost = mxHost(host);
    synchronized (lock) {
      return mxHost.currentMx;
    }
  }

  /**
   * Forgets every captured message and session, recorded query and request, and sets every counter
   * to zero. The world's records and behaviours stay as they are.
   */
  public void resetRecordings() {
    dns.resetCounts();
    policyServer.resetRecordings();
    MxHost.clearRecordings(mxHosts.values());
  }

  /**
   * Returns the world to the state it started in while it keeps running: the records, faults and
   * TTLs of the DNS server, every domain's policy, id and TXT records, and every MX host's
   * behaviour (with the certificates made at start), and forgets what was recorded as {@link
   * #resetRecordings()} does. Changes made directly on the parts are undone too, except hosts a
   * test added to the policy server itself. The {@link Builder#dns} setup runs again.
   */
  public void reset() {
    synchronized (lock) {
      dns.reset();
      for (WorldDomain domain : domains.values()) {
        domain.restoreInitialState();
      }
      for (MxHost host : mxHosts.values()) {
        host.restore();
      }
      install();
      resetRecordings();
    }
  }

  /**
   * Stops every server of the world, closing every socket and ending every thread it started, and
   * returns when they have ended. Captured messages and counters stay readable. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    parts.close();
    log.debug("Test world closed");
  }

  /** Returns a short description: DNS address, domains and MX hosts. */
  @Override
  public String toString() {
    return "TestWorld{dns="
        + dns.address()
        + ", https="
        + policyServer.address()
        + ", domains="
        + domains.keySet()
        + ", mx="
        + mxHosts.keySet()
        + "}";
  }

  // =================================================================== internals

  private void install() { // caller holds the lock
    parts.worldDns.install(mxHosts.values(), domains.values());
  }

  void addressRecord(String name, InetAddress address) {
    parts.worldDns.addressRecord(name, address);
  }

  Object lock() {
    return lock;
  }

  /** Maps a policy host to the policy server in the host map, or removes it. */
  void mapPolicyHost(String host, boolean mapped) {
    if (mapped) {
      hostMap.put(host, policyServer.address());
    } else {
      hostMap.remove(host);
    }
  }

  TestCertificateAuthority authority() {
    return ca;
  }

  private MxHost mxHost(String host) {
    MxHost mxHost = mxHosts.get(Names.hostName(host));
    if (mxHost == null) {
      throw new IllegalArgumentException(
          "no MX host " + host + " in this world; MX hosts: " + mxHosts.keySet());
    }
    return mxHost;
  }

  // =================================================================== builder

  /**
   * Describes a world before it starts. Not thread-safe; {@link #start()} may be called more than
   * once, each time starting a new, independent world.
   */
  public static final class Builder {
    final Map<String, DomainSpec> domains = new LinkedHashMap<>();
    final List<Consumer<TestDnsServer>> dnsSetup = new ArrayList<>();
    final List<Consumer<PolicyServer.Builder>> policyServerSetup = new ArrayList<>();
    String authorityName = "mta-sts-java Test World Root";
    TestCertificateAuthority authority;
    Clock clock = Clock.systemUTC();
    Duration smtpReadTimeout = Duration.ofSeconds(30);
    boolean dnssec;

    private Builder() {}

    /**
     * Signs the world with DNSSEC: each domain's zone (unless {@linkplain DomainSpec#unsigned()
     * unsigned}) and, for an MX host outside every domain of the world, a zone of the host's own,
     * with signatures valid at the world's {@link #clock}. Clients validate with {@link
     * TestWorld#dnssecTrustAnchor()}. MX hosts publish TLSA records as their {@link Dane} says.
     *
     * @return this builder
     */
    public Builder dnssec() {
      this.dnssec = true;
      return this;
    }

    /**
     * Adds the domain {@code name}, or configures it further if it was added before.
     *
     * @param name the mail domain, e.g. {@code "example.com"}
     * @param spec says what the domain publishes
     * @return this builder
     * @throws IllegalArgumentException if {@code name} is not a valid domain name
     * @throws NullPointerException if an argument is null
     */
    public Builder domain(String name, Consumer<DomainSpec> spec) {
      Objects.requireNonNull(spec, "spec");
      String normalized = Names.hostName(name);
      spec.accept(domains.computeIfAbsent(normalized, DomainSpec::new));
      return this;
    }

    /**
     * Runs {@code setup} on the DNS server after the world's own records are written, for extra
     * records, faults and TTLs; it runs again on every {@link TestWorld#reset()}.
     *
     * @return this builder
     * @throws NullPointerException if {@code setup} is null
     */
    public Builder dns(Consumer<TestDnsServer> setup) {
      dnsSetup.add(Objects.requireNonNull(setup, "setup"));
      return this;
    }

    /**
     * Runs {@code setup} on the policy server's builder before the server is made, e.g. to set its
     * read timeout or connection limit. The world has already set its certificate authority and
     * clock there.
     *
     * @return this builder
     * @throws NullPointerException if {@code setup} is null
     */
    public Builder policyServer(Consumer<PolicyServer.Builder> setup) {
      policyServerSetup.add(Objects.requireNonNull(setup, "setup"));
      return this;
    }

    /**
     * Uses {@code authority} instead of making a new one, e.g. to share one trust anchor across
     * several worlds.
     *
     * @return this builder
     * @throws NullPointerException if {@code authority} is null
     */
    public Builder certificateAuthority(TestCertificateAuthority authority) {
      this.authority = Objects.requireNonNull(authority, "authority");
      return this;
    }

    /**
     * Names the authority the world makes (ignored when one is {@linkplain
     * #certificateAuthority(TestCertificateAuthority) given}).
     *
     * @return this builder
     * @throws NullPointerException if {@code name} is null
     */
    public Builder certificateAuthorityName(String name) {
      this.authorityName = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * The clock from which the world's authority computes validity periods (system UTC by default),
     * e.g. to issue certificates that are valid at a simulated time; DNSSEC signatures are valid
     * from a day before to 30 days after its time at each query.
     *
     * @return this builder
     * @throws NullPointerException if {@code clock} is null
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How long an SMTP receiver waits for the client's next line before giving up (30 s by
     * default).
     *
     * @return this builder
     * @throws IllegalArgumentException if not positive
     * @throws NullPointerException if {@code timeout} is null
     */
    public Builder smtpReadTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("read timeout must be positive: " + timeout);
      }
      this.smtpReadTimeout = timeout;
      return this;
    }

    /**
     * Makes and starts the world: the authority, the DNS server, the policy server and the
     * receivers, with every record, host and certificate in place when it returns. If anything
     * fails, whatever was started is closed again.
     *
     * @return the running world
     * @throws UncheckedIOException if a server cannot bind a port
     * @throws IllegalStateException if the description is contradictory
     */
    public TestWorld start() {
      List<AutoCloseable> started = new ArrayList<>();
      try {
        return new TestWorld(this, started);
      } catch (IOException e) {
        WorldParts.closeAll(started);
        throw new UncheckedIOException("cannot start test world", e);
      } catch (RuntimeException | Error e) {
        WorldParts.closeAll(started);
        throw e;
      }
    }
  }
}
