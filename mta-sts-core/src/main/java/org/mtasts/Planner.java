package org.mtasts;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.DnssecSupport;
import org.mtasts.dns.MxLookup;
import org.mtasts.dns.MxResolver;
import org.mtasts.internal.text.Texts;
import org.mtasts.tls.DaneRequirement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link MtaSts#planAsync} does: the MX lookup beside the policy lookup, and, when DANE is
 * active, the DANE requirement of each MX host ({@link DanePlanning}) before {@link
 * DeliveryRules#plan} judges them.
 *
 * <p>DANE is active when it is turned on and the DANE DNS client says it can give secure answers
 * ({@link DnsClient#dnssecSupport()}), asked when the first plan is made, not at start-up (a client
 * that only resolves policies sends no DNSSEC probe). A client that does not validate ({@code OFF})
 * and one that does ({@code AVAILABLE}) are asked once; one that cannot ({@code UNAVAILABLE}) is
 * asked again on later plans, which costs nothing until its own back-off lets it probe again.
 * Each change of state is logged once (INFO; WARN for unavailable) and passed to {@link
 * MtaStsListener#daneStatusChanged}. With DANE turned off, or the DNS client not validating, a
 * plan costs what it cost before DANE: one volatile read more.
 *
 * <p>Two DNS clients, when the client made its own: MTA-STS's lookups keep the plain one, and
 * DANE's (MX, addresses, TLSA) use one that validates from the root anchors. A resolver that
 * strips DNSSEC records makes every answer of a validating client bogus; with one client that
 * would stop MTA-STS too, with two it only turns DANE off. While DANE is not active, MX lookups use
 * the plain client. Thread-safe.
 */
final class Planner {
  private static final Logger log = LoggerFactory.getLogger(MtaSts.class);

  private final MxResolver plainMx;
  /** Null when DANE is turned off. */
  private final DnsClient daneDns;
  private final MxResolver daneMx;
  private final DanePlanning dane;
  private final boolean strict;
  private final MtaStsListener listener;
  /** The last state learned; null until the first probe answered. */
  private volatile DaneStatus status;
  /** The probe result behind the last WARN while unavailable; guarded by {@code this}. */
  private DnssecSupport lastUnavailable;

  /**
   * @param plainDns the client of MTA-STS's lookups
   * @param daneDns the client of DANE's lookups, possibly {@code plainDns}; null: DANE off
   * @param strict whether a DANE-authenticated host must satisfy MTA-STS as well (D-23)
   */
  Planner(DnsClient plainDns, DnsClient daneDns, boolean strict, MtaStsListener listener) {
    this.plainMx = MxResolver.create(plainDns);
    this.daneDns = daneDns;
    this.daneMx = daneDns == null ? null
        : daneDns == plainDns ? plainMx : MxResolver.create(daneDns);
    this.dane = daneDns == null ? null : new DanePlanning(daneDns);
    this.strict = strict;
    this.listener = listener;
    this.status = daneDns == null ? DaneStatus.disabled() : null;
  }

  /** Whether a DANE-authenticated host must satisfy MTA-STS as well. */
  boolean strict() {
    return strict;
  }

  /** The plan for {@code domain}, normalised, under the policy lookup {@code lookup}. */
  CompletionStage<DeliveryPlan> plan(String domain, CompletionStage<PolicyLookup> lookup) {
    DaneStatus s = status;
    if (s != null && s.state() != DaneStatus.State.UNAVAILABLE) {
      return s.isActive() ? withDane(domain, lookup) : withoutDane(domain, lookup);
    }
    return statusAsync()
        .thenCompose(now -> now.isActive() ? withDane(domain, lookup)
            : withoutDane(domain, lookup));
  }

  private CompletionStage<DeliveryPlan> withoutDane(String d, CompletionStage<PolicyLookup> lookup) {
    CompletableFuture<MxLookup> mx = resolve(plainMx, d);
    return lookup.thenCompose(
        l -> mx.handle((hosts, error) -> error == null ? DeliveryRules.plan(l, hosts)
            : DeliveryRules.mxFailed(l, PolicyResolution.unwrap(error))));
  }

  private CompletionStage<DeliveryPlan> withDane(String d, CompletionStage<PolicyLookup> lookup) {
    CompletableFuture<MxLookup> mx = resolve(daneMx, d);
    // The hosts' address and TLSA lookups start as soon as the MX answer is in, beside the policy
    // lookup; they never fail (a DNS failure is a DaneRequirement).
    CompletableFuture<Map<String, DaneRequirement>> requirements =
        mx.thenCompose(dane::requirements);
    return lookup.thenCompose(
        l -> mx.handle((hosts, error) -> error == null
                ? requirements.thenApply(r -> DeliveryRules.plan(l, hosts, r, strict))
                : CompletableFuture.completedFuture(
                    DeliveryRules.mxFailed(l, PolicyResolution.unwrap(error))))
            .thenCompose(plan -> plan));
  }

  private static CompletableFuture<MxLookup> resolve(MxResolver resolver, String d) {
    try {
      return resolver.resolve(d).toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The DANE status now, asking the DANE DNS client when it is not known for good. */
  CompletionStage<DaneStatus> statusAsync() {
    DaneStatus s = status;
    if (s != null && s.state() != DaneStatus.State.UNAVAILABLE) {
      return CompletableFuture.completedFuture(s);
    }
    CompletionStage<DnssecSupport> probe;
    try {
      probe = daneDns.dnssecSupport();
    } catch (RuntimeException e) {
      probe = CompletableFuture.failedFuture(e);
    }
    return probe.handle((support, error) -> learned(support != null ? support
        : DnssecSupport.unavailable("the DNSSEC probe failed: "
            + PolicyResolution.unwrap(error))));
  }

  /**
   * Keeps what the probe found; logs and reports a change of state once. While DANE stays
   * unavailable, each new probe result (the client paces them, every few minutes) is logged at
   * WARN again: protection that is off must keep saying so, and an attacker who stripped the first
   * probe's answer must not be heard only once.
   */
  private DaneStatus learned(DnssecSupport support) {
    DaneStatus next = DaneStatus.of(support);
    DaneStatus previous;
    synchronized (this) {
      previous = status;
      if (previous != null && previous.state() == next.state()) {
        if (next.state() == DaneStatus.State.UNAVAILABLE && support != lastUnavailable) {
          lastUnavailable = support;
          log.warn("DANE (RFC 7672) is still unavailable: {}; delivering under MTA-STS alone",
              Texts.printable(next.reason(), 300));
        }
        return previous;
      }
      status = next;
      lastUnavailable = next.state() == DaneStatus.State.UNAVAILABLE ? support : null;
    }
    String why = Texts.printable(next.reason(), 300);
    switch (next.state()) {
      case INACTIVE -> log.info("DANE (RFC 7672) is inactive: the DNS client does not validate"
          + " DNSSEC ({}); MTA-STS alone protects deliveries. To turn DANE on, give MtaSts a"
          + " DnsClient built with dnssecRootTrustAnchors(), or with trustResolverAd() for a local"
          + " validating resolver you trust; MtaSts.Builder.dane(false) says DANE is not wanted",
          why);
      case UNAVAILABLE -> log.warn("DANE (RFC 7672) is unavailable: {}; delivering under MTA-STS"
          + " alone. DANE needs a resolver that passes DNSSEC records through (or a trusted local"
          + " validating resolver with trustResolverAd()); it is tried again later", why);
      default -> log.info("DANE (RFC 7672) is active: {}", why);
    }
    MtaStsListener.fire(listener, l -> l.daneStatusChanged(next));
    return next;
  }
}
