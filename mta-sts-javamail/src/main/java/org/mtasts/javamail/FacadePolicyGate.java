package org.mtasts.javamail;

import java.util.List;
import java.util.Objects;
import org.mtasts.DeliveryDecision;
import org.mtasts.DeliveryPlan;
import org.mtasts.MtaSts;
import org.mtasts.PolicyLookup;
import org.mtasts.RefusalReason;
import org.mtasts.TlsFacts;

/** The policy seam on the core's {@link MtaSts} facade: plans and per-session checks. */
final class FacadePolicyGate implements PolicyGate {
  private final MtaSts sts;

  FacadePolicyGate(MtaSts sts) {
    this.sts = Objects.requireNonNull(sts, "sts");
  }

  @Override
  public Route route(String domain) {
    DeliveryPlan plan = sts.plan(domain);
    List<Hop> hops = plan.candidates().stream()
        .map(c -> new Hop(c.host(), c.matchesPolicy(), c.allowed()))
        .toList();
    return new Route(plan.domain(), status(plan.status()), plan.lookup().mode().orElse(null), hops,
        plan.message(), plan.lookup());
  }

  private static RouteStatus status(DeliveryPlan.Status s) {
    return switch (s) {
      case DELIVER -> RouteStatus.DELIVER;
      case NO_MATCHING_MX -> RouteStatus.NO_MATCHING_MX;
      case NULL_MX -> RouteStatus.NULL_MX;
      case NO_SUCH_DOMAIN -> RouteStatus.NO_SUCH_DOMAIN;
      case NO_MAIL_HOST -> RouteStatus.NO_MAIL_HOST;
      case TEMPORARY_FAILURE -> RouteStatus.TEMPORARY_FAILURE;
    };
  }

  @Override
  public Verdict check(Route route, String mxHost, SessionFacts facts) {
    DeliveryDecision d = sts.check((PolicyLookup) route.snapshot(), mxHost, tlsFacts(facts));
    return new Verdict(d.isAllowed(), d.reason().orElse(null), d.message());
  }

  static TlsFacts tlsFacts(SessionFacts f) {
    if (!f.startTlsOffered()) {
      return TlsFacts.noStartTls();
    }
    if (!f.tlsNegotiated()) {
      return TlsFacts.handshakeFailed(
          f.problem() == null ? RefusalReason.TLS_HANDSHAKE_FAILED : f.problem());
    }
    return f.problem() == null
        ? TlsFacts.verified(f.protocol())
        : TlsFacts.certificateProblem(f.protocol(), f.problem());
  }

  @Override
  public String toString() {
    return "FacadePolicyGate{" + sts + "}";
  }
}
