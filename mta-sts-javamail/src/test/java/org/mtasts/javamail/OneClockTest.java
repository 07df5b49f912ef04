package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Message;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;

/**
 * Issue 13 item 3: the clock given once to {@code MtaSts.Builder} also judges the MX
 * certificate's validity in the transport (before, the transport's verifier read the system
 * clock whatever the client was given).
 */
class OneClockTest {

  @RegisterExtension
  static final TestWorldExtension world = TestWorldExtension.create(w -> w
      .domain("example.com", d -> d
          .policy("enforce", "mx.example.com")
          .mx(10, "mx.example.com", Mx.goodTls())));

  @Test
  void clientClockTenYearsAhead_mxCertificateExpired_refusedUnderEnforce_STS_TLS_04()
      throws Exception {
    HostResolver resolver = WorldClients.resolver(world);
    Clock later = Clock.offset(Clock.systemUTC(), Duration.ofDays(3650));
    try (MtaSts sts = WorldClients.client(world, resolver)
        .clock(later)
        .build()) {
      Properties props = new Properties();
      props.put("mail.transport.protocol.rfc822", MtaStsTransport.PROTOCOL);
      props.put("mail.smtp.localhost", "client.test");
      props.put(Settings.INSTANCE, sts);
      props.put(Settings.TRUST_MANAGER, world.trustManager());
      props.put(Settings.HOST_RESOLVER, resolver);
      MimeMessage m = new MimeMessage(Session.getInstance(props));
      m.setFrom(new InternetAddress("sender@client.test"));
      m.addRecipient(Message.RecipientType.TO, new InternetAddress("alice@example.com"));
      m.setSubject("hello");
      m.setText("body");
      SendFailedException e = assertThrows(SendFailedException.class, () -> Transport.send(m));
      assertTrue(String.valueOf(e.getNextException()).contains("certificate-expired"),
          String.valueOf(e.getNextException()));
      assertEquals(0, world.smtp("mx.example.com").messages().size(), "nothing delivered");
    }
  }
}
