package org.mtasts.dns;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The answer to one DNS question: the records found, or why there are none.
 *
 * <p>{@link Status#ANSWER} always comes with at least one record; every other status comes with
 * none. Use {@link #hasRecords()} when all that matters is whether there is something to use: for
 * MTA-STS discovery, NODATA, NXDOMAIN and a broken CNAME chain all mean "no record" (STS-DISC-15,
 * D-16).
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the record type: {@link TxtRecord}, {@link MxRecord}, {@link TlsaRecord} or {@link
 *     java.net.InetAddress}
 * @param name the name that was asked for, normalised (lower-case, no trailing dot)
 * @param status what the DNS said
 * @param records the records, in the order the server gave them; empty unless {@code status} is
 *     {@link Status#ANSWER}
 * @param ttl how long this answer may be reused: the smallest TTL of the records and of the CNAMEs
 *     leading to them; for NODATA and NXDOMAIN the negative-caching time from the zone's SOA record
 *     (RFC 2308: the lower of its TTL and MINIMUM), or zero when the server sent no SOA; zero for
 *     {@link Status#CNAME_CHAIN_TOO_LONG}. An answer served from the client's cache carries its
 *     remaining lifetime.
 * @param authenticated {@code true} only if DNSSEC validation is enabled on the client and every
 *     response that this answer rests on, including the CNAMEs leading to it and the denial of
 *     existence for NODATA and NXDOMAIN, was validated as secure ("secure" in RFC 4035's terms;
 *     {@code false} means insecure, as bogus answers fail the lookup); an AD flag set by an
 *     upstream resolver is not trusted unless the client was built with {@link
 *     DnsClient.Builder#trustResolverAd()}, in which case that flag on every response is what
 *     counts
 * @param canonicalName the name the records are at after following CNAMEs, normalised; equal to
 *     {@code name} when there was no CNAME
 */
public record DnsAnswer<T>(
    String name,
    Status status,
    List<T> records,
    Duration ttl,
    boolean authenticated,
    String canonicalName) {

  /** What the DNS said about a name and type. */
  public enum Status {
    /** The name has records of the type asked for. */
    ANSWER,
    /** The name exists but has no records of this type (NOERROR with an empty answer). */
    NODATA,
    /** The name does not exist (NXDOMAIN). */
    NXDOMAIN,
    /**
     * The name is a CNAME whose chain loops or has more links than the client allows (8 by
     * default). Decision D-16 treats this as "no record"; it is kept apart from {@link #NXDOMAIN}
     * only so that diagnostics can say what is wrong.
     */
    CNAME_CHAIN_TOO_LONG
  }

  /**
   * Validates and copies the components.
   *
   * @throws NullPointerException if any argument or record is null
   * @throws IllegalArgumentException if {@code status} is {@link Status#ANSWER} and there are no
   *     records, or another status comes with records, or {@code ttl} is negative
   */
  public DnsAnswer {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    records = List.copyOf(records);
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(canonicalName, "canonicalName");
    if ((status == Status.ANSWER) == records.isEmpty()) {
      throw new IllegalArgumentException(
          "status " + status + " with " + records.size() + " records for " + name);
    }
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("negative ttl " + ttl + " for " + name);
    }
  }

  /**
   * An unauthenticated positive answer without CNAMEs, for fakes and tests.
   *
   * @param name the name asked for
   * @param records one or more records
   * @param ttl the lifetime of the answer
   * @param <T> the record type
   * @return an answer with status {@link Status#ANSWER}
   */
  public static <T> DnsAnswer<T> of(String name, List<T> records, Duration ttl) {
    return new DnsAnswer<>(name, Status.ANSWER, records, ttl, false, name);
  }

  /**
   * An unauthenticated negative answer without CNAMEs, for fakes and tests.
   *
   * @param name the name asked for
   * @param status any status but {@link Status#ANSWER}
   * @param ttl the negative-caching time
   * @param <T> the record type
   * @return an answer without records
   */
  public static <T> DnsAnswer<T> empty(String name, Status status, Duration ttl) {
    return new DnsAnswer<>(name, status, List.of(), ttl, false, name);
  }

  /**
   * Tells whether there are records to use.
   *
   * @return {@code true} exactly when {@link #status()} is {@link Status#ANSWER}
   */
  public boolean hasRecords() {
    return status == Status.ANSWER;
  }
}
