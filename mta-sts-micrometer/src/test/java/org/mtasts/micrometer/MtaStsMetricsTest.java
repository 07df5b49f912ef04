package org.mtasts.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.mail.Message;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.PolicyLookup;
import org.mtasts.PolicyStore;
import org.mtasts.StoredPolicy;
import org.mtasts.TlsReporter;
import org.mtasts.dns.DnsClient;
import org.mtasts.javamail.MtaStsMail;
import org.mtasts.javamail.TlsReportMailer;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.ReportDay;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ReportStore;
import org.mtasts.report.ReportSubmitter;
import org.mtasts.report.ResultType;
import org.mtasts.report.SessionResult;
import org.mtasts.testkit.DomainSpec;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;

/**
 * The meters of {@link MtaStsMetrics}, read from a {@link SimpleMeterRegistry} after a real
 * {@link MtaSts} talked to the testkit's loopback DNS, HTTPS policy hosts and STARTTLS receivers
 * (issue 17).
 */
class MtaStsMetricsTest {
  /** Now: the transport judges the world's fresh MX certificates by the client's clock. */
  static final Instant T0 = Instant.now();
  /** How long each policy fetch takes by the test clock (the executor moves it). */
  static final Duration FETCH_TIME = Duration.ofMillis(250);

  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(w -> w
              .domain("good.example", d -> d.policy("enforce", "mx1.good.example")
                  .mx(10, "mx1.good.example", Mx.goodTls()))
              .domain("expired.example", d -> d.policy("enforce", "mx.expired.example")
                  .mx(10, "mx.expired.example", Mx.expiredCertificate()))
              .domain("testing.example", d -> d.policy("testing", "mx.testing.example")
                  .mx(10, "mx.testing.example", Mx.wrongNameCertificate()))
              .domain("down.example", d -> d.policy("enforce", "mx.down.example")
                  .mx(10, "mx.down.example", Mx.goodTls()))
              .domain("plain.example", d -> d.mx(10, "mx.plain.example", Mx.goodTls()))
              .domain("reports.example", d -> d.mx(10, "mx.reports.example", Mx.goodTls()))
              .domain("nomail.example", DomainSpec::nullMx)
              .dns(dns -> dns
                  .txt("_smtp._tls.testing.example",
                      "v=TLSRPTv1; rua=mailto:tlsrpt@reports.example")
                  .txt("_smtp._tls.good.example", "v=TLSRPTv1; rua=mailto:tlsrpt@nomail.example")))
          .resetBeforeEach();

  final MutableClock clock = new MutableClock(T0);
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final ExecutorService pool = Executors.newFixedThreadPool(2);
  final List<MtaSts> clients = new ArrayList<>();

