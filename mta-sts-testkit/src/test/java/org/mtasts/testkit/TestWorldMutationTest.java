package org.mtasts.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mtasts.testkit.dns.TestDnsServer;

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
    String id = domain.rotateId();
    assertTrue(domain.publishesMtaSts());
    assertEquals(List.of("v=STSv1; id=" + id), Clients.txt(dns(), "_mta-sts.later.example"));
  }

  @Test
  void reset_restoresTheStartState_andForgetsRecordings() throws Exception {
    WorldDomain domain = world.domain("example.com");
    domain.rotateId();
    world.setMx("mx2.example.com", Mx.goodTls());
    world.dns().fault("example.com", TestDnsServer.Fault.SERVFAIL);
    world.domain("later.example").rotateId();
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
    world.resetRecordings();
    assertEquals(0, world.txtQueries("example.com"));
    assertEquals(0, world.smtp("mx1.example.com").connectionCount());
    assertNotEquals("first", world.domain("example.com").id());
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
