package org.mtasts;

import org.mtasts.tls.DaneRequirement;
import org.mtasts.tls.DaneResult;
import org.mtasts.tls.DaneTlsa;
import org.mtasts.tls.TlsFacts;
import org.mtasts.tls.TlsRequirement;
import org.mtasts.tls.RefusalReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.mtasts.dns.MxRecord;
import org.mtasts.dns.MxLookup;
import org.mtasts.internal.text.Texts;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;
import org.mtasts.policy.Mode;
import org.mtasts.policy.Policy;

/**
 * Where to deliver and whether a session may carry the message (RFC 8461 §4 and §5), as pure
 * functions of one policy lookup: no I/O, no state, no events. {@link MtaSts} calls these;
 * {@link OperatorWarnings#decided} reports what they decide to the listener and the log.
 */
final class DeliveryRules {
  private DeliveryRules() {}

  /** The plan when the MX lookup failed temporarily: the caller defers. */
  static DeliveryPlan mxFailed(PolicyLookup lookup, Throwable error) {
    return new DeliveryPlan(lookup.domain(), lookup, DeliveryPlan.Status.TEMPORARY_FAILURE,
        List.of(), "MX lookup of " + lookup.domain() + " failed temporarily: "
            + error.getMessage());
  }

  /** The plan for the MX hosts DNS returned, in their RFC 5321 order, without DANE. */
  static DeliveryPlan plan(PolicyLookup lookup, MxLookup mx) {
    return plan(lookup, mx, Map.of(), false);
  }

  /**
   * The plan for the MX hosts DNS returned, in their RFC 5321 order, each with its DANE
   * requirement from {@code dane} (by normalised host name; a host not in it: {@link
   * DaneRequirement#none()}). {@code daneStrict}: a DANE-authenticated host must match an enforce
   * policy too (D-23).
   */
  static DeliveryPlan plan(PolicyLookup lookup, MxLookup mx, Map<String, DaneRequirement> dane,
      boolean daneStrict) {
    switch (mx.status()) {
      case NULL_MX:
        return new DeliveryPlan(lookup.domain(), lookup, DeliveryPlan.Status.NULL_MX, List.of(),
            lookup.domain() + " accepts no mail (null MX, RFC 7505)");
      case NO_SUCH_DOMAIN:
        return new DeliveryPlan(lookup.domain(), lookup, DeliveryPlan.Status.NO_SUCH_DOMAIN,
            List.of(), lookup.domain() + " does not exist (NXDOMAIN)");
      case NO_MAIL_HOST:
        return new DeliveryPlan(lookup.domain(), lookup, DeliveryPlan.Status.NO_MAIL_HOST,
            List.of(), lookup.domain() + " has neither MX records nor an address");
      default:
        List<String> names = new ArrayList<>();
        List<Integer> preferences = new ArrayList<>();
        for (MxRecord h : mx.hosts()) {
          names.add(h.exchange());
          preferences.add(h.preference());
        }
        return plan(lookup, names, preferences, dane, daneStrict);
    }
  }

  /** See {@link MtaSts#plan(PolicyLookup, List)}: the list's order stands for the preference. */
  static DeliveryPlan plan(PolicyLookup lookup, List<String> mxHosts) {
    Objects.requireNonNull(lookup, "lookup");
    List<Integer> preferences = new ArrayList<>();
    for (int i = 0; i < mxHosts.size(); i++) {
      preferences.add(i);
    }
    return plan(lookup, mxHosts, preferences, Map.of(), false);
  }

