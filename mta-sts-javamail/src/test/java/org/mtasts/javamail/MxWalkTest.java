package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mtasts.DeliveryDecision;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.MtaStsListener;
import org.mtasts.javamail.MtaStsDeliveryException.Kind;
import org.mtasts.policy.Mode;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.dns.TestDnsServer;
import org.mtasts.testkit.smtp.SessionRecord;
import org.mtasts.tls.MxTlsVerifier;
import org.mtasts.tls.RefusalReason;

/**
 * The MX walk of one domain (RFC 8461 §5, RFC 8689) on its own: {@link MxWalk#deliver} with the
 * real core client and {@link Courier} over the testkit world (DNS, policy hosts, STARTTLS
 * receivers), and a ticker the test moves, so that the walk's order, its refusals, the {@code
 * TLS-Required: No} pass and the deadline are asserted on the {@link DomainDelivery} it returns.
 */
class MxWalkTest {

  @RegisterExtension
  static final TestWorldExtension world = TestWorldExtension.create(w -> w
      .domain("fallback.example", d -> d
          .policy("enforce", "*.fallback.example")
          .mx(10, "plain.fallback.example", Mx.noStartTls())
          .mx(20, "wrongname.fallback.example", Mx.wrongNameCertificate())
          .mx(30, "expired.fallback.example", Mx.expiredCertificate())
          .mx(40, "refused.fallback.example", Mx.startTlsRefused())
          .mx(50, "good.fallback.example", Mx.goodTls()))
      .domain("mismatch.example", d -> d
          .policy("enforce", "mx.mismatch.example")
          .mx(10, "evil.mismatch.example", Mx.goodTls())
          .mx(20, "mx.mismatch.example", Mx.goodTls()))
      .domain("nomatch.example", d -> d
          .policy("enforce", "mx.other.example")
          .mx(10, "mx1.nomatch.example", Mx.goodTls())
          .mx(20, "mx2.nomatch.example", Mx.goodTls()))
      .domain("nopass.example", d -> d
          .policy("enforce", "expired.nopass.example", "plain.nopass.example",
              "down.nopass.example")
          .mx(10, "expired.nopass.example", Mx.expiredCertificate())
          .mx(20, "down.nopass.example", Mx.unreachable())
          .mx(30, "plain.nopass.example", Mx.noStartTls())
          .mx(40, "outside.nopass.example", Mx.goodTls()))
      .domain("testing.example", d -> d
          .policy("testing", "mx.testing.example")
          .mx(10, "mx.testing.example", Mx.expiredCertificate()))
      .domain("oldtls.example", d -> d
          .policy("testing", "mx.oldtls.example")
          .mx(10, "mx.oldtls.example", Mx.legacyTlsOnly("TLSv1.1")))
      .domain("nullmx.example", d -> d.nullMx())
      .domain("dnsfail.example", d -> d.mx(10, "mx.dnsfail.example"))
      .dns(dns -> dns.fault("dnsfail.example", "MX", TestDnsServer.Fault.SERVFAIL))
  ).resetBeforeEach();

  private final List<DeliveryDecision> decisions = new CopyOnWriteArrayList<>();
  /** The walk's ticker: frozen unless a test moves it. */
  private final AtomicLong nanos = new AtomicLong();
  /** Runs when the core refuses an MX (the walk is between two MX hosts then). */
  private volatile Runnable onRefusal = () -> { };
  private MtaSts sts;
  private Session session;
  private HostResolver resolver;
  private MxTlsVerifier verifier;

  @BeforeEach
  void setUp() {
    resolver = WorldClients.resolver(world);
    sts = WorldClients.client(world, resolver)
        .listener(new MtaStsListener() {
          @Override
          public void deliveryRefused(DeliveryDecision decision) {
            decisions.add(decision);
            onRefusal.run();
          }

          @Override
          public void testingViolation(DeliveryDecision decision) {
            decisions.add(decision);
          }
        })
        .build();
    verifier = MxTlsVerifier.builder().trustManager(world.trustManager()).clock(sts.clock())
        .build();
    Properties p = new Properties();
    p.put("mail.smtp.localhost", "client.test");
    session = Session.getInstance(p);
  }

  @AfterEach
  void close() {
    sts.close();
  }

  /** The settings of the transport's defaults; {@code enforce} as mail.mtasts.enforce. */
  private static Settings settings(boolean enforce) {
    return new Settings(Settings.DEFAULT_PORT, 10_000, 30_000, "client.test", true, enforce,
        Settings.DEFAULT_MX_ADDRESS_LIMIT, Settings.DEFAULT_DELIVERY_DEADLINE,
        Settings.DEFAULT_REPLY_TIMEOUT);
  }

