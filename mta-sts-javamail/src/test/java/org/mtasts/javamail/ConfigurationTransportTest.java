package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.HostResolver;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;

/**
 * Properties-only configurations of the transport against the testkit's world (real DNS, HTTPS
 * policy host, STARTTLS SMTP): every setting given is applied, or the message fails loudly.
 */
class ConfigurationTransportTest {

  @RegisterExtension
  static final TestWorldExtension world = TestWorldExtension.create(w -> w
      .domain("good.example", d -> d
          .policy("enforce", "mx1.good.example")
          .mx(10, "mx1.good.example", Mx.goodTls()))
      .domain("forged.example", d -> d
          .policy("enforce", "mx.forged.example")
          .mx(10, "evil.forged.example", Mx.goodTls()))
  ).resetBeforeEach();

  @TempDir
  Path dir;

  /** The string settings that point the default client at the world. */
  private Properties worldSettings() {
    Properties s = new Properties();
    s.setProperty("mail.transport.protocol.rfc822", MtaStsTransport.PROTOCOL);
    s.setProperty("mail.smtp.localhost", "client.test");
    s.setProperty(Settings.DNS_SERVERS, world.world().dnsAddress().getAddress().getHostAddress()
        + ":" + world.world().dnsAddress().getPort());
    s.setProperty(Settings.TRUST_STORE,
        world.world().writeTrustPem(dir.resolve("trust.pem")).toString());
    s.setProperty(Settings.ALLOW_PRIVATE_ADDRESSES, "true");
    s.setProperty(Settings.CACHE_DIRECTORY, dir.resolve("cache").toString());
    return s;
  }

  /** A session whose string settings are all in the defaults, as Commons Email makes one. */
  private Session sessionWithDefaults(Properties defaults) {
    Properties p = new Properties(defaults);
    // The one object seam: the world's receivers listen on their own ports, not 25.
    p.put(Settings.HOST_RESOLVER,
        HostResolver.overriding(world.world().hostMap(), HostResolver.none()));
    return Session.getInstance(p);
  }

  private static MimeMessage message(Session s, String to) throws MessagingException {
    MimeMessage m = new MimeMessage(s);
    m.setFrom(new InternetAddress("sender@client.test"));
    m.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
    m.setSubject("configuration");
    m.setText("x");
    return m;
  }

  @Test
  @DisplayName("item 9: dns.servers, trustStore, cacheDirectory as Properties defaults are applied"
      + " (STS-APPLY-01)")
  void item09_settingsAsDefaults_deliverUnderPolicy() throws Exception {
    Session s = sessionWithDefaults(worldSettings());

    Transport.send(message(s, "rae@good.example"));

    assertEquals(1, world.world().messagesFor("mx1.good.example").size());
    try (var files = Files.list(dir.resolve("cache"))) {
      assertTrue(files.findAny().isPresent(), "policy kept in mail.mtasts.cacheDirectory");
    }
    SendFailedException e = assertThrows(SendFailedException.class,
        () -> Transport.send(message(s, "sam@forged.example")));
    assertInstanceOf(MtaStsDeliveryException.class, e.getNextException());
    assertEquals(List.of(), world.world().messagesFor("evil.forged.example"));
  }

  @Test
  @DisplayName("issue 15: mail.mtasts.store as a directory path keeps the policies and the TLS-RPT"
      + " counts there")
  void issue15_storeAsADirectory_keepsPolicies() throws Exception {
    Properties settings = worldSettings();
    settings.remove(Settings.CACHE_DIRECTORY);
    settings.setProperty(Settings.STORE, dir.resolve("state").toString());
    Transport.send(message(sessionWithDefaults(settings), "rae@good.example"));
    assertEquals(1, world.world().messagesFor("mx1.good.example").size());
    try (var files = Files.list(dir.resolve("state"))) {
      assertTrue(files.findAny().isPresent(), "policy kept in mail.mtasts.store");
    }
    assertEquals(List.of("good.example"),
        org.mtasts.report.ReportStore.directory(dir.resolve("state")).days().stream()
            .map(org.mtasts.report.ReportDay::policyDomain).toList(),
        "the session counted for TLS-RPT in the same store");
  }

