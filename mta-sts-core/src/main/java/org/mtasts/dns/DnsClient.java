package org.mtasts.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.mtasts.internal.dns.Await;
import org.mtasts.internal.dns.DnsjavaClient;
import org.mtasts.internal.dns.DnssecAnchors;

/**
 * Asks the DNS for the records MTA-STS and DANE need: TXT (policy discovery, TLS-RPT), MX,
 * addresses and TLSA.
 *
 * <p>Every lookup is asynchronous and completes either normally with a {@link DnsAnswer}, which may
 * be negative (NODATA, NXDOMAIN, or a CNAME chain that loops or is too long — D-16), or
 * exceptionally with a {@link DnsException} when the DNS could not answer (SERVFAIL, REFUSED,
 * timeout, failed DNSSEC validation), which is always temporary. CNAMEs are followed, up to 8 links
 * by default (STS-DISC-02). The {@code ...Blocking} methods wait for the same lookups.
 *
 * <p>Implementations must be thread-safe. The default one, from {@link #system()} or {@link
 * #builder()}, uses dnsjava; tests may substitute a fake.
 */
public interface DnsClient {

  /**
   * Looks up the TXT records at {@code name}, such as {@code _mta-sts.example.com} (STS-DISC-01).
   *
   * @param name a DNS name in ASCII form, with or without the trailing dot
   * @return a stage completing with the answer, or exceptionally with a {@link DnsException}
   * @throws IllegalArgumentException if {@code name} is not a valid DNS name in ASCII form
   * @throws NullPointerException if {@code name} is null
   */
  CompletionStage<DnsAnswer<TxtRecord>> txt(String name);

  /**
   * Looks up the MX records at {@code name}, as published. For delivery use {@link MxResolver},
   * which applies RFC 5321 §5.1 and RFC 7505 to this answer.
   *
   * @param name a DNS name in ASCII form, with or without the trailing dot
   * @return a stage completing with the answer, or exceptionally with a {@link DnsException}
   * @throws IllegalArgumentException if {@code name} is not a valid DNS name in ASCII form
   * @throws NullPointerException if {@code name} is null
   */
  CompletionStage<DnsAnswer<MxRecord>> mx(String name);

  /**
   * Looks up the IPv4 (A) and IPv6 (AAAA) addresses of {@code name}; both queries run at the same
   * time. The records list the A addresses first, then the AAAA addresses.
   *
   * <p>If one of the two queries fails and the other finds addresses, the answer holds what was
   * found: a host is usable if one family of addresses is. If one fails and the other finds none,
   * or both fail, the stage fails with the first failure (the other one attached as suppressed):
   * "no address" would otherwise be reported on the strength of half an answer. Without failures,
   * the status is {@link DnsAnswer.Status#ANSWER} if either query found addresses, otherwise the
   * common status of both, or {@link DnsAnswer.Status#NODATA} if they differ. The answer is
   * authenticated only if every part of it that was used is.
   *
   * @param name a DNS name in ASCII form, with or without the trailing dot
   * @return a stage completing with the answer, or exceptionally with a {@link DnsException}
   * @throws IllegalArgumentException if {@code name} is not a valid DNS name in ASCII form
   * @throws NullPointerException if {@code name} is null
   */
  CompletionStage<DnsAnswer<InetAddress>> addresses(String name);

