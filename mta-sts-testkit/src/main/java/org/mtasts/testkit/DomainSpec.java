package org.mtasts.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.mtasts.testkit.https.PolicyHost;
import org.mtasts.testkit.https.PolicyResponse;

/**
 * What one mail domain of a {@link TestWorld} publishes: its MX hosts and how each behaves, and
 * optionally an MTA-STS policy with everything that goes with it. Given to the consumer of {@link
 * TestWorld.Builder#domain(String, java.util.function.Consumer)}.
 *
 * <pre>{@code
 * w.domain("example.com", d -> d
 *     .policy("enforce", "mx1.example.com", "mx2.example.com")
 *     .mx(10, "mx1.example.com", Mx.goodTls())
 *     .mx(20, "mx2.example.com", Mx.noStartTls()))
 * }</pre>
 *
 * <p><b>MTA-STS.</b> A domain publishes MTA-STS as soon as any of {@link #policy}, {@link
 * #policyText}, {@link #policyResponse}, {@link #policyHost}, {@link #policyCertificate}, {@link
 * #id}, {@link #txt} or {@link #txtViaCname} is called. Then the world sets up, unless told
 * otherwise:
 *
 * <ul>
 *   <li>TXT {@code _mta-sts.<domain>} = {@code v=STSv1; id=<id>} with a fresh random id;
 *   <li>an A (or AAAA) record for {@code mta-sts.<domain>} pointing at the loopback address of the
 *       HTTPS policy server, and an entry for that name in {@link TestWorld#hostMap()};
 *   <li>the policy host {@code mta-sts.<domain>} on the policy server with a valid certificate from
 *       the world's authority, answering {@code GET /.well-known/mta-sts.txt} with the policy text
 *       ({@code 200}, {@code text/plain}), or the {@link #policyResponse} if one is given, or
 *       {@code 404} when the domain has neither.
 * </ul>
 *
 * <p><b>MX.</b> Each {@link #mx(int, String, Mx)} adds an MX record, an A (or AAAA) record for the
 * host pointing at its receiver's loopback address, an {@link org.mtasts.testkit.smtp.SmtpReceiver}
 * that plays the host, and a {@link TestWorld#hostMap()} entry. A domain with no MX call has no MX
 * records; {@link #nullMx()} and {@link #implicitMx(Mx)} give the other two shapes of RFC 5321
 * §5.1.
 *
 * <p><b>DNSSEC and DANE.</b> In a world built with {@link TestWorld.Builder#dnssec()} the domain's
 * zone is signed unless {@link #unsigned()} says otherwise ({@link #signed()} signs it in any
 * world). {@link #mx(int, String, Mx, Dane)} gives an MX host TLSA records; see {@link Dane}.
 *
 * <p>Anything else (faults, TTLs, extra records, missing address records) is set on {@link
 * TestWorld#dns()} directly, at build time through {@link TestWorld.Builder#dns}.
 *
 * <p>Not thread-safe: configure it inside the consumer only. Host and domain names are ASCII (pass
 * IDNs as A-labels), case-insensitive, with or without a trailing dot.
 */
public final class DomainSpec {
  /** The {@code max_age} written by {@link #policy} unless {@link #maxAge} says otherwise. */
  public static final long DEFAULT_MAX_AGE_SECONDS = 86_400;

  /** One MX record of the domain; {@code dane} is null when not given. */
  record MxRecord(int preference, String host, Mx mx, Dane dane) {}

  final String name;
  boolean mtaSts;
  String policyMode; // with policyMx: policy made from parts
  List<String> policyMx;
  String rawPolicy; // policy given as text
  long maxAgeSeconds = DEFAULT_MAX_AGE_SECONDS;
  String id;
  List<String> txtRecords; // null: the default record
  String txtCnameTarget;
  Cert policyCertificate = Cert.good();
  PolicyResponse policyResponse;
  final List<Consumer<PolicyHost>> policyHostSetup = new ArrayList<>();
  final List<MxRecord> mxRecords = new ArrayList<>();
  boolean nullMx;
  Mx implicitMx;
  Dane implicitDane;
  Boolean signed; // null: as the world says

