package org.mtasts.testkit.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

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
 * <p><b>DNSSEC.</b> {@link #signZone(String)} signs a zone (and the root); {@link
 * #dnssecTrustAnchor()} is the anchor a validating client needs. Names in no signed zone then
 * validate as insecure, {@link #dnssecFault(String, String, DnssecFault)} breaks signatures, and
 * {@link #stripDnssec(boolean)} and {@link #adBit(boolean)} make the server look like a resolver
 * that strips DNSSEC or one that validates.
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
  /** The most TCP connections served at the same time; further connections are closed. */
  public static final int MAX_TCP_CONNECTIONS = 16;

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

  private final Zone zone = new Zone();
  private final QueryLog queryLog = new QueryLog();
  private final DnsListener listener = new DnsListener(new Responder(zone, queryLog));

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
    listener.start();
    return this;
  }

  /**
   * The address to send queries to, {@code 127.0.0.1} and the server's port, for UDP and TCP alike.
   * After {@link #close()} it still returns the address the server had.
   *
   * @return the loopback socket address of this server
   * @throws IllegalStateException if {@link #start()} has not succeeded yet
   */
  public InetSocketAddress address() {
    InetSocketAddress a = listener.address();
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
    listener.close();
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

  /**
   * Adds a TLSA record (RFC 6698), e.g. {@code tlsa("_25._tcp.mx1.example.com", 3, 1, 1,
   * Tlsa.data(cert, 1, 1))}. Fields are not checked against each other, so malformed records can
   * be served too.
   *
   * @param name owner name, {@code _<port>._tcp.<host>}
   * @param usage certificate usage, 0 to 255 (2 = DANE-TA, 3 = DANE-EE)
   * @param selector 0 to 255 (0 = full certificate, 1 = SubjectPublicKeyInfo)
   * @param matchingType 0 to 255 (0 = exact, 1 = SHA-256, 2 = SHA-512)
   * @param data certificate association data, see {@link Tlsa#data}; copied
   * @return this server
   * @throws IllegalArgumentException if the name is malformed or a field out of range
   * @throws IllegalStateException if the name has a CNAME
   */
  public TestDnsServer tlsa(String name, int usage, int selector, int matchingType, byte[] data) {
    zone.addTlsa(name, usage, selector, matchingType, data);
    return this;
  }

  // =================================================================== DNSSEC

  /**
   * Signs the zone at {@code apex} with its own ECDSA P-256 key (algorithm 13), and the root, whose
   * DS is {@link #dnssecTrustAnchor()}. The zone is delegated from the closest enclosing zone,
   * which publishes its DS; queries with the DO bit get RRSIGs and signed NSEC denials. Names in no
   * signed zone validate as insecure. Until the first zone is signed the server knows no DNSSEC;
   * {@code signZone(".")} signs the root alone. The package documentation says how names are
   * placed in zones. Signatures are valid from a day before to 30 days after the {@link
   * #clock(Clock)} at the time of the query.
   *
   * @param apex the zone's apex, e.g. {@code "example.com"}, or {@code "."}
   * @return this server
   * @throws IllegalArgumentException if the name is malformed
   */
  public TestDnsServer signZone(String apex) {
    zone.signZone(apex);
    return this;
  }

  /**
   * Makes {@code apex} an unsigned zone whose parent proves with a signed NSEC that it has no DS:
   * names in it validate as insecure even below a signed zone, and so does a zone signed below it.
   * Has an effect only once some zone is signed.
   *
   * @param apex the zone's apex, e.g. {@code "unsigned.example.com"}
   * @return this server
   * @throws IllegalArgumentException if the name is malformed or the root
   */
  public TestDnsServer insecureZone(String apex) {
    zone.insecureZone(apex);
    return this;
  }

  /**
   * The DS record of the root's key in zone-file format, e.g. {@code . 3600 IN DS 12345 13 2
   * 3A1F...}: the trust anchor for validating clients. The same for the life of the server (keys
   * outlive {@link #reset()}).
   *
   * @return one DS record, without a trailing newline
   */
  public String dnssecTrustAnchor() {
    return zone.trustAnchor();
  }

  /**
   * Sets the clock that signature validity is computed from, for example the fixed clock of the
   * code under test. Initially the system clock.
   *
   * @param clock the clock
   * @return this server
   */
  public TestDnsServer clock(Clock clock) {
    zone.dnssec().clock(clock);
    return this;
  }

  /**
   * Breaks the signature of one RRset of a signed zone: the records of {@code type} owned by
   * {@code name}, e.g. {@code ("_25._tcp.mx1.example.com", "TLSA")}, {@code ("example.com",
   * "DNSKEY")}, {@code ("example.com", "DS")} (in the parent) or {@code ("example.com", "NSEC")}
   * (the NSEC owned by the name, used in denials). Replaces an earlier DNSSEC fault for the name
   * and type; {@link #clearFaults(String)} removes it. Has no effect on names in unsigned zones.
   *
   * @param name owner name of the RRset
   * @param type its type, e.g. {@code "A"}
   * @param fault what to break
   * @return this server
   * @throws IllegalArgumentException if the name or type is invalid
   */
  public TestDnsServer dnssecFault(String name, String type, DnssecFault fault) {
    zone.setDnssecFault(name, Objects.requireNonNull(type, "type"), fault);
    return this;
  }

  /**
   * Breaks the signature of every RRset owned by {@code name} (including DNSKEY, DS and NSEC), see
   * {@link #dnssecFault(String, String, DnssecFault)}. A fault for a specific type takes
   * precedence.
   *
   * @param name owner name
   * @param fault what to break
   * @return this server
   * @throws IllegalArgumentException if the name is malformed
   */
  public TestDnsServer dnssecFault(String name, DnssecFault fault) {
    zone.setDnssecFault(name, null, fault);
    return this;
  }

  /**
   * Makes the server behave like a resolver that does not support DNSSEC: the DO bit is ignored
   * and not echoed; answers carry no RRSIG, NSEC or AD flag. DNSKEY and DS queries still get the
   * bare records, as from a resolver treating them as ordinary types (RFC 3597). A validating
   * client then finds the root's DNSKEY unsigned and calls everything bogus.
   *
   * @param strip true to strip, false (the initial state) to serve DNSSEC
   * @return this server
   */
  public TestDnsServer stripDnssec(boolean strip) {
    zone.dnssec().strip(strip);
    return this;
  }

  /**
   * Makes the server behave like a validating resolver: the AD flag is set on answers that a
   * validator would find secure (every RRset in a signed zone reached from the root, no DNSSEC
   * fault) when the query has the DO or the AD bit (RFC 6840 §5.8), and answers it would find
   * bogus (a {@link DnssecFault} on the way) become SERVFAIL unless the query has the CD bit. For
   * testing a client that trusts its resolver's AD bit. No effect while {@link
   * #stripDnssec(boolean) stripping}.
   *
   * @param on true to set AD, false (the initial state) never to set it
   * @return this server
   */
  public TestDnsServer adBit(boolean on) {
    zone.dnssec().adBit(on);
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
   * Removes every fault, delay and DNSSEC fault set for {@code name}, for all types.
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
   * Removes every fault, delay and DNSSEC fault of every name.
   *
   * @return this server
   */
  public TestDnsServer clearFaults() {
    zone.clearFaults();
    return this;
  }

  /**
   * Returns the server to its initial state while it keeps running: no records, faults or delays,
   * no signed zones, DNSSEC modes off, default TTL 300 seconds, counts and log cleared. The DNSSEC
   * keys (so the trust anchor) and the clock stay. Useful when one server is shared by several
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
    InetSocketAddress a = listener.address();
    return "TestDnsServer["
        + (a == null ? "not started" : a.getAddress().getHostAddress() + ":" + a.getPort())
        + ", "
        + zone.recordCount()
        + " records]";
  }

}
