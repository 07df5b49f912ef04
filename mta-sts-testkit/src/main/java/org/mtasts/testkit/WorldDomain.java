package org.mtasts.testkit;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.mtasts.testkit.dns.TestDnsServer;
import org.mtasts.testkit.https.PolicyHost;
import org.mtasts.testkit.https.PolicyResponse;
import org.mtasts.testkit.https.TlsFault;
import org.mtasts.testkit.tls.IssuedCertificate;

/**
 * One mail domain of a running {@link TestWorld}, from {@link TestWorld#domain(String)}: what it
 * publishes now, and mutators that change it while the world runs, e.g. to test how a client's
 * cache reacts to a new policy id.
 *
 * <pre>{@code
 * WorldDomain domain = world.domain("example.com");
 * domain.policy("testing", "mx1.example.com");  // new policy text, served from now on
 * String id = domain.rotateId();                // new TXT record: v=STSv1; id=<id>
 * domain.policyDown();                          // 503 from mta-sts.example.com
 * domain.policyUp();                            // the policy again
 * }</pre>
 *
 * <p>Each change applies to queries and connections that arrive after the call returns. A TXT
 * change removes the old records and adds the new ones in two steps, so a query that arrives
 * exactly during the change may see no TXT record. A domain that was described without MTA-STS
 * starts to publish it (address record, policy host and {@link TestWorld#hostMap()} entry) on the
 * first MTA-STS mutator.
 *
 * <p>Thread-safe: mutators of all domains of a world are serialised on the world.
 */
public final class WorldDomain {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

  private final TestWorld world;
  private final DomainSpec spec;
  private final String initialId;

  // All guarded by world.lock().
  private boolean mtaSts;
  private String id;
  private List<String> txtRecords; // null: the default record
  private String policyText; // null: none
  private PolicyResponse response; // null: serve policyText
  private boolean installed;
  private PolicyHost host; // made on first publication, then kept
  private IssuedCertificate initialCertificate; // made on first publication, then kept

  WorldDomain(TestWorld world, DomainSpec spec) {
    this.world = world;
    this.spec = spec;
    this.initialId = spec.id != null ? spec.id : newId(null);
    restoreInitialState();
  }

  /** The domain's name, lower case without a trailing dot. */
  public String name() {
    return spec.name;
  }

  /** The policy host's name, {@code mta-sts.<domain>}. */
  public String policyHostName() {
    return "mta-sts." + spec.name;
  }

  /** The name whose TXT records say whether the domain has MTA-STS: {@code _mta-sts.<domain>}. */
  public String txtName() {
    return "_mta-sts." + spec.name;
  }

  /** Whether the domain publishes MTA-STS now (it may have been described without it). */
  public boolean publishesMtaSts() {
    synchronized (world.lock()) {
      return mtaSts;
    }
  }

  /** The policy id of the default TXT record (also kept while custom TXT records are published). */
  public String id() {
    synchronized (world.lock()) {
      return id;
    }
  }

  /**
   * The TXT records of the domain's MTA-STS name as published now, each one character-string; empty
   * when the domain publishes none.
   */
  public List<String> txtRecords() {
    synchronized (world.lock()) {
      return currentTxt();
    }
  }

  /** The policy text served now, if any. */
  public Optional<String> policyText() {
    synchronized (world.lock()) {
      return Optional.ofNullable(policyText);
    }
  }

  /**
   * Publishes a fresh random policy id in the default TXT record {@code v=STSv1; id=<id>}
   * (replacing custom TXT records, if any).
   *
   * @return the new id, different from the old one
   */
  public String rotateId() {
    synchronized (world.lock()) {
      publish();
      String fresh = newId(id);
      setId(fresh);
      return fresh;
    }
  }

  /**
   * Publishes {@code id} in the default TXT record {@code v=STSv1; id=<id>} (replacing custom TXT
   * records, if any).
   *
   * @param id written as given, unchecked
   * @return this domain
   * @throws NullPointerException if {@code id} is null
   */
  public WorldDomain id(String id) {
    Objects.requireNonNull(id, "id");
    synchronized (world.lock()) {
      publish();
      setId(id);
    }
    return this;
  }

