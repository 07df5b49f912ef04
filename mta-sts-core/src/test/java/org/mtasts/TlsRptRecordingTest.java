package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mtasts.dns.DnsServerFailureException;
import org.mtasts.policy.InvalidDomainException;
import org.mtasts.policy.ParsedPolicy;
import org.mtasts.policy.Policy;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.PolicyTally;
import org.mtasts.report.PolicyType;
import org.mtasts.report.ReportClaim;
import org.mtasts.report.ReportDay;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ReportStore;
import org.mtasts.report.ResultType;
import org.mtasts.report.SessionEndpoints;
import org.mtasts.report.SessionResult;
import org.mtasts.tls.RefusalReason;
import org.mtasts.tls.TlsFacts;

/**
 * What one session or one delivery attempt counts for TLS-RPT (RFC 8460 §4; TLSRPT-DATA rules,
 * D-26, D-28, D-32), as pure functions of the policy lookup, and the recorders' failures, which
 * never reach the caller.
 */
class TlsRptRecordingTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final String TESTING = "version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\n"
      + "mx: *.example.net\r\nmax_age: 86400\r\n";
  static final List<String> TESTING_LINES = List.of("version: STSv1", "mode: testing",
      "mx: mx1.example.com", "mx: *.example.net", "max_age: 86400");
  static final InetAddress LOCAL = address("192.0.2.7");
  static final InetAddress REMOTE = address("2001:db8:0:0:0:0:0:25");
  static final SessionEndpoints ENDPOINTS =
      new SessionEndpoints(LOCAL, REMOTE, "edge1.example.com");

  static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal); // a literal: no lookup
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** A lookup applying {@code text}, kept as a client that records TLS-RPT keeps it. */
  static PolicyLookup lookup(String text, PolicyLookup.Source source, LookupFailure failure) {
    try {
      ParsedPolicy parsed = Policy.parseDetailed(text);
      CachedPolicy p = new CachedPolicy("example.com", "ID1", parsed.policy(), T0,
          T0.plus(parsed.policy().maxAge()));
      return PolicyLookup.valid(source, p, parsed.warnings(), failure, text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static PolicyLookup policy(String mode) {
    return lookup(TESTING.replace("mode: testing", "mode: " + mode), PolicyLookup.Source.FETCHED,
        null);
  }

  static ReportPolicy sts(String mode) {
    return new ReportPolicy(PolicyType.STS, "example.com",
        TESTING_LINES.stream().map(l -> l.replace("testing", mode)).toList(),
        List.of("mx1.example.com", "*.example.net"));
  }

  static FailureDetail detail(ResultType type, String code) {
    return new FailureDetail(type, "192.0.2.7", "mx1.example.com", "edge1.example.com",
        "2001:db8::25", code, null);
  }

  static Stream<Arguments> stsSessions() {
    return Stream.of(
        Arguments.of("TLSRPT-DATA-02: verified TLS is a success (the heartbeat)",
            TlsFacts.verified("TLSv1.3"), List.of()),
        Arguments.of("TLSRPT-DATA-02: no STARTTLS", TlsFacts.noStartTls(),
            List.of(detail(ResultType.STARTTLS_NOT_SUPPORTED, null))),
        Arguments.of("TLSRPT-DATA-02: expired certificate",
            TlsFacts.certificateProblem("TLSv1.3", RefusalReason.CERTIFICATE_EXPIRED),
            List.of(detail(ResultType.CERTIFICATE_EXPIRED, null))),
        Arguments.of("TLSRPT-DATA-02: certificate-not-trusted gets a reason code",
            TlsFacts.certificateProblem("TLSv1.3", RefusalReason.CERTIFICATE_NOT_TRUSTED),
            List.of(detail(ResultType.CERTIFICATE_NOT_TRUSTED, "untrusted"))),
        Arguments.of("TLSRPT-DATA-02: wrong name",
            TlsFacts.certificateProblem("TLSv1.2", RefusalReason.CERTIFICATE_HOST_MISMATCH),
            List.of(detail(ResultType.CERTIFICATE_HOST_MISMATCH, null))),
        Arguments.of("TLSRPT-DATA-02: handshake failure is a validation-failure with a code",
            TlsFacts.handshakeFailed(RefusalReason.TLS_HANDSHAKE_FAILED),
            List.of(detail(ResultType.VALIDATION_FAILURE, "handshake_failure"))),
        Arguments.of("TLSRPT-DATA-02: TLS 1.1 is a validation-failure, protocol_version",
            TlsFacts.verified("TLSv1.1"),
            List.of(detail(ResultType.VALIDATION_FAILURE, "protocol_version"))),
        Arguments.of("TLSRPT-DATA-02: a validation-failure never goes without a reason code",
            TlsFacts.handshakeFailed(RefusalReason.VALIDATION_FAILURE),
            List.of(detail(ResultType.VALIDATION_FAILURE, "validation-failure"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stsSessions")
  void stsSession_successOrItsFailure_TLSRPT_DATA_02(String name, TlsFacts facts,
      List<FailureDetail> failures) {
    for (String mode : List.of("testing", "enforce")) {
      SessionResult r = TlsRptRecording.session(T0, policy(mode), "MX1.Example.COM.", facts,
          ENDPOINTS);
      assertEquals(new SessionResult(T0, sts(mode), failures), r, mode);
    }
  }

  @Test
  @DisplayName("D-26: an MX outside an enforce policy fails as mta-sts-mx-mismatch, unconnected")
  void enforceMxMismatch_validationFailureWithoutSessionFields_D_26() {
    SessionResult r = TlsRptRecording.session(T0, policy("enforce"), "legacy.example.com",
        TlsFacts.noStartTls(), ENDPOINTS);
    assertEquals(List.of(new FailureDetail(ResultType.VALIDATION_FAILURE, null,
        "legacy.example.com", null, null, "mta-sts-mx-mismatch", null)), r.failures());
    assertEquals(sts("enforce"), r.policy());
  }

  @Test
  @DisplayName("D-26, TLSRPT-DATA-04: under testing the mismatch and the session's own failure")
  void testingMxMismatch_bothFailures_TLSRPT_DATA_04() {
    SessionResult r = TlsRptRecording.session(T0, policy("testing"), "legacy.example.com",
        TlsFacts.certificateProblem("TLSv1.3", RefusalReason.CERTIFICATE_EXPIRED), ENDPOINTS);
    assertEquals(List.of(
        new FailureDetail(ResultType.VALIDATION_FAILURE, "192.0.2.7", "legacy.example.com",
            "edge1.example.com", "2001:db8::25", "mta-sts-mx-mismatch", null),
        new FailureDetail(ResultType.CERTIFICATE_EXPIRED, "192.0.2.7", "legacy.example.com",
            "edge1.example.com", "2001:db8::25", null, null)), r.failures());
  }

  static Stream<Arguments> noPolicySessions() {
    FailureDetail noStartTls = detail(ResultType.STARTTLS_NOT_SUPPORTED, null);
    FailureDetail handshake = detail(ResultType.VALIDATION_FAILURE, "handshake_failure");
    return Stream.of(
        Arguments.of("any certificate is a success", TlsFacts.certificateProblem("TLSv1.3",
            RefusalReason.CERTIFICATE_NOT_TRUSTED), List.of()),
        Arguments.of("verified TLS", TlsFacts.verified("TLSv1.2"), List.of()),
        Arguments.of("no STARTTLS fails", TlsFacts.noStartTls(), List.of(noStartTls)),
        Arguments.of("a failed handshake fails",
            TlsFacts.handshakeFailed(RefusalReason.TLS_HANDSHAKE_FAILED), List.of(handshake)));
  }

  @ParameterizedTest(name = "D-32 no policy: {0}")
  @MethodSource("noPolicySessions")
  void noPolicy_startTlsNegotiatedIsSuccess_D_32(String name, TlsFacts facts,
      List<FailureDetail> failures) {
    PolicyLookup none = PolicyLookup.failed("example.com", PolicyLookup.Status.NO_POLICY, null,
        false);
    ReportPolicy noPolicyFound = ReportPolicy.noPolicyFound("example.com");
    assertEquals(new SessionResult(T0, noPolicyFound, failures),
        TlsRptRecording.session(T0, none, "mx1.example.com", facts, ENDPOINTS));
    // mode none counts as no-policy-found too, whatever its mx patterns say (TLSRPT-DATA-05)
    assertEquals(new SessionResult(T0, noPolicyFound, failures),
        TlsRptRecording.session(T0, lookup("version: STSv1\nmode: none\nmax_age: 60\n",
            PolicyLookup.Source.FETCHED, null), "mx1.example.com", facts, ENDPOINTS));
  }

  @Test
  @DisplayName("D-28: what is not known is left out, never empty")
  void unknownEndpoints_leftOut_D_28() {
    SessionResult r = TlsRptRecording.session(T0, policy("enforce"), "mx1.example.com",
        TlsFacts.noStartTls(), SessionEndpoints.unknown());
    assertEquals(List.of(new FailureDetail(ResultType.STARTTLS_NOT_SUPPORTED, null,
        "mx1.example.com", null, null, null, null)), r.failures());
  }

  @Test
  void badMxHost_throwsBeforeRecording() {
    RecordingTlsRptRecorder recorder = new RecordingTlsRptRecorder();
    TlsRptRecording recording =
        new TlsRptRecording(new MutableClock(T0), null, recorder, MtaStsListener.NONE);
    assertThrows(InvalidDomainException.class, () -> recording.session(policy("enforce"),
        "mx_1 .example", TlsFacts.noStartTls(), ENDPOINTS));
    assertEquals(List.of(), recorder.results());
  }

  // ---------------------------------------------------------------------------------------------
  // Policy discovery failures (TLSRPT-DATA-01, -06)

  @Test
  @DisplayName("TLSRPT-DATA-06: a fetch failure under the stale cached policy it left in force")
  void fetchFailure_underStaleCachedPolicy_TLSRPT_DATA_06() {
    LookupFailure failure = PolicyResolution.fetchFailure("example.com", new PolicyFetchException(
        "example.com", FetchFailure.HTTP_STATUS, "HTTP 503", null));
    PolicyLookup stale = lookup(TESTING, PolicyLookup.Source.STALE_CACHE, failure);
    assertEquals(Optional.of(SessionResult.failure(T0, sts("testing"),
            FailureDetail.of(ResultType.STS_POLICY_FETCH_ERROR, "http-status"))),
        TlsRptRecording.discovery(T0, stale));
  }

  @Test
  @DisplayName("TLSRPT-DATA-06, TLSRPT-JSON-03: an invalid policy under the lines it was served")
  void invalidPolicy_underTheLinesServed_TLSRPT_JSON_03() {
    List<String> served = List.of("version: STSv1", "mode: enforced", "mx: mx1.example.com",
        "mx: *.*.bad", "max_age: 86400");
    LookupFailure failure = PolicyResolution.fetchFailure("example.com", new PolicyFetchException(
        "example.com", FetchFailure.POLICY_SYNTAX, "line 2: mode", null, served));
    PolicyLookup invalid =
        PolicyLookup.failed("example.com", PolicyLookup.Status.INVALID, failure, false);
    assertEquals(Optional.of(SessionResult.failure(T0,
            new ReportPolicy(PolicyType.STS, "example.com", served, List.of("mx1.example.com")),
            FailureDetail.of(ResultType.STS_POLICY_INVALID, "policy-syntax"))),
        TlsRptRecording.discovery(T0, invalid));
  }

  static Stream<Arguments> discoveryFailures() {
    return Stream.of(
        Arguments.of("certificate of the policy host expired",
            PolicyLookup.Status.FETCH_ERROR, PolicyResolution.fetchFailure("example.com",
                new PolicyFetchException("example.com", FetchFailure.CERTIFICATE_EXPIRED, "x",
                    null)),
            ResultType.STS_WEBPKI_INVALID, "certificate-expired"),
        Arguments.of("TXT lookup failed (D-01)", PolicyLookup.Status.DNS_ERROR,
            new LookupFailure(ResultType.STS_POLICY_FETCH_ERROR, "SERVFAIL",
                new DnsServerFailureException("_mta-sts.example.com", "TXT", "SERVFAIL",
                    "192.0.2.53", null)),
            ResultType.STS_POLICY_FETCH_ERROR, "sts-record-lookup-failed"),
        Arguments.of("several TXT records", PolicyLookup.Status.INVALID,
            new LookupFailure(ResultType.STS_POLICY_INVALID, "several", null),
            ResultType.STS_POLICY_INVALID, "sts-record-multiple"));
  }

  @ParameterizedTest(name = "TLSRPT-DATA-06: {0}")
  @MethodSource("discoveryFailures")
  void discoveryFailure_withoutPolicy_emptySts_TLSRPT_DATA_06(String name,
      PolicyLookup.Status status, LookupFailure failure, ResultType type, String code) {
    PolicyLookup lookup = PolicyLookup.failed("example.com", status, failure, false);
    assertEquals(Optional.of(SessionResult.failure(T0,
            new ReportPolicy(PolicyType.STS, "example.com", List.of(), List.of()),
            FailureDetail.of(type, code))),
        TlsRptRecording.discovery(T0, lookup));
  }

  @Test
  @DisplayName("TLSRPT-DATA-01: nothing failed, or nothing reportable, records nothing")
  void noReportableFailure_nothing_TLSRPT_DATA_01() {
    assertEquals(Optional.empty(), TlsRptRecording.discovery(T0, policy("enforce")));
    assertEquals(Optional.empty(), TlsRptRecording.discovery(T0,
        PolicyLookup.failed("example.com", PolicyLookup.Status.NO_POLICY, null, false)));
    // STS-DISC-14: a TXT record that vanished while a policy is cached has no result type
    assertEquals(Optional.empty(), TlsRptRecording.discovery(T0, lookup(TESTING,
        PolicyLookup.Source.STALE_CACHE, new LookupFailure(null, "no record", null))));
  }

  // ---------------------------------------------------------------------------------------------
  // Recorders never fail a delivery

  @Test
  @DisplayName("a failing report store: logged, storeFailed(record), the caller goes on")
  void failingStore_reportedToListener_neverThrown() {
    RecordingListener events = new RecordingListener();
    RecordingTlsRptRecorder after = new RecordingTlsRptRecorder();
    TlsRptRecording recording =
        new TlsRptRecording(new MutableClock(T0), new FailingStore(), after, events);
    SessionResult r = recording.session(policy("enforce"), "mx1.example.com",
        TlsFacts.verified("TLSv1.3"), ENDPOINTS);
    assertTrue(r.isSuccess());
    assertEquals(List.of("storeFailed record example.com"), events.events());
    assertEquals(List.of(r), after.results(), "the recorder still gets it");
  }

  @Test
  void throwingRecorder_logged_neverThrown() {
    TlsRptRecording recording = new TlsRptRecording(new MutableClock(T0), null, result -> {
      throw new IllegalStateException("full");
    }, MtaStsListener.NONE);
    assertTrue(recording.session(policy("enforce"), "mx1.example.com",
        TlsFacts.verified("TLSv1.3"), ENDPOINTS).isSuccess());
    assertTrue(recording.discovery(lookup(TESTING, PolicyLookup.Source.STALE_CACHE,
        new LookupFailure(ResultType.STS_POLICY_FETCH_ERROR, "down", null))).isPresent());
  }

  @Test
  void pinnedOrExemptOverride_notCounted_tighteningOverride_counted_TLSRPT_DATA_02() {
    RecordingTlsRptRecorder seen = new RecordingTlsRptRecorder();
    TlsRptRecording recording =
        new TlsRptRecording(new MutableClock(T0), null, seen, MtaStsListener.NONE);
    Instant until = T0.plusSeconds(86_400);
    PolicyOverrides table = PolicyOverrides.builder()
        .pin("pinned.example", "version: STSv1\nmode: enforce\nmx: mx1.example.com\n"
            + "max_age: 86400\n")
        .exempt("exempt.example", until)
        .treatTestingAsEnforce("example.com")
        .build();
    PolicyLookup pinned = policy("enforce")
        .withOverride(table.find("pinned.example").orElseThrow());
    PolicyLookup exempt = PolicyLookup.failed("exempt.example", PolicyLookup.Status.NO_POLICY,
        null, false).withOverride(table.find("exempt.example").orElseThrow());
    recording.session(pinned, "mx1.example.com", TlsFacts.verified("TLSv1.3"), ENDPOINTS);
    recording.session(exempt, "mx1.example.com", TlsFacts.noStartTls(), ENDPOINTS);
    recording.discovery(lookup(TESTING, PolicyLookup.Source.STALE_CACHE,
        new LookupFailure(ResultType.STS_POLICY_FETCH_ERROR, "down", null))
        .withOverride(table.find("exempt.example").orElseThrow()));
    assertEquals(List.of(), seen.results(), "our own configuration is not the domain's policy");
    PolicyLookup tightened =
        policy("testing").withOverride(table.find("example.com").orElseThrow());
    recording.session(tightened, "mx1.example.com", TlsFacts.verified("TLSv1.3"), ENDPOINTS);
    assertEquals(1, seen.results().size(), "a tightening rule keeps the published policy");
    assertEquals(sts("testing"), seen.results().get(0).policy());
  }

  @Test
  void builderSettings_setOnce_nullRefused() {
    MtaSts.Builder b = MtaSts.builder().reportStore(ReportStore.memory())
        .tlsRptRecorder(new RecordingTlsRptRecorder());
    assertThrows(IllegalStateException.class, () -> b.reportStore(ReportStore.memory()));
    assertThrows(IllegalStateException.class, () -> b.tlsRptRecorder(r -> { }));
    assertThrows(NullPointerException.class, () -> MtaSts.builder().reportStore(null));
    assertThrows(NullPointerException.class, () -> MtaSts.builder().tlsRptRecorder(null));
  }

  /** A store whose every write fails, as a full disk would. */
  static final class FailingStore implements ReportStore {
    @Override
    public void add(SessionResult result) throws IOException {
      throw new IOException("No space left on device");
    }

    @Override
    public List<ReportDay> days() {
      return List.of();
    }

    @Override
    public List<PolicyTally> tallies(ReportDay day) {
      return List.of();
    }

    @Override
    public Optional<ReportClaim> claim(ReportDay day, Instant now, Duration lease) {
      return Optional.empty();
    }

    @Override
    public void complete(ReportClaim claim) {}

    @Override
    public void release(ReportClaim claim, Instant notBefore) {}

    @Override
    public int prune(LocalDate before) {
      return 0;
    }
  }
}
