package org.mtasts.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.testkit.TestWorldExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.mail.MailSendException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * Spring Boot: the auto-configured {@code JavaMailSender}, set up by {@code spring.mail.*} lines
 * in an {@code application.properties} file, as the README shows.
 */
class SpringBootMailTest {
  @RegisterExtension static final TestWorldExtension world = MailWorld.create();

  @TempDir Path dir;

  /** A Spring Boot application with nothing but auto-configuration. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  /** Starts the application with {@code application.properties} made of {@code lines}. */
  private ConfigurableApplicationContext start(String lines) throws Exception {
    Path file = dir.resolve("application.properties");
    Files.writeString(file, lines, StandardCharsets.UTF_8);
    ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
        .web(WebApplicationType.NONE)
        .properties("spring.main.banner-mode=off", "spring.config.location=file:" + file)
        .run();
    // The world's receivers listen on their own ports: map MX names to them (an object, which
    // no properties file can hold; a real application leaves this out).
    JavaMailSenderImpl sender = (JavaMailSenderImpl) context.getBean(JavaMailSender.class);
    sender.getJavaMailProperties().put(MailWorld.HOST_RESOLVER, MailWorld.hosts(world.world()));
    return context;
  }

  /** The README's block, with the world's DNS server and trust anchors. */
  private String applicationProperties() {
    Map<String, String> s = MailWorld.settings(world.world(), dir);
    return String.join("\n",
        "# Spring Boot configures a JavaMailSender only when spring.mail.host is set;",
        "# the MTA-STS transport never connects to it (mail goes direct to each MX).",
        "spring.mail.host=unused.invalid",
        "# Spring Boot's protocol defaults to smtp, which wins over mail.transport.protocol:",
        "spring.mail.protocol=smtp-mtasts",
        "spring.mail.properties.mail.transport.protocol.rfc822=smtp-mtasts",
        "spring.mail.properties.mail.mtasts.dns.servers=" + s.get("mail.mtasts.dns.servers"),
        "spring.mail.properties.mail.mtasts.trustStore=" + s.get("mail.mtasts.trustStore"),
        "spring.mail.properties.mail.mtasts.cacheDirectory="
            + s.get("mail.mtasts.cacheDirectory"),
        "spring.mail.properties.mail.mtasts.ehlo=client.test",
        "# Only for this test world, whose policy host is on loopback:",
        "spring.mail.properties.mail.mtasts.allowPrivateAddresses=true",
        "");
  }

  private static SimpleMailMessage message(String to) {
    SimpleMailMessage m = new SimpleMailMessage();
    m.setFrom("app@client.test");
    m.setTo(to);
    m.setSubject("Spring Boot");
    m.setText("sent with the auto-configured JavaMailSender");
    return m;
  }

  @Test
  @DisplayName("item 12: Spring Boot spring.mail.* set-up delivers to the listed MX over TLS"
      + " (STS-APPLY-01)")
  void item12_springBoot_deliversOverTls() throws Exception {
    try (ConfigurableApplicationContext context = start(applicationProperties())) {
      context.getBean(JavaMailSender.class).send(message(MailWorld.GOOD));
    }
    MailWorld.assertDeliveredOverTls(world.world());
  }

  @Test
  @DisplayName("item 12: Spring Boot: a forged MX is refused (STS-APPLY-02, D-22)")
  void item12_springBoot_forgedMxRefused() throws Exception {
    try (ConfigurableApplicationContext context = start(applicationProperties())) {
      MailSendException e = assertThrows(MailSendException.class,
          () -> context.getBean(JavaMailSender.class).send(message(MailWorld.FORGED)));
      MailWorld.assertForgedMxRefused(world.world(),
          e.getFailedMessages().values().iterator().next());
    }
  }

  @Test
  @DisplayName("item 12: Spring Boot keeps protocol smtp unless spring.mail.protocol is set"
      + " (mail.transport.protocol in spring.mail.properties is not enough)")
  void item12_springBoot_protocolPropertyAlone_isNotEnough() throws Exception {
    String lines = applicationProperties()
        .replace("spring.mail.protocol=smtp-mtasts",
            "spring.mail.properties.mail.transport.protocol=smtp-mtasts");
    try (ConfigurableApplicationContext context = start(lines)) {
      JavaMailSenderImpl sender = (JavaMailSenderImpl) context.getBean(JavaMailSender.class);
      assertEquals("smtp", sender.getProtocol());
    }
  }
}
