package org.mtasts.testkit;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.mtasts.testkit.dns.TestDnsServer;

/**
 * One mail domain of a running {@link TestWorld}, from {@link TestWorld#domain(String)}: what it
 * publishes now, and mutators that change it while the world runs, e.g. to test how a client's
 * cache reacts to a new policy id.
 *
 * <pre>{@code
 * WorldDomain domain = world.domain("example.com");
 * domain.policy("testing", "mx1.example.com");  // new policy text, served from now on
 * String id = domain.rotateId();                // new TXT record: v=STSv1; id=<id>
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
  private boolean installed;

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
   * Serves {@code text} as the policy body from now on, byte for byte (UTF-8), unchecked. The TXT
   * record stays.
   *
   * @return this domain
   * @throws NullPointerException if {@code text} is null
   */
  public WorldDomain policyText(String text) {
    Objects.requireNonNull(text, "text");
    synchronized (world.lock()) {
      publish();
      policyText = text;
      servePolicy();
    }
    return this;
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

  /** Back to the described state; {@link #install()} writes it. Caller holds the world's lock. */
  void restoreInitialState() {
    mtaSts = spec.mtaSts;
    id = initialId;
    txtRecords = spec.txtRecords;
    policyText = spec.initialPolicyText();
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
    if (spec.txtCnameTarget != null) {
      dns.cname(txtName(), spec.txtCnameTarget);
    }
    writeTxt();
    servePolicy();
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
    // The HTTPS policy server is wired in once it exists in this module.
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
