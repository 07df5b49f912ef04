package org.mtasts.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mtasts.testkit.dns.TestDnsServer;
import org.mtasts.testkit.https.PolicyResponse;
import org.mtasts.testkit.smtp.ReceivedMessage;

/**
 * One world with the example domain (enforce policy, mx1 good TLS, mx2 no STARTTLS) and the
 * other shapes a domain can have, seen through independent clients: dnsjava against {@link
 * TestWorld#dnsAddress()}, raw sockets and JDK TLS against {@link TestWorld#hostMap()}.
 */
class TestWorldTest {
  private static TestWorld world;

  @BeforeAll
  static void start() {
    world =
        TestWorld.start(
            w ->
                w.domain(
                        "example.com",
                        d ->
                            d.policy("enforce", "mx1.example.com", "mx2.example.com")
                                .mx(10, "mx1.example.com", Mx.goodTls())
                                .mx(20, "mx2.example.com", Mx.noStartTls()))
                    .domain("plain.example", d -> d.mx(10, "mx.plain.example", Mx.noStartTls()))
                    .domain("nomail.example", DomainSpec::nullMx)
                    .domain("implicit.example", d -> d.implicitMx(Mx.goodTls()))
                    .domain(
                        "hosted.example",
                        d ->
                            d.policy("testing", "*.provider.example")
                                .txtViaCname("_mta-sts.provider.example")
                                .id("hosted1")
                                .mx(5, "mx.provider.example", Mx.goodTls()))
                    .domain(
                        "shared.example",
                        d -> d.policy("enforce", "mx1.example.com").mx(10, "mx1.example.com"))
                    .domain("twotxt.example", d -> d.txt("v=STSv1; id=a", "v=STSv1; id=b"))
                    .domain("down.example", d -> d.mx(1, "dead.down.example", Mx.unreachable()))
                    .domain("broken.example", d -> d.policyText("version: STSv2\nmode: sometimes"))
                    .domain(
                        "redirect.example",
                        d ->
                            d.policyResponse(
                                PolicyResponse.redirect(301, "https://elsewhere.example/")))
                    .domain(
                        "expired.example",
                        d -> d.policy("enforce", "mx.example").policyCertificate(Cert.expired()))
                    .domain(
                        "tls12.example",
                        d ->
                            d.policy("testing")
                                .maxAge(Duration.ofDays(7))
                                .policyHost(h -> h.tlsProtocols("TLSv1.2")))
                    .dns(dns -> dns.fault("_mta-sts.plain.example", TestDnsServer.Fault.SERVFAIL)));
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  // ------------------------------------------------------------------- DNS

  @Test
  void enforceDomain_publishesTxtWithItsId_mxRecords_andLoopbackAddresses() throws Exception {
    InetSocketAddress dns = world.dnsAddress();
    String id = world.domain("example.com").id();
    assertTrue(id.matches("[a-z0-9]{20}"), id);

    assertEquals(List.of("v=STSv1; id=" + id), Clients.txt(dns, "_mta-sts.example.com"));
    assertEquals(
        List.of("10 mx1.example.com.", "20 mx2.example.com."), Clients.mx(dns, "example.com"));
    assertEquals(List.of("127.0.0.1"), Clients.a(dns, "mx1.example.com"));
    assertEquals(List.of("127.0.0.1"), Clients.a(dns, "mx2.example.com"));
    assertEquals(List.of("v=STSv1; id=" + id), world.domain("example.com").txtRecords());
  }

  @Test
  void domainWithoutMtaSts_hasMxButNoTxt_andBuilderDnsSetupApplies() throws Exception {
    InetSocketAddress dns = world.dnsAddress();
    assertEquals(List.of("10 mx.plain.example."), Clients.mx(dns, "plain.example"));
    assertEquals("SERVFAIL", Clients.rcode(Clients.query(dns, "_mta-sts.plain.example", "TXT")));
    assertFalse(world.domain("plain.example").publishesMtaSts());
    assertEquals(List.of(), world.domain("plain.example").txtRecords());
    assertFalse(world.hostMap().containsKey("mta-sts.plain.example"));
  }

  @Test
  void nullMx_andImplicitMx() throws Exception {
    InetSocketAddress dns = world.dnsAddress();
    assertEquals(List.of("0 ."), Clients.mx(dns, "nomail.example"));
    assertEquals("NXDOMAIN", Clients.rcode(Clients.query(dns, "_mta-sts.nomail.example", "TXT")));
    assertEquals(List.of(), Clients.txt(dns, "_mta-sts.nomail.example"));

    assertEquals(List.of(), Clients.mx(dns, "implicit.example"));
    assertEquals(List.of("127.0.0.1"), Clients.a(dns, "implicit.example"));
    assertEquals(world.smtp("implicit.example").address(), world.address("implicit.example"));
  }

  @Test
  void cnamedMtaStsName_answersTxtOfTheTarget() throws Exception {
    InetSocketAddress dns = world.dnsAddress();
    var response = Clients.query(dns, "_mta-sts.hosted.example", "TXT");
    assertEquals(List.of("_mta-sts.provider.example."), Clients.cnames(response));
    assertEquals(List.of("v=STSv1; id=hosted1"), Clients.txt(dns, "_mta-sts.hosted.example"));
    assertEquals(List.of("v=STSv1; id=hosted1"), Clients.txt(dns, "_mta-sts.provider.example"));
  }

  @Test
  void rawTxtRecords_arePublishedAsGiven() throws Exception {
    List<String> txt = Clients.txt(world.dnsAddress(), "_mta-sts.twotxt.example");
    assertEquals(List.of("v=STSv1; id=a", "v=STSv1; id=b"), txt.stream().sorted().toList());
  }

  @Test
  void txtQueries_countsQueriesForTheMtaStsName() throws Exception {
    int before = world.txtQueries("example.com");
    Clients.txt(world.dnsAddress(), "_mta-sts.example.com");
    Clients.txt(world.dnsAddress(), "_MTA-STS.Example.COM.");
    assertEquals(before + 2, world.txtQueries("example.com"));
    assertEquals(before + 2, world.domain("example.com").txtQueries());
  }

  // ------------------------------------------------------------------- HTTPS

  @Test
  void enforceDomain_servesItsPolicyAtTheMtaStsHost_withACaIssuedCertificate() throws Exception {
    String host = "mta-sts.example.com";
    assertEquals(List.of("127.0.0.1"), Clients.a(world.dnsAddress(), host));
    assertEquals(world.policyServer().address(), world.hostMap().get(host));
    int before = world.policyRequests("example.com");

    Clients.HttpResponse response = Clients.get(world.address(host), world.clientContext(), host);

    assertEquals(200, response.status());
    assertEquals("text/plain", response.header("Content-Type"));
    assertEquals(
        "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: mx2.example.com\n"
            + "max_age: 86400\n",
        response.body());
    assertEquals(Optional.of(response.body()), world.domain("example.com").policyText());
    assertEquals(before + 1, world.policyRequests("example.com"));
    assertEquals(before + 1, world.domain("example.com").policyRequests());
    assertEquals(
        Optional.of(host),
        world.policyServer().requests(host).get(before).sni(),
        "the client's SNI reached the server");
  }

  @Test
  void policyHostCertificate_isForTheHost_andSignedByTheWorldsAuthority() throws Exception {
    String host = "mta-sts.example.com";
    try (var socket =
        Clients.tls(Clients.connect(world.address(host)), world.clientContext(), host)) {
      X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];
      leaf.verify(world.ca().certificate().getPublicKey());
      assertTrue(
          leaf.getSubjectAlternativeNames().stream().anyMatch(n -> n.get(1).equals(host)),
          "" + leaf.getSubjectAlternativeNames());
      assertEquals(world.domain("example.com").policyHost().certificate().certificate(), leaf);
    }
  }

