package org.mtasts;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.TlsReporter.Outcome;
import org.mtasts.TlsReporter.Status;
import org.mtasts.dns.DnsClient;
import org.mtasts.internal.report.ReportEndpoint;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.ReportDay;
import org.mtasts.report.ReportDestination;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ReportStore;
import org.mtasts.report.ReportSubmitter;
import org.mtasts.report.ResultType;
import org.mtasts.report.SessionResult;
import org.mtasts.report.TlsReport;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/**
 * The reporting engine: {@code _smtp._tls} at send time, every destination tried, back-off and
 * giving up, the daily schedule. Real DNS (testkit), real HTTPS (WireMock), a moved clock.
 */
class TlsReporterTest {
  static final Instant DAY1 = Instant.parse("2026-12-01T10:00:00Z");
  static final Instant NEXT_MORNING = Instant.parse("2026-12-02T01:00:00Z");

  @RegisterExtension
  static final TestWorldExtension world = TestWorldExtension.create(w -> w
      .dns(dns -> dns
          .txt("_smtp._tls.good.example",
              "v=TLSRPTv1; rua=https://reports.example/fail,https://reports.example/ok")
          .txt("_smtp._tls.down.example", "v=TLSRPTv1; rua=https://reports.example/fail")
          .txt("_smtp._tls.two.example", "v=TLSRPTv1; rua=https://reports.example/ok")
          .txt("_smtp._tls.two.example", "v=TLSRPTv1; rua=https://reports.example/ok2")
          .txt("_smtp._tls.mail.example", "v=TLSRPTv1; rua=mailto:tlsrpt@mail.example")));

  @TempDir static Path dir;
  static ReportEndpoint endpoint;
  static final ReportSubmitter SUBMITTER = ReportSubmitter.of("Sender", "tlsrpt@sender.example");

  MutableClock clock;
  MtaSts sts;
  ReportStore store;
  RecordingListener listener;

  @BeforeAll
  static void start() {
    endpoint = ReportEndpoint.start(TestCertificateAuthority.create("Reporter CA"),
        "reports.example", dir);
  }

  @AfterAll
  static void stop() {
    endpoint.close();
  }

  @BeforeEach
  void setUp() {
    endpoint.server.resetAll();
    endpoint.server.stubFor(post(urlEqualTo("/fail")).willReturn(aResponse().withStatus(500)));
    endpoint.server.stubFor(post(urlEqualTo("/ok")).willReturn(aResponse().withStatus(201)));
    clock = new MutableClock(DAY1);
    listener = new RecordingListener();
    sts = MtaSts.builder()
        .listener(listener)
        .dnsClient(DnsClient.builder().server(world.dnsAddress()).build())
        .hostResolver(endpoint.resolver())
        .trustManager(endpoint.ca.trustManager())
        .allowPrivateAddresses(true)
        .clock(clock)
        .build();
    store = ReportStore.memory();
  }

  TlsReporter.Builder reporter() {
    return TlsReporter.builder(sts).submitter(SUBMITTER).store(store);
  }

  void count(String domain, Instant at, boolean failed) throws Exception {
    ReportPolicy policy = ReportPolicy.noPolicyFound(domain);
    store.add(failed
        ? SessionResult.failure(at, policy,
            FailureDetail.of(ResultType.STARTTLS_NOT_SUPPORTED, null))
        : SessionResult.success(at, policy));
  }

  @Test
  void firstRuaFails_secondAccepts_delivered_bodyIsTheReport_TLSRPT_REC_06() throws Exception {
    count("good.example", DAY1, false);
    count("good.example", DAY1, true);
    clock.advance(Duration.between(DAY1, NEXT_MORNING));

    List<Outcome> outcomes = reporter().build().sendDue(false);

    assertEquals(1, outcomes.size());
    Outcome o = outcomes.get(0);
    assertEquals(Status.DELIVERED, o.status());
    assertEquals(2, o.destinations().size());
    assertFalse(o.destinations().get(0).delivered());
    assertTrue(o.destinations().get(0).error().contains("HTTP 500"), o.destinations().toString());
    assertTrue(o.destinations().get(1).delivered());
    assertNull(o.destinations().get(1).error());
    LoggedRequest posted = endpoint.server.findAll(postRequestedFor(urlEqualTo("/ok"))).get(0);
    org.mtasts.testkit.tlsrpt.TlsRptSchema.assertValid(posted.getBody()); // as received
    TlsReport report = TlsReport.parse(posted.getBody()); // WireMock hands it out inflated
    assertEquals(new ReportDay("good.example", LocalDate.of(2026, 12, 1)), report.day());
    assertEquals(1, report.policies().get(0).successfulSessions());
    assertEquals(1, report.policies().get(0).failedSessions());
    assertTrue(store.days().isEmpty(), "completed: the counts are gone");
    assertEquals(List.of("report good.example 2026-12-01 DELIVERED"), listener.events("report"));
  }

