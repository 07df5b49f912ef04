package org.mtasts.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mtasts.testkit.dns.TestDnsServer;
import org.mtasts.testkit.https.PolicyResponse;

/** Changes made while a world runs take effect for the next query or connection. */
class TestWorldMutationTest {
  private TestWorld world;

  @BeforeEach
  void start() {
    world =
        TestWorld.start(
            w ->
                w.domain(
                        "example.com",
                        d ->
                            d.policy("enforce", "mx1.example.com", "mx2.example.com")
                                .id("first")
                                .mx(10, "mx1.example.com", Mx.goodTls())
                                .mx(20, "mx2.example.com", Mx.noStartTls()))
                    .domain("later.example", d -> d.mx(10, "mx.later.example")));
  }

  @AfterEach
  void stop() {
    world.close();
  }

  @Test
  void rotateId_publishesANewTxtRecord() throws Exception {
    WorldDomain domain = world.domain("example.com");
    assertEquals(List.of("v=STSv1; id=first"), Clients.txt(dns(), "_mta-sts.example.com"));
    String id = domain.rotateId();
    assertNotEquals("first", id);
    assertEquals(id, domain.id());
    assertEquals(List.of("v=STSv1; id=" + id), Clients.txt(dns(), "_mta-sts.example.com"));
    domain.id("third");
    assertEquals(List.of("v=STSv1; id=third"), Clients.txt(dns(), "_mta-sts.example.com"));
  }

  @Test
  void txt_replacesOrRemovesTheRecords() throws Exception {
    WorldDomain domain = world.domain("example.com");
    domain.txt("v=STSv1; id=x", "v=spf1 -all");
    assertEquals(
        List.of("v=STSv1; id=x", "v=spf1 -all"),
        Clients.txt(dns(), "_mta-sts.example.com").stream().sorted().toList());
    domain.txt();
    assertEquals(List.of(), Clients.txt(dns(), "_mta-sts.example.com"));
    assertEquals(List.of(), domain.txtRecords());
    domain.rotateId();
    assertEquals(1, Clients.txt(dns(), "_mta-sts.example.com").size());
  }

  @Test
  void policyText_isServedFromTheNextRequestOn() throws Exception {
    WorldDomain domain = world.domain("example.com");
    assertTrue(fetch("example.com").body().contains("mode: enforce"));
    domain.policy("testing", 600, "mx1.example.com");
    assertEquals(
        "version: STSv1\nmode: testing\nmx: mx1.example.com\nmax_age: 600\n",
        fetch("example.com").body());
    domain.policyText("garbage");
    assertEquals("garbage", fetch("example.com").body());
    assertEquals(3, world.policyRequests("example.com"));
  }

  @Test
  void policyDown_answers503_policyDropsConnections_failsTheHandshake_policyUp_restores()
      throws Exception {
    WorldDomain domain = world.domain("example.com");
    String text = fetch("example.com").body();

    domain.policyDown();
    assertEquals(503, fetch("example.com").status());

    domain.policyDropsConnections();
    assertThrows(IOException.class, () -> fetch("example.com"));

    domain.policyUp();
    Clients.HttpResponse back = fetch("example.com");
    assertEquals(200, back.status());
    assertEquals(text, back.body());

    domain.respond(PolicyResponse.builder().body(text).contentType("text/html").build());
    assertEquals("text/html", fetch("example.com").header("Content-Type"));
  }

  @Test
  void policyCertificate_isPresentedToTheNextConnection() throws Exception {
    world.domain("example.com").policyCertificate(Cert.wrongName());
    assertThrows(SSLHandshakeException.class, () -> fetch("example.com"));
    world.domain("example.com").policyCertificate(Cert.good());
    assertEquals(200, fetch("example.com").status());
  }

  @Test
  void setMx_changesTheBehaviourOfNewConnections() throws Exception {
    String host = "mx2.example.com";
    assertFalse(ehlo(host).contains("STARTTLS"));
    world.setMx(host, Mx.goodTls());
    assertEquals(Mx.goodTls(), world.mx(host));
    try (Clients.Smtp smtp = new Clients.Smtp(world.address(host))) {
      smtp.reply();
      assertTrue(smtp.command("EHLO client.test").contains("STARTTLS"));
      assertTrue(smtp.startTls(world.clientContext(), host).startsWith("220"));
    }
    world.setMx(host, Mx.startTlsRefused());
    try (Clients.Smtp smtp = new Clients.Smtp(world.address(host))) {
      smtp.reply();
      smtp.command("EHLO client.test");
      assertTrue(smtp.command("STARTTLS").startsWith("454"));
    }
  }

