package org.mtasts;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.mtasts.dns.DnsAnswer;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.DnssecValidationException;
import org.mtasts.dns.MxLookup;
import org.mtasts.dns.MxRecord;
import org.mtasts.dns.TlsaRecord;
import org.mtasts.internal.text.Texts;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;
import org.mtasts.tls.DaneRequirement;
import org.mtasts.tls.DaneTlsa;

/**
 * Which MX hosts DANE for SMTP protects, decided from DNSSEC before connecting (RFC 7672 §2.2):
 * the {@link DaneRequirement} of each host of an MX lookup.
 *
 * <p>DANE applies to a host only when every answer it rests on is secure: the MX RRset (for an
 * implicit MX, the domain's address answer; §2.2.1, §2.2.2), the host's address answer, and the
 * TLSA answer with records (STS-DANE-02). Anything insecure means {@link DaneRequirement#none(String)}
 * with the reason, and MTA-STS alone governs. Once the MX RRset is secure, a failed address or TLSA
 * lookup (bogus, SERVFAIL, timeout: any {@link org.mtasts.dns.DnsException}) makes the host unusable
 * this attempt ({@link DaneRequirement#dnssecFailed}, STS-DANE-03, §2.1.1): an attacker who can
 * make the lookups fail must not get a downgrade to MTA-STS alone or to plaintext.
 *
 * <p>TLSA base domain (§2.2.3): when the host's address answer followed a CNAME chain (secure
 * throughout, as the answer is), the TLSA records are looked up at {@code _25._tcp.<final
 * target>} first, and at {@code _25._tcp.<mx host>} when the target has securely none.
 *
 * <p>A DNS client without TLSA support ({@link DnsClient#tlsa} failing with {@link
 * UnsupportedOperationException}) makes DANE not apply. The lookups of all hosts run at once; the
 * stages never complete exceptionally. Thread-safe.
 */
final class DanePlanning {
  private final DnsClient dns;

  /** @param dns a client that validates DNSSEC (or trusts a validating resolver) */
  DanePlanning(DnsClient dns) {
    this.dns = Objects.requireNonNull(dns, "dns");
  }