  @Test
  void endedDaysOnly_todayWithIncludeToday() throws Exception {
    count("good.example", DAY1, false);
    assertTrue(reporter().build().sendDue(false).isEmpty(), "the day has not ended");
    List<Outcome> today = reporter().build().sendDue(true);
    assertEquals(Status.DELIVERED, today.get(0).status());
  }

  @Test
  void noRecord_orTwoRecords_noReport_countsDropped_TLSRPT_REC_02() throws Exception {
    count("none.example", DAY1, true);
    count("two.example", DAY1, true);
    clock.advance(Duration.between(DAY1, NEXT_MORNING));
    List<Outcome> outcomes = reporter().build().sendDue(false);
    assertEquals(2, outcomes.size());
    for (Outcome o : outcomes) {
      assertEquals(Status.NO_REPORTING_POLICY, o.status(), o.toString());
      assertTrue(o.destinations().isEmpty());
    }
    assertTrue(endpoint.server.getAllServeEvents().isEmpty());
    assertTrue(store.days().isEmpty());
  }

  @Test
  void recordLookedUpAtSendTime_TLSRPT_REC_01() throws Exception {
    count("late.example", DAY1, true);
    clock.advance(Duration.between(DAY1, NEXT_MORNING));
    world.dns().txt("_smtp._tls.late.example", "v=TLSRPTv1; rua=https://reports.example/ok");
    try {
      assertEquals(Status.DELIVERED, reporter().build().sendDue(false).get(0).status());
    } finally {
      world.dns().remove("_smtp._tls.late.example");
    }
  }

  @Test
  void endpointDown_retriedWithGrowingIntervals_givenUpAfter24h_TLSRPT_DEL_09() throws Exception {
    count("down.example", DAY1, true);
    clock.advance(Duration.between(DAY1, NEXT_MORNING));
    TlsReporter reporter = reporter().build();
    Instant first = clock.instant();
    List<Duration> waits = new ArrayList<>();
    Outcome o = reporter.sendDue(false).get(0);
    while (o.status() == Status.RETRY) {
      Instant next = o.nextAttempt().orElseThrow();
      waits.add(Duration.between(clock.instant(), next));
      clock.advance(Duration.ofMinutes(1));
      assertTrue(reporter.sendDue(false).isEmpty(), "not before the back-off ends");
      clock.advance(Duration.between(clock.instant(), next));
      o = reporter.sendDue(false).get(0);
    }
    assertEquals(Status.GAVE_UP, o.status());
    assertTrue(Duration.between(first, clock.instant()).compareTo(Duration.ofHours(24)) <= 0);
    assertTrue(Duration.between(first, clock.instant()).compareTo(Duration.ofHours(16)) > 0,
        "retried for most of the day: " + waits);
    for (int i = 1; i < waits.size(); i++) {
      assertTrue(waits.get(i).compareTo(waits.get(i - 1)) >= 0, waits.toString());
    }
    assertEquals(Duration.ofMinutes(10), waits.get(0));
    assertEquals(Duration.ofMinutes(20), waits.get(1));
    assertTrue(store.days().isEmpty());
    assertEquals(waits.size() + 1,
        endpoint.server.findAll(postRequestedFor(urlEqualTo("/fail"))).size());
    List<String> heard = listener.events("report");
    assertEquals(waits.size() + 1, heard.size(), "one event per attempt: " + heard);
    assertEquals("report down.example 2026-12-01 GAVE_UP", heard.get(heard.size() - 1));
    assertTrue(heard.subList(0, heard.size() - 1).stream()
        .allMatch("report down.example 2026-12-01 RETRY"::equals), heard.toString());
  }