  private DomainDelivery deliver(String recipient, boolean tlsRequiredNo, boolean enforce)
      throws MessagingException {
    Settings settings = settings(enforce);
    MxWalk walk = new MxWalk(sts, new Courier(session, settings, verifier, resolver, sts.daneStrict()), settings,
        nanos::get);
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress("sender@client.test"));
    m.addRecipient(Message.RecipientType.TO, new InternetAddress(recipient));
    m.setText("body");
    String domain = recipient.substring(recipient.indexOf('@') + 1);
    return walk.deliver(domain, m.getAllRecipients(), m, tlsRequiredNo);
  }

  private DomainDelivery deliver(String recipient) throws MessagingException {
    return deliver(recipient, false, true);
  }

  /** Each attempt as "host RESULT reason", in the order of the walk. */
  private static List<String> attempts(DomainDelivery d) {
    return d.attempts().stream()
        .map(a -> a.host() + " " + a.result() + a.reason().map(r -> " " + r.code()).orElse(""))
        .toList();
  }

  private static List<String> strings(List<Address> addresses) {
    return addresses.stream().map(Address::toString).toList();
  }

  private static MtaStsDeliveryException failure(DomainDelivery d) {
    return assertInstanceOf(MtaStsDeliveryException.class, d.failure().orElseThrow());
  }

  private static boolean mailSent(String host) {
    return world.smtp(host).sessions().stream().anyMatch(s -> s.hasCommand("MAIL"));
  }

  @Test
  @DisplayName("STS-MX-11, STS-APPLY-01, STS-TLS-10: enforce: the plan in order, each failing MX"
      + " refused and followed by the next, never retried in plaintext")
  void enforce_failingMxRefusedInOrder_nextTried_noPlaintextRetry_STS_MX_11_STS_TLS_10()
      throws Exception {
    DomainDelivery d = deliver("bob@fallback.example");

    assertEquals(List.of(
        "plain.fallback.example REFUSED starttls-not-supported",
        "wrongname.fallback.example REFUSED certificate-host-mismatch",
        "expired.fallback.example REFUSED certificate-expired",
        "refused.fallback.example REFUSED starttls-not-supported",
        "good.fallback.example DELIVERED"), attempts(d));
    assertEquals(List.of("bob@fallback.example"), strings(d.sent()));
    assertEquals(Optional.of(Mode.ENFORCE), d.mode());
    assertTrue(d.failure().isEmpty());
    assertEquals(Optional.of("good.fallback.example"), d.deliveredBy().map(MxAttempt::host));
    assertTrue(d.deliveredBy().orElseThrow().tlsProtocol().isPresent(), "delivered over TLS");
    for (String bad : List.of("plain", "wrongname", "expired", "refused")) {
      String host = bad + ".fallback.example";
      assertEquals(1, world.smtp(host).connectionCount(), host + ": one session, no retry");
      assertFalse(mailSent(host), host + ": no mail transaction");
    }
    assertEquals(4, decisions.size(), "each refusal reported: " + decisions);
  }

  @Test
  @DisplayName("STS-MX-11, STS-APPLY-01: an MX outside the enforce policy is refused without a"
      + " connection; the next one delivers")
  void enforce_mxOutsidePolicy_refusedWithoutConnection_STS_MX_11_STS_APPLY_01()
      throws Exception {
    DomainDelivery d = deliver("carol@mismatch.example");

    assertEquals(List.of("evil.mismatch.example REFUSED mx-mismatch",
        "mx.mismatch.example DELIVERED"), attempts(d));
    MxAttempt refused = d.attempts().get(0);
    assertFalse(refused.connected());
    assertEquals(Optional.of("4.7.5"), refused.statusCode());
    assertEquals(0, world.smtp("evil.mismatch.example").connectionCount());
    assertEquals(List.of("carol@mismatch.example"), strings(d.sent()));
  }

  @Test
  @DisplayName("STS-APPLY-10: enforce policy matching no MX: no connection, NO_MATCHING_MX 4.7.5,"
      + " recipients unsent (temporary)")
  void enforce_noMxMatches_noConnection_temporary_STS_APPLY_10() throws Exception {
    DomainDelivery d = deliver("xia@nomatch.example");

    assertEquals(List.of("mx1.nomatch.example REFUSED mx-mismatch",
        "mx2.nomatch.example REFUSED mx-mismatch"), attempts(d));
    MtaStsDeliveryException e = failure(d);
    assertEquals(Kind.NO_MATCHING_MX, e.kind());
    assertEquals("4.7.5", e.statusCode());
    assertEquals(List.of("xia@nomatch.example"), strings(d.unsent()));
    assertTrue(d.sent().isEmpty() && d.invalid().isEmpty());
    assertEquals(0, world.smtp("mx1.nomatch.example").connectionCount());
    assertEquals(0, world.smtp("mx2.nomatch.example").connectionCount());
  }

  @Test
  @DisplayName("STS-APPLY-05, STS-APPLY-07: no MX passes: POLICY_REFUSED (temporary) naming each"
      + " host; the unreachable one is a connection failure, not a refusal")
  void enforce_noMxPasses_policyRefused_temporary_STS_APPLY_05_STS_APPLY_07() throws Exception {
    DomainDelivery d = deliver("dave@nopass.example");

    assertEquals(List.of(
        "expired.nopass.example REFUSED certificate-expired",
        "down.nopass.example CONNECTION_FAILED",
        "plain.nopass.example REFUSED starttls-not-supported",
        "outside.nopass.example REFUSED mx-mismatch"), attempts(d));
    MtaStsDeliveryException e = failure(d);
    assertEquals(Kind.POLICY_REFUSED, e.kind());
    assertEquals("4.7.5", e.statusCode(), "the first refusal's code");
    for (String host : List.of("expired.nopass.example", "down.nopass.example",
        "plain.nopass.example", "outside.nopass.example")) {
      assertTrue(e.getMessage().contains(host), e.getMessage());
    }
    assertEquals(List.of("dave@nopass.example"), strings(d.unsent()));
    assertEquals(0, world.smtp("outside.nopass.example").connectionCount());
  }

  @Test
  @DisplayName("STS-APPLY-02, STS-TLS-11: testing: a bad certificate is delivered to, and the"
      + " violation travels with the attempt")
  void testing_badCertificate_deliveredWithTheViolation_STS_APPLY_02_STS_TLS_11()
      throws Exception {
    DomainDelivery d = deliver("erin@testing.example");

    assertEquals(List.of("mx.testing.example DELIVERED certificate-expired"), attempts(d));
    assertEquals(Optional.of(Mode.TESTING), d.mode());
    assertEquals(List.of(RefusalReason.CERTIFICATE_EXPIRED),
        decisions.stream().map(x -> x.reason().orElseThrow()).toList());
    assertTrue(d.deliveredBy().orElseThrow().tlsProtocol().isPresent(), "over TLS all the same");
  }

  @Test
  @DisplayName("STS-TLS-11: testing: a failed handshake is judged once, then the MX is retried"
      + " without STARTTLS and delivers")
  void testing_handshakeFails_plaintextRetryDelivers_STS_TLS_11() throws Exception {
    DomainDelivery d = deliver("finn@oldtls.example");

    assertEquals(List.of("mx.oldtls.example DELIVERED"), attempts(d));
    assertTrue(d.deliveredBy().orElseThrow().tlsProtocol().isEmpty(), "plaintext retry");
    assertEquals(List.of(RefusalReason.TLS_VERSION),
        decisions.stream().map(x -> x.reason().orElseThrow()).toList(),
        "the handshake failure reported once, the plaintext retry not judged");
    // The receiver files a session when its thread ends it, which may come after the client is
    // done (a full run under load saw 1 of 2): wait for it rather than read at once.
    List<SessionRecord> sessions =
        world.smtp("mx.oldtls.example").awaitSessions(2, java.time.Duration.ofSeconds(10));
    assertEquals(2, sessions.size(), sessions.toString());
    assertTrue(sessions.get(0).startTlsAttempted());
    assertFalse(sessions.get(1).startTlsAttempted());
  }

  @Test
  @DisplayName("STS-RTLS-01, STS-RTLS-07: TLS-Required: No: after the compliant pass failed, a"
      + " second pass delivers without judging; the refusals were reported")
  void tlsRequiredNo_compliantPassFailed_secondPassDelivers_STS_RTLS_01_STS_RTLS_07()
      throws Exception {
    DomainDelivery d = deliver("hank@nopass.example", true, true);

    assertEquals(List.of(
        "expired.nopass.example REFUSED certificate-expired",
        "down.nopass.example CONNECTION_FAILED",
        "plain.nopass.example REFUSED starttls-not-supported",
        "outside.nopass.example REFUSED mx-mismatch",
        "expired.nopass.example DELIVERED"), attempts(d));
    assertEquals(List.of("hank@nopass.example"), strings(d.sent()));
    assertEquals(3, decisions.size(), "the compliant pass's refusals reported: " + decisions);
    assertTrue(d.deliveredBy().orElseThrow().tlsProtocol().isPresent(),
        "STARTTLS still used where offered (STS-RTLS-02)");
  }

  @Test
  @DisplayName("STS-RTLS-03: TLS-Required: No: a compliant MX later in the list beats the"
      + " failing ones before it; no second pass")
  void tlsRequiredNo_compliantPathFirst_noSecondPass_STS_RTLS_03() throws Exception {
    DomainDelivery d = deliver("ida@fallback.example", true, true);

    assertEquals("good.fallback.example DELIVERED", attempts(d).get(attempts(d).size() - 1));
    assertEquals(5, d.attempts().size(), attempts(d).toString());
    assertFalse(mailSent("plain.fallback.example"), "not delivered in plaintext to MX 10");
  }

  @Test
  @DisplayName("SEC-09: the deadline passes after the first MX: the rest are not tried, not even"
      + " by TLS-Required: No; DEADLINE_EXCEEDED 4.4.2 names them")
  void deadlinePassed_remainingMxNotTried_SEC_09() throws Exception {
    // The first refusal moves the walk's clock past the deadline: the walk is between two MX
    // hosts then, so the next one must not be contacted.
    onRefusal = () -> nanos.addAndGet(
        TimeUnit.MILLISECONDS.toNanos(Settings.DEFAULT_DELIVERY_DEADLINE) + 1);

    DomainDelivery d = deliver("jo@fallback.example", true, true);

    assertEquals(List.of("plain.fallback.example REFUSED starttls-not-supported"), attempts(d));
    MtaStsDeliveryException e = failure(d);
    assertEquals(Kind.DEADLINE_EXCEEDED, e.kind());
    assertEquals("4.4.2", e.statusCode());
    assertTrue(e.getMessage().contains("not tried: wrongname.fallback.example,"
        + " expired.fallback.example, refused.fallback.example, good.fallback.example"),
        e.getMessage());
    assertEquals(List.of("jo@fallback.example"), strings(d.unsent()));
    for (String host : List.of("wrongname", "expired", "refused", "good")) {
      assertEquals(0, world.smtp(host + ".fallback.example").connectionCount(), host);
    }
  }

  @Test
  @DisplayName("STS-APPLY-02: mail.mtasts.enforce=false: an MX outside an enforce policy is"
      + " contacted, delivered to, and the violation kept")
  void enforceSwitchedOff_mxOutsidePolicy_deliveredAndReported_STS_APPLY_02() throws Exception {
    DomainDelivery d = deliver("kim@mismatch.example", false, false);

    assertEquals(List.of("evil.mismatch.example DELIVERED mx-mismatch"), attempts(d));
    assertEquals(1, world.smtp("evil.mismatch.example").connectionCount());
    assertEquals(List.of(RefusalReason.MX_MISMATCH),
        decisions.stream().map(x -> x.reason().orElseThrow()).toList());
  }

  @Test
  @DisplayName("STS-MX-02, STS-MX-03, STS-MX-09: DNS outcomes end the walk before any MX:"
      + " NXDOMAIN and null MX permanent, SERVFAIL temporary")
  void dnsOutcomes_noMxContacted_STS_MX_02_STS_MX_03_STS_MX_09() throws Exception {
    DomainDelivery nxdomain = deliver("oz@nosuch.example");
    assertEquals(Kind.NO_SUCH_DOMAIN, failure(nxdomain).kind());
    assertEquals("5.1.2", failure(nxdomain).statusCode());
    assertEquals(List.of("oz@nosuch.example"), strings(nxdomain.invalid()));

    DomainDelivery nullMx = deliver("pat@nullmx.example");
    assertEquals(Kind.NULL_MX, failure(nullMx).kind());
    assertEquals("5.1.10", failure(nullMx).statusCode());
    assertEquals(List.of("pat@nullmx.example"), strings(nullMx.invalid()));

    DomainDelivery servfail = deliver("quinn@dnsfail.example");
    assertEquals(Kind.DNS_TEMPORARY_FAILURE, failure(servfail).kind());
    assertEquals("4.4.3", failure(servfail).statusCode());
    assertEquals(List.of("quinn@dnsfail.example"), strings(servfail.unsent()));

    for (DomainDelivery d : List.of(nxdomain, nullMx, servfail)) {
      assertTrue(d.attempts().isEmpty(), d.toString());
    }
    assertEquals(0, world.smtp("mx.dnsfail.example").connectionCount());
  }
}