  DomainSpec(String name) {
    this.name = name;
  }

  /** The domain's name, lower case without a trailing dot. */
  public String name() {
    return name;
  }

  /** The policy host's name, {@code mta-sts.<domain>}. */
  public String policyHostName() {
    return "mta-sts." + name;
  }

  /**
   * Publishes MTA-STS with a policy made of {@code mode}, one {@code mx:} line per pattern and
   * {@code max_age} ({@value #DEFAULT_MAX_AGE_SECONDS} unless {@link #maxAge} is called), in the
   * form of {@link TestWorld#policyText(String, long, String...)}. The mode is written as given,
   * unchecked. Replaces an earlier {@link #policyText}.
   *
   * @param mode {@code "enforce"}, {@code "testing"}, {@code "none"} or anything else to test
   * @param mxPatterns the {@code mx:} values, e.g. {@code "mx1.example.com"} or {@code
   *     "*.example.com"}; none is allowed
   * @return this spec
   * @throws NullPointerException if an argument is null
   */
  public DomainSpec policy(String mode, String... mxPatterns) {
    Objects.requireNonNull(mode, "mode");
    this.policyMode = mode;
    this.policyMx = List.of(mxPatterns);
    this.rawPolicy = null;
    this.mtaSts = true;
    return this;
  }

  /**
   * Publishes MTA-STS with {@code text} as the policy body, served byte for byte (UTF-8) without
   * any check: valid, broken or empty. Replaces an earlier {@link #policy}.
   *
   * @return this spec
   * @throws NullPointerException if {@code text} is null
   */
  public DomainSpec policyText(String text) {
    this.rawPolicy = Objects.requireNonNull(text, "text");
    this.policyMode = null;
    this.policyMx = null;
    this.mtaSts = true;
    return this;
  }

  /**
   * Sets the {@code max_age} that {@link #policy} writes (not used by {@link #policyText}).
   *
   * @param seconds any value, even one RFC 8461 does not allow, to test
   * @return this spec
   */
  public DomainSpec maxAge(long seconds) {
    this.maxAgeSeconds = seconds;
    return this;
  }

  /**
   * Sets the {@code max_age} that {@link #policy} writes, in whole seconds.
   *
   * @return this spec
   * @throws NullPointerException if {@code maxAge} is null
   */
  public DomainSpec maxAge(Duration maxAge) {
    return maxAge(Objects.requireNonNull(maxAge, "maxAge").toSeconds());
  }

  /**
   * Sets the policy id published in the default TXT record (instead of a random one) and publishes
   * MTA-STS.
   *
   * @param id written as given, unchecked, e.g. {@code "20240101T000000"}
   * @return this spec
   * @throws NullPointerException if {@code id} is null
   */
  public DomainSpec id(String id) {
    this.id = Objects.requireNonNull(id, "id");
    this.mtaSts = true;
    return this;
  }

  /**
   * Publishes {@code records} as the TXT records of {@code _mta-sts.<domain>} instead of the
   * default one, each as one character-string written as given: several records, a broken record,
   * or none at all ({@code txt()} publishes the policy host but no TXT record). Publishes MTA-STS.
   *
   * @return this spec
   * @throws NullPointerException if a record is null
   */
  public DomainSpec txt(String... records) {
    this.txtRecords = List.of(records);
    this.mtaSts = true;
    return this;
  }

  /**
   * Makes {@code _mta-sts.<domain>} a CNAME for {@code target} and puts the TXT record(s) at {@code
   * target} instead, as RFC 8461 §3.1 allows. Publishes MTA-STS.
   *
   * @param target e.g. {@code "_mta-sts.provider.example"}
   * @return this spec
   * @throws NullPointerException if {@code target} is null
   * @throws IllegalArgumentException if {@code target} is not a valid name
   */
  public DomainSpec txtViaCname(String target) {
    this.txtCnameTarget = Names.hostName(target);
    this.mtaSts = true;
    return this;
  }

