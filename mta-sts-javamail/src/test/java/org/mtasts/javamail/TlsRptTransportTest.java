package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.dns.DnsClient;
import org.mtasts.policy.Policy;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.PolicyTally;
import org.mtasts.report.ReportDay;
import org.mtasts.report.ReportDestination;
import org.mtasts.report.ReportStore;
import org.mtasts.report.ReportSubmitter;
import org.mtasts.report.TlsReport;
import org.mtasts.report.PolicyType;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ResultType;
import org.mtasts.report.SessionResult;
import org.mtasts.report.TlsRptRecorder;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.smtp.HostileReply;
import org.mtasts.testkit.smtp.HostileReply.Stage;

/**
 * What the transport records for TLS reports (RFC 8460 §4; TLSRPT-DATA rules, D-26, D-28, D-31,
 * D-32, TLSRPT-DEL-07): every session to one address of one MX whose TLS was judged, with the
 * addresses of the connection and the MX's own name, against the testkit's real DNS, policy
 * hosts and STARTTLS receivers.
 */
class TlsRptTransportTest {
  static final String LOOPBACK = "127.0.0.1";

  @RegisterExtension
  static final TestWorldExtension world = TestWorldExtension.create(w -> w
          .domain("enforce.example", d -> d
              .policy("enforce", "mx1.enforce.example", "mx2.enforce.example")
              .mx(5, "mx0.enforce.example", Mx.goodTls())
              .mx(10, "mx1.enforce.example", Mx.expiredCertificate())
              .mx(20, "mx2.enforce.example", Mx.goodTls()))
          .domain("testing.example", d -> d
              .policy("testing", "mx1.testing.example")
              .mx(10, "mx9.testing.example", Mx.selfSignedCertificate().with(b -> b.hostile(
                  Stage.EHLO, HostileReply.raw("250-edge9.testing.example at your service\r\n"
                      + "250-STARTTLS\r\n250 8BITMIME\r\n")))))
          .domain("nostarttls.example", d -> d
              .mx(10, "mx.nostarttls.example", Mx.noStartTls().with(b -> b.hostile(Stage.EHLO,
                  HostileReply.raw("250-\u001b[2Jnot a name\r\n250 8BITMIME\r\n")))))
          .domain("anycert.example", d -> d
              .mx(10, "mx.anycert.example", Mx.selfSignedCertificate()))
          .domain("handshake.example", d -> d
              .mx(10, "mx.handshake.example", Mx.handshakeFailure()))
          .domain("down.example", d -> d
              .mx(10, "mx1.down.example", Mx.unreachable())
              .mx(20, "mx2.down.example", Mx.goodTls()))
          .domain("stale.example", d -> d
              .policy("enforce", "mx.stale.example")
              .mx(10, "mx.stale.example", Mx.goodTls())))
      .resetBeforeEach();

  /** A fixed clock: the certificates are judged by it too, so it is now. */
  final MovingClock clock = new MovingClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  final Recorder recorder = new Recorder();
  final HostResolver resolver = WorldClients.resolver(world);
  MtaSts sts;

  @BeforeEach
  void client() {
    sts = MtaSts.builder()
        .dnsClient(DnsClient.builder().server(world.dnsAddress()).cacheSize(0).build())
        .hostResolver(resolver)
        .trustManager(world.trustManager())
        .allowPrivateAddresses(true)
        .clock(clock)
        .tlsRptRecorder(recorder)
        .build();
  }

  @AfterEach
  void close() {
    sts.close();
  }

  Session session(boolean record) {
    Properties p = new Properties();
    p.put("mail.smtp.localhost", "client.test");
    p.put(Settings.TRUST_MANAGER, world.trustManager());
    p.put(Settings.HOST_RESOLVER, resolver);
    if (!record) {
      p.put(Settings.TLSRPT_RECORD, "false");
    }
    return MtaStsMail.session(p, sts);
  }

  void send(String to) throws Exception {
    send(session(true), to);
  }

  static void send(Session s, String to) throws Exception {
    MimeMessage m = new MimeMessage(s);
    m.setFrom(new InternetAddress("sender@client.test"));
    m.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
    m.setText("x");
    Transport.send(m);
  }

