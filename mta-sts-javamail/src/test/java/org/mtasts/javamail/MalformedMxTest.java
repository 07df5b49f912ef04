package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.smtp.ReceivedMessage;

/**
 * Issue 12 item 3: an MX record whose exchange is no valid host name ({@code mx_1.…}) is skipped
 * like an unreachable host; the message goes to the next, good MX (STS-MX-08), end to end through
 * the transport, the core and the testkit's DNS, HTTPS and SMTP.
 */
class MalformedMxTest {

  @RegisterExtension
  static final TestWorldExtension world = TestWorldExtension.create(w -> w
      .domain("underscore.example", d -> d
          .policy("enforce", "*.underscore.example")
          .mx(20, "mx.underscore.example", Mx.goodTls()))
      .domain("plain-underscore.example", d -> d
          .mx(20, "mx.plain-underscore.example", Mx.goodTls()))
      // Preferred to the good MX; DomainNames refuses '_'.
      .dns(dns -> dns.mx("underscore.example", 10, "mx_1.underscore.example")
          .mx("plain-underscore.example", 10, "mx_1.plain-underscore.example")))
      .resetBeforeEach();

  private MtaSts sts;

  @AfterEach
  void close() {
    sts.close();
  }

  private Session session() {
    HostResolver resolver = WorldClients.resolver(world);
    sts = WorldClients.client(world, resolver)
        .build();
    Properties props = new Properties();
    props.put("mail.transport.protocol.rfc822", MtaStsTransport.PROTOCOL);
    props.put("mail.smtp.localhost", "client.test");
    props.put(Settings.INSTANCE, sts);
    props.put(Settings.TRUST_MANAGER, world.trustManager());
    props.put(Settings.HOST_RESOLVER, resolver);
    return Session.getInstance(props);
  }

  private static MimeMessage message(Session session, String to) throws Exception {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress("sender@client.test"));
    m.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
    m.setSubject("hello");
    m.setText("body");
    return m;
  }

  @Test
  @DisplayName("item03, STS-MX-08: enforce domain, malformed MX first: delivered to the next MX")
  void item03_malformedMxSkipped_deliveredToTheNextMx_enforce_STS_MX_08() throws Exception {
    Transport.send(message(session(), "alice@underscore.example"));

    List<ReceivedMessage> got = world.messagesFor("mx.underscore.example");
    assertEquals(1, got.size());
    assertTrue(got.get(0).tlsActive());
    assertEquals(1, world.messages().size());
  }

  @Test
  @DisplayName("item03, STS-MX-08: domain without MTA-STS, malformed MX first: delivered too")
  void item03_malformedMxSkipped_deliveredToTheNextMx_noPolicy_STS_MX_08() throws Exception {
    Transport.send(message(session(), "bob@plain-underscore.example"));

    assertEquals(1, world.messagesFor("mx.plain-underscore.example").size());
  }
}