  @Test
  void rawPolicyText_isServedAsGiven() throws Exception {
    String host = "mta-sts.broken.example";
    assertEquals(
        "version: STSv2\nmode: sometimes",
        Clients.get(world.address(host), world.clientContext(), host).body());
    assertEquals(1, Clients.txt(world.dnsAddress(), "_mta-sts.broken.example").size());
  }

  @Test
  void policyResponse_andPolicyHostSetup_reachThePolicyServer() throws Exception {
    String redirect = "mta-sts.redirect.example";
    Clients.HttpResponse moved =
        Clients.get(world.address(redirect), world.clientContext(), redirect);
    assertEquals(301, moved.status());
    assertEquals("https://elsewhere.example/", moved.header("Location"));

    String tls12 = "mta-sts.tls12.example";
    try (var socket =
        Clients.tls(Clients.connect(world.address(tls12)), world.clientContext(), tls12)) {
      assertEquals("TLSv1.2", socket.getSession().getProtocol());
    }
    assertEquals(
        "version: STSv1\nmode: testing\nmax_age: 604800\n",
        Clients.get(world.address(tls12), world.clientContext(), tls12).body());
  }

  @Test
  void expiredPolicyCertificate_failsAVerifyingClient() {
    String host = "mta-sts.expired.example";
    SSLHandshakeException e =
        assertThrows(
            SSLHandshakeException.class,
            () -> Clients.get(world.address(host), world.clientContext(), host));
    boolean expired = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      expired |= t instanceof CertificateExpiredException;
    }
    assertTrue(expired, "caused by an expired certificate: " + e);
  }

  @Test
  void domainWithoutMtaSts_hasNoPolicyHost() throws Exception {
    assertEquals(
        "NXDOMAIN", Clients.rcode(Clients.query(world.dnsAddress(), "mta-sts.plain.example", "A")));
    assertThrows(IllegalArgumentException.class, () -> world.address("mta-sts.plain.example"));
  }

  // ------------------------------------------------------------------- SMTP

  @Test
  void hostMap_mapsEveryMxHostToItsReceiver() {
    assertEquals(world.smtp("mx1.example.com").address(), world.hostMap().get("mx1.example.com"));
    assertEquals(world.smtp("mx2.example.com").address(), world.hostMap().get("mx2.example.com"));
    assertEquals(
        world.smtp("mx.provider.example").address(), world.address("MX.Provider.Example."));
    assertThrows(UnsupportedOperationException.class, () -> world.hostMap().clear());
    assertEquals(
        List.of(
            "mx1.example.com",
            "mx2.example.com",
            "mx.plain.example",
            "implicit.example",
            "mx.provider.example",
            "dead.down.example"),
        List.copyOf(world.mxHosts()));
  }

  @Test
  void goodTlsMx_acceptsStartTlsDeliveryWithTheCaCertificate_andCapturesIt() throws Exception {
    String host = "mx1.example.com";
    int before = world.messagesFor(host).size();
    try (Clients.Smtp smtp = new Clients.Smtp(world.address(host))) {
      assertTrue(smtp.reply().startsWith("220 " + host));
      assertTrue(smtp.command("EHLO client.test").contains("STARTTLS"));
      assertTrue(smtp.startTls(world.clientContext(), host).startsWith("220"));
      assertEquals(
          world.ca().certificate(), smtp.tlsSocket().getSession().getPeerCertificates()[1]);
      smtp.command("EHLO client.test");
      assertTrue(smtp.send("a@client.test", "b@example.com", "over TLS").startsWith("250"));
      smtp.command("QUIT");
    }
    List<ReceivedMessage> messages = world.messagesFor(host);
    assertEquals(before + 1, messages.size());
    ReceivedMessage message = messages.get(messages.size() - 1);
    assertTrue(message.tlsActive());
    assertEquals(Optional.of(host), message.sniHostName());
    assertEquals(List.of("b@example.com"), message.recipients());
    assertTrue(world.messages().contains(message));
  }

  @Test
  void noStartTlsMx_doesNotOfferStartTls_butTakesPlaintextMail() throws Exception {
    String host = "mx2.example.com";
    try (Clients.Smtp smtp = new Clients.Smtp(world.address(host))) {
      assertTrue(smtp.reply().startsWith("220 " + host));
      String ehlo = smtp.command("EHLO client.test");
      assertTrue(ehlo.startsWith("250"), ehlo);
      assertFalse(ehlo.contains("STARTTLS"), ehlo);
      assertTrue(smtp.send("a@client.test", "b@example.com", "plain").startsWith("250"));
    }
    assertFalse(world.messagesFor(host).get(world.messagesFor(host).size() - 1).tlsActive());
  }

  @Test
  void sharedMxHost_isOneReceiverForBothDomains() throws Exception {
    assertEquals(List.of("10 mx1.example.com."), Clients.mx(world.dnsAddress(), "shared.example"));
    assertEquals(world.address("mx1.example.com"), world.smtp("mx1.example.com").address());
  }

  @Test
  void unreachableMx_resolvesButRefusesConnections() throws Exception {
    assertEquals(List.of("127.0.0.1"), Clients.a(world.dnsAddress(), "dead.down.example"));
    InetSocketAddress address = world.address("dead.down.example");
    assertThrows(ConnectException.class, () -> Clients.connect(address).close());
    assertThrows(IllegalArgumentException.class, () -> world.smtp("dead.down.example"));
    assertThrows(
        IllegalArgumentException.class, () -> world.setMx("dead.down.example", Mx.goodTls()));
  }

  @Test
  void unknownNames_areRefusedWithTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> world.smtp("mx9.example.com"));
    assertTrue(e.getMessage().contains("mx1.example.com"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> world.domain("other.example"));
    assertThrows(IllegalArgumentException.class, () -> world.address("other.example"));
  }

  @Test
  void wrongCertificateMx_failsAHostnameCheckingClient() throws Exception {
    try (TestWorld w =
        TestWorld.start(
            b -> b.domain("x.example", d -> d.mx(1, "mx.x.example", Mx.wrongNameCertificate())))) {
      try (Clients.Smtp smtp = new Clients.Smtp(w.address("mx.x.example"))) {
        smtp.reply();
        smtp.command("EHLO client.test");
        assertThrows(
            SSLHandshakeException.class, () -> smtp.startTls(w.clientContext(), "mx.x.example"));
      }
    }
  }
}
