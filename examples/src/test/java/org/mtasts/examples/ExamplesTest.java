package org.mtasts.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.tls.MxTlsVerifier;
import org.mtasts.tls.RefusalReason;
import org.mtasts.dns.DnsClient;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.smtp.ReceivedMessage;

/** Smoke-runs the examples against a testkit world. */
class ExamplesTest {
  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(w -> w
          .domain("example.com", d -> d
              .policy("enforce", "mx1.example.com", "mx2.example.com")
              .mx(10, "mx1.example.com", Mx.noStartTls())
              .mx(20, "mx2.example.com", Mx.goodTls())
              .mx(30, "evil.example.net", Mx.goodTls()))
          .domain("plain.example", d -> d.mx(10, "mx.plain.example", Mx.noStartTls())));

  private static MtaSts client() {
    return MtaSts.builder()
        .dnsClient(DnsClient.builder().server(world.dnsAddress()).build())
        .hostResolver(hosts())
        .trustManager(world.trustManager())
        .allowPrivateAddresses(true)
        .build();
  }

  private static HostResolver hosts() {
    return HostResolver.overriding(world.hostMap(), HostResolver.none());
  }

  @Test
  void lookupPolicyExamplePrintsWhatASenderWouldDo() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MtaSts sts = client(); PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      LookupPolicyExample.print(sts, "example.com", out);
      LookupPolicyExample.print(sts, "plain.example", out);
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("example.com publishes mode enforce"), text);
    assertTrue(text.contains("goes only to those MX hosts"), text);
    assertTrue(text.contains("plain.example publishes no MTA-STS policy"), text);
  }

  @Test
  void jakartaMailExampleDeliversThroughBothWaysOfSwitchingItOn() throws Exception {
    java.util.Properties app = new java.util.Properties();
    app.put("mail.mtasts.hostResolver", hosts());
    app.put("mail.mtasts.trustManager", world.trustManager());
    try (MtaSts sts = client()) {
      JakartaMailExample.send(JakartaMailExample.sessionFromClient(app, sts),
          "app@sender.example", "finnbalor@example.com", "builder");
    }
    // Properties only: the shared default client is configured by mail.mtasts.* properties.
    java.util.Properties props = new java.util.Properties();
    props.putAll(app);
    props.setProperty("mail.mtasts.dns.servers",
        world.dnsAddress().getAddress().getHostAddress() + ":" + world.dnsAddress().getPort());
    props.setProperty("mail.mtasts.allowPrivateAddresses", "true");
    JakartaMailExample.send(JakartaMailExample.sessionFromProperties(props),
        "app@sender.example", "randysavage@example.com", "properties");
    List<ReceivedMessage> got =
        world.smtp("mx2.example.com").awaitMessages(2, java.time.Duration.ofSeconds(10));
    assertTrue(got.stream().allMatch(ReceivedMessage::tlsActive));
    assertEquals(0, world.smtp("evil.example.net").connectionCount());
  }

  @Test
  void customSmtpClientSkipsTheStrippedMxAndDeliversOverVerifiedTls() throws Exception {
    try (MtaSts sts = client()) {
      CustomSmtpClientExample client =
          new CustomSmtpClientExample(sts, MxTlsVerifier.create(world.trustManager()), hosts(), 25);
      List<CustomSmtpClientExample.Attempt> attempts =
          client.send("sender@client.example", "burritos@example.com",
              "Subject: hello\r\n\r\nover verified TLS only");
      assertEquals(2, attempts.size(), attempts.toString());
      assertEquals("mx1.example.com", attempts.get(0).mxHost());
      assertEquals(RefusalReason.STARTTLS_NOT_SUPPORTED,
          attempts.get(0).decision().reason().orElseThrow());
      assertFalse(attempts.get(0).delivered());
      assertTrue(attempts.get(1).delivered(), attempts.toString());
      ReceivedMessage received = world.smtp("mx2.example.com").awaitMessages(1,
          java.time.Duration.ofSeconds(10)).get(0);
      assertTrue(received.tlsActive());
      assertTrue(received.tlsProtocol().orElseThrow().matches("TLSv1\\.[23]"));
      assertEquals(0, world.smtp("mx1.example.com").messages().size());
      assertEquals(0, world.smtp("evil.example.net").connectionCount(), "STS-MX-11 never contacted");
    }
  }
}
