package org.mtasts.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.javamail.MtaStsTransport;
import org.mtasts.testkit.TestWorldExtension;
import org.springframework.mail.MailSendException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/** Spring Framework's {@code JavaMailSenderImpl}, switched to the transport by properties. */
class SpringJavaMailSenderTest {
  @RegisterExtension static final TestWorldExtension world = MailWorld.create();

  @TempDir Path dir;

  /** The documented set-up: mail.transport.protocol (the one Spring reads) plus the settings. */
  private JavaMailSenderImpl sender() {
    JavaMailSenderImpl sender = new JavaMailSenderImpl();
    Properties p = new Properties();
    p.setProperty("mail.transport.protocol", "smtp-mtasts");
    p.setProperty("mail.transport.protocol.rfc822", "smtp-mtasts");
    p.putAll(MailWorld.settings(world.world(), dir));
    p.put(MailWorld.HOST_RESOLVER, MailWorld.hosts(world.world()));
    sender.setJavaMailProperties(p);
    return sender;
  }

  private static SimpleMailMessage message(String to) {
    SimpleMailMessage m = new SimpleMailMessage();
    m.setFrom("app@client.test");
    m.setTo(to);
    m.setSubject("Spring");
    m.setText("sent with JavaMailSenderImpl");
    return m;
  }

  @Test
  @DisplayName("item 12: Spring JavaMailSenderImpl delivers to the listed MX over TLS (STS-APPLY-01)")
  void item12_spring_deliversOverTls() throws Exception {
    JavaMailSenderImpl sender = sender();
    sender.send(message(MailWorld.GOOD));

    MailWorld.assertDeliveredOverTls(world.world());
    assertInstanceOf(MtaStsTransport.class, sender.getSession().getTransport("smtp-mtasts"));
  }

  @Test
  @DisplayName("item 12: Spring JavaMailSenderImpl: a forged MX is refused (STS-APPLY-02, D-22)")
  void item12_spring_forgedMxRefused() {
    MailSendException e = assertThrows(MailSendException.class,
        () -> sender().send(message(MailWorld.FORGED)));

    MailWorld.assertForgedMxRefused(world.world(), e.getFailedMessages().values().iterator().next());
  }

  @Test
  @DisplayName("item 12: Spring ignores mail.transport.protocol.rfc822: alone, it sends through"
      + " the relay in plain SMTP (the documented trap)")
  void item12_spring_rfc822Only_isPlainSmtpThroughRelay() {
    JavaMailSenderImpl sender = new JavaMailSenderImpl();
    Properties p = new Properties();
    p.setProperty("mail.transport.protocol.rfc822", "smtp-mtasts");
    p.putAll(MailWorld.settings(world.world(), dir));
    p.put(MailWorld.HOST_RESOLVER, MailWorld.hosts(world.world()));
    sender.setJavaMailProperties(p);
    sender.setHost(world.world().address(MailWorld.RELAY).getAddress().getHostAddress());
    sender.setPort(world.world().address(MailWorld.RELAY).getPort());

    sender.send(message(MailWorld.FORGED));

    // Delivered without MTA-STS: to the relay, in plaintext; the policy never applied.
    assertEquals(1, world.world().messagesFor(MailWorld.RELAY).size());
    assertEquals(false, world.world().messagesFor(MailWorld.RELAY).get(0).tlsActive());
    assertEquals(List.of(), world.world().messagesFor(MailWorld.FORGED_MX));
  }
}