  private static DeliveryPlan plan(PolicyLookup lookup, List<String> hosts,
      List<Integer> preferences, Map<String, DaneRequirement> dane, boolean daneStrict) {
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("no MX hosts to plan for " + lookup.domain());
    }
    String d = lookup.domain();
    if (lookup.shouldDefer()) {
      return new DeliveryPlan(d, lookup, DeliveryPlan.Status.TEMPORARY_FAILURE, List.of(),
          "MTA-STS TXT lookup for " + d + " failed temporarily; deferring (deferOnDnsFailure): "
              + lookup.failure().map(LookupFailure::message).orElse(""));
    }
    Policy policy = lookup.policy().orElse(null);
    Mode mode = policy == null ? null : policy.mode();
    TlsRequirement tls =
        mode == Mode.ENFORCE || requiresTls(lookup) ? TlsRequirement.VERIFIED
            : mode == Mode.TESTING ? TlsRequirement.VERIFY_AND_REPORT
                : TlsRequirement.OPPORTUNISTIC;
    List<MxCandidate> candidates = new ArrayList<>(hosts.size());
    List<String> refused = new ArrayList<>();
    List<String> unusable = new ArrayList<>();
    List<String> dnssecFailed = new ArrayList<>();
    List<String> daneOnly = new ArrayList<>();
    boolean anyAllowed = false;
    for (int i = 0; i < hosts.size(); i++) {
      String host;
      try {
        host = DomainNames.normalize(hosts.get(i));
      } catch (InvalidDomainException e) {
        // STS-MX-08, issue 12 item 3: skipped like an unreachable host; the others still serve.
        unusable.add(Texts.quote(hosts.get(i)));
        continue;
      }
      DaneRequirement daneRequirement =
          dane.isEmpty() ? DaneRequirement.none() : dane.getOrDefault(host, DaneRequirement.none());
      // Mode none and no policy: every host matches as far as MTA-STS is concerned (§5).
      boolean matches = policy == null || mode == Mode.NONE || policy.allowsMx(host);
      // Testing mode: a mismatch is reported, never refused (RFC 8461 §5).
      boolean allowed = matches || mode != Mode.ENFORCE;
      if (daneRequirement.status() == DaneRequirement.Status.DNSSEC_FAILED) {
        // STS-DANE-03: a host that should be DANE-protected but whose lookups failed is not tried
        // this attempt, whatever MTA-STS says: trying it would be the downgrade an attacker wants.
        allowed = false;
        dnssecFailed.add(host + " (" + daneRequirement.message() + ")");
      } else if (!allowed && daneRequirement.status() == DaneRequirement.Status.AUTHENTICATE
          && !daneStrict) {
        // D-23: usable secure TLSA records decide for this host; the mx patterns are skipped.
        allowed = true;
        daneOnly.add(host);
      } else if (!allowed) {
        refused.add(host);
      }
      anyAllowed |= allowed;
      candidates.add(
          new MxCandidate(host, preferences.get(i), matches, allowed, tls, daneRequirement));
    }
    String skipped =
        unusable.isEmpty() ? "" : "; skipped MX names that are not valid host names: " + unusable;
    if (candidates.isEmpty()) {
      return new DeliveryPlan(d, lookup, DeliveryPlan.Status.NO_MAIL_HOST, candidates,
          "none of the MX hosts of " + d + " has a valid host name (RFC 5321 §5.1)" + skipped);
    }
    String mismatch = "the enforce policy of " + d + " (id " + lookup.recordId().orElse("?")
        + ") matches none of the MX hosts " + refused + " (RFC 8461 §4.1)";
    if (!anyAllowed && !dnssecFailed.isEmpty()) {
      return new DeliveryPlan(d, lookup, DeliveryPlan.Status.TEMPORARY_FAILURE, candidates,
          "no MX host of " + d + " can be tried this attempt: DNSSEC lookups failed for "
              + dnssecFailed + " (RFC 7672 §2.1.1, STS-DANE-03)"
              + (refused.isEmpty() ? "" : "; " + mismatch) + skipped);
    }
    if (!anyAllowed) {
      return new DeliveryPlan(d, lookup, DeliveryPlan.Status.NO_MATCHING_MX, candidates,
          mismatch + skipped);
    }
    return new DeliveryPlan(d, lookup, DeliveryPlan.Status.DELIVER, candidates,
        "deliver to " + d + " via " + candidates.stream().filter(MxCandidate::allowed)
            .map(MxCandidate::host).toList()
            + (mode == null ? " (no MTA-STS policy: " + lookup.status() + ")"
                : " under MTA-STS mode " + mode.token())
            + (daneOnly.isEmpty() ? "" : "; DANE authenticates " + daneOnly
                + " outside the policy's mx patterns (D-23)")
            + (dnssecFailed.isEmpty() ? "" : "; not trying, DNSSEC lookups failed: "
                + dnssecFailed)
            + skipped);
  }

  /**
   * The decision for one SMTP session to {@code mxHost} (RFC 8461 §4, §5); see {@link
   * MtaSts#check}. Reports nothing: the caller tells the listener.
   *
   * @throws InvalidDomainException if {@code mxHost} is not a valid host name
   */
  static DeliveryDecision check(PolicyLookup lookup, String mxHost, TlsFacts facts) {
    Objects.requireNonNull(lookup, "lookup");
    Objects.requireNonNull(facts, "facts");
    String host = DomainNames.normalize(mxHost);
    String d = lookup.domain();
    Policy policy = lookup.policy().orElse(null);
    boolean requireTls = requiresTls(lookup);
    if (policy == null || policy.mode() == Mode.NONE) {
      Mode none = policy == null ? null : Mode.NONE;
      RefusalReason tlsFailure = requireTls ? facts.failure().orElse(null) : null;
      if (tlsFailure != null) {
        // Issue 17: the operator's require-tls rule asks for verified TLS with or without a
        // policy; a failure refuses the host, as under enforce.
        return DeliveryDecision.refused(d, host, none, tlsFailure,
            host + " fails the local require-tls override of " + d + " (no MTA-STS policy: "
                + lookup.status() + "): " + explain(tlsFailure, null, facts)
                + "; not delivering to this host (" + tlsFailure.transientStatusCode() + ")");
      }
      // STS-APPLY-08: no policy (or mode none) leaves transport security as configured.
      return DeliveryDecision.allowed(d, host, none,
          "no MTA-STS policy applies to " + d + " (" + lookup.status()
              + (policy == null ? "" : ", mode none") + ")"
              + (requireTls ? "; verified TLS as the require-tls override asks" : ""));
    }
    Mode mode = policy.mode();
    RefusalReason reason =
        policy.allowsMx(host) ? facts.failure().orElse(null) : RefusalReason.MX_MISMATCH;
    if (reason != null && requireTls && mode == Mode.TESTING
        && reason != RefusalReason.MX_MISMATCH) {
      // Issue 17: require-tls refuses a TLS failure; the testing policy's MX patterns stay
      // report-only, as published.
      return DeliveryDecision.refused(d, host, mode, reason,
          host + " fails the local require-tls override of " + d + " (mode testing, id "
              + lookup.recordId().orElse("?") + "): " + explain(reason, policy, facts)
              + "; not delivering to this host (" + reason.transientStatusCode() + ")");
    }
    if (reason == null) {
      return DeliveryDecision.allowed(d, host, mode,
          host + " satisfies the MTA-STS policy of " + d + " (mode " + mode.token() + ", "
              + facts.protocol().orElse("?") + ")");
    }
    String message =
        host + " fails the MTA-STS policy of " + d + " (mode " + mode.token() + ", id "
            + lookup.recordId().orElse("?") + "): " + explain(reason, policy, facts)
            + (mode == Mode.ENFORCE ? "; not delivering to this host (" + reason.transientStatusCode()
                + ")" : "; delivering anyway (testing mode), reported");
    return DeliveryDecision.violated(d, host, mode, reason, message);
  }

  /**
   * The decision for one SMTP session to the candidate {@code mx} of a plan, DANE first (RFC 7672,
   * D-23); see {@link MtaSts#check(PolicyLookup, MxCandidate, TlsFacts)}. DANE refusals are
   * refusals in every mode: DANE has no report-only mode, and a passing MTA-STS check never
   * overrides a failing DANE check (STS-DANE-01).
   *
   * @param daneStrict whether a DANE-authenticated session must satisfy MTA-STS as well
   */
  static DeliveryDecision check(PolicyLookup lookup, MxCandidate mx, TlsFacts facts,
      boolean daneStrict) {
    Objects.requireNonNull(lookup, "lookup");
    Objects.requireNonNull(mx, "mx");
    Objects.requireNonNull(facts, "facts");
    DaneRequirement dane = mx.dane();
    if (dane.status() == DaneRequirement.Status.NONE) {
      return check(lookup, mx.host(), facts);
    }
    String d = lookup.domain();
    String host = DomainNames.normalize(mx.host());
    Mode mode = lookup.mode().orElse(null);
    String owner = dane.tlsa().map(DaneTlsa::ownerName).orElse("_25._tcp." + host);
    switch (dane.status()) {
      case DNSSEC_FAILED:
        // STS-DANE-03: the plan kept this host out; a session with it proves nothing DANE needs.
        return daneRefused(d, host, mode, RefusalReason.DNSSEC_INVALID,
            dane.message() + " (RFC 7672 §2.1.1, STS-DANE-03)");
      case TLS_REQUIRED:
        if (!facts.tlsNegotiated()) {
          // STS-DANE-04: the secure TLSA RRset asks for TLS even when it authenticates nothing.
          RefusalReason reason = facts.failure().orElse(RefusalReason.TLS_HANDSHAKE_FAILED);
          return daneRefused(d, host, mode, reason, "the secure TLSA RRset at " + owner
              + " requires TLS (STS-DANE-04): " + explain(reason, null, facts));
        }
        return check(lookup, host, facts); // MTA-STS, if any, judges the certificate
      default:
        return authenticate(lookup, host, mode, owner, facts, daneStrict);
    }
  }

  /** A session with a host that has usable secure TLSA records (RFC 7672 §2.2, §3; D-23). */
  private static DeliveryDecision authenticate(PolicyLookup lookup, String host, Mode mode,
      String owner, TlsFacts facts, boolean daneStrict) {
    String d = lookup.domain();
    DaneResult result = facts.dane().orElse(null);
    if (result == DaneResult.FAILED) {
      // STS-DANE-01: checked before anything MTA-STS says, which cannot override it.
      return daneRefused(d, host, mode, RefusalReason.TLSA_INVALID, "the certificate matches no"
          + " usable TLSA record at " + owner + " (RFC 7672 §3, STS-DANE-01)");
    }
    if (!facts.tlsNegotiated()) {
      RefusalReason reason = facts.failure().orElse(RefusalReason.TLS_HANDSHAKE_FAILED);
      return daneRefused(d, host, mode, reason, result == DaneResult.AUTHENTICATED
          ? "the certificate matches the TLSA records at " + owner + ", but the handshake was"
              + " aborted by the MTA-STS check required as well: " + explain(reason, null, facts)
          : "DANE (TLSA at " + owner + ") requires an authenticated TLS session: "
              + explain(reason, null, facts));
    }
    if (result != DaneResult.AUTHENTICATED) {
      return daneRefused(d, host, mode, RefusalReason.TLSA_INVALID, "the session's certificate"
          + " was not checked against the TLSA records at " + owner + " (RFC 7672 §3)");
    }
    if (oldProtocol(facts)) {
      return daneRefused(d, host, mode, RefusalReason.TLS_VERSION,
          explain(RefusalReason.TLS_VERSION, null, facts));
    }
    if (!daneStrict) {
      // D-23: usable secure TLSA records decide for this host; MTA-STS's mx patterns and WebPKI
      // checks are skipped (a DANE-EE certificate need be neither CA-signed nor named).
      return DeliveryDecision.allowed(d, host, mode, host + " is authenticated by DANE (TLSA at "
          + owner + ", " + facts.protocol().orElse("?") + "); MTA-STS checks skipped (D-23)");
    }
    DeliveryDecision sts = check(lookup, host, facts);
    if (sts.outcome() == DeliveryDecision.Outcome.ALLOWED) {
      return DeliveryDecision.allowed(d, host, mode, host + " is authenticated by DANE (TLSA at "
          + owner + ") and " + sts.message());
    }
    return sts; // strict mode: MTA-STS judges too, in its own mode
  }

  private static DeliveryDecision daneRefused(String d, String host, Mode mode,
      RefusalReason reason, String why) {
    return DeliveryDecision.refused(d, host, mode, reason, host + " fails DANE for " + d + ": "
        + why + "; not delivering to this host (" + reason.transientStatusCode() + ")");
  }

  private static boolean oldProtocol(TlsFacts facts) {
    String p = facts.protocol().orElse("");
    return p.equals("TLSv1") || p.equals("TLSv1.1") || p.startsWith("SSL");
  }

  /** Whether a local require-tls rule is in force for the lookup's domain. */
  private static boolean requiresTls(PolicyLookup lookup) {
    return lookup.override().map(r -> r.action() == PolicyOverrides.Action.REQUIRE_TLS)
        .orElse(false);
  }

  private static String explain(RefusalReason reason, Policy policy, TlsFacts facts) {
    return switch (reason) {
      case MX_MISMATCH -> "the host matches none of the policy's mx patterns "
          + policy.mxPatterns();
      case STARTTLS_NOT_SUPPORTED -> "STARTTLS was not offered or was refused";
      case TLS_VERSION -> "TLS 1.2 or later is required (negotiated: "
          + facts.protocol().orElse("none") + ")";
      default -> reason.code();
    };
  }
}
