package org.mtasts.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.testkit.TestWorldExtension;
import org.simplejavamail.api.email.Email;
import org.simplejavamail.api.mailer.Mailer;
import org.simplejavamail.api.mailer.config.TransportStrategy;
import org.simplejavamail.email.EmailBuilder;
import org.simplejavamail.mailer.MailerBuilder;

/**
 * Simple Java Mail 8: it sends through {@code session.getTransport()}, so {@code
 * mail.transport.protocol} is the property that counts; {@code withProperty} entries are applied
 * after its own SMTP defaults. {@code withProperty} stores every value as text, so object
 * settings ({@code mail.mtasts.instance}, {@code hostResolver}, {@code trustManager}) cannot go
 * that way: the transport refuses them loudly (put them into {@code mailer.getSession()
 * .getProperties()}, or build the session with {@code MtaStsMail.session} and use {@code
 * MailerBuilder.usingSession}).
 */
class SimpleJavaMailTest {
  @RegisterExtension static final TestWorldExtension world = MailWorld.create();

  @TempDir Path dir;

  private Mailer mailer() {
    var builder = MailerBuilder
        .withSMTPServer("unused.invalid", 25) // required; the transport never connects to it
        .withTransportStrategy(TransportStrategy.SMTP)
        .withProperty("mail.transport.protocol", "smtp-mtasts")
        .withProperty("mail.transport.protocol.rfc822", "smtp-mtasts");
    MailWorld.settings(world.world(), dir).forEach(builder::withProperty);
    Mailer mailer = builder.buildMailer();
    // withProperty turns values into text, so the object goes into the built session (a real
    // application leaves this out).
    mailer.getSession().getProperties()
        .put(MailWorld.HOST_RESOLVER, MailWorld.hosts(world.world()));
    return mailer;
  }

  private static Email email(String to) {
    return EmailBuilder.startingBlank()
        .from("app@client.test")
        .to(to)
        .withSubject("Simple Java Mail")
        .withPlainText("sent with Simple Java Mail")
        .buildEmail();
  }

  @Test
  @DisplayName("item 12: Simple Java Mail delivers to the listed MX over TLS (STS-APPLY-01)")
  void item12_simpleJavaMail_deliversOverTls() throws Exception {
    mailer().sendMail(email(MailWorld.GOOD)).get();

    MailWorld.assertDeliveredOverTls(world.world());
  }

  @Test
  @DisplayName("item 11, item 12: Simple Java Mail: an object setting passed through withProperty"
      + " (as text) is refused, nothing sent")
  void item11_simpleJavaMail_objectThroughWithProperty_isRefused() {
    Mailer mailer = MailerBuilder
        .withSMTPServer("unused.invalid", 25)
        .withTransportStrategy(TransportStrategy.SMTP)
        .withProperty("mail.transport.protocol", "smtp-mtasts")
        .withProperty(MailWorld.HOST_RESOLVER, MailWorld.hosts(world.world()))
        .buildMailer();
    Exception e = assertThrows(Exception.class, () -> mailer.sendMail(email(MailWorld.GOOD)).get());
    Throwable t = e;
    while (t.getCause() != null && !(t instanceof jakarta.mail.MessagingException)) {
      t = t.getCause();
    }
    assertTrue(String.valueOf(t.getMessage()).contains(MailWorld.HOST_RESOLVER), String.valueOf(t));
    assertEquals(java.util.List.of(), world.world().messages());
  }

  @Test
  @DisplayName("item 12: Simple Java Mail: a forged MX is refused (STS-APPLY-02, D-22)")
  void item12_simpleJavaMail_forgedMxRefused() {
    Mailer mailer = mailer();
    Exception e = assertThrows(Exception.class, () -> mailer.sendMail(email(MailWorld.FORGED)).get());
    if (e instanceof ExecutionException || e instanceof CompletionException) {
      e = (Exception) e.getCause();
    }
    MailWorld.assertForgedMxRefused(world.world(), e);
  }
}