  /**
   * The requirement of every host of {@code mx}, by normalised host name, in MX order; a name that
   * is not a valid host name is left out (the plan skips it, STS-MX-08). No DNS traffic when the MX
   * answer is insecure.
   */
  CompletionStage<Map<String, DaneRequirement>> requirements(MxLookup mx) {
    List<String> hosts = new ArrayList<>();
    for (MxRecord r : mx.hosts()) {
      try {
        String host = DomainNames.normalize(r.exchange());
        if (!hosts.contains(host)) {
          hosts.add(host);
        }
      } catch (InvalidDomainException e) {
        // skipped by DeliveryRules.plan as well: no lookup for a name that cannot be asked
      }
    }
    if (hosts.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    if (!mx.authenticated()) {
      // RFC 7672 §2.2.1: an insecure MX RRset could have been forged, so TLSA records found for
      // its hosts would prove nothing about the domain's intent; MTA-STS alone governs.
      DaneRequirement none = DaneRequirement.none((mx.isImplicit()
          ? "the address answer of " + mx.domain() + " (implicit MX)"
          : "the MX RRset of " + mx.domain())
          + " is not DNSSEC-validated (insecure): DANE does not apply (RFC 7672 §2.2.1)");
      Map<String, DaneRequirement> all = new LinkedHashMap<>();
      hosts.forEach(h -> all.put(h, none));
      return CompletableFuture.completedFuture(all);
    }
    List<CompletableFuture<DaneRequirement>> lookups = new ArrayList<>(hosts.size());
    for (String host : hosts) {
      lookups.add(requirement(host).toCompletableFuture());
    }
    return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              Map<String, DaneRequirement> byHost = new LinkedHashMap<>();
              for (int i = 0; i < hosts.size(); i++) {
                byHost.put(hosts.get(i), lookups.get(i).join());
              }
              return byHost;
            });
  }

  /**
   * The requirement of one host, normalised, whose MX RRset (or implicit-MX address answer) was
   * secure. Never completes exceptionally.
   */
  CompletionStage<DaneRequirement> requirement(String host) {
    return call(() -> dns.addresses(host))
        .handle(
            (answer, error) -> {
              if (error != null) {
                return done(DaneRequirement.dnssecFailed("address lookup of " + host
                    + " failed: " + describe(error) + " (RFC 7672 §2.1.1, STS-DANE-03)"));
              }
              return afterAddresses(host, answer);
            })
        .thenCompose(stage -> stage);
  }

  private CompletionStage<DaneRequirement> afterAddresses(String host,
      DnsAnswer<InetAddress> answer) {
    if (answer.status() == DnsAnswer.Status.CNAME_CHAIN_TOO_LONG) {
      // A failed lookup, not an insecure one: DANE must not be dropped for it (STS-DANE-03).
      return done(DaneRequirement.dnssecFailed("address lookup of " + host + " failed: its CNAME"
          + " chain loops or is too long (RFC 7672 §2.1.1, STS-DANE-03)"));
    }
    if (!answer.authenticated()) {
      return done(DaneRequirement.none("the addresses of " + host
          + " are not DNSSEC-validated (insecure): DANE does not apply (RFC 7672 §2.2)"));
    }
    if (!answer.hasRecords()) {
      // Securely no address: the host cannot be reached, so there is nothing to protect.
      return done(DaneRequirement.none(host + " has no address (" + answer.status() + ")"));
    }
    String target = answer.canonicalName();
    return target.equals(host) ? tlsa(host, host, false) : tlsa(host, target, true);
  }

  /**
   * Looks up the TLSA RRset at {@code _25._tcp.<base>}; {@code fallBack}: when it is securely
   * empty, try the MX host name itself (RFC 7672 §2.2.3).
   */
  private CompletionStage<DaneRequirement> tlsa(String host, String base, boolean fallBack) {
    String owner = "_25._tcp." + base;
    return call(() -> dns.tlsa(owner))
        .handle(
            (answer, error) -> {
              if (error != null) {
                Throwable cause = PolicyResolution.unwrap(error);
                if (cause instanceof UnsupportedOperationException) {
                  return done(DaneRequirement.none(
                      "the DNS client does not look up TLSA records: DANE does not apply"));
                }
                return done(DaneRequirement.dnssecFailed("TLSA lookup of " + owner
                    + " failed: " + describe(cause) + " (RFC 7672 §2.1.1, STS-DANE-03)"));
              }
              return afterTlsa(host, base, owner, answer, fallBack);
            })
        .thenCompose(stage -> stage);
  }

  private CompletionStage<DaneRequirement> afterTlsa(String host, String base, String owner,
      DnsAnswer<TlsaRecord> answer, boolean fallBack) {
    if (answer.status() == DnsAnswer.Status.CNAME_CHAIN_TOO_LONG) {
      return done(DaneRequirement.dnssecFailed("TLSA lookup of " + owner + " failed: its CNAME"
          + " chain loops or is too long (RFC 7672 §2.1.1, STS-DANE-03)"));
    }
    if (!answer.authenticated()) {
      return done(DaneRequirement.none("the TLSA answer at " + owner
          + " is not DNSSEC-validated (insecure): DANE does not apply (RFC 7672 §2.2)"));
    }
    if (answer.hasRecords()) {
      return done(DaneRequirement.of(new DaneTlsa(host, base, answer.records())));
    }
    if (fallBack) {
      return tlsa(host, host, false);
    }
    return done(DaneRequirement.none(
        "no TLSA records at " + owner + " (" + answer.status() + ", DNSSEC-validated)"));
  }

  /** A lookup's stage; what the client throws at once fails the stage instead. */
  private static <T> CompletionStage<T> call(java.util.function.Supplier<CompletionStage<T>> s) {
    try {
      return s.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static CompletionStage<DaneRequirement> done(DaneRequirement r) {
    return CompletableFuture.completedFuture(r);
  }

  /** What the DNS client said about a failure, for a message; a bogus answer says so first. */
  private static String describe(Throwable error) {
    Throwable cause = PolicyResolution.unwrap(error);
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName()
        : Texts.printable(cause.getMessage(), 300);
    return cause instanceof DnssecValidationException ? "bogus: " + message : message;
  }
}
