package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.event.TransportAdapter;
import jakarta.mail.event.TransportEvent;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mtasts.HostResolver;
import org.mtasts.policy.Mode;
import org.mtasts.testkit.Cert;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.dns.TestDnsServer;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.smtp.ReceivedMessage;
import org.mtasts.testkit.smtp.SmtpReply;

/**
 * The transport against the testkit's real SMTP receivers with STARTTLS, DNS and policy hosts.
 * Subclasses supply the policy and TLS side: hand-written fakes, or the core's {@code MtaSts} and
 * MX TLS verifier.
 */
abstract class MtaStsTransportTest {

  @RegisterExtension
  static final TestWorldExtension world = TestWorldExtension.create(w -> w
      .domain("good.example", d -> d
          .policy("enforce", "mx1.good.example")
          .mx(10, "mx1.good.example", Mx.goodTls()))
      .domain("fallback.example", d -> d
          .policy("enforce", "*.fallback.example")
          .mx(10, "plain.fallback.example", Mx.noStartTls())
          .mx(20, "wrongname.fallback.example", Mx.wrongNameCertificate())
          .mx(30, "expired.fallback.example", Mx.expiredCertificate())
          .mx(40, "selfsigned.fallback.example", Mx.selfSignedCertificate())
          .mx(50, "refused.fallback.example", Mx.startTlsRefused())
          .mx(60, "good.fallback.example", Mx.goodTls()))
      .domain("mismatch.example", d -> d
          .policy("enforce", "mx.mismatch.example")
          .mx(10, "evil.mismatch.example", Mx.goodTls())
          .mx(20, "mx.mismatch.example", Mx.goodTls()))
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
      .domain("none.example", d -> d
          .policy("none", "mx.none.example")
          .mx(10, "mx.none.example", Mx.noStartTls()))
      .domain("nopolicy.example", d -> d
          .mx(10, "mx.nopolicy.example", Mx.wrongNameCertificate()))
      .domain("nullmx.example", d -> d.nullMx())
      .domain("smtp.example", d -> d
          .mx(10, "mx.smtp.example", Mx.goodTls().with(b -> b
              .rcptReply("busy@smtp.example", SmtpReply.of(451, "4.3.0 try later"))
              .rcptReply("gone@smtp.example", SmtpReply.of(550, "5.1.1 no such user")))))
      .domain("data4.example", d -> d
          .mx(10, "mx.data4.example", Mx.goodTls().with(b -> b
              .dataReply(SmtpReply.of(451, "4.3.0 queue full")))))
      .domain("data5.example", d -> d
          .mx(10, "mx.data5.example", Mx.goodTls().with(b -> b
              .dataReply(SmtpReply.of(554, "5.6.0 content rejected")))))
      .domain("tls.example", d -> d
          .policy("enforce", "*.tls.example")
          .mx(10, "old.tls.example", Mx.legacyTlsOnly("TLSv1.1"))
          .mx(20, "cnonly.tls.example", Mx.startTls(Cert.withoutSubjectAlternativeNames()))
          .mx(30, "broken.tls.example", Mx.handshakeFailure())
          .mx(40, "good.tls.example", Mx.goodTls()))
      .domain("dnsfail.example", d -> d.mx(10, "mx.dnsfail.example"))
      .domain("nomatch.example", d -> d
          .policy("enforce", "mx.other.example")
          .mx(10, "mx1.nomatch.example", Mx.goodTls())
          .mx(20, "mx2.nomatch.example", Mx.goodTls()))
      .domain("inject.example", d -> d
          .policy("enforce", "mx.inject.example")
          .mx(10, "mx.inject.example", Mx.goodTls().with(b -> b.injectAfterStartTls())))
      .dns(dns -> dns.fault("dnsfail.example", "MX", TestDnsServer.Fault.SERVFAIL))
  ).resetBeforeEach();

  Session session;

  /** The value of {@code mail.mtasts.instance} (and friends) for the world. */
  abstract void configure(Properties props);

  /** The MTA-STS violations reported so far (refused under enforce, reported under testing). */
  abstract List<org.mtasts.tls.RefusalReason> violations();

  @BeforeEach
  void setUp() {
    Properties props = new Properties();
    props.put("mail.transport.protocol.rfc822", MtaStsTransport.PROTOCOL);
    props.put("mail.smtp.localhost", "client.test");
    configure(props);
    session = Session.getInstance(props);
  }

