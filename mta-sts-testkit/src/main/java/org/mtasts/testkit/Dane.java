package org.mtasts.testkit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.mtasts.testkit.dns.TestDnsServer;
import org.mtasts.testkit.dns.Tlsa;
import org.mtasts.testkit.tls.IssuedCertificate;

/**
 * What an MX host of a {@link TestWorld} publishes for DANE (RFC 7672): its TLSA records at {@code
 * _25._tcp.<host>}, computed from the certificate the host presents or from the world's authority
 * when the world starts, and whether the host's zone is signed. Given with the host in {@link
 * DomainSpec#mx(int, String, Mx, Dane)}.
 *
 * <pre>{@code
 * TestWorld.start(w -> w.dnssec()
 *     .domain("example.com", d -> d
 *         .mx(10, "mx1.example.com", Mx.goodTls(), Dane.ee())                   // 3 1 1, matches
 *         .mx(20, "mx2.example.net", Mx.selfSignedCertificate(), Dane.ee())     // DANE yes, WebPKI no
 *         .mx(30, "mx3.example.org", Mx.goodTls(), Dane.mismatch())             // 3 1 1, matches nothing
 *         .mx(40, "mx4.example.org", Mx.goodTls(), Dane.ee().inUnsignedZone()))); // insecure TLSA
 * }</pre>
 *
 * <p>The records are computed once, from the certificate the host's recipe makes at start: a later
 * {@link TestWorld#setMx} presents a new certificate but leaves the TLSA records as they were, like
 * a key rollover that forgot DNS. Without {@link TestWorld.Builder#dnssec()} (or a {@linkplain
 * DomainSpec#signed() signed} domain holding the host) the records are served unsigned, so DANE
 * does not apply.
 *
 * <p>Two values are equal when they are the same built-in recipe with equal arguments; recipes
 * with {@link #record raw data} are equal only to themselves. Immutable and thread-safe.
 */
public final class Dane {
  /** Association data that matches no certificate or key: a digest of a fixed text. */
  private static final byte[] NO_MATCH = sha256("mta-sts-testkit: matches no certificate");

  private interface Source {
    byte[] data(String host, IssuedCertificate certificate, X509Certificate authority);
  }

  private record Entry(int usage, int selector, int matchingType, Source source) {}

  private final String description;
  private final boolean builtIn;
  private final List<Entry> entries;
  private final boolean unsignedZone;

  private Dane(String description, boolean builtIn, List<Entry> entries, boolean unsignedZone) {
    this.description = description;
    this.builtIn = builtIn;
    this.entries = List.copyOf(entries);
    this.unsignedZone = unsignedZone;
  }

  private static Dane of(String description, int usage, int selector, int type, Source source) {
    return new Dane(description, true, List.of(new Entry(usage, selector, type, source)), false);
  }

  /** DANE-EE {@code 3 1 1}: the SHA-256 of the host certificate's public key. */
  public static Dane ee() {
    return ee(Tlsa.SPKI, Tlsa.SHA2_256);
  }

  /**
   * DANE-EE {@code 3 <selector> <matchingType>} of the host's certificate.
   *
   * @throws IllegalArgumentException if the selector is not 0 or 1 or the matching type not 0 to 2
   */
  public static Dane ee(int selector, int matchingType) {
    check(selector, matchingType);
    return of(
        "3 " + selector + " " + matchingType,
        Tlsa.DANE_EE,
        selector,
        matchingType,
        (host, cert, ca) -> Tlsa.data(leaf(host, cert), selector, matchingType));
  }

  /** DANE-TA {@code 2 0 1}: the SHA-256 of the world's authority certificate. */
  public static Dane ta() {
    return ta(Tlsa.CERT, Tlsa.SHA2_256);
  }

  /**
   * DANE-TA {@code 2 <selector> <matchingType>} of the world's authority certificate, which every
   * certificate of the world except self-signed ones chains to (and which the receivers send).
   *
   * @throws IllegalArgumentException if the selector is not 0 or 1 or the matching type not 0 to 2
   */
  public static Dane ta(int selector, int matchingType) {
    check(selector, matchingType);
    return of(
        "2 " + selector + " " + matchingType,
        Tlsa.DANE_TA,
        selector,
        matchingType,
        (host, cert, ca) -> Tlsa.data(ca, selector, matchingType));
  }

