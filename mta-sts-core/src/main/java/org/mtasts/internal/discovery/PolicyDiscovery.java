package org.mtasts.internal.discovery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.mtasts.dns.DnsAnswer;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.TxtRecord;
import org.mtasts.policy.PolicyRecord;
import org.mtasts.policy.RecordSelection;

/**
 * Policy discovery (RFC 8461 §3.1): looks up {@code _mta-sts.<domain>} TXT and selects the one
 * STS record.
 *
 * <p>The DNS client follows CNAME chains (STS-DISC-02, up to its limit, D-16) and joins the
 * character-strings of each record (STS-DISC-03); {@link PolicyRecord#select} drops records that
 * are not STS records and requires exactly one valid one (STS-DISC-04…06). NXDOMAIN, NODATA and an
 * over-long CNAME chain all mean "no record" (STS-DISC-15). A temporary DNS failure completes the
 * stage exceptionally with the client's {@link org.mtasts.dns.DnsException} (STS-DISC-16), so
 * callers can tell it from "no record". Thread-safe.
 */
public final class PolicyDiscovery {
  /** Longest DNS name in text form without the trailing dot (255 octets on the wire). */
  private static final int MAX_NAME_LENGTH = 253;

  private final DnsClient dns;

  /** Creates a discovery that asks {@code dns}. */
  public PolicyDiscovery(DnsClient dns) {
    this.dns = Objects.requireNonNull(dns, "dns");
  }

  /** Looks up the STS record of {@code domain} (normalised: A-labels, lower case, no dot). */
  public CompletionStage<Discovery> discover(String domain) {
    String name = "_mta-sts." + domain;
    if (name.length() > MAX_NAME_LENGTH) {
      // A legal domain of 245 to 253 characters: the underscore name is longer than any DNS
      // name, so no record can exist (and the DNS client would throw for it). No record.
      return CompletableFuture.completedFuture(
          new Discovery(domain, PolicyRecord.select(List.of()), Duration.ZERO, false));
    }
    return dns.txt(name).thenApply(answer -> select(domain, answer));
  }

  static Discovery select(String domain, DnsAnswer<TxtRecord> answer) {
    List<String> texts = new ArrayList<>(answer.records().size());
    for (TxtRecord record : answer.records()) {
      texts.add(record.text());
    }
    return new Discovery(
        domain, PolicyRecord.select(texts), answer.ttl(), answer.authenticated());
  }

  /**
   * The outcome of discovery for one domain: the record selection, how long DNS allows the answer
   * to be reused, and whether it was DNSSEC-validated.
   */
  public record Discovery(
      String domain,
      RecordSelection<PolicyRecord> selection,
      Duration ttl,
      boolean authenticated) {
    /** Validates the fields. */
    public Discovery {
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(selection, "selection");
      Objects.requireNonNull(ttl, "ttl");
    }
  }
}
