package org.mtasts.integrations;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.commons.mail2.core.EmailException;
import org.apache.commons.mail2.jakarta.SimpleEmail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.testkit.TestWorldExtension;

/**
 * Apache Commons Email 2 (Jakarta flavour). Its own session is {@code new
 * Properties(System.getProperties())} plus its SMTP settings, so {@code -D} settings reach the
 * transport as {@code Properties} defaults (issue 12 item 9).
 */
class CommonsEmailTest {
  @RegisterExtension static final TestWorldExtension world = MailWorld.create();

  @TempDir Path dir;

  /** System properties this test changed, with their values before (null: absent). */
  private final Map<String, String> saved = new HashMap<>();

  private void setSystemProperty(String name, String value) {
    if (!saved.containsKey(name)) {
      saved.put(name, System.getProperty(name));
    }
    System.setProperty(name, value);
  }

  @AfterEach
  void restoreSystemProperties() {
    saved.forEach((name, value) -> {
      if (value == null) {
        System.clearProperty(name);
      } else {
        System.setProperty(name, value);
      }
    });
    saved.clear();
  }

  /** What {@code java -Dmail.transport.protocol.rfc822=smtp-mtasts -Dmail.mtasts...} does. */
  private void systemPropertiesAsOnTheCommandLine() {
    setSystemProperty("mail.transport.protocol.rfc822", "smtp-mtasts");
    MailWorld.settings(world.world(), dir).forEach(this::setSystemProperty);
  }

  private SimpleEmail email(String to) throws EmailException {
    SimpleEmail email = new SimpleEmail();
    email.setHostName("unused.invalid"); // Commons Email wants one; the transport ignores it
    email.setFrom("app@client.test");
    email.addTo(to);
    email.setSubject("Commons Email");
    email.setMsg("sent with Apache Commons Email 2");
    return email;
  }

  /** Commons Email's own session from system properties, plus the world's host map. */
  private SimpleEmail emailWithSystemProperties(String to) throws EmailException {
    SimpleEmail email = email(to);
    email.getMailSession().getProperties()
        .put(MailWorld.HOST_RESOLVER, MailWorld.hosts(world.world()));
    return email;
  }

  @Test
  @DisplayName("item 9, item 12: Commons Email with -D settings (Properties defaults) delivers to"
      + " the listed MX over TLS (STS-APPLY-01)")
  void item09_commonsEmail_systemProperties_deliversOverTls() throws Exception {
    systemPropertiesAsOnTheCommandLine();

    emailWithSystemProperties(MailWorld.GOOD).send();

    MailWorld.assertDeliveredOverTls(world.world());
  }

  @Test
  @DisplayName("item 9, item 12: Commons Email with -D settings: a forged MX is refused"
      + " (STS-APPLY-02, D-22)")
  void item09_commonsEmail_systemProperties_forgedMxRefused() throws Exception {
    systemPropertiesAsOnTheCommandLine();

    EmailException e = assertThrows(EmailException.class,
        () -> emailWithSystemProperties(MailWorld.FORGED).send());

    MailWorld.assertForgedMxRefused(world.world(), e);
  }

  @Test
  @DisplayName("item 12: Commons Email with a session of your own (setMailSession) delivers and"
      + " refuses a forged MX")
  void item12_commonsEmail_ownSession() throws Exception {
    Properties p = new Properties();
    p.setProperty("mail.transport.protocol", "smtp-mtasts");
    p.setProperty("mail.transport.protocol.rfc822", "smtp-mtasts");
    p.putAll(MailWorld.settings(world.world(), dir));
    p.put(MailWorld.HOST_RESOLVER, MailWorld.hosts(world.world()));
    jakarta.mail.Session session = jakarta.mail.Session.getInstance(p);

    SimpleEmail good = email(MailWorld.GOOD);
    good.setMailSession(session);
    good.send();
    MailWorld.assertDeliveredOverTls(world.world());

    world.world().resetRecordings();
    SimpleEmail forged = email(MailWorld.FORGED);
    forged.setMailSession(session);
    EmailException e = assertThrows(EmailException.class, forged::send);
    MailWorld.assertForgedMxRefused(world.world(), e);
  }
}