  static ReportPolicy sts(String domain) {
    String text = world.domain(domain).policyText().orElseThrow();
    try {
      return ReportPolicy.sts(domain, Policy.splitLines(text), Policy.parse(text));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static FailureDetail session(ResultType type, String host, String helo, String code) {
    return new FailureDetail(type, LOOPBACK, host, helo, LOOPBACK, code, null);
  }

  SessionResult failure(ReportPolicy policy, FailureDetail... details) {
    return new SessionResult(clock.instant(), policy, List.of(details));
  }

  @Test
  @DisplayName("TLSRPT-DATA-02, D-26: each MX of an enforce walk, the delivering one counted")
  void enforceWalk_mismatchExpiredAndSuccess_TLSRPT_DATA_02_D_26() throws Exception {
    send("ann@enforce.example");

    ReportPolicy policy = sts("enforce.example");
    assertEquals(List.of(
        failure(policy, new FailureDetail(ResultType.VALIDATION_FAILURE, null,
            "mx0.enforce.example", null, null, "mta-sts-mx-mismatch", null)),
        failure(policy, session(ResultType.CERTIFICATE_EXPIRED, "mx1.enforce.example",
            "mx1.enforce.example", null)),
        SessionResult.success(clock.instant(), policy)), recorder.results());
    assertEquals(1, world.messagesFor("mx2.enforce.example").size());
    assertTrue(world.messagesFor("mx0.enforce.example").isEmpty());
  }

  @Test
  @DisplayName("D-26, TLSRPT-DATA-04, D-31: under testing an unlisted MX is contacted; both "
      + "failures, with the name from the first line of its EHLO reply")
  void testingMismatch_bothFailuresWithIpsAndEhloName_TLSRPT_DATA_04_D_31() throws Exception {
    send("cy@testing.example");

    assertEquals(List.of(failure(sts("testing.example"),
        session(ResultType.VALIDATION_FAILURE, "mx9.testing.example", "edge9.testing.example",
            "mta-sts-mx-mismatch"),
        session(ResultType.CERTIFICATE_NOT_TRUSTED, "mx9.testing.example",
            "edge9.testing.example", "untrusted"))), recorder.results());
    assertEquals(1, world.messagesFor("mx9.testing.example").size());
  }

  @Test
  @DisplayName("D-32, D-31: no policy, no STARTTLS: a failure; a hostile EHLO name falls back to the greeting's")
  void noPolicy_noStartTls_failure_greetingName_D_32_D_31() throws Exception {
    send("di@nostarttls.example");

    assertEquals(List.of(failure(ReportPolicy.noPolicyFound("nostarttls.example"),
        session(ResultType.STARTTLS_NOT_SUPPORTED, "mx.nostarttls.example",
            "mx.nostarttls.example", null))), recorder.results());
    assertEquals(1, world.messagesFor("mx.nostarttls.example").size());
  }

  @Test
  @DisplayName("D-32: no policy, STARTTLS with any certificate: a success")
  void noPolicy_anyCertificate_success_D_32() throws Exception {
    send("ed@anycert.example");

    assertEquals(List.of(SessionResult.success(clock.instant(),
        ReportPolicy.noPolicyFound("anycert.example"))), recorder.results());
  }

  @Test
  @DisplayName("D-32: a failed handshake is one failure; the plaintext retry is not counted again")
  void noPolicy_handshakeFailed_oneFailure_D_32() throws Exception {
    send("fay@handshake.example");

    List<SessionResult> results = recorder.results();
    assertEquals(1, results.size(), results.toString());
    assertEquals(ReportPolicy.noPolicyFound("handshake.example"), results.get(0).policy());
    FailureDetail f = results.get(0).failures().get(0);
    assertEquals(ResultType.VALIDATION_FAILURE, f.resultType(), f.toString());
    assertEquals(LOOPBACK, f.sendingMtaIp());
    assertEquals(LOOPBACK, f.receivingIp());
    assertTrue(f.failureReasonCode() != null, f.toString());
    assertEquals(1, world.messagesFor("mx.handshake.example").size(), "delivered in plaintext");
  }

  @Test
  @DisplayName("TLSRPT-DATA-03: a refused connection is a transient error, not recorded")
  void unreachableMx_notRecorded_TLSRPT_DATA_03() throws Exception {
    send("gus@down.example");

    assertEquals(List.of(SessionResult.success(clock.instant(),
        ReportPolicy.noPolicyFound("down.example"))), recorder.results(), "mx2 only");
  }

  @Test
  @DisplayName("TLSRPT-DATA-06: a fetch failure per delivery, under the stale cached policy")
  void fetchFailure_perDelivery_underStalePolicy_TLSRPT_DATA_06() throws Exception {
    send("hal@stale.example");
    ReportPolicy policy = sts("stale.example");
    world.domain("stale.example").rotateId();
    world.domain("stale.example").policyDown();
    clock.advance(Duration.ofHours(1)); // past the TTL of the TXT answer
    recorder.clear();

    send("hal@stale.example");
    send("ivy@stale.example");

    SessionResult fetch = new SessionResult(clock.instant(), policy,
        List.of(FailureDetail.of(ResultType.STS_POLICY_FETCH_ERROR, "http-status")));
    SessionResult ok = SessionResult.success(clock.instant(), policy);
    assertEquals(List.of(fetch, ok, fetch, ok), recorder.results());
  }

  @Test
  @DisplayName("TLSRPT-DEL-07: a message sent with mail.mtasts.tlsrpt.record=false counts nothing")
  void reportDelivery_neverCounted_TLSRPT_DEL_07() throws Exception {
    Session reports = session(false);
    send(reports, "ann@enforce.example");
    send(reports, "di@nostarttls.example");
    world.domain("stale.example").rotateId();
    world.domain("stale.example").policyDown(); // first contact: a fetch error, not recorded
    send(reports, "hal@stale.example");

    assertEquals(List.of(), recorder.results());
    assertEquals(1, world.messagesFor("mx2.enforce.example").size());
    assertEquals(1, world.messagesFor("mx.stale.example").size());
  }

  @Test
  @DisplayName("TLSRPT-DEL-07: a TLS report mailed direct to MX through the transport counts nothing")
  void reportMailedDirect_neverCounted_TLSRPT_DEL_07() throws Exception {
    Properties props = new Properties();
    props.put(Settings.HOST_RESOLVER, resolver);
    props.put(Settings.TRUST_MANAGER, world.trustManager());
    props.put(Settings.EHLO, "sender.example");
    TlsReportMailer mailer = TlsReportMailer.builder()
        .session(TlsReportMailer.directSession(props, sts)) // records as any session would
        .build();
    ReportPolicy policy = ReportPolicy.noPolicyFound("enforce.example");
    TlsReport report = TlsReport.create(
        ReportSubmitter.of("Sender", "tlsrpt@sender.example"),
        new ReportDay("enforce.example", LocalDate.of(2026, 12, 1)),
        List.of(new PolicyTally(policy, 1, 0, Map.of())));

    // through mx0 (outside the policy), mx1 (expired certificate) to mx2
    mailer.send(report, new ReportDestination.Mailto("mailto:tlsrpt@enforce.example",
        "tlsrpt@enforce.example"));

    assertEquals(1, world.messagesFor("mx2.enforce.example").size());
    assertEquals(List.of(), recorder.results());
    // the same walk for a message that is no report is counted: three sessions
    send("ann@enforce.example");
    assertEquals(3, recorder.results().size());
  }

  @Test
  @DisplayName("TLSRPT-DATA-02: properties only, mail.mtasts.tlsrpt.dir counts in ReportStore.directory")
  void propertiesOnly_tlsrptDir_countsInTheDirectoryStore(@TempDir Path dir) throws Exception {
    Properties p = new Properties();
    p.put("mail.transport.protocol.rfc822", MtaStsTransport.PROTOCOL);
    p.put("mail.smtp.localhost", "client.test");
    p.put(Settings.DNS_SERVERS, world.dnsAddress().getAddress().getHostAddress() + ":"
        + world.dnsAddress().getPort());
    p.put(Settings.TRUST_STORE, world.writeTrustPem(dir.resolve("trust.pem")).toString());
    p.put(Settings.ALLOW_PRIVATE_ADDRESSES, "true");
    p.put(Settings.HOST_RESOLVER, resolver);
    p.put(Settings.TLSRPT_DIR, dir.toString());
    Session s = Session.getInstance(p);
    send(s, "cy@testing.example");
    send(s, "ed@anycert.example");

    ReportStore store = ReportStore.directory(dir);
    LocalDate today = store.days().get(0).day(); // the default client's clock: the system's
    assertEquals(List.of(new ReportDay("anycert.example", today),
        new ReportDay("testing.example", today)), store.days());
    assertEquals(List.of(new PolicyTally(sts("testing.example"), 0, 1, Map.of(
            session(ResultType.VALIDATION_FAILURE, "mx9.testing.example",
                "edge9.testing.example", "mta-sts-mx-mismatch"), 1L,
            session(ResultType.CERTIFICATE_NOT_TRUSTED, "mx9.testing.example",
                "edge9.testing.example", "untrusted"), 1L))),
        store.tallies(new ReportDay("testing.example", today)));
    assertEquals(List.of(new PolicyTally(ReportPolicy.noPolicyFound("anycert.example"), 1, 0,
        Map.of())), store.tallies(new ReportDay("anycert.example", today)));
  }

  @Test
  void tlsrptDir_withInstance_refused() throws Exception {
    Session s = MtaStsMail.session(new Properties(), sts);
    s.getProperties().put(Settings.TLSRPT_DIR, "/var/lib/app/tlsrpt");
    MessagingException e = assertThrows(MessagingException.class,
        () -> send(s, "ed@anycert.example"));
    assertTrue(e.getMessage().contains(Settings.TLSRPT_DIR), e.getMessage());
    assertEquals(List.of(), recorder.results());
  }

  /** Captures what the client records. */
  static final class Recorder implements TlsRptRecorder {
    private final List<SessionResult> results = new ArrayList<>();

    @Override
    public synchronized void record(SessionResult result) {
      results.add(result);
    }

    synchronized List<SessionResult> results() {
      return List.copyOf(results);
    }

    synchronized void clear() {
      results.clear();
    }
  }

  /** A clock that the test moves by hand. */
  static final class MovingClock extends Clock {
    private volatile Instant now;

    MovingClock(Instant start) {
      now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
