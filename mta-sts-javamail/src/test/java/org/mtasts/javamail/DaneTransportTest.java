package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.javamail.MtaStsDeliveryException.Kind;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.PolicyTally;
import org.mtasts.report.PolicyType;
import org.mtasts.report.ReportDay;
import org.mtasts.report.ReportStore;
import org.mtasts.report.ResultType;
import org.mtasts.testkit.Dane;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.dns.DnssecFault;
import org.mtasts.testkit.dns.Tlsa;
import org.mtasts.testkit.smtp.SessionRecord;
import org.mtasts.tls.DaneResult;
import org.mtasts.tls.RefusalReason;

/**
 * DANE for SMTP (RFC 7672) in the transport, end to end: a DNSSEC-signed testkit world (TLSA
 * records computed from the certificates its STARTTLS receivers really present), the default
 * client built from {@code mail.mtasts.*} properties ({@code dns.servers}, {@code
 * dnssecTrustAnchors} with the world's anchor, {@code dane}, {@code daneStrict}), the core's
 * planning, DANE sockets and check.
 */
class DaneTransportTest {
  @RegisterExtension
  static final TestWorldExtension world = TestWorldExtension.create(w -> w
      .dnssec()
      // D-23: a self-signed certificate published as DANE-EE(3), under an enforce policy
      .domain("dane.example", d -> d
          .policy("enforce", "mx1.dane.example")
          .mx(10, "mx1.dane.example", Mx.selfSignedCertificate(), Dane.ee()))
      // STS-DANE-01: a WebPKI-valid certificate that matches no TLSA record, then a good host
      .domain("mismatch.example", d -> d
          .policy("enforce", "*.mismatch.example")
          .mx(10, "mx1.mismatch.example", Mx.goodTls(), Dane.mismatch())
          .mx(20, "mx2.mismatch.example", Mx.goodTls(), Dane.ee()))
      // STS-DANE-03: the TLSA answer fails validation (no policy: nothing else would protect)
      .domain("bogus.example", d -> d
          .mx(10, "mx.bogus.example", Mx.goodTls(), Dane.ee()))
      // STS-DANE-04: secure TLSA, none usable for SMTP, and a host without STARTTLS
      .domain("unusable.example", d -> d
          .mx(10, "mx.unusable.example", Mx.noStartTls(), Dane.unusable()))
      // STS-DANE-02: an unsigned domain; its host's TLSA records are insecure
      .domain("unsigned.example", d -> d
          .unsigned()
          .policy("enforce", "mx.unsigned.example")
          .mx(10, "mx.unsigned.example", Mx.goodTls(), Dane.mismatch()))
      // STS-DANE-07: an MX host whose name is a CNAME into another signed zone (set per test)
      .domain("sni.example", d -> d.mx(10, "mx.sni.example", Mx.goodTls()))
      .domain("provider.example", d -> d.nullMx())
      .dns(dns -> dns.dnssecFault("_25._tcp.mx.bogus.example", "TLSA",
          DnssecFault.BAD_SIGNATURE))
  ).resetBeforeEach();

  @TempDir static Path dir;

  @BeforeEach
  void freshClients() {
    // Each test's own default client: DNSSEC probe, DNS cache and policies start afresh.
    MtaStsMail.closeDefaultClients();
  }

  @AfterAll
  static void closeClients() {
    MtaStsMail.closeDefaultClients();
  }

  /** The properties of a session over the world, DANE validating from the world's anchor. */
  static Properties properties() throws IOException {
    Path anchors = dir.resolve("anchors.ds");
    Files.writeString(anchors, world.dnssecTrustAnchor() + "\n", StandardCharsets.UTF_8);
    Properties p = new Properties();
    p.put("mail.transport.protocol.rfc822", MtaStsTransport.PROTOCOL);
    p.put("mail.smtp.localhost", "client.test");
    p.put(Settings.DNS_SERVERS, world.dnsAddress().getAddress().getHostAddress() + ":"
        + world.dnsAddress().getPort());
    p.put(Settings.DNSSEC_TRUST_ANCHORS, anchors.toString());
    p.put(Settings.TRUST_MANAGER, world.trustManager());
    p.put(Settings.HOST_RESOLVER, WorldClients.resolver(world));
    p.put(Settings.ALLOW_PRIVATE_ADDRESSES, "true");
    return p;
  }

