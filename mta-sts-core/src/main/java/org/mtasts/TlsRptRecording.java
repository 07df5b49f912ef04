package org.mtasts;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.mtasts.dns.DnsException;
import org.mtasts.internal.cache.Throttle;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;
import org.mtasts.policy.Mode;
import org.mtasts.policy.MxPattern;
import org.mtasts.policy.Policy;
import org.mtasts.policy.RecordSyntaxException;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ReportStore;
import org.mtasts.report.ResultType;
import org.mtasts.report.SessionEndpoints;
import org.mtasts.report.SessionResult;
import org.mtasts.report.TlsRptRecorder;
import org.mtasts.dns.TlsaRecord;
import org.mtasts.tls.DaneRequirement;
import org.mtasts.tls.DaneResult;
import org.mtasts.tls.DaneTlsa;
import org.mtasts.tls.RefusalReason;
import org.mtasts.tls.TlsFacts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link MtaSts#recordSession} and {@link MtaSts#recordDiscovery} count for TLS reports (RFC
 * 8460 §4, rules TLSRPT-DATA-01..06): the {@link SessionResult} of one SMTP session or of one
 * delivery attempt a policy discovery failure affected, made by pure functions of the lookup, and
 * handed to the configured recorders, which never make a delivery fail: a recorder that throws
 * and a {@link ReportStore} that fails are logged (one line a minute per cause) and the store's
 * failure goes to {@link MtaStsListener#storeFailed} as operation {@code record}. Thread-safe.
 */
final class TlsRptRecording {
  private static final Logger log = LoggerFactory.getLogger(MtaSts.class);

  /** One WARN line per cause this often at most; every failure still reaches the listener. */
  static final Duration FAILURE_LOG_PERIOD = Duration.ofMinutes(1);

  private final Clock clock;
  private final ReportStore store;
  private final TlsRptRecorder recorder;
  private final MtaStsListener listener;
  private final Throttle failures;

  /**
   * @param store the store to count into, or null
   * @param recorder a recorder of the application's, or null
   */
  TlsRptRecording(Clock clock, ReportStore store, TlsRptRecorder recorder,
      MtaStsListener listener) {
    this.clock = clock;
    this.store = store;
    this.recorder = recorder;
    this.listener = listener;
    this.failures = new Throttle(clock, FAILURE_LOG_PERIOD, 100);
  }

  /** Whether anything is recorded; if not, cache entries need not keep policy texts. */
  boolean enabled() {
    return store != null || recorder != null;
  }

  /** Judges and records one session (see {@link MtaSts#recordSession}). */
  SessionResult session(PolicyLookup lookup, String mxHost, TlsFacts facts,
      SessionEndpoints endpoints) {
    SessionResult result = session(clock.instant(), lookup, mxHost, facts, endpoints);
    if (!local(lookup)) {
      record(result);
    }
    return result;
  }

  /**
   * Judges and records one session with a plan's candidate (see {@link
   * MtaSts#recordSession(PolicyLookup, MxCandidate, TlsFacts, SessionEndpoints)}): by DANE when
   * DANE governs the host, else as {@link #session(PolicyLookup, String, TlsFacts,
   * SessionEndpoints)}. In strict mode a DANE-authenticated host is judged by MTA-STS too, so the
   * session counts under both policies.
   */
  SessionResult session(PolicyLookup lookup, MxCandidate mx, TlsFacts facts,
      SessionEndpoints endpoints, boolean daneStrict) {
    Objects.requireNonNull(mx, "mx");
    Instant at = clock.instant();
    SessionResult dane = dane(at, lookup, mx, facts, endpoints);
    if (dane == null) {
      return session(lookup, mx.host(), facts, endpoints);
    }
    record(dane); // DANE results concern the MX host's operator, whatever overrides the domain has
    if (daneStrict && mx.dane().status() == DaneRequirement.Status.AUTHENTICATE
        && governs(lookup) && !local(lookup)) {
      record(session(at, lookup, mx.host(), facts, endpoints));
    }
    return dane;
  }

  /** Records the discovery failure of one delivery attempt (see {@link MtaSts#recordDiscovery}). */
  Optional<SessionResult> discovery(PolicyLookup lookup) {
    Optional<SessionResult> result = discovery(clock.instant(), lookup);
    if (!local(lookup)) {
      result.ifPresent(this::record);
    }
    return result;
  }

  /**
   * Whether a local override replaced the domain's published policy ({@code pinned}) or removed it
   * ({@code exempt}): such a session tells the domain owner about our configuration, not about
   * theirs, and reporting it would say "no policy found" for a domain that publishes one, or show
   * a policy it never served. Not counted. Rules that only tighten ({@code
   * treat-testing-as-enforce}, {@code require-tls}) keep the published policy and are counted.
   */
  private static boolean local(PolicyLookup lookup) {
    PolicyOverrides.Action a = lookup.override().map(PolicyOverrides.Rule::action).orElse(null);
    return a == PolicyOverrides.Action.PINNED || a == PolicyOverrides.Action.EXEMPT;
  }

  private void record(SessionResult result) {
    if (store != null) {
      try {
        store.add(result);
      } catch (IOException | RuntimeException e) {
        failed("the report store", result, e);
        MtaStsListener.fire(listener,
            l -> l.storeFailed("record", Optional.of(result.policy().domain()), e));
      }
    }
    if (recorder != null) {
      try {
        recorder.record(result);
      } catch (RuntimeException | LinkageError e) {
        failed("the TLS-RPT recorder " + recorder, result, e);
      }
    }
  }

  private void failed(String what, SessionResult result, Throwable e) {
    long held = failures.pass(what + " " + e.getClass().getName());
    if (held >= 0) {
      log.warn("TLS-RPT: {} failed to count a session of {}; the delivery goes on{}: {}", what,
          result.policy().domain(), held > 0 ? " [" + held + " more in the last minute]" : "",
          e.toString());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The rules, as pure functions

  /**
   * The result of one session to {@code mxHost} under {@code lookup}. Under an {@code enforce} or
   * {@code testing} policy ({@code sts}): success when TLS was negotiated and validated
   * (TLSRPT-DATA-02); an MX the policy does not list fails with {@code validation-failure} and
   * {@code mta-sts-mx-mismatch} (D-26), alone under enforce (the host is never contacted), beside
   * what the session showed under testing (TLSRPT-DATA-04). Without a policy, or under {@code
   * mode: none} ({@code no-policy-found}, D-32): success when STARTTLS was negotiated, whatever
   * the certificate; failure when it was not offered or the handshake failed.
   */
  static SessionResult session(Instant at, PolicyLookup lookup, String mxHost, TlsFacts facts,
      SessionEndpoints endpoints) {
    Objects.requireNonNull(lookup, "lookup");
    Objects.requireNonNull(facts, "facts");
    Objects.requireNonNull(endpoints, "endpoints");
    String host = DomainNames.normalize(mxHost);
    Policy policy = lookup.policy().orElse(null);
    if (policy == null || policy.mode() == Mode.NONE) {
      ReportPolicy none = ReportPolicy.noPolicyFound(lookup.domain());
      if (facts.tlsNegotiated()) {
        return SessionResult.success(at, none); // D-32: any certificate, any version
      }
      RefusalReason reason = facts.startTlsOffered()
          ? facts.problem().orElse(RefusalReason.TLS_HANDSHAKE_FAILED)
          : RefusalReason.STARTTLS_NOT_SUPPORTED;
      return SessionResult.failure(at, none, detail(reason, host, endpoints));
    }
    ReportPolicy sts = ReportPolicy.sts(lookup.domain(), lines(lookup), policy);
    List<FailureDetail> failures = new ArrayList<>();
    if (!policy.allowsMx(host)) {
      if (policy.mode() == Mode.ENFORCE) {
        // D-26: never contacted, so nothing about a session is known.
        return SessionResult.failure(at, sts,
            detail(RefusalReason.MX_MISMATCH, host, SessionEndpoints.unknown()));
      }
      failures.add(detail(RefusalReason.MX_MISMATCH, host, endpoints));
    }
    facts.failure().ifPresent(reason -> failures.add(detail(reason, host, endpoints)));
    return new SessionResult(at, sts, failures);
  }

  /**
   * The result of one session with {@code mx} under DANE (STS-DANE-08), or null when DANE does not
   * govern it: DANE does not apply, or the host's TLSA records are all unusable and an MTA-STS
   * policy judges the certificate (STS-DANE-04; then the session is an {@code sts} one).
   *
   * <p>Policy type {@code tlsa}; {@code policy-string} the TLSA RRset in presentation form; {@code
   * policy-domain} the TLSA base domain. RFC 8460 §1.1 defines the Policy Domain of a DANE policy
   * as the TLSA base domain of the receiving server (RFC 7672 §2.2.3), not the recipient domain:
   * the TLSA records are the MX host operator's statement, so the report about them goes to the
   * {@code _smtp._tls} record of that base domain, whose owner can fix them (as Postfix and mox
   * report). Results: with usable records ({@code AUTHENTICATE}) success when TLS 1.2 or later
   * was negotiated and the certificate matched a usable record; {@code tlsa-invalid} when it
   * matched none or was not checked; {@code starttls-not-supported} or the handshake's failure
   * otherwise. With unusable records only and no MTA-STS policy ({@code TLS_REQUIRED}): success
   * when TLS was negotiated. A host whose DNSSEC lookups failed ({@code DNSSEC_FAILED}) was never
   * contacted: {@code dnssec-invalid}, under the MX host name (the TLSA base domain could not be
   * learned) with no records, and without session details (as D-26).
   */
  static SessionResult dane(Instant at, PolicyLookup lookup, MxCandidate mx, TlsFacts facts,
      SessionEndpoints endpoints) {
    Objects.requireNonNull(lookup, "lookup");
    Objects.requireNonNull(facts, "facts");
    Objects.requireNonNull(endpoints, "endpoints");
    DaneRequirement dane = mx.dane();
    String host = DomainNames.normalize(mx.host());
    switch (dane.status()) {
      case NONE:
        return null;
      case DNSSEC_FAILED:
        return SessionResult.failure(at, ReportPolicy.tlsa(host, List.of()),
            detail(RefusalReason.DNSSEC_INVALID, host, SessionEndpoints.unknown()));
      case TLS_REQUIRED:
        if (governs(lookup)) {
          return null;
        }
        break;
      default:
        break;
    }
    DaneTlsa tlsa = dane.tlsa().orElseThrow();
    ReportPolicy policy = ReportPolicy.tlsa(tlsa.tlsaBaseDomain(),
        tlsa.records().stream().map(TlsaRecord::toString).toList());
    RefusalReason reason = daneFailure(dane.status(), facts);
    return reason == null ? SessionResult.success(at, policy)
        : SessionResult.failure(at, policy, detail(reason, host, endpoints));
  }

  /** Why a session fails what DANE requires of it, or null when it satisfies it. */
  private static RefusalReason daneFailure(DaneRequirement.Status status, TlsFacts facts) {
    DaneResult result = facts.dane().orElse(null);
    if (result == DaneResult.FAILED) {
      return RefusalReason.TLSA_INVALID;
    }
    if (!facts.startTlsOffered()) {
      return RefusalReason.STARTTLS_NOT_SUPPORTED;
    }
    if (!facts.tlsNegotiated()) {
      return facts.problem().orElse(RefusalReason.TLS_HANDSHAKE_FAILED);
    }
    if (status == DaneRequirement.Status.TLS_REQUIRED) {
      return null; // STS-DANE-04: TLS, authenticated by nothing DANE can use
    }
    if (result != DaneResult.AUTHENTICATED) {
      return RefusalReason.TLSA_INVALID;
    }
    return facts.failure().orElse(null) == RefusalReason.TLS_VERSION
        ? RefusalReason.TLS_VERSION : null;
  }

  /** Whether an {@code enforce} or {@code testing} MTA-STS policy applies to the lookup. */
  private static boolean governs(PolicyLookup lookup) {
    Mode mode = lookup.mode().orElse(null);
    return mode == Mode.ENFORCE || mode == Mode.TESTING;
  }

  /**
   * The result of one delivery attempt whose policy discovery failed with a reportable result
   * type (TLSRPT-DATA-01, -06): under the cached policy that was applied instead, else under an
   * {@code sts} entry with the lines that were served (empty when none arrived); empty for a
   * lookup without such a failure (no record, a confirmed policy, a TXT record that vanished
   * while a policy is cached).
   */
  static Optional<SessionResult> discovery(Instant at, PolicyLookup lookup) {
    LookupFailure failure = lookup.failure().orElse(null);
    ResultType type = failure == null ? null : failure.resultType().orElse(null);
    if (type == null) {
      return Optional.empty();
    }
    ReportPolicy policy;
    Policy applied = lookup.policy().orElse(null);
    if (applied != null) {
      policy = ReportPolicy.sts(lookup.domain(), lines(lookup), applied);
    } else {
      List<String> served = failure.cause().orElse(null) instanceof PolicyFetchException e
          ? e.servedLines() : List.of();
      policy = ReportPolicy.sts(lookup.domain(), served, mxValues(served));
    }
    return Optional.of(SessionResult.failure(at, policy,
        FailureDetail.of(type, reasonCode(failure, lookup.status()))));
  }

  /** A short code for a discovery failure: the fetch failure's kind, or what failed in DNS. */
  private static String reasonCode(LookupFailure failure, PolicyLookup.Status status) {
    Throwable cause = failure.cause().orElse(null);
    if (cause instanceof PolicyFetchException e) {
      return kebab(e.failure().name());
    }
    if (cause instanceof DnsException) {
      return "sts-record-lookup-failed";
    }
    if (cause instanceof RecordSyntaxException) {
      return "sts-record-invalid";
    }
    if (status == PolicyLookup.Status.INVALID && cause == null) {
      return "sts-record-multiple";
    }
    return null;
  }

  /** One failure detail; {@code validation-failure} and {@code certificate-not-trusted} get a code. */
  private static FailureDetail detail(RefusalReason reason, String host, SessionEndpoints e) {
    ResultType type = reason.resultType();
    String code = reason.failureReasonCode().orElse(
        type == ResultType.VALIDATION_FAILURE || type == ResultType.CERTIFICATE_NOT_TRUSTED
            ? reason.code() : null);
    return new FailureDetail(type, ip(e.sendingIp()), host, e.receivingMxHelo(),
        ip(e.receivingIp()), code, null);
  }

  private static String ip(InetAddress a) {
    return a == null ? null : SessionEndpoints.ipText(a);
  }

  /** The applied policy's lines as served, when this client keeps them. */
  private static List<String> lines(PolicyLookup lookup) {
    String text = lookup.policyText();
    return text == null ? List.of() : Policy.splitLines(text);
  }

  /** The valid {@code mx} values among the lines of a policy that was served but invalid. */
  private static List<String> mxValues(List<String> lines) {
    Set<String> mx = new LinkedHashSet<>();
    for (String line : lines) {
      if (line.startsWith("mx:")) {
        try {
          mx.add(MxPattern.parse(line.substring(3).strip()).toString());
        } catch (InvalidDomainException e) {
          // a broken mx line is in policy-string already; mx-host lists patterns only
        }
      }
    }
    return List.copyOf(mx);
  }

  private static String kebab(String enumName) {
    return enumName.toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