  @Test
  void suppressed_andAllSuccessfulSwitch() throws Exception {
    count("good.example", DAY1, false);
    count("two.example", DAY1, false);
    clock.advance(Duration.between(DAY1, NEXT_MORNING));
    List<Outcome> outcomes = reporter().suppress("Good.Example.").skipAllSuccessful(true).build()
        .sendDue(false);
    assertEquals(Status.SUPPRESSED, outcomes.get(0).status());
    assertEquals(Status.ALL_SUCCESSFUL, outcomes.get(1).status());
    assertTrue(endpoint.server.getAllServeEvents().isEmpty());
    assertEquals(List.of("report good.example 2026-12-01 SUPPRESSED",
        "report two.example 2026-12-01 ALL_SUCCESSFUL"), listener.events("report"));
  }

  @Test
  void listenerHearsEveryReport_andOneThatThrowsChangesNothing() throws Exception {
    count("good.example", DAY1, true);
    count("none.example", DAY1, true);
    clock.advance(Duration.between(DAY1, NEXT_MORNING));
    RecordingListener after = new RecordingListener();
    MtaStsListener thrower = new MtaStsListener() {
      @Override
      public void reportHandled(Outcome outcome) {
        throw new IllegalStateException("boom");
      }
    };
    MtaSts client = sts.newBuilder().listener(thrower.plus(after)).build();

    List<Outcome> outcomes = TlsReporter.builder(client).submitter(SUBMITTER).store(store)
        .build().sendDue(false);

    assertEquals(List.of(Status.DELIVERED, Status.NO_REPORTING_POLICY),
        outcomes.stream().map(Outcome::status).toList());
    assertEquals(List.of("report good.example 2026-12-01 DELIVERED",
        "report none.example 2026-12-01 NO_REPORTING_POLICY"), after.events("report"));
    assertTrue(listener.events("report").isEmpty(), "the other client's listener heard nothing");
  }

  @Test
  void mailto_goesToTheMailer() throws Exception {
    count("mail.example", DAY1, true);
    clock.advance(Duration.between(DAY1, NEXT_MORNING));
    List<String> sent = new ArrayList<>();
    Outcome o = reporter()
        .mailer((report, to) -> sent.add(report.day().policyDomain() + " -> " + to.address()))
        .build().sendDue(false).get(0);
    assertEquals(Status.DELIVERED, o.status());
    assertEquals(List.of("mail.example -> tlsrpt@mail.example"), sent);
    assertEquals("mailto:tlsrpt@mail.example", o.destinations().get(0).uri());
  }

  @Test
  void withoutAMailer_mailtoFails_andIsRetried() throws Exception {
    count("mail.example", DAY1, true);
    clock.advance(Duration.between(DAY1, NEXT_MORNING));
    Outcome o = reporter().build().sendDue(false).get(0);
    assertEquals(Status.RETRY, o.status());
    assertTrue(o.destinations().get(0).error().contains("no mailer"), o.toString());
  }

  @Test
  void dailyRun_between0000_01And0400UtcOfTheNextDay_TLSRPT_TIME_02() {
    TlsReporter reporter = reporter().random(new SplittableRandom(7)).build();
    Instant midnight = LocalDate.of(2026, 12, 2).atStartOfDay(ZoneOffset.UTC).toInstant();
    for (int i = 0; i < 1_000; i++) {
      Instant run = reporter.nextDailyRun(DAY1);
      assertTrue(!run.isBefore(midnight.plusSeconds(1))
          && !run.isAfter(midnight.plus(Duration.ofHours(4))), run.toString());
    }
    reporter.close();
  }

  @Test
  void mailerSeam_noneFailsEveryMailto() {
    ReportDestination.Mailto to = new ReportDestination.Mailto("mailto:a@b.example", "a@b.example");
    assertTrue(org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
        () -> org.mtasts.report.ReportMailer.none().send(null, to)).getMessage()
        .contains("mailto:a@b.example"));
  }
}