  static MimeMessage message(Session session, String to) throws MessagingException {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress("sender@client.test"));
    m.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
    m.setSubject("DANE");
    m.setText("x");
    m.saveChanges();
    return m;
  }

  /** Sends {@code m}; the deliveries of its domains, whether it threw or not. */
  static List<DomainDelivery> send(Session session, MimeMessage m) throws MessagingException {
    MtaStsTransport t = (MtaStsTransport) session.getTransport(MtaStsTransport.PROTOCOL);
    t.connect();
    try {
      t.sendMessage(m, m.getAllRecipients());
    } catch (SendFailedException expected) {
      // read below
    } finally {
      t.close();
    }
    return t.lastDeliveries();
  }

  static DomainDelivery sendTo(Properties p, String to) throws MessagingException {
    Session session = Session.getInstance(p);
    List<DomainDelivery> all = send(session, message(session, to));
    assertEquals(1, all.size(), all.toString());
    return all.get(0);
  }

  static MtaStsDeliveryException failure(DomainDelivery d) {
    return assertInstanceOf(MtaStsDeliveryException.class, d.failure().orElseThrow());
  }

  @Test
  @DisplayName("D-23: a self-signed certificate matching its DANE-EE record is delivered to")
  void selfSignedDaneEe_delivered_D_23() throws Exception {
    DomainDelivery d = sendTo(properties(), "rae@dane.example");

    assertEquals(1, d.sent().size(), d.toString());
    MxAttempt took = d.deliveredBy().orElseThrow();
    assertEquals("mx1.dane.example", took.host());
    assertEquals(Optional.of(DaneResult.AUTHENTICATED), took.dane(), took.toString());
    assertTrue(took.tlsProtocol().isPresent(), took.toString());
    assertEquals(1, world.smtp("mx1.dane.example").messages().size());
  }

  @Test
  @DisplayName("D-23 strict: the same host is refused when MTA-STS must pass as well")
  void selfSignedDaneEe_strict_refused_D_23() throws Exception {
    Properties p = properties();
    p.put(Settings.DANE_STRICT, "true");
    DomainDelivery d = sendTo(p, "rae@dane.example");

    assertTrue(d.sent().isEmpty(), d.toString());
    assertEquals(1, d.unsent().size(), "temporary");
    MxAttempt a = d.attempts().get(0);
    assertEquals(MxAttempt.Result.REFUSED, a.result(), a.toString());
    assertEquals(Optional.of(RefusalReason.CERTIFICATE_NOT_TRUSTED), a.reason(), a.toString());
    assertEquals(Optional.of(DaneResult.AUTHENTICATED), a.dane(), "DANE passed, WebPKI did not");
    assertEquals(Kind.POLICY_REFUSED, failure(d).kind());
    assertTrue(world.smtp("mx1.dane.example").messages().isEmpty());
    world.smtp("mx1.dane.example").awaitSessions(1, Duration.ofSeconds(10)); // filed after it
    assertEquals(1, world.smtp("mx1.dane.example").handshakeFailures(),
        "under enforce, aborted in the handshake: no command went over TLS (STS-APPLY-01)");
  }

  @Test
  @DisplayName("STS-DANE-01: a WebPKI-valid certificate matching no TLSA record is refused, the"
      + " next MX is tried")
  void tlsaMismatch_webPkiValid_refused_nextMxTried_STS_DANE_01() throws Exception {
    DomainDelivery d = sendTo(properties(), "rae@mismatch.example");

    MxAttempt first = d.attempts().get(0);
    assertEquals("mx1.mismatch.example", first.host());
    assertEquals(MxAttempt.Result.REFUSED, first.result(), first.toString());
    assertEquals(Optional.of(RefusalReason.TLSA_INVALID), first.reason());
    assertEquals(Optional.of("4.7.5"), first.statusCode());
    assertEquals(Optional.of(DaneResult.FAILED), first.dane());
    assertTrue(world.smtp("mx1.mismatch.example").messages().isEmpty());
    world.smtp("mx1.mismatch.example").awaitSessions(1, Duration.ofSeconds(10)); // filed after it
    assertEquals(1, world.smtp("mx1.mismatch.example").handshakeFailures(),
        "aborted in the handshake: no command went over TLS");

    MxAttempt took = d.deliveredBy().orElseThrow();
    assertEquals("mx2.mismatch.example", took.host());
    assertEquals(Optional.of(DaneResult.AUTHENTICATED), took.dane());
    assertEquals(1, d.sent().size());
  }

  @Test
  @DisplayName("STS-DANE-03: a bogus TLSA answer: the host is not contacted, temporary failure")
  void bogusTlsa_hostNotContacted_temporaryFailure_STS_DANE_03() throws Exception {
    DomainDelivery d = sendTo(properties(), "rae@bogus.example");

    assertTrue(d.sent().isEmpty(), d.toString());
    assertEquals(1, d.unsent().size(), "temporary: the next attempt looks again");
    MxAttempt a = d.attempts().get(0);
    assertEquals("mx.bogus.example", a.host());
    assertEquals(MxAttempt.Result.REFUSED, a.result(), a.toString());
    assertFalse(a.connected());
    assertEquals(Optional.of(RefusalReason.DNSSEC_INVALID), a.reason());
    assertEquals(Optional.empty(), a.dane());
    MtaStsDeliveryException e = failure(d);
    assertEquals(Kind.DNSSEC_FAILED, e.kind());
    assertFalse(e.isPermanent());
    assertEquals("4.7.5", e.statusCode());
    assertEquals(0, world.smtp("mx.bogus.example").connectionCount(), "never a quiet downgrade");
  }

  @Test
  @DisplayName("STS-DANE-04: secure TLSA without a usable record still requires STARTTLS")
  void unusableTlsaOnly_noStartTls_refused_noPlaintext_STS_DANE_04() throws Exception {
    DomainDelivery d = sendTo(properties(), "rae@unusable.example");

    assertTrue(d.sent().isEmpty(), d.toString());
    assertEquals(1, d.unsent().size());
    assertEquals(1, d.attempts().size(), "no plaintext retry: " + d.attempts());
    MxAttempt a = d.attempts().get(0);
    assertEquals(MxAttempt.Result.REFUSED, a.result(), a.toString());
    assertEquals(Optional.of(RefusalReason.STARTTLS_NOT_SUPPORTED), a.reason());
    assertEquals(Optional.of("4.7.10"), a.statusCode());
    assertEquals(Kind.POLICY_REFUSED, failure(d).kind());
    assertTrue(world.smtp("mx.unusable.example").messages().isEmpty());
  }

  @Test
  @DisplayName("STS-DANE-07: SNI is the TLSA base domain, the target of the host's secure CNAME")
  void sni_isTheTlsaBaseDomain_STS_DANE_07() throws Exception {
    byte[] data = Tlsa.data(world.smtp("mx.sni.example").behaviour().certificate().orElseThrow()
        .certificate(), Tlsa.SPKI, Tlsa.SHA2_256);
    world.dns().remove("mx.sni.example", "A").remove("mx.sni.example", "AAAA")
        .cname("mx.sni.example", "mx.provider.example")
        .a("mx.provider.example", "127.0.0.1")
        .tlsa("_25._tcp.mx.provider.example", Tlsa.DANE_EE, Tlsa.SPKI, Tlsa.SHA2_256, data);

    DomainDelivery d = sendTo(properties(), "rae@sni.example");

    MxAttempt took = d.deliveredBy().orElseThrow(() -> new AssertionError(d.toString()));
    assertEquals("mx.sni.example", took.host());
    assertEquals(Optional.of(DaneResult.AUTHENTICATED), took.dane());
    // The receiver files a session when it has ended, which may be after the client returned.
    List<SessionRecord> sessions =
        world.smtp("mx.sni.example").awaitSessions(1, Duration.ofSeconds(10));
    assertEquals(Optional.of("mx.provider.example"), sessions.get(0).sniHostName(),
        sessions.toString());
  }

  @Test
  @DisplayName("STS-DANE-07: without a CNAME the SNI of a DANE session is the MX host name")
  void sni_withoutCname_isTheMxHost_STS_DANE_07() throws Exception {
    sendTo(properties(), "rae@dane.example");
    SessionRecord s =
        world.smtp("mx1.dane.example").awaitSessions(1, Duration.ofSeconds(10)).get(0);
    assertEquals(Optional.of("mx1.dane.example"), s.sniHostName(), s.toString());
  }

  @Test
  @DisplayName("STS-DANE-02: an unsigned domain is MTA-STS's alone; its insecure TLSA is ignored")
  void unsignedDomain_mtaStsAlone_STS_DANE_02() throws Exception {
    DomainDelivery d = sendTo(properties(), "rae@unsigned.example");

    MxAttempt took = d.deliveredBy().orElseThrow(() -> new AssertionError(d.toString()));
    assertEquals("mx.unsigned.example", took.host());
    assertEquals(Optional.empty(), took.dane(), "DANE did not apply");
    assertEquals(1, d.attempts().size());
  }

  @Test
  @DisplayName("STS-DANE-06: mail.mtasts.dane=false: MTA-STS alone, the TLSA mismatch unseen")
  void daneOff_mtaStsAlone_STS_DANE_06() throws Exception {
    Properties p = properties();
    p.remove(Settings.DNSSEC_TRUST_ANCHORS); // refused with dane=false: it would do nothing
    p.put(Settings.DANE, "false");
    DomainDelivery d = sendTo(p, "rae@mismatch.example");

    MxAttempt took = d.deliveredBy().orElseThrow(() -> new AssertionError(d.toString()));
    assertEquals("mx1.mismatch.example", took.host());
    assertEquals(Optional.empty(), took.dane());
    assertEquals(0, world.dns().queryCount("_25._tcp.mx1.mismatch.example", "TLSA"));
  }

  @Test
  @DisplayName("STS-DANE-02: a resolver that strips DNSSEC: one WARN, MTA-STS alone, delivered")
  void strippingResolver_warnOnce_mtaStsAlone_delivered_STS_DANE_02() throws Exception {
    world.dns().stripDnssec(true);
    Properties p = properties();
    String log = SettingsTest.stderrOf(() -> {
      try {
        for (int i = 0; i < 2; i++) {
          DomainDelivery d = sendTo(p, "rae@mismatch.example");
          MxAttempt took = d.deliveredBy().orElseThrow(() -> new AssertionError(d.toString()));
          assertEquals("mx1.mismatch.example", took.host(), "the TLSA mismatch is unseen");
          assertEquals(Optional.empty(), took.dane());
        }
      } catch (MessagingException e) {
        throw new AssertionError(e);
      }
    });
    assertEquals(1, count(log, "DANE (RFC 7672) is unavailable"), log);
    assertTrue(log.contains("WARN"), log);
    assertEquals(2, world.smtp("mx1.mismatch.example").messages().size());
  }

  @Test
  @DisplayName("STS-RTLS-01: TLS-Required: No delivers to a host DANE refused, after trying")
  void tlsRequiredNo_ignoresDaneOnTheSecondPass_STS_RTLS_01() throws Exception {
    Session session = Session.getInstance(properties());
    MimeMessage m = message(session, "rae@bogus.example");
    m.setHeader("TLS-Required", "No");
    m.saveChanges();
    List<DomainDelivery> all = send(session, m);

    DomainDelivery d = all.get(0);
    assertEquals(1, d.sent().size(), d.toString());
    MxAttempt first = d.attempts().get(0);
    assertEquals(Optional.of(RefusalReason.DNSSEC_INVALID), first.reason(), "tried first");
    MxAttempt took = d.deliveredBy().orElseThrow();
    assertEquals("mx.bogus.example", took.host());
    assertEquals(Optional.empty(), took.dane(), "as if the sender did not support DANE");
    assertEquals(1, world.smtp("mx.bogus.example").messages().size());
  }

  @Test
  @DisplayName("STS-DANE-08: DANE sessions are counted as policy type tlsa for the TLSA base"
      + " domain: tlsa-invalid, success, dnssec-invalid")
  void tlsRpt_daneSessionsCountedUnderTlsa_STS_DANE_08(@TempDir Path reports) throws Exception {
    Properties p = properties();
    p.put(Settings.TLSRPT_DIR, reports.toString());
    sendTo(p, "rae@mismatch.example");
    sendTo(p, "rae@bogus.example");

    ReportStore store = ReportStore.directory(reports);
    Set<String> seen = new TreeSet<>();
    for (ReportDay day : store.days()) {
      for (PolicyTally t : store.tallies(day)) {
        if (t.policy().type() != PolicyType.TLSA) {
          continue;
        }
        for (FailureDetail f : t.failureDetails().keySet()) {
          seen.add(t.policy().domain() + " " + f.resultType().wireName());
        }
        if (t.successfulSessions() > 0) {
          seen.add(t.policy().domain() + " success");
        }
      }
    }
    assertEquals(Set.of("mx1.mismatch.example " + ResultType.TLSA_INVALID.wireName(),
        "mx2.mismatch.example success",
        "mx.bogus.example " + ResultType.DNSSEC_INVALID.wireName()), seen);
  }

  @Test
  @DisplayName("mail.mtasts.dnssecTrustAnchors that cannot be read fails the message, named")
  void unreadableAnchors_failClosed() throws Exception {
    Properties p = properties();
    p.put(Settings.DNSSEC_TRUST_ANCHORS, dir.resolve("missing.ds").toString());
    Session session = Session.getInstance(p);
    MessagingException e = assertThrows(MessagingException.class,
        () -> send(session, message(session, "rae@dane.example")));
    assertFalse(e instanceof SendFailedException, "refused as a whole: " + e);
    assertTrue(e.getMessage().contains(Settings.DNSSEC_TRUST_ANCHORS), e.getMessage());
    assertTrue(world.messages().isEmpty());
  }

  @Test
  @DisplayName("mail.mtasts.dnssecTrustAnchors without an anchor in it fails the message, named")
  void anchorsWithoutAnchor_failClosed() throws Exception {
    Path bad = dir.resolve("bad.ds");
    Files.writeString(bad, "example. 3600 IN A 192.0.2.1\n", StandardCharsets.UTF_8);
    Properties p = properties();
    p.put(Settings.DNSSEC_TRUST_ANCHORS, bad.toString());
    Session session = Session.getInstance(p);
    MessagingException e = assertThrows(MessagingException.class,
        () -> send(session, message(session, "rae@dane.example")));
    assertTrue(e.getMessage().contains(Settings.DNSSEC_TRUST_ANCHORS), e.getMessage());
    assertTrue(world.messages().isEmpty());
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
