package org.mtasts.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mtasts.testkit.smtp.ReceivedMessage;
import org.mtasts.testkit.support.PinnedSocketFactory;

/**
 * The target: a test in another module stands up "domain with enforce policy, mx1 good
 * TLS, mx2 no STARTTLS" in a few lines. The field below is the snippet of the module README,
 * verbatim (so this file is not reformatted); the policy is fetched over verified HTTPS and Angus
 * Mail delivers through the world.
 */
class SnippetTest {
  @RegisterExtension static final TestWorldExtension world = TestWorldExtension.create(w -> w
      .domain("example.com", d -> d
          .policy("enforce", "mx1.example.com", "mx2.example.com")   // or .policyText(rawText), .maxAge(...)
          .mx(10, "mx1.example.com", Mx.goodTls())
          .mx(20, "mx2.example.com", Mx.noStartTls())));

  @Test
  void dnsAnswersTheDomainsRecords() throws Exception {
    InetSocketAddress dns = world.dnsAddress();
    assertEquals(
        List.of("v=STSv1; id=" + world.domain("example.com").id()),
        Clients.txt(dns, "_mta-sts.example.com"));
    assertEquals(
        List.of("10 mx1.example.com.", "20 mx2.example.com."), Clients.mx(dns, "example.com"));
  }

  @Test
  void servesTheEnforcePolicyAtMtaStsExampleCom() throws Exception {
    String host = "mta-sts.example.com";
    assertEquals(List.of("127.0.0.1"), Clients.a(world.dnsAddress(), host));
    Clients.HttpResponse policy = Clients.get(world.address(host), world.clientContext(), host);
    assertEquals(200, policy.status());
    assertEquals(
        "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmx: mx2.example.com\n"
            + "max_age: 86400\n",
        policy.body());
    assertEquals(1, world.policyRequests("example.com"));
  }

  @Test
  void angusMail_deliversToMx1OverVerifiedTls(TestWorld injected) throws Exception {
    assertSame(world.world(), injected);
    String host = "mx1.example.com";
    int before = world.messagesFor(host).size();
    MimeMessage message = new MimeMessage(angus(host, true));
    message.setFrom(new InternetAddress("alice@client.test"));
    message.addRecipient(Message.RecipientType.TO, new InternetAddress("bob@example.com"));
    message.setSubject("Through the world");
    message.setText("hello\n");
    Transport.send(message);

    ReceivedMessage received = world.messagesFor(host).get(before);
    assertTrue(received.tlsActive());
    assertEquals(Optional.of(host), received.sniHostName());
    assertEquals(Optional.of("Through the world"), received.header("Subject"));
  }

  @Test
  void mx2OffersNoStartTls() throws Exception {
    try (Clients.Smtp smtp = new Clients.Smtp(world.address("mx2.example.com"))) {
      smtp.reply();
      assertFalse(smtp.command("EHLO client.test").contains("STARTTLS"));
    }
  }

  /** A nested class shares the outer class's world. */
  @Nested
  class SharedWithNestedClasses {
    @Test
    void seesTheSameRunningWorld(TestWorld injected) {
      assertSame(world.world(), injected);
      assertEquals(world.smtp("mx1.example.com").address(), injected.address("mx1.example.com"));
    }
  }

  /** Angus Mail as an MTA-STS sender would set it up: STARTTLS required, host name checked. */
  private static Session angus(String host, boolean requireStartTls) {
    Properties p = new Properties();
    p.put("mail.smtp.host", host);
    p.put("mail.smtp.port", Integer.toString(world.address(host).getPort()));
    p.put("mail.smtp.localhost", "client.test");
    p.put("mail.smtp.connectiontimeout", "5000");
    p.put("mail.smtp.timeout", "5000");
    p.put("mail.smtp.socketFactory", new PinnedSocketFactory(world.address(host)));
    p.put("mail.smtp.socketFactory.fallback", "false");
    p.put("mail.smtp.starttls.enable", "true");
    p.put("mail.smtp.starttls.required", Boolean.toString(requireStartTls));
    p.put("mail.smtp.ssl.socketFactory", world.clientContext().getSocketFactory());
    p.put("mail.smtp.ssl.checkserveridentity", "true");
    return Session.getInstance(p);
  }
}
