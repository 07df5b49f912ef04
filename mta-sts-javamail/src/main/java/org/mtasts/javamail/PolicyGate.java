package org.mtasts.javamail;

import java.util.List;
import java.util.Objects;
import org.mtasts.RefusalReason;
import org.mtasts.policy.Mode;

/**
 * The policy side of a delivery as the transport needs it: where to deliver for a domain, and
 * whether one SMTP session to one MX satisfies the policy. A seam over the core {@code MtaSts}
 * facade, so the Jakarta Mail logic can be tested on its own. Implementations are thread-safe.
 */
interface PolicyGate {

  /**
   * Resolves the policy and MX hosts of {@code domain} against one policy snapshot
   * (STS-APPLY-09). Never throws for DNS or HTTPS reasons: those are statuses.
   *
   * @throws IllegalArgumentException if {@code domain} is not a valid domain name
   */
  Route route(String domain);

  /**
   * Judges one SMTP session to {@code mxHost} under {@code route}'s policy, reporting refusals and
   * testing-mode violations to the configured listener.
   */
  Verdict check(Route route, String mxHost, SessionFacts facts);

  /** What planning said about one domain. */
  enum RouteStatus {
    DELIVER,
    NO_MATCHING_MX,
    NULL_MX,
    NO_SUCH_DOMAIN,
    NO_MAIL_HOST,
    TEMPORARY_FAILURE
  }

  /**
   * Where to deliver for one domain.
   *
   * @param mode the applied policy mode, null when no policy applies
   * @param snapshot the core's policy lookup, passed back to {@link #check}
   */
  record Route(String domain, RouteStatus status, Mode mode, List<Hop> hops, String message,
      Object snapshot) {
    public Route {
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(status, "status");
      hops = List.copyOf(hops);
      Objects.requireNonNull(message, "message");
    }
  }

  /** One MX host in delivery order; {@code allowed} is false only for an enforce mismatch. */
  record Hop(String host, boolean matchesPolicy, boolean allowed) {}

  /** The outcome of {@link #check}: allowed, refused (enforce) or report-only (testing). */
  record Verdict(boolean allowed, RefusalReason reason, String message) {
    /** Whether a policy violation was found (refused, or reported under testing). */
    boolean violated() {
      return reason != null;
    }
  }
}
