package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.PolicyLookup.Source;
import org.mtasts.dns.DnsClient;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.PolicyType;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ResultType;
import org.mtasts.report.SessionEndpoints;
import org.mtasts.report.SessionResult;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.tls.TlsFacts;

/**
 * The policy as served, line by line, in what the facade records (RFC 8460 §4.4, §4.5;
 * TLSRPT-JSON-03), however the applied policy was obtained: fetched, read back from the store
 * after a restart, refreshed; and the policy discovery failures of delivery attempts
 * (TLSRPT-DATA-01, -06), against the testkit's loopback DNS and HTTPS.
 */
class TlsRptPolicyLinesTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final String D = "testing.example";
  /** Served byte for byte: CR LF line ends, a blank line, an extension. */
  static final String TEXT = "version: STSv1\r\nmode: testing\r\nmx: mx1.testing.example\r\n"
      + "\r\nmax_age: 86400\r\nx-note: kept\r\n";
  static final List<String> LINES = List.of("version: STSv1", "mode: testing",
      "mx: mx1.testing.example", "", "max_age: 86400", "x-note: kept");
  static final ReportPolicy STS =
      new ReportPolicy(PolicyType.STS, D, LINES, List.of("mx1.testing.example"));
  static final String BROKEN = "version: STSv1\nmode: sometimes\nmx: mx.broken.example\n"
      + "max_age: 86400\n";

  @RegisterExtension
  static final TestWorldExtension world = TestWorldExtension.create(w -> w
          .domain(D, d -> d.policyText(TEXT).id("T1").mx(10, "mx1.testing.example"))
          .domain("broken.example", d -> d.policyText(BROKEN).mx(10, "mx.broken.example")))
      .resetBeforeEach();

  final MutableClock clock = new MutableClock(T0);
  final RecordingTlsRptRecorder recorder = new RecordingTlsRptRecorder();
  final List<MtaSts> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(MtaSts::close);
  }

  MtaSts.Builder builder() {
    return MtaSts.builder()
        .dnsClient(DnsClient.builder().server(world.dnsAddress()).cacheSize(0)
            .timeout(Duration.ofSeconds(2)).retries(0).build())
        .hostResolver(HostResolver.overriding(world.hostMap(), HostResolver.none()))
        .trustManager(world.trustManager())
        .allowPrivateAddresses(true)
        .clock(clock);
  }

  MtaSts client(MtaSts.Builder builder) {
    MtaSts client = builder.build();
    clients.add(client);
    return client;
  }

  /** The policy of one verified session to mx1, as recorded. */
  static ReportPolicy recordedPolicy(MtaSts sts, PolicyLookup lookup) {
    SessionResult r = sts.recordSession(lookup, "mx1.testing.example",
        TlsFacts.verified("TLSv1.3"), SessionEndpoints.unknown());
    assertTrue(r.isSuccess(), r.toString());
    return r.policy();
  }

  @Test
  @DisplayName("TLSRPT-JSON-03: a fetched policy is recorded line by line, as served")
  void fetched_linesAsServed_TLSRPT_JSON_03() {
    MtaSts sts = client(builder().tlsRptRecorder(recorder));
    PolicyLookup lookup = sts.plan(D).lookup();
    assertEquals(Source.FETCHED, lookup.source().orElseThrow());
    assertEquals(STS, recordedPolicy(sts, lookup));
    PolicyLookup cached = sts.resolve(D);
    assertEquals(Source.CACHE, cached.source().orElseThrow());
    assertEquals(STS, recordedPolicy(sts, cached));
    assertEquals(2, recorder.results().size());
  }

  @Test
  @DisplayName("TLSRPT-JSON-03: a policy read back from the store after a restart keeps its lines")
  void restart_storedPolicyKeepsItsLines_TLSRPT_JSON_03(@TempDir Path dir) {
    client(builder().policyStore(PolicyStore.directory(dir)).tlsRptRecorder(recorder))
        .resolve(D);
    MtaSts restarted = client(builder().policyStore(PolicyStore.directory(dir))
        .tlsRptRecorder(recorder));
    assertEquals(1, restarted.cache().policies().size(), "loaded at start-up");
    world.domain(D).policyDown(); // the lines can only come from the store
    PolicyLookup lookup = restarted.resolve(D);
    assertEquals(Source.CACHE, lookup.source().orElseThrow());
    assertEquals(STS, recordedPolicy(restarted, lookup));
  }

  @Test
  @DisplayName("TLSRPT-JSON-03: a refresh that brings a new text brings its lines")
  void refresh_newTextNewLines_TLSRPT_JSON_03() {
    RecordingListener events = new RecordingListener();
    MtaSts sts = client(builder().tlsRptRecorder(recorder).listener(events));
    sts.resolve(D);
    String next = "version: STSv1\nmode: testing\nmx: mx1.testing.example\nmax_age: 172800\n";
    world.domain(D).policyText(next); // same id: only the refresh sees it
    clock.advance(Duration.ofHours(13)); // half the max_age: the refresh is due
    sts.cache().refreshNow().join();
    assertEquals(List.of("changed testing.example T1->T1"), events.events("changed"));
    assertEquals(List.of("version: STSv1", "mode: testing", "mx: mx1.testing.example",
        "max_age: 172800"), recordedPolicy(sts, sts.resolve(D)).policyString());
  }

  @Test
  @DisplayName("issue 8: a client that records nothing keeps no policy text in its cache")
  void noRecorder_noTextKept() {
    MtaSts sts = client(builder());
    PolicyLookup fetched = sts.resolve(D);
    assertNull(fetched.policyText());
    assertNull(sts.resolve(D).policyText());
    // the session is still judged, under a policy whose lines this client did not keep
    assertEquals(List.of(), recordedPolicy(sts, fetched).policyString());
  }

  @Test
  @DisplayName("TLSRPT-DATA-06: fetch failures per delivery attempt, under the stale cached policy")
  void fetchFailure_perAttempt_underStaleCachedPolicy_TLSRPT_DATA_06() {
    RecordingListener events = new RecordingListener();
    MtaSts sts = client(builder().tlsRptRecorder(recorder).listener(events));
    assertEquals(Optional.empty(), sts.recordDiscovery(sts.plan(D).lookup()));
    world.domain(D).rotateId();
    world.domain(D).policyDown();
    clock.advance(Duration.ofHours(1)); // past the TTL of the TXT answer that named T1
    for (int attempt = 0; attempt < 3; attempt++) {
      DeliveryPlan plan = sts.plan(D);
      assertEquals(Source.STALE_CACHE, plan.lookup().source().orElseThrow());
      sts.recordDiscovery(plan.lookup());
    }
    // TLSRPT-DATA-01: a lookup and a background refresh are no delivery attempts
    assertEquals(Source.STALE_CACHE, sts.resolve(D).source().orElseThrow());
    clock.advance(Duration.ofHours(12)); // half the max_age: the refresh is due, and fails
    events.clear();
    sts.cache().refreshNow().join();
    assertEquals(List.of("fetchFailed testing.example HTTP_STATUS T1"),
        events.events("fetchFailed"), "the refresh ran and failed");
    SessionResult expected = SessionResult.failure(T0.plus(Duration.ofHours(1)), STS,
        FailureDetail.of(ResultType.STS_POLICY_FETCH_ERROR, "http-status"));
    assertEquals(List.of(expected, expected, expected), recorder.results());
  }

  @Test
  @DisplayName("TLSRPT-DATA-06, TLSRPT-JSON-03: an invalid policy, its lines included")
  void invalidPolicy_linesThatMadeItInvalid_TLSRPT_JSON_03() {
    MtaSts sts = client(builder().tlsRptRecorder(recorder));
    PolicyLookup lookup = sts.plan("broken.example").lookup();
    assertEquals(PolicyLookup.Status.INVALID, lookup.status());
    assertEquals(Optional.of(SessionResult.failure(T0, new ReportPolicy(PolicyType.STS,
            "broken.example", List.of("version: STSv1", "mode: sometimes",
                "mx: mx.broken.example", "max_age: 86400"), List.of("mx.broken.example")),
            FailureDetail.of(ResultType.STS_POLICY_INVALID, "policy-syntax"))),
        sts.recordDiscovery(lookup));
    // the next attempt, within the back-off, is recorded with the same lines
    clock.advance(Duration.ofMinutes(1));
    assertEquals(recorder.results().get(0).policy(),
        sts.recordDiscovery(sts.plan("broken.example").lookup()).orElseThrow().policy());
    assertEquals(1, world.policyRequests("broken.example"));
  }
}
