package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Address;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPInputStream;
import org.apache.james.jdkim.api.SignatureRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.dns.DnsClient;
import org.mtasts.report.PolicyTally;
import org.mtasts.report.ReportDay;
import org.mtasts.report.ReportDeliveryException;
import org.mtasts.report.ReportDestination;
import org.mtasts.report.ReportMailer;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ReportSubmitter;
import org.mtasts.report.TlsReport;
import org.mtasts.testkit.DomainSpec;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.smtp.ReceivedMessage;

/**
 * Mail reports (RFC 8460 §5.3) through real STARTTLS receivers of a testkit world: the message
 * format, DKIM verified independently (jDKIM, key from the world's DNS), delivery through a relay
 * session and direct to MX despite MTA-STS failures.
 */
class TlsReportMailerTest {
  static final PublicKey RSA_PUBLIC = publicKey("RSA", "rsa.pub.der");
  static final PublicKey ED_PUBLIC = publicKey("Ed25519", "ed25519.pub.der");
  static final PublicKey RSA_GENPKEY_PUBLIC = publicKey("RSA", "rsa-genpkey.pub.der");

  @RegisterExtension
  static final TestWorldExtension world = TestWorldExtension.create(w -> w
      .domain("reports.example", d -> d.mx(10, "mx.reports.example", Mx.goodTls()))
      .domain("broken.example", d -> d
          .policy("enforce", "mx.broken.example")
          .mx(10, "mx.broken.example", Mx.expiredCertificate()))
      .domain("nomail.example", DomainSpec::nullMx)
      .dns(dns -> dns
          .txt("rsa._domainkey.sender.example", DkimCheck.keyRecord(RSA_PUBLIC))
          .txt("ed._domainkey.sender.example", DkimCheck.keyRecord(ED_PUBLIC))
          .txt("gen._domainkey.sender.example", DkimCheck.keyRecord(RSA_GENPKEY_PUBLIC))))
      .resetBeforeEach();

  @TempDir static Path dir;
  static MtaSts sts;
  static DnsClient dns;

  @BeforeAll
  static void client() {
    HostResolver resolver = WorldClients.resolver(world);
    sts = WorldClients.client(world, resolver).build();
    dns = DnsClient.builder().server(world.dnsAddress()).build();
  }

  @AfterAll
  static void close() {
    sts.close();
  }