  /** DANE-EE {@code 3 1 1} with a digest that matches no certificate: DANE fails on this host. */
  public static Dane mismatch() {
    return of("3 1 1 mismatch", Tlsa.DANE_EE, Tlsa.SPKI, Tlsa.SHA2_256, (h, c, a) -> NO_MATCH);
  }

  /**
   * PKIX-EE {@code 1 1 1} of the host's certificate (or of nothing, if it has none): a TLSA RRset
   * with no record usable for SMTP (RFC 7672 §3.1.3).
   */
  public static Dane unusable() {
    return of(
        "1 1 1 (unusable for SMTP)",
        1,
        Tlsa.SPKI,
        Tlsa.SHA2_256,
        (host, cert, ca) -> cert == null ? NO_MATCH : Tlsa.data(cert.certificate(), 1, 1));
  }

  /** No TLSA record, in a zone signed like the rest of the world: a secure NXDOMAIN. */
  public static Dane none() {
    return new Dane("no TLSA", true, List.of(), false);
  }

  /** No TLSA record, and the host's own zone unsigned even in a {@code dnssec()} world. */
  public static Dane unsignedZone() {
    return none().inUnsignedZone();
  }

  /**
   * One TLSA record with the given fields, served as given, e.g. a malformed one.
   *
   * @param data association data; copied
   * @throws IllegalArgumentException if a field is out of range 0 to 255
   * @throws NullPointerException if {@code data} is null
   */
  public static Dane record(int usage, int selector, int matchingType, byte[] data) {
    for (int field : new int[] {usage, selector, matchingType}) {
      if (field < 0 || field > 255) {
        throw new IllegalArgumentException("TLSA field out of range 0..255: " + field);
      }
    }
    byte[] copy = Objects.requireNonNull(data, "data").clone();
    return new Dane(
        Tlsa.presentation(usage, selector, matchingType, copy),
        false,
        List.of(new Entry(usage, selector, matchingType, (h, c, a) -> copy.clone())),
        false);
  }

  /**
   * These records and {@code other}'s in one RRset, e.g. {@code Dane.mismatch().and(Dane.ee())}
   * (one stale record, one good). The zone is unsigned if either says so.
   *
   * @throws NullPointerException if {@code other} is null
   */
  public Dane and(Dane other) {
    Objects.requireNonNull(other, "other");
    List<Entry> all = new ArrayList<>(entries);
    all.addAll(other.entries);
    return new Dane(
        description + " + " + other.description,
        builtIn && other.builtIn,
        all,
        unsignedZone || other.unsignedZone);
  }

  /**
   * These records, but in an unsigned zone of the host's own even in a {@code dnssec()} world: the
   * TLSA answer is insecure, so DANE does not apply (RFC 7672 §2.2).
   */
  public Dane inUnsignedZone() {
    return new Dane(description + " in unsigned zone", builtIn, entries, true);
  }

  /** Whether the host's zone stays unsigned. */
  boolean unsigned() {
    return unsignedZone;
  }

  /** Writes the records for {@code host}; {@code certificate} is null for hosts without TLS. */
  void install(
      TestDnsServer dns, String host, IssuedCertificate certificate, X509Certificate authority) {
    for (Entry e : entries) {
      byte[] data = e.source().data(host, certificate, authority);
      dns.tlsa("_25._tcp." + host, e.usage(), e.selector(), e.matchingType(), data);
    }
  }

  private static X509Certificate leaf(String host, IssuedCertificate certificate) {
    if (certificate == null) {
      throw new IllegalStateException(
          "MX host " + host + " presents no certificate, so DANE-EE has nothing to match;"
              + " use Dane.mismatch() or Dane.record(...)");
    }
    return certificate.certificate();
  }

  private static void check(int selector, int matchingType) {
    if (selector < 0 || selector > 1 || matchingType < 0 || matchingType > 2) {
      throw new IllegalArgumentException(
          "selector must be 0 or 1 and matching type 0 to 2: " + selector + " " + matchingType);
    }
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof Dane other
        && builtIn
        && other.builtIn
        && description.equals(other.description);
  }

  @Override
  public int hashCode() {
    return builtIn ? description.hashCode() : System.identityHashCode(this);
  }

  /** The records in short form, e.g. {@code "3 1 1"} or {@code "3 1 1 mismatch + 3 1 1"}. */
  @Override
  public String toString() {
    return description;
  }
}