  /**
   * Replaces the domain's MTA-STS TXT records with {@code records}, each one character-string
   * written as given; {@code txt()} removes them all (the policy host stays).
   *
   * @return this domain
   * @throws NullPointerException if a record is null
   * @throws IllegalArgumentException if a record is longer than 255 bytes
   */
  public WorldDomain txt(String... records) {
    List<String> list = List.of(records);
    for (String record : list) {
      if (record.getBytes(StandardCharsets.UTF_8).length > 255) {
        throw new IllegalArgumentException("TXT string longer than 255 bytes: " + record);
      }
    }
    synchronized (world.lock()) {
      publish();
      txtRecords = list;
      writeTxt();
    }
    return this;
  }

  /**
   * Serves a policy made of {@code mode}, {@code mx} lines and {@code max_age} from now on, see
   * {@link TestWorld#policyText(String, long, String...)}. The TXT record (and id) stay: call
   * {@link #rotateId()} too when a client should notice.
   *
   * @param maxAgeSeconds the {@code max_age} value
   * @return this domain
   * @throws NullPointerException if an argument is null
   */
  public WorldDomain policy(String mode, long maxAgeSeconds, String... mxPatterns) {
    return policyText(TestWorld.policyText(mode, maxAgeSeconds, mxPatterns));
  }

  /**
   * Serves a policy made of {@code mode} and {@code mx} lines with {@code max_age} {@value
   * DomainSpec#DEFAULT_MAX_AGE_SECONDS} from now on; see {@link #policy(String, long, String...)}.
   *
   * @return this domain
   * @throws NullPointerException if an argument is null
   */
  public WorldDomain policy(String mode, String... mxPatterns) {
    return policy(mode, DomainSpec.DEFAULT_MAX_AGE_SECONDS, mxPatterns);
  }

  /**
   * Serves {@code text} as the policy body from now on ({@code 200}, {@code text/plain}), byte for
   * byte (UTF-8), unchecked, replacing a {@link #respond response} set before. The TXT record
   * stays.
   *
   * @return this domain
   * @throws NullPointerException if {@code text} is null
   */
  public WorldDomain policyText(String text) {
    Objects.requireNonNull(text, "text");
    synchronized (world.lock()) {
      publish();
      policyText = text;
      response = null;
      servePolicy();
    }
    return this;
  }

  /**
   * Answers requests for the policy file with {@code response} from now on, instead of the policy
   * text: any status, redirect, content type or body fault (see {@link PolicyResponse}). {@link
   * #policyText(String)} or {@link #policyUp()} serve the text again.
   *
   * @return this domain
   * @throws NullPointerException if {@code response} is null
   */
  public WorldDomain respond(PolicyResponse response) {
    Objects.requireNonNull(response, "response");
    synchronized (world.lock()) {
      publish();
      this.response = response;
      servePolicy();
    }
    return this;
  }

  /**
   * Takes the policy host down: it answers {@code 503 Service Unavailable} from now on, until
   * {@link #policyUp()}.
   *
   * @return this domain
   */
  public WorldDomain policyDown() {
    return respond(PolicyResponse.status(503));
  }

  /**
   * Makes the policy host close every new connection right after the client's TLS ClientHello
   * ({@link TlsFault#CLOSE_AFTER_CLIENT_HELLO}), until {@link #policyUp()}: the client sees a
   * failed handshake, as with a host that is down behind a load balancer.
   *
   * @return this domain
   */
  public WorldDomain policyDropsConnections() {
    synchronized (world.lock()) {
      publish();
      host.tlsFault(TlsFault.CLOSE_AFTER_CLIENT_HELLO);
    }
    return this;
  }

  /**
   * Brings the policy host back after {@link #policyDown()}, {@link #policyDropsConnections()} or
   * {@link #respond}: it serves the policy text (or {@code 404} without one) with a normal
   * handshake. Other settings of the host (certificate, TLS versions, delays) stay.
   *
   * @return this domain
   */
  public WorldDomain policyUp() {
    synchronized (world.lock()) {
      publish();
      response = null;
      host.tlsFault(TlsFault.NONE);
      servePolicy();
    }
    return this;
  }

  /**
   * Makes the policy host present a certificate made by {@code certificate} from the next
   * connection on, e.g. {@link Cert#expired()}.
   *
   * @return this domain
   * @throws NullPointerException if {@code certificate} is null
   */
  public WorldDomain policyCertificate(Cert certificate) {
    Objects.requireNonNull(certificate, "certificate");
    synchronized (world.lock()) {
      publish();
      host.certificate(certificate.issue(world.authority(), policyHostName()));
    }
    return this;
  }