  static Path resource(String name) {
    try {
      return Path.of(TlsReportMailerTest.class.getResource("/dkim/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static PublicKey publicKey(String algorithm, String file) {
    try {
      return KeyFactory.getInstance(algorithm)
          .generatePublic(new X509EncodedKeySpec(Files.readAllBytes(resource(file))));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static TlsReport report(String policyDomain) {
    ReportPolicy policy = ReportPolicy.sts(policyDomain,
        List.of("version: STSv1", "mode: testing", "mx: mx." + policyDomain, "max_age: 86400"),
        List.of("mx." + policyDomain));
    return TlsReport.create(ReportSubmitter.of("Sender Örg", "tlsrpt@sender.example"),
        new ReportDay(policyDomain, LocalDate.of(2026, 12, 1)),
        List.of(new PolicyTally(policy, 41, 0, Map.of())));
  }

  static ReportDestination.Mailto mailto(String address) {
    return new ReportDestination.Mailto("mailto:" + address, address);
  }

  /** Reports handed to a relay: the world's mx.reports.example plays the application's relay. */
  static Session relaySession() {
    Properties props = new Properties();
    props.put("mail.smtp.host", "127.0.0.1");
    props.put("mail.smtp.port", String.valueOf(world.address("mx.reports.example").getPort()));
    props.put("mail.smtp.localhost", "sender.example");
    return Session.getInstance(props);
  }

  static Session directSession() {
    Properties props = new Properties();
    props.put("mail.mtasts.hostResolver", WorldClients.resolver(world));
    props.put("mail.mtasts.trustManager", world.trustManager());
    props.put("mail.mtasts.ehlo", "sender.example");
    return TlsReportMailer.directSession(props, sts);
  }

  static ReceivedMessage received(String host) throws Exception {
    return world.smtp(host).awaitMessages(1, Duration.ofSeconds(20)).get(0);
  }

  static MimeMessage parse(ReceivedMessage got) throws Exception {
    return new MimeMessage(Session.getInstance(new Properties()),
        new ByteArrayInputStream(got.data()));
  }

  static byte[] gunzip(InputStream in) throws IOException {
    try (GZIPInputStream gz = new GZIPInputStream(in)) {
      return gz.readAllBytes();
    }
  }

  @Test
  void relay_rfc8460Message_multipartReport_gzipPart_headers_TLSRPT_DEL_03_04_05()
      throws Exception {
    TlsReport report = report("reports.example");
    TlsReportMailer mailer = TlsReportMailer.builder()
        .session(relaySession())
        .signer(ReportSigner.dkim("sender.example", "rsa",
            ReportSigner.readKey(resource("rsa.pem"))))
        .build();
    mailer.send(report, mailto("tlsrpt@reports.example"));

    ReceivedMessage got = received("mx.reports.example");
    assertEquals("tlsrpt@sender.example", got.mailFrom());
    assertEquals(List.of("tlsrpt@reports.example"), got.recipients());
    MimeMessage message = parse(got);
    ContentType type = new ContentType(message.getContentType());
    assertEquals("multipart/report", type.getBaseType());
    assertEquals("tlsrpt", type.getParameter("report-type"));
    assertEquals(report.subject(), MimeUtility.unfold(message.getHeader("Subject", null)));
    assertEquals("reports.example", message.getHeader("TLS-Report-Domain", null));
    assertEquals("sender.example", message.getHeader("TLS-Report-Submitter", null));
    assertEquals("No", message.getHeader("TLS-Required", null));
    assertEquals("tlsrpt@sender.example",
        ((InternetAddress) message.getFrom()[0]).getAddress());

    MimeMultipart parts = (MimeMultipart) message.getContent();
    assertEquals(2, parts.getCount());
    MimeBodyPart human = (MimeBodyPart) parts.getBodyPart(0);
    assertTrue(human.isMimeType("text/plain"));
    assertTrue(((String) human.getContent()).contains("Sender Örg"), (String) human.getContent());
    MimeBodyPart gzip = (MimeBodyPart) parts.getBodyPart(1);
    assertTrue(gzip.isMimeType("application/tlsrpt+gzip"), gzip.getContentType());
    assertEquals("base64", gzip.getEncoding());
    assertEquals(report.fileName(), gzip.getFileName());
    assertEquals("attachment", gzip.getDisposition());
    byte[] json = gunzip(gzip.getInputStream());
    org.mtasts.testkit.tlsrpt.TlsRptSchema.assertValid(json); // as received
    assertArrayEquals(report.json(), json);
    assertEquals(report, TlsReport.parse(json));
  }

  @Test
  void rsaDkim_verifiedByJdkim_keyFromDns_hCoversReportHeaders_noL_TLSRPT_DEL_04_06()
      throws Exception {
    TlsReportMailer.builder()
        .session(relaySession())
        .signer(ReportSigner.dkim("sender.example", "rsa",
            ReportSigner.readKey(resource("rsa.pem"))))
        .build()
        .send(report("reports.example"), mailto("tlsrpt@reports.example"));

    ReceivedMessage got = received("mx.reports.example");
    SignatureRecord signature = DkimCheck.verifyRsa(got.data(), dns).get(0);
    assertEquals("sender.example", signature.getDToken().toString());
    assertEquals("rsa", signature.getSelector().toString());
    List<String> signed = signature.getHeaders().stream()
        .map(h -> h.toString().toLowerCase(Locale.ROOT)).toList();
    assertTrue(signed.containsAll(List.of("tls-report-domain", "tls-report-submitter", "from",
        "subject")), signed.toString());
    String raw = got.header("DKIM-Signature").orElseThrow();
    for (String tag : raw.split(";")) {
      assertFalse(tag.strip().startsWith("l="), raw);
    }
  }

  @Test
  void rsaDkim_tamperedReport_failsVerification() throws Exception {
    TlsReportMailer.builder()
        .session(relaySession())
        .signer(ReportSigner.dkim("sender.example", "rsa",
            ReportSigner.readKey(resource("rsa.der"))))
        .build()
        .send(report("reports.example"), mailto("tlsrpt@reports.example"));
    String text = new String(received("mx.reports.example").data(),
        java.nio.charset.StandardCharsets.ISO_8859_1);
    byte[] tampered = text.replace("TLS-Report-Domain: reports.example",
        "TLS-Report-Domain: other.example").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThrows(Exception.class, () -> DkimCheck.verifyRsa(tampered, dns));
  }

  @Test
  void ed25519Dkim_direct_verifiedIndependently_keyFromDns_TLSRPT_DEL_06() throws Exception {
    TlsReportMailer mailer = TlsReportMailer.builder()
        .session(directSession())
        .signer(ReportSigner.dkim("sender.example", "ed",
            ReportSigner.readKey(resource("ed25519.pem"))))
        .build();
    mailer.send(report("reports.example"), mailto("tlsrpt@reports.example"));

    ReceivedMessage got = received("mx.reports.example");
    assertTrue(got.tlsActive(), "direct to MX over STARTTLS");
    SignatureRecord signature = DkimCheck.verifyEd25519(got.data(), dns);
    assertEquals("ed", signature.getSelector().toString());
    assertTrue(signature.getHeaders().stream().anyMatch(
        h -> h.toString().equalsIgnoreCase("TLS-Report-Submitter")));
  }

  @Test
  void ed25519Dkim_tamperedBody_failsVerification() throws Exception {
    TlsReportMailer.builder()
        .session(directSession())
        .signer(ReportSigner.dkim("sender.example", "ed",
            ReportSigner.readKey(resource("ed25519.der"))))
        .build()
        .send(report("reports.example"), mailto("tlsrpt@reports.example"));
    String text = new String(received("mx.reports.example").data(),
        java.nio.charset.StandardCharsets.ISO_8859_1);
    byte[] tampered = text.replace("aggregate TLS report", "aggregate TLS rep0rt")
        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThrows(AssertionError.class, () -> DkimCheck.verifyEd25519(tampered, dns));
  }

  @Test
  void direct_deliveredDespiteAnEnforcePolicyItsMxFails_TLSRPT_DEL_07_SEC_22() throws Exception {
    TlsReportMailer mailer = TlsReportMailer.builder()
        .session(directSession())
        .signer(ReportSigner.none())
        .build();
    mailer.send(report("broken.example"), mailto("tlsrpt@broken.example"));
    ReceivedMessage got = received("mx.broken.example");
    assertEquals(List.of("tlsrpt@broken.example"), got.recipients());
  }

  @Test
  void withoutTlsRequiredNo_theSameMessageIsRefused_soTheHeaderIsWhatGetsItThrough_TLSRPT_DEL_07()
      throws Exception {
    Session session = directSession();
    TlsReportMailer mailer = TlsReportMailer.builder().session(session)
        .signer(ReportSigner.none()).build();
    InternetAddress to = new InternetAddress("tlsrpt@broken.example");
    MimeMessage message = mailer.message(report("broken.example"), to);
    message.removeHeader("TLS-Required");
    message.saveChanges();
    try (Transport transport = session.getTransport(to)) {
      transport.connect();
      assertThrows(SendFailedException.class,
          () -> transport.sendMessage(message, new Address[] {to}));
    }
    assertTrue(world.messagesFor("mx.broken.example").isEmpty());
  }

  @Test
  void undeliverable_isAReportDeliveryException_withAPrintableMessage() {
    TlsReportMailer mailer = TlsReportMailer.builder()
        .session(directSession())
        .signer(ReportSigner.none())
        .build();
    ReportDeliveryException e = assertThrows(ReportDeliveryException.class,
        () -> mailer.send(report("nomail.example"), mailto("tlsrpt@nomail.example")));
    assertTrue(e.getMessage().startsWith("mail to mailto:tlsrpt@nomail.example was not accepted"),
        e.getMessage());
  }

  @Test
  void directSession_refusesToTurnTlsRequiredNoOff() {
    Properties props = new Properties();
    props.put("mail.mtasts.tlsRequiredHeader", "false");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TlsReportMailer.directSession(props, sts));
    assertTrue(e.getMessage().contains("mail.mtasts.tlsRequiredHeader"), e.getMessage());
  }

  @Test
  void directSession_refusesTlsRequiredNoOff_givenInThePropertiesDefaults_TLSRPT_DEL_07() {
    Properties defaults = new Properties();
    defaults.setProperty("mail.mtasts.tlsRequiredHeader", "false");
    Properties props = new Properties(defaults); // as Jakarta Mail reads them: getProperty
    assertThrows(IllegalArgumentException.class,
        () -> TlsReportMailer.directSession(props, sts));
  }

  @Test
  void reportHeader_isTheMarkerTheRecordingSkips() {
    assertEquals("TLS-Report-Domain", ReportMailer.REPORT_DOMAIN_HEADER);
  }

  @Test
  void keys_asOpensslWritesThem_pkcs8AndPkcs1_pemAndDer() throws Exception {
    PrivateKey pem = ReportSigner.readKey(resource("rsa.pem"));
    assertEquals("RSA", pem.getAlgorithm());
    assertArrayEquals(pem.getEncoded(), ReportSigner.readKey(resource("rsa.der")).getEncoded());
    assertArrayEquals(pem.getEncoded(),
        ReportSigner.readKey(resource("rsa-pkcs1.pem")).getEncoded());
    PrivateKey ed = ReportSigner.readKey(resource("ed25519.pem"));
    assertArrayEquals(ed.getEncoded(), ReportSigner.readKey(resource("ed25519.der")).getEncoded());
    Path garbage = Files.writeString(dir.resolve("garbage.der"), "not a key");
    assertThrows(IOException.class, () -> ReportSigner.readKey(garbage));
    Path encrypted = Files.writeString(dir.resolve("enc.pem"),
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    IOException e = assertThrows(IOException.class, () -> ReportSigner.readKey(encrypted));
    assertTrue(e.getMessage().contains("openssl pkcs8"), e.getMessage());
  }

  @Test
  void rsaKeyInDerAsGenpkeyWritesIt_pkcs1_signsVerifiably() throws Exception {
    TlsReportMailer.builder()
        .session(relaySession())
        .signer(ReportSigner.dkim("sender.example", "gen",
            ReportSigner.readKey(resource("rsa-genpkey.der"))))
        .build()
        .send(report("reports.example"), mailto("tlsrpt@reports.example"));
    DkimCheck.verifyRsa(received("mx.reports.example").data(), dns);
  }

  @Test
  void signerArguments_validated() throws Exception {
    PrivateKey rsa = ReportSigner.readKey(resource("rsa.pem"));
    assertThrows(IllegalArgumentException.class,
        () -> ReportSigner.dkim("not a domain!", "rsa", rsa));
    assertThrows(IllegalArgumentException.class,
        () -> ReportSigner.dkim("sender.example", "bad selector", rsa));
    java.security.KeyPairGenerator ec = java.security.KeyPairGenerator.getInstance("EC");
    assertThrows(IllegalArgumentException.class,
        () -> ReportSigner.dkim("sender.example", "s", ec.generateKeyPair().getPrivate()));
    java.security.KeyPairGenerator jdkEd = java.security.KeyPairGenerator.getInstance("Ed25519");
    ReportSigner.dkim("sender.example", "s", jdkEd.generateKeyPair().getPrivate()); // converted
  }
}