  @Test
  @DisplayName("issue 15: a store URI whose module is missing, or a store beside cacheDirectory,"
      + " fails the message before anything is sent, without the password")
  void issue15_storeThatCannotBeApplied_failsClosed() throws Exception {
    Properties redis = worldSettings();
    redis.remove(Settings.CACHE_DIRECTORY);
    redis.setProperty(Settings.STORE, "redis://:s3cret@127.0.0.1:6379/0");
    MessagingException e = assertThrows(MessagingException.class,
        () -> Transport.send(message(sessionWithDefaults(redis), "rae@good.example")));
    assertTrue(e.getMessage().contains(Settings.STORE), e.getMessage());
    assertTrue(e.getMessage().contains("mta-sts-redis"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());

    Properties both = worldSettings();
    both.setProperty(Settings.STORE, dir.resolve("state").toString());
    e = assertThrows(MessagingException.class,
        () -> Transport.send(message(sessionWithDefaults(both), "rae@good.example")));
    assertTrue(e.getMessage().contains(Settings.STORE)
        && e.getMessage().contains(Settings.CACHE_DIRECTORY), e.getMessage());
    assertEquals(List.of(), world.world().messages());
    assertEquals("redis://***@h:1/0 jdbc:postgresql://h/db?user=u&password=***",
        Gates.masked("redis://:pw@h:1/0 jdbc:postgresql://h/db?user=u&password=pw"));
  }

  @Test
  @DisplayName("item 9: mail.mtasts.enforce=false as a Properties default is applied")
  void item09_enforceFalseAsDefault_isApplied() throws Exception {
    Properties defaults = worldSettings();
    defaults.setProperty(Settings.ENFORCE, "false");
    Session s = sessionWithDefaults(defaults);

    Transport.send(message(s, "sam@forged.example")); // report-only: delivered

    assertEquals(1, world.world().messagesFor("evil.forged.example").size());
  }

  @Test
  @DisplayName("item 10: mail.mtasts.trustStorePassword opens an encrypted PKCS#12 trust store")
  void item10_trustStorePassword_opensPkcs12() throws Exception {
    Path p12 = writePkcs12("changeit");
    Properties settings = worldSettings();
    settings.setProperty(Settings.TRUST_STORE, p12.toString());
    settings.setProperty(Settings.TRUST_STORE_PASSWORD, "changeit");
    Session s = sessionWithDefaults(settings);

    Transport.send(message(s, "rae@good.example"));

    assertEquals(1, world.world().messagesFor("mx1.good.example").size());
  }

  @Test
  @DisplayName("item 10, item 11: an encrypted PKCS#12 without its password fails closed")
  void item10_trustStoreWithoutPassword_failsClosed() throws Exception {
    Path p12 = writePkcs12("changeit");
    Properties settings = worldSettings();
    settings.setProperty(Settings.TRUST_STORE, p12.toString());
    Session s = sessionWithDefaults(settings);

    MessagingException e = assertThrows(MessagingException.class,
        () -> Transport.send(message(s, "rae@good.example")));
    assertFalse(e instanceof SendFailedException, "refused as a whole, not per recipient");
    assertTrue(e.getMessage().contains(Settings.TRUST_STORE), e.getMessage());
    assertTrue(e.getMessage().contains(Settings.TRUST_STORE_PASSWORD), e.getMessage());
    assertEquals(List.of(), world.world().messages());

    settings.setProperty(Settings.TRUST_STORE_PASSWORD, "wrong-password");
    MessagingException wrong = assertThrows(MessagingException.class,
        () -> Transport.send(message(sessionWithDefaults(settings), "rae@good.example")));
    assertTrue(wrong.getMessage().contains(Settings.TRUST_STORE), wrong.getMessage());
    assertFalse(wrong.getMessage().contains("wrong-password"), wrong.getMessage());
    assertEquals(List.of(), world.world().messages());
  }

  @Test
  @DisplayName("item 11: a trust store that cannot be read fails closed, naming the property")
  void item11_unreadableTrustStore_failsClosed() throws Exception {
    Properties settings = worldSettings();
    settings.setProperty(Settings.TRUST_STORE, dir.resolve("missing.pem").toString());
    Session s = sessionWithDefaults(settings);

    MessagingException e = assertThrows(MessagingException.class,
        () -> Transport.send(message(s, "rae@good.example")));
    assertTrue(e.getMessage().contains(Settings.TRUST_STORE), e.getMessage());
    assertTrue(e.getMessage().contains("missing.pem"), e.getMessage());
    assertEquals(List.of(), world.world().messages());
  }

  @Test
  @DisplayName("item 11: an unknown mail.mtasts.* name (a typo) fails the message, nothing sent")
  void item11_typoInSettingName_failsClosed() throws Exception {
    Properties settings = worldSettings();
    settings.setProperty("mail.mtasts.enforced", "false");
    Session s = sessionWithDefaults(settings);

    MessagingException e = assertThrows(MessagingException.class,
        () -> Transport.send(message(s, "rae@good.example")));
    assertTrue(e.getMessage().contains("mail.mtasts.enforced"), e.getMessage());
    assertEquals(List.of(), world.world().messages());
  }

  @Test
  @DisplayName("item 11, item 12: an inline '#' comment in a value fails the message")
  void item11_inlineComment_failsClosed() throws Exception {
    Properties settings = worldSettings();
    settings.setProperty(Settings.CACHE_DIRECTORY,
        dir.resolve("cache").toString() + "   # survives restarts");
    Session s = sessionWithDefaults(settings);

    MessagingException e = assertThrows(MessagingException.class,
        () -> Transport.send(message(s, "rae@good.example")));
    assertTrue(e.getMessage().contains(Settings.CACHE_DIRECTORY), e.getMessage());
    assertEquals(List.of(), world.world().messages());
  }

  @Test
  @DisplayName("item 11: allowPrivateAddresses=true is logged at WARN once per configuration")
  void item11_allowPrivateAddresses_warnsOnce() throws Exception {
    Session s = sessionWithDefaults(worldSettings()); // a fresh cache directory: a new config

    String log = SettingsTest.stderrOf(() -> {
      try {
        Transport.send(message(s, "rae@good.example"));
        Transport.send(message(s, "tia@good.example"));
      } catch (MessagingException e) {
        throw new AssertionError(e);
      }
    });
    assertEquals(2, world.world().messagesFor("mx1.good.example").size());
    assertEquals(1, log.split("allowPrivateAddresses=true: the address guard", -1).length - 1,
        log);
  }

  private Path writePkcs12(String password) throws Exception {
    KeyStore source = world.world().trustStore();
    KeyStore p12 = KeyStore.getInstance("PKCS12");
    p12.load(null, null);
    for (String alias : java.util.Collections.list(source.aliases())) {
      p12.setCertificateEntry(alias, source.getCertificate(alias));
    }
    Path file = dir.resolve("trust.p12");
    try (OutputStream out = Files.newOutputStream(file)) {
      p12.store(out, password.toCharArray()); // JDK 17: certificates encrypted with the password
    }
    return file;
  }
}