  @Test
  void domainWithoutMtaSts_startsPublishingOnFirstMutator() throws Exception {
    WorldDomain domain = world.domain("later.example");
    assertFalse(domain.publishesMtaSts());
    assertEquals(List.of(), Clients.txt(dns(), "_mta-sts.later.example"));
    Map<String, InetSocketAddress> hostMap = world.hostMap();
    assertFalse(hostMap.containsKey("mta-sts.later.example"));

    String id = domain.rotateId();

    assertTrue(domain.publishesMtaSts());
    assertEquals(List.of("v=STSv1; id=" + id), Clients.txt(dns(), "_mta-sts.later.example"));
    assertEquals(List.of("127.0.0.1"), Clients.a(dns(), "mta-sts.later.example"));
    assertEquals(world.policyServer().address(), hostMap.get("mta-sts.later.example"));
    assertEquals(404, fetch("later.example").status(), "no policy text yet");
    domain.policy("enforce", "mx.later.example");
    assertEquals(200, fetch("later.example").status());
  }

  @Test
  void reset_restoresTheStartState_andForgetsRecordings() throws Exception {
    WorldDomain domain = world.domain("example.com");
    domain.rotateId();
    world.setMx("mx2.example.com", Mx.goodTls());
    world.dns().fault("example.com", TestDnsServer.Fault.SERVFAIL);
    world.domain("later.example").policy("enforce", "mx.later.example");
    domain.policyText("changed").policyCertificate(Cert.selfSigned());
    try (Clients.Smtp smtp = new Clients.Smtp(world.address("mx2.example.com"))) {
      smtp.reply();
      smtp.command("EHLO client.test");
      smtp.send("a@client.test", "b@example.com", "before reset");
    }
    assertEquals(1, world.messages().size());

    world.reset();

    assertEquals("first", domain.id());
    assertEquals(List.of("v=STSv1; id=first"), Clients.txt(dns(), "_mta-sts.example.com"));
    assertEquals(
        List.of("10 mx1.example.com.", "20 mx2.example.com."), Clients.mx(dns(), "example.com"));
    assertFalse(world.domain("later.example").publishesMtaSts());
    assertEquals(List.of(), Clients.txt(dns(), "_mta-sts.later.example"));
    assertFalse(world.hostMap().containsKey("mta-sts.later.example"));
    assertEquals(404, fetchVia(world.policyServer().address(), "later.example").status());
    assertEquals(
        TestWorld.policyText("enforce", 86400, "mx1.example.com", "mx2.example.com"),
        fetch("example.com").body());
    assertEquals(1, world.policyRequests("example.com"));
    assertEquals(Mx.noStartTls(), world.mx("mx2.example.com"));
    assertFalse(ehlo("mx2.example.com").contains("STARTTLS"));
    assertEquals(List.of(), world.messages());
    assertEquals(1, world.txtQueries("example.com"));
  }

  @Test
  void resetRecordings_keepsStateButForgetsCounts() throws Exception {
    world.domain("example.com").rotateId();
    Clients.txt(dns(), "_mta-sts.example.com");
    ehlo("mx1.example.com");
    fetch("example.com");
    world.resetRecordings();
    assertEquals(0, world.txtQueries("example.com"));
    assertEquals(0, world.policyRequests("example.com"));
    assertEquals(0, world.smtp("mx1.example.com").connectionCount());
    assertNotEquals("first", world.domain("example.com").id());
  }

  private Clients.HttpResponse fetch(String domain) throws IOException {
    return fetchVia(world.address("mta-sts." + domain), domain);
  }

  private Clients.HttpResponse fetchVia(InetSocketAddress address, String domain)
      throws IOException {
    return Clients.get(address, world.clientContext(), "mta-sts." + domain);
  }

  private InetSocketAddress dns() {
    return world.dnsAddress();
  }

  private String ehlo(String host) throws Exception {
    try (Clients.Smtp smtp = new Clients.Smtp(world.address(host))) {
      smtp.reply();
      String reply = smtp.command("EHLO client.test");
      smtp.command("QUIT");
      return reply;
    }
  }
}
