package org.mtasts.javamail;

import java.util.ArrayList;
import org.mtasts.RefusalReason;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.mtasts.javamail.PolicyGate.Hop;
import org.mtasts.javamail.PolicyGate.Route;
import org.mtasts.javamail.PolicyGate.RouteStatus;
import org.mtasts.javamail.PolicyGate.Verdict;
import org.mtasts.policy.Mode;

/**
 * A policy gate with hand-written routes: mode, exact mx names allowed, MX hosts in order. Records
 * every verdict with a violation.
 */
final class FakePolicyGate implements PolicyGate {
  private final Map<String, Route> routes = new ConcurrentHashMap<>();
  final List<Verdict> violations = new CopyOnWriteArrayList<>();

  FakePolicyGate domain(String domain, Mode mode, List<String> allowedMx, String... mxHosts) {
    List<Hop> hops = new ArrayList<>();
    boolean any = false;
    for (String h : mxHosts) {
      boolean matches = mode == null || mode == Mode.NONE || allowedMx.contains(h);
      boolean allowed = matches || mode != Mode.ENFORCE;
      any |= allowed;
      hops.add(new Hop(h, matches, allowed));
    }
    RouteStatus status = any ? RouteStatus.DELIVER : RouteStatus.NO_MATCHING_MX;
    routes.put(domain, new Route(domain, status, mode, hops, "fake route for " + domain,
        allowedMx));
    return this;
  }

  FakePolicyGate status(String domain, RouteStatus status) {
    routes.put(domain, new Route(domain, status, null, List.of(), "fake " + status, List.of()));
    return this;
  }

  @Override
  public Route route(String domain) {
    Route r = routes.get(domain);
    if (r == null) {
      throw new AssertionError("no fake route for " + domain);
    }
    return r;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Verdict check(Route route, String mxHost, SessionFacts facts) {
    Mode mode = route.mode();
    if (mode == null || mode == Mode.NONE) {
      return new Verdict(true, null, "no policy");
    }
    RefusalReason reason;
    if (!((List<String>) route.snapshot()).contains(mxHost)) {
      reason = RefusalReason.MX_MISMATCH;
    } else if (!facts.startTlsOffered()) {
      reason = RefusalReason.STARTTLS_NOT_SUPPORTED;
    } else {
      reason = facts.problem();
    }
    if (reason == null) {
      return new Verdict(true, null, mxHost + " passes");
    }
    Verdict v = new Verdict(mode != Mode.ENFORCE, reason,
        mxHost + " fails the policy of " + route.domain() + ": " + reason.code());
    violations.add(v);
    return v;
  }
}