  MimeMessage message(String... to) throws MessagingException {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress("sender@client.test"));
    for (String t : to) {
      m.addRecipient(Message.RecipientType.TO, new InternetAddress(t));
    }
    m.setSubject("hello");
    m.setText("body");
    return m;
  }

  static Set<String> strings(Address[] addresses) {
    return addresses == null ? Set.of()
        : Arrays.stream(addresses).map(Address::toString).collect(Collectors.toSet());
  }

  @Test
  @DisplayName("STS-APPLY-01, STS-TLS-03: enforce + good MX: delivered over TLS 1.2+")
  void enforce_goodMx_deliveredOverTls() throws Exception {
    Transport.send(message("alice@good.example"));

    List<ReceivedMessage> got = world.messagesFor("mx1.good.example");
    assertEquals(1, got.size());
    assertTrue(got.get(0).tlsActive());
    assertTrue(Set.of("TLSv1.2", "TLSv1.3").contains(got.get(0).tlsProtocol().orElseThrow()));
    assertEquals("mx1.good.example", got.get(0).sniHostName().orElseThrow()); // STS-TLS-02
  }

  @Test
  @DisplayName("lastDeliveries(): per domain the mode, the MX that took the message and its TLS")
  void lastDeliveries_reportEachDomain() throws Exception {
    MtaStsTransport transport = (MtaStsTransport) session.getTransport(MtaStsTransport.PROTOCOL);
    transport.connect();
    try {
      assertEquals(List.of(), transport.lastDeliveries());
      MimeMessage m = message("alice@good.example", "bob@fallback.example");
      transport.sendMessage(m, m.getAllRecipients());
      List<DomainDelivery> deliveries = transport.lastDeliveries();
      assertEquals(List.of("good.example", "fallback.example"),
          deliveries.stream().map(DomainDelivery::domain).toList());
      DomainDelivery good = deliveries.get(0);
      assertEquals(org.mtasts.policy.Mode.ENFORCE, good.mode().orElseThrow());
      MxAttempt took = good.deliveredBy().orElseThrow();
      assertEquals("mx1.good.example", took.host());
      assertTrue(Set.of("TLSv1.2", "TLSv1.3").contains(took.tlsProtocol().orElseThrow()));
      assertEquals(1, good.sent().size());
      DomainDelivery fallback = deliveries.get(1);
      assertEquals("good.fallback.example", fallback.deliveredBy().orElseThrow().host());
      assertTrue(fallback.attempts().size() > 1, fallback.toString());
      assertTrue(fallback.attempts().get(0).tlsProtocol().isEmpty(), "refused: no transaction");
    } finally {
      transport.close();
    }
  }

  @Test
  @DisplayName("SEC-27: a JVM-wide ProxySelector (or -DsocksProxyHost) never reroutes MX connections")
  void jvmWideSocksProxy_notUsedForMxConnections() throws Exception {
    java.net.ProxySelector previous = java.net.ProxySelector.getDefault();
    java.util.List<String> consulted = new java.util.concurrent.CopyOnWriteArrayList<>();
    try {
      java.net.ProxySelector.setDefault(new java.net.ProxySelector() {
        @Override
        public List<java.net.Proxy> select(java.net.URI uri) {
          consulted.add(uri.toString());
          // What -DsocksProxyHost makes the JDK's own selector answer; nothing listens there.
          return List.of(new java.net.Proxy(java.net.Proxy.Type.SOCKS,
              new java.net.InetSocketAddress("127.0.0.1", 9)));
        }

        @Override
        public void connectFailed(java.net.URI uri, java.net.SocketAddress address,
            java.io.IOException e) {}
      });
      Transport.send(message("alice@good.example"));
    } finally {
      java.net.ProxySelector.setDefault(previous);
    }
    assertEquals(1, world.messagesFor("mx1.good.example").size());
    assertEquals(List.of(), consulted);
  }

  @Test
  @DisplayName("STS-TLS-01/04/05/06, STS-MX-07: each bad MX skipped, never in plaintext")
  void enforce_badMxHosts_skippedToGoodOne() throws Exception {
    Transport.send(message("bob@fallback.example"));

    for (String bad : List.of("plain", "wrongname", "expired", "selfsigned", "refused")) {
      String host = bad + ".fallback.example";
      assertEquals(0, world.messagesFor(host).size(), host);
      assertEquals(1, world.smtp(host).connectionCount(), host + ": one try, no plaintext retry");
    }
    assertEquals(1, world.messagesFor("good.fallback.example").size());
    assertEquals(5, violations().size());
  }

  @Test
  @DisplayName("STS-TLS-03/06, STS-JM-03, STS-TLS-10: TLS 1.1 only, CN-only certificate, failed"
      + " handshake: each skipped, no plaintext retry")
  void enforce_tlsDefects_skipped() throws Exception {
    Transport.send(message("nia@tls.example"));

    for (String bad : List.of("old", "cnonly", "broken")) {
      String host = bad + ".tls.example";
      assertEquals(0, world.messagesFor(host).size(), host);
      assertEquals(1, world.smtp(host).connectionCount(), host + ": no plaintext retry");
    }
    assertEquals(1, world.messagesFor("good.tls.example").size());
    assertEquals(List.of(org.mtasts.tls.RefusalReason.TLS_VERSION,
        org.mtasts.tls.RefusalReason.CERTIFICATE_HOST_MISMATCH,
        org.mtasts.tls.RefusalReason.TLS_HANDSHAKE_FAILED), violations());
  }

  @Test
  @DisplayName("STS-APPLY-10: enforce policy matching no MX: zero connections, transient error"
      + " naming both hosts")
  void enforce_noMxMatches_noConnectionAtAll() throws Exception {
    SendFailedException e = assertThrows(SendFailedException.class,
        () -> Transport.send(message("xia@nomatch.example")));

    MtaStsDeliveryException sts = assertInstanceOf(MtaStsDeliveryException.class,
        e.getNextException());
    assertEquals(MtaStsDeliveryException.Kind.NO_MATCHING_MX, sts.kind());
    assertEquals("4.7.5", sts.statusCode());
    assertEquals(List.of("mx1.nomatch.example", "mx2.nomatch.example"),
        sts.attempts().stream().map(MxAttempt::host).toList());
    assertTrue(sts.getMessage().contains("mx1.nomatch.example")
        && sts.getMessage().contains("mx2.nomatch.example"), sts.getMessage());
    assertEquals(Set.of("xia@nomatch.example"), strings(e.getValidUnsentAddresses()));
    assertEquals(0, world.smtp("mx1.nomatch.example").connectionCount());
    assertEquals(0, world.smtp("mx2.nomatch.example").connectionCount());
  }

  @Test
  @DisplayName("STS-TLS-09: plaintext injected after the 220 to STARTTLS is discarded")
  void startTlsResponseInjection_discarded() throws Exception {
    Transport.send(message("wes@inject.example"));

    List<ReceivedMessage> got = world.messagesFor("mx.inject.example");
    assertEquals(1, got.size());
    assertTrue(got.get(0).tlsActive());
    assertEquals(List.of("wes@inject.example"), got.get(0).recipients());
  }

  @Test
  @DisplayName("STS-MX-02/03: NXDOMAIN → invalid (5.1.2); SERVFAIL on MX → valid-unsent (4.4.3)")
  void dnsOutcomes_permanentAndTemporary() throws Exception {
    SendFailedException e = assertThrows(SendFailedException.class,
        () -> Transport.send(message("oz@nosuch.example", "pat@dnsfail.example")));

    assertEquals(Set.of("oz@nosuch.example"), strings(e.getInvalidAddresses()));
    assertEquals(Set.of("pat@dnsfail.example"), strings(e.getValidUnsentAddresses()));
    List<String> codes = new ArrayList<>();
    for (Exception n = e.getNextException(); n instanceof MessagingException me;
        n = me.getNextException()) {
      if (me instanceof MtaStsDeliveryException s) {
        codes.add(s.domain() + " " + s.kind() + " " + s.statusCode());
      }
    }
    assertEquals(List.of("nosuch.example NO_SUCH_DOMAIN 5.1.2",
        "dnsfail.example DNS_TEMPORARY_FAILURE 4.4.3"), codes);
    assertEquals(0, world.smtp("mx.dnsfail.example").connectionCount());
  }

  @Test
  @DisplayName("STS-MX-11, STS-APPLY-01: MX outside an enforce policy is never contacted")
  void enforce_mxNotInPolicy_neverConnected() throws Exception {
    Transport.send(message("carol@mismatch.example"));

    assertEquals(0, world.smtp("evil.mismatch.example").connectionCount());
    assertEquals(1, world.messagesFor("mx.mismatch.example").size());
  }

  @Test
  @DisplayName("STS-APPLY-05/06/07/10: no MX passes: nothing delivered, temporary typed failure")
  void enforce_noMxPasses_temporaryFailureNamingEachHost() throws Exception {
    SendFailedException e = assertThrows(SendFailedException.class,
        () -> Transport.send(message("dave@nopass.example")));

    assertEquals(Set.of("dave@nopass.example"), strings(e.getValidUnsentAddresses()));
    assertEquals(Set.of(), strings(e.getValidSentAddresses()));
    assertEquals(Set.of(), strings(e.getInvalidAddresses()));
    MtaStsDeliveryException sts = assertInstanceOf(MtaStsDeliveryException.class,
        e.getNextException());
    assertEquals("nopass.example", sts.domain());
    assertEquals(MtaStsDeliveryException.Kind.POLICY_REFUSED, sts.kind());
    assertEquals(Mode.ENFORCE, sts.mode().orElseThrow());
    assertTrue(!sts.isPermanent());
    List<String> summary = new ArrayList<>();
    for (MxAttempt a : sts.attempts()) {
      summary.add(a.host() + " " + a.result() + " " + a.reason().map(org.mtasts.tls.RefusalReason::code).orElse("-") + " "
          + a.statusCode().orElse("-"));
    }
    assertEquals(List.of(
        "expired.nopass.example REFUSED certificate-expired 4.7.5",
        "down.nopass.example CONNECTION_FAILED - 4.4.1",
        "plain.nopass.example REFUSED starttls-not-supported 4.7.10",
        "outside.nopass.example REFUSED mx-mismatch 4.7.5"), summary);
    assertEquals(0, world.smtp("outside.nopass.example").connectionCount());
    assertEquals(0, world.messages().size());
  }

  @Test
  @DisplayName("STS-APPLY-02, STS-TLS-11: testing + bad certificate: delivered, violation reported")
  void testing_badCertificate_deliveredAndReported() throws Exception {
    Transport.send(message("erin@testing.example"));

    assertEquals(1, world.messagesFor("mx.testing.example").size());
    assertEquals(List.of(org.mtasts.tls.RefusalReason.CERTIFICATE_EXPIRED), violations());
  }

  @Test
  @DisplayName("STS-APPLY-03: mode none + no STARTTLS: delivered in plaintext")
  void none_noStartTls_deliveredInPlaintext() throws Exception {
    Transport.send(message("frank@none.example"));

    List<ReceivedMessage> got = world.messagesFor("mx.none.example");
    assertEquals(1, got.size());
    assertTrue(!got.get(0).tlsActive());
  }

  @Test
  @DisplayName("STS-APPLY-08: no policy + wrong-name certificate: delivered over opportunistic TLS")
  void noPolicy_wrongNameCertificate_deliveredOpportunistically() throws Exception {
    Transport.send(message("gina@nopolicy.example"));

    List<ReceivedMessage> got = world.messagesFor("mx.nopolicy.example");
    assertEquals(1, got.size());
    assertTrue(got.get(0).tlsActive());
    assertTrue(violations().isEmpty());
  }

  @Test
  @DisplayName("mixed domains: per-recipient outcome in SendFailedException and TransportEvent")
  void mixedDomains_perRecipientOutcome() throws Exception {
    MimeMessage m = message("a@good.example", "b@good.example", "c@nopass.example",
        "d@nullmx.example");
    List<TransportEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.CountDownLatch delivered = new java.util.concurrent.CountDownLatch(1);
    SendFailedException e;
    try (Transport t = session.getTransport(MtaStsTransport.PROTOCOL)) {
      t.addTransportListener(new TransportAdapter() {
        @Override
        public void messagePartiallyDelivered(TransportEvent ev) {
          events.add(ev);
          delivered.countDown();
        }
      });
      t.connect();
      e = assertThrows(SendFailedException.class, () -> t.sendMessage(m, m.getAllRecipients()));
      // Jakarta Mail delivers events on its event thread; await it.
      assertTrue(delivered.await(5, java.util.concurrent.TimeUnit.SECONDS), "event");
    }

    assertEquals(Set.of("a@good.example", "b@good.example"), strings(e.getValidSentAddresses()));
    assertEquals(Set.of("c@nopass.example"), strings(e.getValidUnsentAddresses()));
    assertEquals(Set.of("d@nullmx.example"), strings(e.getInvalidAddresses()));
    // One SMTP transaction carries both recipients of good.example.
    List<ReceivedMessage> got = world.messagesFor("mx1.good.example");
    assertEquals(1, got.size());
    assertEquals(2, got.get(0).recipients().size());
    // STS-MX-09: null MX is permanent, 5.1.10.
    List<MtaStsDeliveryException> chain = new ArrayList<>();
    for (Exception n = e.getNextException(); n instanceof MessagingException me;
        n = me.getNextException()) {
      if (me instanceof MtaStsDeliveryException s) {
        chain.add(s);
      }
    }
    MtaStsDeliveryException nullMx = chain.stream()
        .filter(x -> x.domain().equals("nullmx.example")).findFirst().orElseThrow();
    assertTrue(nullMx.isPermanent());
    assertEquals("5.1.10", nullMx.statusCode());
    assertTrue(chain.stream().anyMatch(x -> x.domain().equals("nopass.example")));
    assertEquals(TransportEvent.MESSAGE_PARTIALLY_DELIVERED, events.get(0).getType());
  }

  @Test
  @DisplayName("STS-RTLS-01/03: TLS-Required: No delivers despite enforce, after trying the policy")
  void tlsRequiredNo_enforceFailure_deliveredAnyway() throws Exception {
    MimeMessage m = message("hank@nopass.example");
    m.setHeader("TLS-Required", "No");
    Transport.send(m);

    assertEquals(1, world.messages().size());
    assertTrue(violations().size() >= 2, "the compliant path was tried first");
    // STS-RTLS-02: STARTTLS is still negotiated where offered.
    assertTrue(world.messagesFor("expired.nopass.example").get(0).tlsActive());
  }

  @Test
  @DisplayName("STS-RTLS-05, D-24: two TLS-Required: No headers are ignored")
  void tlsRequiredNo_twice_ignored() throws Exception {
    MimeMessage m = message("ivan@nopass.example");
    m.addHeader("TLS-Required", "No");
    m.addHeader("TLS-Required", "no");
    assertThrows(SendFailedException.class, () -> Transport.send(m));

    assertEquals(0, world.messages().size());
  }

  @Test
  @DisplayName("TLS-Required: No can be switched off with mail.mtasts.tlsRequiredHeader=false")
  void tlsRequiredNo_disabled_enforced() throws Exception {
    session.getProperties().put(Settings.TLS_REQUIRED_HEADER, "false");
    MimeMessage m = message("jane@nopass.example");
    m.setHeader("TLS-Required", "No");
    assertThrows(SendFailedException.class, () -> Transport.send(m));

    assertEquals(0, world.messages().size());
  }

  @Test
  @DisplayName("mail.mtasts.enforce=false: enforce treated as testing, delivered and reported")
  void enforceSwitchedOff_deliveredAndReported() throws Exception {
    session.getProperties().put(Settings.ENFORCE, "false");
    Transport.send(message("una@nopass.example"));

    assertEquals(1, world.messagesFor("expired.nopass.example").size());
    assertEquals(List.of(org.mtasts.tls.RefusalReason.CERTIFICATE_EXPIRED), violations());
  }

  @Test
  @DisplayName("mail.smtp.reportsuccess=true of the application does not turn success into failure")
  void reportSuccess_ignored() throws Exception {
    session.getProperties().put("mail.smtp.reportsuccess", "true");
    Transport.send(message("val@good.example"));

    assertEquals(1, world.messagesFor("mx1.good.example").size());
  }

  @Test
  @DisplayName("STS-RTLS-05: TLS-Required: Yes is ignored, the policy is enforced")
  void tlsRequiredYes_ignored() throws Exception {
    MimeMessage m = message("joe@nopass.example");
    m.setHeader("TLS-Required", "Yes");
    assertThrows(SendFailedException.class, () -> Transport.send(m));

    assertEquals(0, world.messages().size());
  }

  @Test
  @DisplayName("STS-JM-01: MX names go to the library's resolver only, never to the JVM's;"
      + " SNI, certificate check and reports keep the MX name")
  void mxNames_neverResolvedBySystemResolver() throws Exception {
    // The world's MX names are known only to the library's HostResolver (world.hostMap()).
    Set<String> mxNames = Set.of("mx1.good.example", "plain.fallback.example",
        "wrongname.fallback.example", "expired.fallback.example", "selfsigned.fallback.example",
        "refused.fallback.example", "good.fallback.example", "mx.none.example");
    java.io.ByteArrayOutputStream debug = new java.io.ByteArrayOutputStream();
    session.setDebugOut(new java.io.PrintStream(debug, true, "UTF-8"));
    session.setDebug(true);
    MtaStsTransport transport = (MtaStsTransport) session.getTransport(MtaStsTransport.PROTOCOL);
    MimeMessage m = message("alice@good.example", "bob@fallback.example", "nina@none.example");
    List<String> lookups = List.of();
    Exception failure = null;
    RecordingNameLookups recorder = RecordingNameLookups.open(mxNames);
    try {
      transport.connect();
      transport.sendMessage(m, m.getAllRecipients());
    } catch (Exception e) { // a refused lookup surfaces as a SecurityException
      failure = e;
    } finally {
      if (recorder != null) {
        recorder.close();
        lookups = recorder.lookups();
      }
      transport.close();
    }
    String transcript = debug.toString("UTF-8");

    assertEquals(List.of(), lookups.stream().filter(mxNames::contains).toList(),
        "MX names looked up by the JVM's resolver (all lookups: " + lookups + ")");
    for (String mx : mxNames) {
      assertTrue(!transcript.contains("host \"" + mx + "\""),
          "Angus was handed the MX name " + mx + " to resolve itself");
    }
    String address = world.hostMap().get("mx1.good.example").getAddress().getHostAddress();
    assertTrue(transcript.contains("trying to connect to host \"" + address + "\""), transcript);
    if (failure != null) {
      throw failure;
    }
    assertEquals(1, world.messagesFor("mx1.good.example").size());
    assertEquals("mx1.good.example",
        world.messagesFor("mx1.good.example").get(0).sniHostName().orElseThrow());
    assertEquals(1, world.messagesFor("good.fallback.example").size());
    assertEquals(1, world.messagesFor("mx.none.example").size());
    List<DomainDelivery> deliveries = transport.lastDeliveries();
    assertEquals(List.of("mx1.good.example", "good.fallback.example", "mx.none.example"),
        deliveries.stream().map(d -> d.deliveredBy().orElseThrow().host()).toList());
    assertEquals(List.of("plain.fallback.example", "wrongname.fallback.example",
            "expired.fallback.example", "selfsigned.fallback.example",
            "refused.fallback.example", "good.fallback.example"),
        deliveries.get(1).attempts().stream().map(MxAttempt::host).toList());
  }

  @Test
  @DisplayName("a reused delegate session keeps nothing of the previous MX attempt")
  void delegateSessionReused_settingsOfPreviousAttemptGone() throws Exception {
    Transport.send(message("ann@good.example"));     // enforce: STARTTLS required
    Transport.send(message("ben@none.example"));     // mode none, MX without STARTTLS
    Transport.send(message("cat@nopolicy.example")); // opportunistic, wrong-name certificate
    Transport.send(message("dan@good.example"));

    assertEquals(1, DelegateSessions.idle(session), "one delegate session, reused");
    assertEquals(0, DelegateSessions.idleProperties(session),
        "an idle delegate session holds nothing of its last attempt");
    assertEquals(2, world.messagesFor("mx1.good.example").size());
    assertTrue(world.messagesFor("mx1.good.example").stream().allMatch(ReceivedMessage::tlsActive));
    assertEquals(1, world.messagesFor("mx.none.example").size());
    assertEquals(1, world.messagesFor("mx.nopolicy.example").size());
  }

  @Test
  @DisplayName("per-MX TLS settings never leak into the application's session")
  void sessionProperties_notChangedByDelivery() throws Exception {
    Properties before = new Properties();
    before.putAll(session.getProperties());
    Transport.send(message("kai@good.example", "lou@testing.example"));

    assertEquals(before, session.getProperties());
  }

  @Test
  @DisplayName("fail-open guard: the application's mail.smtp.ssl.trust=* does not weaken enforce")
  void userSslTrustAll_ignoredUnderEnforce() throws Exception {
    session.getProperties().put("mail.smtp.ssl.trust", "*");
    session.getProperties().put("mail.smtp.starttls.required", "false");
    assertThrows(SendFailedException.class, () -> Transport.send(message("max@nopass.example")));

    assertEquals(0, world.messages().size());
  }

  @Test
  @DisplayName("selection: mail.transport.protocol=smtp-mtasts alone picks our transport")
  void selection_transportProtocolProperty() throws Exception {
    Properties p = new Properties();
    p.putAll(session.getProperties());
    p.remove("mail.transport.protocol.rfc822");
    p.put("mail.transport.protocol", MtaStsTransport.PROTOCOL);
    Session s = Session.getInstance(p);
    try (Transport t = s.getTransport()) {
      assertInstanceOf(MtaStsTransport.class, t);
      t.connect();
      MimeMessage m = new MimeMessage(s);
      m.setFrom(new InternetAddress("sender@client.test"));
      m.setText("x");
      m.saveChanges();
      t.sendMessage(m, new Address[] {new InternetAddress("kim@good.example")});
    }
    assertEquals(1, world.messagesFor("mx1.good.example").size());
  }

  @Test
  @DisplayName("install(): getTransport(\"smtp\") is ours and delivers without recursion")
  void install_smtpProtocol_routedThroughMtaSts() throws Exception {
    Properties p = new Properties();
    p.putAll(session.getProperties());
    p.remove("mail.transport.protocol.rfc822");
    Session s = MtaStsMail.install(Session.getInstance(p));
    assertInstanceOf(MtaStsTransport.class, s.getTransport("smtp"));
    MimeMessage m = new MimeMessage(s);
    m.setFrom(new InternetAddress("sender@client.test"));
    m.addRecipient(Message.RecipientType.TO, new InternetAddress("lee@good.example"));
    m.setText("x");
    Transport.send(m);

    assertEquals(1, world.messagesFor("mx1.good.example").size());
  }

  @Test
  @DisplayName("the provider is registered under smtp-mtasts, never as smtp")
  void provider_registeredUnderOwnProtocolOnly() throws Exception {
    Session s = Session.getInstance(new Properties());
    assertInstanceOf(MtaStsTransport.class, s.getTransport(MtaStsTransport.PROTOCOL));
    assertTrue(!(s.getTransport("smtp") instanceof MtaStsTransport));
    assertNotNull(s.getProvider(MtaStsTransport.PROTOCOL));
  }

  @Test
  @DisplayName("SMTP at RCPT: 250 sent, 451 valid-unsent, 550 invalid")
  void smtpRcptReplies_keptApart() throws Exception {
    SendFailedException e = assertThrows(SendFailedException.class, () -> Transport.send(
        message("ok@smtp.example", "busy@smtp.example", "gone@smtp.example")));

    assertEquals(Set.of("ok@smtp.example"), strings(e.getValidSentAddresses()));
    assertEquals(Set.of("busy@smtp.example"), strings(e.getValidUnsentAddresses()));
    assertEquals(Set.of("gone@smtp.example"), strings(e.getInvalidAddresses()));
    assertEquals(List.of("ok@smtp.example"),
        world.messagesFor("mx.smtp.example").get(0).recipients());
  }

  @Test
  @DisplayName("SMTP at DATA: 451 → valid-unsent")
  void smtpData4xx_validUnsent() throws Exception {
    SendFailedException e = assertThrows(SendFailedException.class,
        () -> Transport.send(message("x@data4.example", "y@data4.example")));

    assertEquals(Set.of("x@data4.example", "y@data4.example"),
        strings(e.getValidUnsentAddresses()));
    assertEquals(Set.of(), strings(e.getInvalidAddresses()));
  }

  @Test
  @DisplayName("SMTP at DATA: 554 → invalid")
  void smtpData5xx_invalid() throws Exception {
    SendFailedException e = assertThrows(SendFailedException.class,
        () -> Transport.send(message("x@data5.example")));

    assertEquals(Set.of("x@data5.example"), strings(e.getInvalidAddresses()));
    assertEquals(Set.of(), strings(e.getValidUnsentAddresses()));
  }
}