  /**
   * Sets the certificate the policy host presents (a {@link Cert#good()} one by default), e.g.
   * {@link Cert#expired()}. Publishes MTA-STS.
   *
   * @return this spec
   * @throws NullPointerException if {@code certificate} is null
   */
  public DomainSpec policyCertificate(Cert certificate) {
    this.policyCertificate = Objects.requireNonNull(certificate, "certificate");
    this.mtaSts = true;
    return this;
  }

  /**
   * Makes the policy host answer {@code GET /.well-known/mta-sts.txt} with {@code response} instead
   * of the policy text: any status, a redirect, a wrong content type, a huge, gzipped, slow or
   * endless body, a cut connection (see {@link PolicyResponse}). Publishes MTA-STS.
   *
   * @return this spec
   * @throws NullPointerException if {@code response} is null
   */
  public DomainSpec policyResponse(PolicyResponse response) {
    this.policyResponse = Objects.requireNonNull(response, "response");
    this.mtaSts = true;
    return this;
  }

  /**
   * Runs {@code setup} on the domain's {@link PolicyHost} after the world has set its certificate
   * and response, for anything else the policy server offers: TLS versions and faults, handshake
   * delays, queued responses. It runs again on every {@link TestWorld#reset()}. Publishes MTA-STS.
   *
   * @return this spec
   * @throws NullPointerException if {@code setup} is null
   */
  public DomainSpec policyHost(Consumer<PolicyHost> setup) {
    policyHostSetup.add(Objects.requireNonNull(setup, "setup"));
    this.mtaSts = true;
    return this;
  }

  /**
   * Adds an MX record for the domain and an MX host that behaves as {@code mx} says. The same host
   * may serve several domains if they all name an equal recipe; one receiver plays it.
   *
   * @param preference 0 to 65535, lower is preferred
   * @param host the MX host, e.g. {@code "mx1.example.com"}
   * @param mx how the host behaves
   * @return this spec
   * @throws IllegalArgumentException if the preference is out of range or the host name invalid
   * @throws NullPointerException if an argument is null
   */
  public DomainSpec mx(int preference, String host, Mx mx) {
    return addMx(preference, host, mx, null);
  }

  /**
   * Adds an MX record and an MX host that behaves as {@code mx} says and publishes what {@code
   * dane} says for DANE: TLSA records at {@code _25._tcp.<host>}, made from the certificate the
   * host presents, in a zone signed like the rest of the world unless {@code dane} says otherwise.
   * A host outside every domain of the world gets a zone of its own.
   *
   * @param preference 0 to 65535, lower is preferred
   * @param host the MX host, e.g. {@code "mx1.example.com"}
   * @param mx how the host behaves
   * @param dane its TLSA records, e.g. {@link Dane#ee()}
   * @return this spec
   * @throws IllegalArgumentException if the preference is out of range or the host name invalid
   * @throws NullPointerException if an argument is null
   */
  public DomainSpec mx(int preference, String host, Mx mx, Dane dane) {
    return addMx(preference, host, mx, Objects.requireNonNull(dane, "dane"));
  }

  private DomainSpec addMx(int preference, String host, Mx mx, Dane dane) {
    if (preference < 0 || preference > 65_535) {
      throw new IllegalArgumentException("MX preference out of range: " + preference);
    }
    Objects.requireNonNull(mx, "mx");
    mxRecords.add(new MxRecord(preference, Names.hostName(host), mx, dane));
    return this;
  }

  /**
   * Adds an MX record for {@code host} with {@link Mx#goodTls()}.
   *
   * @return this spec
   * @throws IllegalArgumentException if the preference is out of range or the host name invalid
   * @throws NullPointerException if {@code host} is null
   */
  public DomainSpec mx(int preference, String host) {
    return mx(preference, host, Mx.goodTls());
  }

  /**
   * Publishes a null MX ({@code MX 0 .}, RFC 7505): the domain accepts no mail.
   *
   * @return this spec
   */
  public DomainSpec nullMx() {
    this.nullMx = true;
    return this;
  }