  @AfterEach
  void close() throws InterruptedException {
    clients.forEach(MtaSts::close);
    pool.shutdownNow();
    assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "fetch pool ended");
  }

  /** A client over the world whose fetches take {@link #FETCH_TIME} by the test clock. */
  MtaSts client(MtaStsMetrics metrics, Consumer<MtaSts.Builder> more) {
    MtaSts.Builder b = MtaSts.builder()
        .dnsClient(DnsClient.builder().server(world.dnsAddress()).cacheSize(0)
            .timeout(Duration.ofSeconds(5)).retries(0).build())
        .hostResolver(HostResolver.overriding(world.hostMap(), HostResolver.none()))
        .trustManager(world.trustManager())
        .executor(task -> pool.execute(() -> {
          clock.advance(FETCH_TIME);
          task.run();
        }))
        .clock(clock)
        .listener(metrics);
    more.accept(b);
    MtaSts sts = metrics.monitor(b.build());
    clients.add(sts);
    return sts;
  }

  MtaSts client(MtaStsMetrics metrics) {
    return client(metrics, b -> b.allowPrivateAddresses(true));
  }

  MtaStsMetrics bound(MtaStsMetrics metrics) {
    metrics.bindTo(registry);
    return metrics;
  }

  double count(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  @Test
  @DisplayName("lookups by status and source, fetch latency and failures by type, cache gauge"
      + " (STS-CACHE-04, STS-FETCH-15)")
  void lookupsFetchesAndCache_STS_CACHE_04_STS_FETCH_15() {
    MtaStsMetrics metrics = bound(MtaStsMetrics.builder().build());
    MtaSts sts = client(metrics);
    world.domain("down.example").policyDown();

    assertEquals(PolicyLookup.Status.VALID, sts.resolve("good.example").status());
    assertEquals(PolicyLookup.Source.CACHE, sts.resolve("good.example").source().orElseThrow());
    sts.resolveAsync("good.example").toCompletableFuture().join();
    assertEquals(PolicyLookup.Status.NO_POLICY, sts.resolve("plain.example").status());
    assertEquals(PolicyLookup.Status.FETCH_ERROR, sts.resolve("down.example").status());

    assertEquals(1, count("mtasts.lookups", "status", "valid", "source", "fetched"));
    assertEquals(2, count("mtasts.lookups", "status", "valid", "source", "cache"));
    assertEquals(1, count("mtasts.lookups", "status", "no-policy", "source", "none"));
    assertEquals(1, count("mtasts.lookups", "status", "fetch-error", "source", "none"));

    Timer ok = registry.get("mtasts.policy.fetches").tags("outcome", "success").timer();
    assertEquals(1, ok.count());
    assertEquals(FETCH_TIME.toNanos(), (long) ok.totalTime(TimeUnit.NANOSECONDS));
    Timer failed = registry.get("mtasts.policy.fetches").tags("outcome", "failure").timer();
    assertEquals(1, failed.count());
    assertEquals(FETCH_TIME.toNanos(), (long) failed.totalTime(TimeUnit.NANOSECONDS));
    assertEquals(1, count("mtasts.policy.fetch.failures",
        "type", "http-status", "result.type", "sts-policy-fetch-error"));

    assertEquals(1.0, registry.get("mtasts.cache.policies").gauge().value());
    sts.cache().invalidate("good.example");
    assertEquals(0.0, registry.get("mtasts.cache.policies").gauge().value());
    assertNoDomainTag();
  }

  @Test
  @DisplayName("refusals and testing-mode violations by TLS-RPT result type, through the Jakarta"
      + " Mail transport (STS-TLS-04, STS-TLS-06)")
  void refusalsAndViolations_STS_TLS_04_STS_TLS_06() throws Exception {
    MtaStsMetrics metrics = bound(MtaStsMetrics.builder().build());
    MtaSts sts = client(metrics);
    Properties p = new Properties();
    p.put("mail.smtp.localhost", "client.test");
    p.put("mail.mtasts.trustManager", world.trustManager());
    p.put("mail.mtasts.hostResolver", HostResolver.overriding(world.hostMap(),
        HostResolver.none()));
    Session session = MtaStsMail.session(p, sts);

    assertThrows(SendFailedException.class,
        () -> Transport.send(message(session, "ann@expired.example")));
    Transport.send(message(session, "tim@testing.example"));

    assertEquals(1, count("mtasts.refusals", "reason", "certificate-expired"));
    assertEquals(1, count("mtasts.testing.violations", "reason", "certificate-host-mismatch"));
    assertEquals(1, world.messagesFor("mx.testing.example").size(), "testing mode delivers");
    assertEquals(0, world.messagesFor("mx.expired.example").size());
    // the transport resolved each domain through the client: first contact, fetched
    assertEquals(2, count("mtasts.lookups", "status", "valid", "source", "fetched"));
    assertNoDomainTag();
  }

  static MimeMessage message(Session session, String to) throws Exception {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress("app@client.test"));
    m.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
    m.setSubject("metrics");
    m.setText("x");
    return m;
  }

  @Test
  @DisplayName("TLS reports by outcome and destination scheme, from a real TlsReporter: delivered"
      + " by mail, retried and given up, dropped without a record (TLSRPT-DEL-09, TLSRPT-REC-02)")
  void reports_byOutcomeAndScheme_TLSRPT_DEL_09_TLSRPT_REC_02() throws Exception {
    MtaStsMetrics metrics = bound(MtaStsMetrics.builder().build());
    MtaSts sts = client(metrics);
    ReportStore store = ReportStore.memory();
    for (String domain : List.of("testing.example", "good.example", "plain.example")) {
      store.add(SessionResult.failure(clock.instant(), ReportPolicy.noPolicyFound(domain),
          FailureDetail.of(ResultType.STARTTLS_NOT_SUPPORTED, null)));
    }
    Properties p = new Properties();
    p.put("mail.smtp.localhost", "client.test");
    p.put("mail.mtasts.trustManager", world.trustManager());
    p.put("mail.mtasts.hostResolver", HostResolver.overriding(world.hostMap(),
        HostResolver.none()));
    TlsReporter reporter = TlsReporter.builder(sts)
        .submitter(ReportSubmitter.of("Client", "tlsrpt@client.test"))
        .store(store)
        .mailer(TlsReportMailer.builder().session(TlsReportMailer.directSession(p, sts)).build())
        .build();

    List<TlsReporter.Outcome> first = reporter.sendDue(true);
    assertEquals(3, first.size(), first.toString());
    assertEquals(1, world.messagesFor("mx.reports.example").size(), "delivered by mail");
    assertEquals(1, count("mtasts.reports", "outcome", "delivered", "scheme", "mailto"));
    assertEquals(1, count("mtasts.reports", "outcome", "no-reporting-policy", "scheme", "none"));
    assertEquals(1, count("mtasts.reports", "outcome", "retry", "scheme", "mailto"));

    // good.example's rua has a null MX: retried with back-off, given up after 24 hours
    int attempts = 1;
    TlsReporter.Outcome o = first.stream()
        .filter(x -> x.day().policyDomain().equals("good.example")).findFirst().orElseThrow();
    while (o.status() == TlsReporter.Status.RETRY) {
      clock.advance(Duration.between(clock.instant(), o.nextAttempt().orElseThrow()));
      o = reporter.sendDue(true).get(0);
      attempts++;
    }
    assertEquals(TlsReporter.Status.GAVE_UP, o.status());
    assertEquals(attempts - 1, count("mtasts.reports", "outcome", "retry", "scheme", "mailto"));
    assertEquals(1, count("mtasts.reports", "outcome", "gave-up", "scheme", "mailto"));
    assertNoDomainTag();
  }

  @Test
  @DisplayName("a report's scheme tag: the accepting destination's, else those tried")
  void reports_schemeTag_boundedValues() {
    MtaStsMetrics metrics = bound(MtaStsMetrics.builder().tagDomains("big.example").build());
    ReportDay day = new ReportDay("big.example", java.time.LocalDate.of(2026, 12, 1));
    TlsReporter.DestinationResult mailFailed =
        new TlsReporter.DestinationResult("mailto:a@big.example", false, "550");
    TlsReporter.DestinationResult httpsOk =
        new TlsReporter.DestinationResult("HTTPS://r.big.example/", true, null);
    TlsReporter.DestinationResult httpsFailed =
        new TlsReporter.DestinationResult("https://r.big.example/", false, "HTTP 503");
    metrics.reportHandled(new TlsReporter.Outcome(day, TlsReporter.Status.DELIVERED,
        List.of(mailFailed, httpsOk), "", Optional.empty()));
    metrics.reportHandled(new TlsReporter.Outcome(day, TlsReporter.Status.RETRY,
        List.of(mailFailed, httpsFailed), "", Optional.of(T0)));
    metrics.reportHandled(new TlsReporter.Outcome(
        new ReportDay("small.example", day.day()), TlsReporter.Status.SUPPRESSED, List.of(), "",
        Optional.empty()));

    assertEquals(1, count("mtasts.reports", "domain", "big.example", "outcome", "delivered",
        "scheme", "https"));
    assertEquals(1, count("mtasts.reports", "domain", "big.example", "outcome", "retry",
        "scheme", "mixed"));
    assertEquals(1, count("mtasts.reports", "domain", "other", "outcome", "suppressed",
        "scheme", "none"));
  }

  @Test
  @DisplayName("downgrade signals: mode lowered, record vanished, stale policy served (SEC-02,"
      + " STS-DISC-14, STS-CACHE-05)")
  void downgradeSignals_SEC_02_STS_DISC_14_STS_CACHE_05() {
    MtaStsMetrics metrics = bound(MtaStsMetrics.builder().build());
    MtaSts sts = client(metrics);
    sts.resolve("good.example");
    world.domain("good.example").policy("testing", "mx1.good.example").rotateId();
    clock.advance(Duration.ofMinutes(10)); // past the TXT TTL (300 s) and SEC-14's minute
    assertEquals("testing", sts.resolve("good.example").mode().orElseThrow().token());
    assertEquals(1, count("mtasts.downgrade.signals", "signal", "mode-lowered"));

    world.domain("good.example").txt();
    clock.advance(Duration.ofMinutes(10)); // past the TXT TTL
    PolicyLookup stale = sts.resolve("good.example");
    assertEquals(PolicyLookup.Source.STALE_CACHE, stale.source().orElseThrow());
    assertEquals(1, count("mtasts.downgrade.signals", "signal", "record-vanished"));
    assertEquals(1, count("mtasts.downgrade.signals", "signal", "stale-served"));
    assertEquals(1, count("mtasts.lookups", "status", "valid", "source", "stale-cache"));
  }

  @Test
  @DisplayName("protection lost to the address guard counts as a downgrade signal, by cause"
      + " (D-33)")
  void protectionLost_D_33() {
    MtaStsMetrics metrics = bound(MtaStsMetrics.builder().build());
    MtaSts sts = client(metrics, b -> {}); // private addresses refused: the world is loopback
    assertEquals(PolicyLookup.Status.FETCH_ERROR, sts.resolve("good.example").status());
    assertEquals(1, count("mtasts.protection.lost", "cause", "address-guard"));
    assertEquals(1, count("mtasts.downgrade.signals", "signal", "protection-lost"));
    assertEquals(1, count("mtasts.policy.fetch.failures",
        "type", "address-refused", "result.type", "sts-policy-fetch-error"));
  }

  @Test
  @DisplayName("store failures by operation; the lookup goes on")
  void storeFailures() {
    MtaStsMetrics metrics = bound(MtaStsMetrics.builder().build());
    MtaSts sts = client(metrics, b -> b.allowPrivateAddresses(true).policyStore(new BrokenStore()));
    assertEquals(PolicyLookup.Status.VALID, sts.resolve("good.example").status());
    assertEquals(1, count("mtasts.store.failures", "operation", "save"));
    assertEquals(1, count("mtasts.store.failures", "operation", "load"));
  }

  @Test
  @DisplayName("domains get a tag only when allow-listed; all others are 'other', so the tag"
      + " keys of a meter never vary")
  void domainTag_onlyForAllowListedDomains() {
    MtaStsMetrics metrics =
        bound(MtaStsMetrics.builder().tagDomains("Good.Example.").build());
    MtaSts sts = client(metrics);
    sts.resolve("good.example");
    sts.resolve("plain.example");
    world.domain("down.example").policyDown();
    sts.resolve("down.example");

    assertEquals(1, count("mtasts.lookups", "domain", "good.example", "status", "valid"));
    assertEquals(1, count("mtasts.lookups", "domain", "other", "status", "no-policy"));
    assertEquals(1, count("mtasts.lookups", "domain", "other", "status", "fetch-error"));
    assertEquals(1, registry.get("mtasts.policy.fetches")
        .tags("domain", "good.example", "outcome", "success").timer().count());
    Set<String> values = new HashSet<>();
    Map<String, Set<Set<String>>> keysByName = new HashMap<>();
    for (Meter m : registry.getMeters()) {
      Set<String> keys = new HashSet<>();
      m.getId().getTags().forEach(t -> keys.add(t.getKey()));
      keysByName.computeIfAbsent(m.getId().getName(), n -> new HashSet<>()).add(keys);
      String domain = m.getId().getTag("domain");
      if (domain != null) {
        values.add(domain);
      }
    }
    assertEquals(Set.of("good.example", "other"), values);
    keysByName.forEach((name, keySets) -> assertEquals(1, keySets.size(), name + ": " + keySets));
  }

  @Test
  @DisplayName("events before bindTo are not counted; binding one registry twice counts once")
  void bindTo_countsFromThenOn_once() {
    MtaStsMetrics metrics = MtaStsMetrics.builder().build();
    MtaSts sts = client(metrics);
    sts.resolve("plain.example");
    metrics.bindTo(registry);
    metrics.bindTo(registry);
    sts.resolve("plain.example");
    assertEquals(1, count("mtasts.lookups", "status", "no-policy"));
    assertNull(registry.find("mtasts.lookups").tags("status", "valid").counter());
  }

  @Test
  void nullArguments_areRefused() {
    MtaStsMetrics metrics = MtaStsMetrics.builder().build();
    assertThrows(NullPointerException.class, () -> metrics.bindTo(null));
    assertThrows(NullPointerException.class, () -> metrics.monitor(null));
    assertThrows(NullPointerException.class,
        () -> MtaStsMetrics.builder().tagDomains((String) null));
    assertThrows(IllegalArgumentException.class,
        () -> MtaStsMetrics.builder().tagDomains("not a domain"));
  }

  private void assertNoDomainTag() {
    for (Meter m : registry.getMeters()) {
      assertNull(m.getId().getTag("domain"), m.getId().toString());
    }
  }

  /** A store that cannot read or write anything. */
  static final class BrokenStore implements PolicyStore {
    @Override
    public Optional<StoredPolicy> load(String domain) throws IOException {
      throw new IOException("disk gone");
    }

    @Override
    public void forEach(Consumer<? super StoredPolicy> action) {}

    @Override
    public void save(StoredPolicy policy) throws IOException {
      throw new IOException("disk gone");
    }

    @Override
    public void delete(String domain) throws IOException {
      throw new IOException("disk gone");
    }

    @Override
    public void deleteAll() throws IOException {
      throw new IOException("disk gone");
    }
  }
}
