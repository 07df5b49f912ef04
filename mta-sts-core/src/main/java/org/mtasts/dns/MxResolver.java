package org.mtasts.dns;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import org.mtasts.internal.cache.Throttle;
import org.mtasts.internal.dns.Await;
import org.mtasts.internal.dns.DnsNames;
import org.mtasts.internal.text.Texts;
import org.mtasts.policy.DomainNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the mail hosts of a domain as RFC 5321 §5.1 and RFC 7505 say, on top of a {@link
 * DnsClient}.
 *
 * <ul>
 *   <li>MX lookup of the domain; a domain that is a CNAME is resolved through it, but the result
 *       keeps the original domain (STS-MX-01).
 *   <li>NXDOMAIN: {@link MxLookup.Status#NO_SUCH_DOMAIN}, permanent (STS-MX-02).
 *   <li>Temporary failure: the stage completes exceptionally with the {@link DnsException}
 *       (STS-MX-03).
 *   <li>No MX records: if the domain has an A or AAAA record it is its own host with preference 0
 *       ({@link MxLookup.Status#IMPLICIT_MX}, STS-MX-04); otherwise {@link
 *       MxLookup.Status#NO_MAIL_HOST}. When MX records exist, the domain's addresses are never
 *       looked up (STS-MX-05).
 *   <li>Hosts are sorted by preference, lowest first, in random order among equal preferences
 *       (STS-MX-06); a host listed twice is kept once, at its lowest preference; only the first
 *       {@code maxHosts} are kept (RFC 5321 §5.1 allows a configured limit, STS-MX-07).
 *   <li>A lone {@code MX 0 .} is a null MX: {@link MxLookup.Status#NULL_MX} (STS-MX-09); {@code .}
 *       entries next to real hosts are ignored (STS-MX-10, D-20).
 *   <li>Host names are the MX exchange names as published, never CNAME-expanded (STS-MX-12).
 *       Exchanges that are not host names as {@link DomainNames} accepts them (labels of ASCII
 *       letters, digits and inner hyphens, so no {@code _}, spaces or escaped bytes), or whose top
 *       label is all digits (an IPv4 address written as an MX name), are skipped like unreachable
 *       hosts, so that one bad record costs only itself; each is logged at INFO, once a day per
 *       domain and exchange. If no host is left, the result is {@link
 *       MxLookup.Status#NO_MAIL_HOST} (STS-MX-08). Every host returned is therefore a name that
 *       the rest of the library (policy matching, certificate checks, {@code MtaSts.plan})
 *       accepts.
 * </ul>
 *
 * <p>Addresses of the hosts are not looked up here; a delivery asks {@link
 * DnsClient#addresses(String)} for each host when it gets to it, keeping the MX name for TLS
 * (STS-MX-13).
 *
 * <p>Immutable and thread-safe.
 */
public final class MxResolver {
  private static final Logger log = LoggerFactory.getLogger(MxResolver.class);

  /** Hosts kept when no limit is set. */
  public static final int DEFAULT_MAX_HOSTS = 10;

  private static final int MAX_MAX_HOSTS = 1_000;

  private final DnsClient dns;
  private final int maxHosts;
  private final RandomGenerator random;
  // Paces a log line, nothing else: the system clock is enough.
  private final Throttle skippedLog = new Throttle(Clock.systemUTC(), Duration.ofDays(1), 10_000);

  private MxResolver(Builder builder) {
    this.dns = builder.dns;
    this.maxHosts = builder.maxHosts;
    this.random = builder.random;
  }

  /**
   * A resolver with the defaults: at most {@value #DEFAULT_MAX_HOSTS} hosts, {@link
   * ThreadLocalRandom} for the order of equal preferences.
   *
   * @param dns the DNS client to ask
   * @return the resolver
   * @throws NullPointerException if {@code dns} is null
   */
  public static MxResolver create(DnsClient dns) {
    return builder(dns).build();
  }

  /**
   * A builder for a resolver on {@code dns}.
   *
   * @param dns the DNS client to ask
   * @return a new builder
   * @throws NullPointerException if {@code dns} is null
   */
  public static Builder builder(DnsClient dns) {
    return new Builder(dns);
  }

  /**
   * Resolves the mail hosts of {@code domain}.
   *
   * @param domain a mail domain, any case, U-labels or A-labels, trailing dot allowed; normalised
   *     by {@link DomainNames#normalize}, as everywhere in the library
   * @return a stage completing with the outcome, or exceptionally with a {@link DnsException} on a
   *     temporary DNS failure
   * @throws org.mtasts.policy.InvalidDomainException if {@code domain} is not a valid domain name
   *     (an {@link IllegalArgumentException})
   * @throws NullPointerException if {@code domain} is null
   */
  public CompletionStage<MxLookup> resolve(String domain) {
    String name = DomainNames.normalize(domain);
    return dns.mx(name)
        .thenCompose(
            mx -> {
              switch (mx.status()) {
                case ANSWER:
                  return CompletableFuture.completedFuture(fromRecords(name, mx));
                case NXDOMAIN:
                  return CompletableFuture.completedFuture(
                      new MxLookup(
                          name, MxLookup.Status.NO_SUCH_DOMAIN, List.of(), mx.authenticated()));
                default:
                  // NODATA, or a CNAME chain that loops or is too long (D-16: no record); the
                  // address lookup then meets the same chain and finds nothing.
                  return dns.addresses(name).thenApply(addresses -> implicit(name, mx, addresses));
              }
            });
  }

  /**
   * Waits for {@link #resolve(String)}.
   *
   * @param domain a domain in ASCII (A-label) form
   * @return the outcome
   * @throws DnsException on a temporary DNS failure, or if the wait was interrupted (the thread's
   *     interrupt flag is then set again)
   * @throws IllegalArgumentException if {@code domain} is not a valid DNS name in ASCII form
   */
  public MxLookup resolveBlocking(String domain) throws DnsException {
    return Await.await(resolve(domain), domain, "MX");
  }

  private static MxLookup implicit(String name, DnsAnswer<MxRecord> mx, DnsAnswer<?> addresses) {
    boolean authenticated = mx.authenticated() && addresses.authenticated();
    if (addresses.hasRecords()) {
      // RFC 5321 §5.1: the domain itself, as an implicit MX of preference 0 — named as given,
      // not by a CNAME target, like any MX name (STS-MX-04, STS-MX-12).
      return new MxLookup(
          name, MxLookup.Status.IMPLICIT_MX, List.of(new MxRecord(0, name)), authenticated);
    }
    return new MxLookup(name, MxLookup.Status.NO_MAIL_HOST, List.of(), authenticated);
  }

  private MxLookup fromRecords(String name, DnsAnswer<MxRecord> mx) {
    // Lowest preference for each host; "." entries dropped (D-20).
    Map<String, Integer> preferences = new LinkedHashMap<>();
    boolean unusable = false;
    for (MxRecord r : mx.records()) {
      if (r.isRootExchange()) {
        continue;
      }
      if (!isHostName(r.exchange())) {
        // DNS labels may hold any byte; an exchange such as "mx\032evil.example" or
        // "mx_1.example" is no host name the library can match, verify or look up. Skipping it
        // like an unreachable host keeps the other hosts usable (STS-MX-08, issue 12 item 3).
        unusable = true;
        if (skippedLog.pass(name + " " + r.exchange()) >= 0) {
          log.info("MX record of {} names {}, which is not a valid host name; skipped (STS-MX-08)",
              name, Texts.quote(r.exchange()));
        }
        continue;
      }
      preferences.merge(r.exchange(), r.preference(), Math::min);
    }
    if (preferences.isEmpty() && unusable) {
      // MX records exist, so the domain's own address must not be used (STS-MX-05).
      return new MxLookup(name, MxLookup.Status.NO_MAIL_HOST, List.of(), mx.authenticated());
    }
    if (preferences.isEmpty()) {
      // Only "." entries: RFC 7505 null MX, the domain accepts no mail (STS-MX-09).
      return new MxLookup(name, MxLookup.Status.NULL_MX, List.of(), mx.authenticated());
    }
    TreeMap<Integer, List<String>> byPreference = new TreeMap<>();
    preferences.forEach(
        (host, preference) ->
            byPreference.computeIfAbsent(preference, p -> new ArrayList<>()).add(host));
    List<MxRecord> hosts = new ArrayList<>();
    for (Map.Entry<Integer, List<String>> group : byPreference.entrySet()) {
      List<String> names = group.getValue();
      shuffle(names);
      for (String host : names) {
        if (hosts.size() < maxHosts) {
          hosts.add(new MxRecord(group.getKey(), host));
        }
      }
    }
    return new MxLookup(name, MxLookup.Status.MX, hosts, mx.authenticated());
  }

  private static boolean isHostName(String exchange) {
    try {
      DnsNames.toName(exchange);
    } catch (IllegalArgumentException e) {
      return false;
    }
    // The one validator of host names (DomainNames), so that every host returned passes it
    // again wherever it is used. It also refuses an all-numeric top label (RFC 3696 §2): that
    // is how an IPv4 address looks ("MX 10 10.0.0.1."), and code that hands it to InetAddress or
    // Socket would connect to that address instead of looking the name up.
    return DomainNames.isNormalized(exchange);
  }

  /** Fisher–Yates; RFC 5321 §5.1 wants equal preferences in random order (STS-MX-06). */
  private void shuffle(List<String> names) {
    if (names.size() < 2) {
      return;
    }
    if (random == null) {
      shuffle(names, ThreadLocalRandom.current());
    } else {
      // Injected generators need not be thread-safe.
      synchronized (random) {
        shuffle(names, random);
      }
    }
  }

  private static void shuffle(List<String> names, RandomGenerator random) {
    for (int i = names.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      names.set(j, names.set(i, names.get(j)));
    }
  }

  /** Configures an {@link MxResolver}. Not thread-safe. */
  public static final class Builder {

    private final DnsClient dns;
    private int maxHosts = DEFAULT_MAX_HOSTS;
    private RandomGenerator random;

    private Builder(DnsClient dns) {
      this.dns = Objects.requireNonNull(dns, "dns");
    }

    /**
     * Sets how many hosts are kept, the most preferred ones.
     *
     * @param maxHosts 1 to 1000
     * @return this builder
     * @throws IllegalArgumentException if {@code maxHosts} is out of range
     */
    public Builder maxHosts(int maxHosts) {
      if (maxHosts < 1 || maxHosts > MAX_MAX_HOSTS) {
        throw new IllegalArgumentException(
            "maxHosts must be between 1 and " + MAX_MAX_HOSTS + ": " + maxHosts);
      }
      this.maxHosts = maxHosts;
      return this;
    }

    /**
     * Sets the random generator that orders hosts of equal preference, for example a seeded one in
     * tests. It is used under a lock, so it need not be thread-safe.
     *
     * @param random the generator
     * @return this builder
     * @throws IllegalStateException if a generator was already set
     * @throws NullPointerException if {@code random} is null
     */
    public Builder random(RandomGenerator random) {
      Objects.requireNonNull(random, "random");
      if (this.random != null) {
        throw new IllegalStateException("random was already set");
      }
      this.random = random;
      return this;
    }

    /**
     * Builds the resolver.
     *
     * @return a new resolver
     */
    public MxResolver build() {
      return new MxResolver(this);
    }
  }
}