  /**
   * Gives the domain no MX record but an A (or AAAA) record of its own, so mail goes to the domain
   * itself (the implicit MX of RFC 5321 §5.1), played by a receiver named after the domain.
   *
   * @return this spec
   * @throws NullPointerException if {@code mx} is null
   */
  public DomainSpec implicitMx(Mx mx) {
    this.implicitMx = Objects.requireNonNull(mx, "mx");
    this.implicitDane = null;
    return this;
  }

  /**
   * An {@link #implicitMx(Mx) implicit MX} that publishes TLSA records for the domain itself at
   * {@code _25._tcp.<domain>}. {@link Dane#inUnsignedZone()} leaves the domain's zone unsigned.
   *
   * @return this spec
   * @throws NullPointerException if an argument is null
   */
  public DomainSpec implicitMx(Mx mx, Dane dane) {
    implicitMx(mx);
    this.implicitDane = Objects.requireNonNull(dane, "dane");
    return this;
  }

  /**
   * Signs the domain's zone with DNSSEC, also in a world without {@link TestWorld.Builder#dnssec()}
   * (the root is then signed too, and other names stay insecure).
   *
   * @return this spec
   */
  public DomainSpec signed() {
    this.signed = true;
    return this;
  }

  /**
   * Leaves the domain's zone unsigned in a {@link TestWorld.Builder#dnssec()} world: its MX RRset
   * is insecure, so DANE does not apply to its hosts (RFC 7672 §2.2.1), and MX hosts below the
   * domain are insecure too.
   *
   * @return this spec
   */
  public DomainSpec unsigned() {
    this.signed = false;
    return this;
  }

  /**
   * Checked copies of {@code specs}, so that a running world is not affected by later changes to
   * its builder.
   *
   * @throws IllegalStateException if a spec is contradictory
   */
  static List<DomainSpec> validCopies(Collection<DomainSpec> specs) {
    List<DomainSpec> copies = new ArrayList<>();
    for (DomainSpec spec : specs) {
      DomainSpec copy = spec.copy();
      copy.validate();
      copies.add(copy);
    }
    return copies;
  }

  /** A copy, so that a running world is not affected by later changes to its builder. */
  DomainSpec copy() {
    DomainSpec copy = new DomainSpec(name);
    copy.mtaSts = mtaSts;
    copy.policyMode = policyMode;
    copy.policyMx = policyMx;
    copy.rawPolicy = rawPolicy;
    copy.maxAgeSeconds = maxAgeSeconds;
    copy.id = id;
    copy.txtRecords = txtRecords;
    copy.txtCnameTarget = txtCnameTarget;
    copy.policyCertificate = policyCertificate;
    copy.policyResponse = policyResponse;
    copy.policyHostSetup.addAll(policyHostSetup);
    copy.mxRecords.addAll(mxRecords);
    copy.nullMx = nullMx;
    copy.implicitMx = implicitMx;
    copy.implicitDane = implicitDane;
    copy.signed = signed;
    return copy;
  }

  /** The policy text this spec publishes, or null if none. */
  String initialPolicyText() {
    if (rawPolicy != null) {
      return rawPolicy;
    }
    if (policyMode != null) {
      return TestWorld.policyText(policyMode, maxAgeSeconds, policyMx.toArray(new String[0]));
    }
    return null;
  }

  /** Checks the combination; called once when the world starts. */
  void validate() {
    if (nullMx && (!mxRecords.isEmpty() || implicitMx != null)) {
      throw new IllegalStateException(
          name + ": a null MX excludes other MX records and an implicit MX");
    }
    if (implicitMx != null && !mxRecords.isEmpty()) {
      throw new IllegalStateException(name + ": an implicit MX excludes MX records");
    }
  }

  @Override
  public String toString() {
    return "DomainSpec{" + name + (mtaSts ? ", MTA-STS" : "") + ", mx=" + mxRecords + "}";
  }
}