  /**
   * The domain's host on the policy server, for anything the world does not offer itself (TLS
   * versions and faults, handshake delays, queued responses). Starts publishing MTA-STS if the
   * domain does not yet.
   */
  public PolicyHost policyHost() {
    synchronized (world.lock()) {
      publish();
      return host;
    }
  }

  /**
   * How many HTTPS requests (any path) the policy host received since the start or the last reset.
   */
  public int policyRequests() {
    return world.policyServer().requestCount(policyHostName());
  }

  /**
   * How many TXT queries for {@code _mta-sts.<domain>} the DNS server received since the start or
   * the last reset. With {@link DomainSpec#txtViaCname} the query is still for this name.
   */
  public int txtQueries() {
    return world.dns().queryCount(txtName(), "TXT");
  }

  @Override
  public String toString() {
    synchronized (world.lock()) {
      return "WorldDomain{"
          + spec.name
          + (mtaSts ? ", id=" + id + ", txt=" + currentTxt() : "")
          + "}";
    }
  }

  // =================================================================== internals

  DomainSpec spec() {
    return spec;
  }

  /** Back to the described state; {@link #install()} writes it. Caller holds the world's lock. */
  void restoreInitialState() {
    mtaSts = spec.mtaSts;
    id = initialId;
    txtRecords = spec.txtRecords;
    policyText = spec.initialPolicyText();
    response = spec.policyResponse;
    installed = false;
  }

  /** Writes the domain's records into an empty DNS server. Caller holds the world's lock. */
  void install() {
    TestDnsServer dns = world.dns();
    for (DomainSpec.MxRecord record : spec.mxRecords) {
      dns.mx(spec.name, record.preference(), record.host());
    }
    if (spec.nullMx) {
      dns.mx(spec.name, 0, ".");
    }
    installed = true;
    if (mtaSts) {
      installMtaSts();
    } else {
      world.mapPolicyHost(policyHostName(), false);
      if (host != null) {
        host.reset(); // published at run time before a reset: answer 404 again
      }
    }
  }

  /** Starts publishing MTA-STS if the domain does not yet. Caller holds the world's lock. */
  private void publish() {
    if (!mtaSts) {
      mtaSts = true;
      if (installed) {
        installMtaSts();
      }
    }
  }

  private void installMtaSts() {
    TestDnsServer dns = world.dns();
    String hostName = policyHostName();
    world.addressRecord(hostName, world.policyServer().address().getAddress());
    world.mapPolicyHost(hostName, true);
    if (host == null) {
      host = world.policyServer().host(hostName); // comes with a good certificate
      initialCertificate =
          spec.policyCertificate.equals(Cert.good())
              ? host.certificate()
              : spec.policyCertificate.issue(world.authority(), hostName);
    }
    host.reset();
    host.certificate(initialCertificate);
    if (spec.txtCnameTarget != null) {
      dns.cname(txtName(), spec.txtCnameTarget);
    }
    writeTxt();
    servePolicy();
    for (Consumer<PolicyHost> setup : spec.policyHostSetup) {
      setup.accept(host);
    }
  }

  private void setId(String newId) {
    id = newId;
    txtRecords = null;
    writeTxt();
  }

  private void writeTxt() {
    if (!installed) {
      return;
    }
    TestDnsServer dns = world.dns();
    String owner = spec.txtCnameTarget != null ? spec.txtCnameTarget : txtName();
    dns.remove(owner, "TXT");
    for (String record : currentTxt()) {
      dns.txt(owner, record);
    }
  }

  private void servePolicy() {
    if (host == null) {
      return;
    }
    if (response != null) {
      host.respond(response);
    } else if (policyText != null) {
      host.servePolicy(policyText);
    } else {
      host.respond(PolicyResponse.status(404));
    }
  }

  private List<String> currentTxt() {
    if (!mtaSts) {
      return List.of();
    }
    return txtRecords != null ? txtRecords : List.of("v=STSv1; id=" + id);
  }

  /** A random id of 20 lower-case letters and digits (RFC 8461 allows 1 to 32), not {@code old}. */
  private static String newId(String old) {
    while (true) {
      StringBuilder s = new StringBuilder(20);
      for (int i = 0; i < 20; i++) {
        s.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
      }
      String id = s.toString();
      if (!id.equals(old)) {
        return id;
      }
    }
  }
}