  /**
   * Looks up the TLSA records of an SMTP server: {@code name} is the full owner name, such as
   * {@code _25._tcp.mx1.example.com} (RFC 7672 §2.2.3). Only a client that validates DNSSEC can
   * give answers DANE may use: see {@link DnsAnswer#authenticated()}.
   *
   * <p>The default implementation, for fakes that predate DANE, fails with {@link
   * UnsupportedOperationException}; DANE then does not apply.
   *
   * @param name a DNS name in ASCII form, with or without the trailing dot
   * @return a stage completing with the answer, or exceptionally with a {@link DnsException}
   * @throws IllegalArgumentException if {@code name} is not a valid DNS name in ASCII form
   * @throws NullPointerException if {@code name} is null
   */
  default CompletionStage<DnsAnswer<TlsaRecord>> tlsa(String name) {
    Objects.requireNonNull(name, "name");
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException(getClass().getName() + " does not look up TLSA records"));
  }

  /**
   * Tells whether this client can give DNSSEC-secure answers here: whether DANE can work. A client
   * that validates (trust anchors) or trusts its resolver's AD flag asks the DNS once and keeps
   * the answer; a resolver that strips DNSSEC records, or anchors that do not validate the keys
   * they name, give {@link DnssecSupport.Status#UNAVAILABLE} (never an exceptional completion):
   * signed domains would then look bogus, so a caller should turn DANE off and carry on without
   * it.
   *
   * <p>The default implementation, for clients that do not validate DNSSEC (such as fakes),
   * completes at once with {@link DnssecSupport.Status#OFF}.
   *
   * @return a stage completing with what was found; it does not fail
   */
  default CompletionStage<DnssecSupport> dnssecSupport() {
    return CompletableFuture.completedFuture(
        DnssecSupport.off(getClass().getName() + " does not validate DNSSEC"));
  }

  /**
   * Waits for {@link #txt(String)}.
   *
   * @param name a DNS name in ASCII form
   * @return the answer
   * @throws DnsException if the lookup failed, or the wait was interrupted (the thread's interrupt
   *     flag is then set again)
   */
  default DnsAnswer<TxtRecord> txtBlocking(String name) throws DnsException {
    return Await.await(txt(name), name, "TXT");
  }

  /**
   * Waits for {@link #mx(String)}.
   *
   * @param name a DNS name in ASCII form
   * @return the answer
   * @throws DnsException if the lookup failed, or the wait was interrupted (the thread's interrupt
   *     flag is then set again)
   */
  default DnsAnswer<MxRecord> mxBlocking(String name) throws DnsException {
    return Await.await(mx(name), name, "MX");
  }

  /**
   * Waits for {@link #addresses(String)}.
   *
   * @param name a DNS name in ASCII form
   * @return the answer
   * @throws DnsException if the lookup failed, or the wait was interrupted (the thread's interrupt
   *     flag is then set again)
   */
  default DnsAnswer<InetAddress> addressesBlocking(String name) throws DnsException {
    return Await.await(addresses(name), name, "A/AAAA");
  }

  /**
   * A new client with the defaults of {@link Builder}: the system's DNS servers, a cache, no DNSSEC
   * validation. Each call makes a new client with its own cache; make one and share it.
   *
   * @return a new client
   */
  static DnsClient system() {
    return builder().build();
  }

  /**
   * A builder for a dnsjava-based client.
   *
   * @return a new builder with the defaults documented on {@link Builder}
   */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Configures a dnsjava-based {@link DnsClient}. Each setter validates its argument at once and
   * names the bad value. A builder is not thread-safe; the clients it builds are.
   *
   * <table>
   *   <caption>Settings</caption>
   *   <tr><th>setting</th><th>default</th></tr>
   *   <tr><td>{@link #server(InetSocketAddress) servers}</td>
   *       <td>the system's resolvers (from {@code /etc/resolv.conf} and the platform's
   *           equivalents), read once by {@link #build()}</td></tr>
   *   <tr><td>{@link #timeout(Duration) timeout} per attempt</td><td>5 seconds</td></tr>
   *   <tr><td>{@link #retries(int) retries} per server</td><td>1 (two attempts)</td></tr>
   *   <tr><td>{@link #maxCnameChain(int) CNAME links followed}</td><td>8 (D-16)</td></tr>
   *   <tr><td>{@link #cacheSize(int) cache}</td><td>10 000 responses</td></tr>
   *   <tr><td>DNSSEC: {@link #dnssecRootTrustAnchors() validation from the root},
   *       {@link #dnssecTrustAnchors(String) from given anchors}, or
   *       {@link #trustResolverAd() trusting the resolver's AD flag}</td><td>off</td></tr>
   *   <tr><td>{@link #executor(Executor) executor}</td>
   *       <td>a small pool of daemon threads shared by all clients ({@code mta-sts-dns-N})</td></tr>
   *   <tr><td>{@link #clock(Clock) clock}</td><td>{@link Clock#systemUTC()}</td></tr>
   * </table>
   *
   * <p>A truncated UDP response is always retried over TCP. A server that answers SERVFAIL, REFUSED
   * or another error code, or a referral instead of an answer, counts as a failed attempt: the next
   * server is asked, like the system's own stub resolver does.
   *
   * <p>DNSSEC, for DANE (RFC 7672): at most one of {@link #dnssecRootTrustAnchors()}, {@link
   * #dnssecTrustAnchors(String)} and {@link #trustResolverAd()}. Without any, answers are never
   * {@linkplain DnsAnswer#authenticated() authenticated} and DANE cannot apply; {@link
   * DnsClient#dnssecSupport()} tells whether the chosen one works with the configured servers.
   */
  final class Builder {

    /** Timeout of one query attempt when none is set. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** Retries per server when none are set. */
    public static final int DEFAULT_RETRIES = 1;

    /** CNAME links followed when no limit is set (decision D-16). */
    public static final int DEFAULT_MAX_CNAME_CHAIN = 8;

    /** Cached responses when no size is set. */
    public static final int DEFAULT_CACHE_SIZE = 10_000;

    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);
    private static final int MAX_RETRIES = 10;
    private static final int MAX_CNAME_CHAIN = 32;
    private static final int MAX_CACHE_SIZE = 1_000_000;

    private final List<InetSocketAddress> servers = new ArrayList<>();
    private Duration timeout = DEFAULT_TIMEOUT;
    private int retries = DEFAULT_RETRIES;
    private int maxCnameChain = DEFAULT_MAX_CNAME_CHAIN;
    private int cacheSize = DEFAULT_CACHE_SIZE;
    private String trustAnchors;
    private boolean trustResolverAd;
    private String dnssecSetting;
    private Executor executor;
    private Clock clock;

    Builder() {}

    /**
     * Adds a DNS server (a recursive resolver) to ask; repeat for more. Servers are tried in the
     * order added, moving on when one fails; dnsjava tries servers that failed recently last. When
     * none is added, the system's resolvers are used.
     *
     * @param server an IP address and port, such as {@code new InetSocketAddress("192.0.2.53",
     *     53)}; it must not need a DNS lookup itself
     * @return this builder
     * @throws IllegalArgumentException if {@code server} is unresolved or has port 0
     * @throws NullPointerException if {@code server} is null
     */
    public Builder server(InetSocketAddress server) {
      Objects.requireNonNull(server, "server");
      if (server.isUnresolved()) {
        throw new IllegalArgumentException(
            "DNS server " + server + " is unresolved; give it as an IP address");
      }
      if (server.getPort() == 0) {
        throw new IllegalArgumentException("DNS server " + server + " has port 0");
      }
      servers.add(server);
      return this;
    }

    /**
     * Sets how long to wait for one answer from one server before trying again. A lookup may take
     * up to {@code timeout × (retries + 1) × servers}, for each CNAME link. dnsjava checks timeouts
     * about once a second, so short timeouts are rounded up in practice.
     *
     * @param timeout more than zero, at most 5 minutes
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is out of range
     * @throws NullPointerException if {@code timeout} is null
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
        throw new IllegalArgumentException(
            "timeout must be more than 0 and at most " + MAX_TIMEOUT + ": " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Sets how many times a query is sent again to the same server after a failed attempt.
     *
     * @param retries 0 to 10
     * @return this builder
     * @throws IllegalArgumentException if {@code retries} is out of range
     */
    public Builder retries(int retries) {
      if (retries < 0 || retries > MAX_RETRIES) {
        throw new IllegalArgumentException(
            "retries must be between 0 and " + MAX_RETRIES + ": " + retries);
      }
      this.retries = retries;
      return this;
    }

    /**
     * Sets how many CNAME (or DNAME) links a lookup follows. A longer chain, or a loop, is answered
     * with {@link DnsAnswer.Status#CNAME_CHAIN_TOO_LONG}, which D-16 treats as "no record".
     *
     * @param links 0 (follow none) to 32
     * @return this builder
     * @throws IllegalArgumentException if {@code links} is out of range
     */
    public Builder maxCnameChain(int links) {
      if (links < 0 || links > MAX_CNAME_CHAIN) {
        throw new IllegalArgumentException(
            "maxCnameChain must be between 0 and " + MAX_CNAME_CHAIN + ": " + links);
      }
      this.maxCnameChain = links;
      return this;
    }

    /**
     * Sets how many responses the client keeps, each for its TTL (at most a day; negative answers
     * at most three hours); 0 turns the cache off. Whatever the count, the kept responses add up
     * to at most 16 MiB in wire form, since a response can be 64 KiB. When full, the least
     * recently used response is dropped. The cache keeps DNSSEC status, so a cached answer is as
     * authenticated as it was when it arrived. {@link org.mtasts.MtaSts} reuses the TXT answer
     * that confirmed a cached policy for its TTL (at most a day) whatever this setting.
     *
     * @param maxResponses 0 to 1 000 000
     * @return this builder
     * @throws IllegalArgumentException if {@code maxResponses} is out of range
     */
    public Builder cacheSize(int maxResponses) {
      if (maxResponses < 0 || maxResponses > MAX_CACHE_SIZE) {
        throw new IllegalArgumentException(
            "cacheSize must be between 0 and " + MAX_CACHE_SIZE + ": " + maxResponses);
      }
      this.cacheSize = maxResponses;
      return this;
    }

    /**
     * Turns on DNSSEC validation (RFC 4033–4035) with dnsjava's validating resolver, trusting the
     * given keys. Answers that validate are {@linkplain DnsAnswer#authenticated() authenticated};
     * answers that fail validation complete with a {@link DnssecValidationException}; answers from
     * unsigned zones are returned unauthenticated. The servers must pass DNSSEC records through (DO
     * bit); {@link DnsClient#dnssecSupport()} checks that they do. For the public DNS, {@link
     * #dnssecRootTrustAnchors()} gives IANA's root anchors.
     *
     * @param records DS or DNSKEY records in zone-file format, one per line, with absolute owner
     *     names, for example {@code ". IN DS 20326 8 2 E06D44B8...C7F8EC8D"}; other record types
     *     are ignored and {@code $INCLUDE} is not allowed
     * @return this builder
     * @throws IllegalArgumentException if {@code records} cannot be parsed or holds no DS or DNSKEY
     *     record
     * @throws IllegalStateException if a DNSSEC setting ({@link #dnssecRootTrustAnchors()}, this
     *     one, or {@link #trustResolverAd()}) was already chosen
     * @throws NullPointerException if {@code records} is null
     */
    public Builder dnssecTrustAnchors(String records) {
      Objects.requireNonNull(records, "records");
      requireNoDnssecSetting("dnssecTrustAnchors(String)");
      this.trustAnchors = DnssecAnchors.parse(records);
      this.dnssecSetting = "dnssecTrustAnchors(String)";
      return this;
    }

    /**
     * Turns on DNSSEC validation as {@link #dnssecTrustAnchors(String)} does, with the root zone's
     * trust anchors built in: the SHA-256 DS records of the root key-signing keys KSK-2017 (key tag
     * 20326) and KSK-2024 (key tag 38696), as IANA publishes them at {@code
     * https://data.iana.org/root-anchors/root-anchors.xml}. Both are trusted, so the root's roll
     * from one key to the other needs no new release; a later root key does.
     *
     * @return this builder
     * @throws IllegalStateException if a DNSSEC setting ({@link #dnssecTrustAnchors(String)}, this
     *     one, or {@link #trustResolverAd()}) was already chosen
     */
    public Builder dnssecRootTrustAnchors() {
      requireNoDnssecSetting("dnssecRootTrustAnchors()");
      this.trustAnchors = DnssecAnchors.parse(DnssecAnchors.ROOT);
      this.dnssecSetting = "dnssecRootTrustAnchors()";
      return this;
    }

    /**
     * Trusts the configured resolvers to validate DNSSEC, instead of validating here: queries ask
     * for DNSSEC (the DO bit, and the AD flag), and an answer is {@linkplain
     * DnsAnswer#authenticated() authenticated} exactly when the resolver's response has the AD
     * flag (for a CNAME chain, every response the answer rests on). A SERVFAIL, which is how a
     * validating resolver answers bogus data, fails the lookup with a {@link DnsException} as
     * always.
     *
     * <p><b>Use this only for a validating resolver you run and trust, over a link you trust</b>
     * — typically one on the same host, at {@code 127.0.0.1}, as Postfix expects for DANE. The AD
     * flag is one unsigned bit: a resolver that does not validate, or anyone who can forge or
     * alter its responses on the way (any path across a network without TSIG or an encrypted
     * tunnel), can set it and make forged TLSA, MX and address records look secure, which turns
     * DANE against you. Never point this at a public or ISP resolver over the network. With no
     * {@link #server(InetSocketAddress) server} added, the system's resolvers are trusted: make
     * sure that is a local validating resolver.
     *
     * @return this builder
     * @throws IllegalStateException if a DNSSEC setting ({@link #dnssecTrustAnchors(String)},
     *     {@link #dnssecRootTrustAnchors()}, or this one) was already chosen
     */
    public Builder trustResolverAd() {
      requireNoDnssecSetting("trustResolverAd()");
      this.trustResolverAd = true;
      this.dnssecSetting = "trustResolverAd()";
      return this;
    }

    /**
     * Sets the executor that runs the continuations of lookups. No thread is created per lookup;
     * network I/O runs on dnsjava's selector thread.
     *
     * @param executor the executor
     * @return this builder
     * @throws IllegalStateException if an executor was already set
     * @throws NullPointerException if {@code executor} is null
     */
    public Builder executor(Executor executor) {
      Objects.requireNonNull(executor, "executor");
      requireUnset(this.executor, "executor");
      this.executor = executor;
      return this;
    }

    /**
     * Sets the clock for cache lifetimes and DNSSEC signature validity.
     *
     * @param clock the clock
     * @return this builder
     * @throws IllegalStateException if a clock was already set
     * @throws NullPointerException if {@code clock} is null
     */
    public Builder clock(Clock clock) {
      Objects.requireNonNull(clock, "clock");
      requireUnset(this.clock, "clock");
      this.clock = clock;
      return this;
    }

    /**
     * Builds the client. The builder may be used again.
     *
     * @return a new, thread-safe client
     */
    public DnsClient build() {
      return DnsjavaClient.create(
          new DnsjavaClient.Settings(
              servers,
              timeout,
              retries,
              maxCnameChain,
              cacheSize,
              trustAnchors,
              trustResolverAd,
              executor,
              clock == null ? Clock.systemUTC() : clock));
    }

    private void requireNoDnssecSetting(String what) {
      if (dnssecSetting != null) {
        throw new IllegalStateException(
            dnssecSetting.equals(what)
                ? what + " was already set"
                : what
                    + " and "
                    + dnssecSetting
                    + " exclude each other: choose one DNSSEC setting; "
                    + dnssecSetting
                    + " was already set");
      }
    }

    private static void requireUnset(Object value, String what) {
      if (value != null) {
        throw new IllegalStateException(what + " was already set");
      }
    }
  }
}
