package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.PolicyOverrides;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.smtp.ReceivedMessage;

/**
 * Local policy overrides (issue 17 item 4) through the transport: real STARTTLS sessions with
 * the testkit's receivers decide what each rule does to a delivery.
 */
class OverridesTransportTest {
  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(w -> w
              .domain("plain.example", d -> d.mx(10, "mx.plain.example", Mx.noStartTls()))
              .domain("tls.example", d -> d.mx(10, "mx.tls.example", Mx.goodTls()))
              .domain("testing.example", d -> d.policy("testing", "mx.testing.example")
                  .mx(10, "mx.testing.example", Mx.wrongNameCertificate()))
              .domain("broken.example", d -> d.policy("enforce", "mx.broken.example")
                  .mx(10, "mx.broken.example", Mx.expiredCertificate()))
              .domain("pinned.example", d -> d.mx(10, "mx.pinned.example", Mx.goodTls())))
          .resetBeforeEach();

  /** Starts now: the MX certificates are judged by the client's clock. */
  final MovableClock clock = new MovableClock(Instant.now());
  final List<MtaSts> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(MtaSts::close);
  }

  Session session(PolicyOverrides overrides) {
    HostResolver resolver = WorldClients.resolver(world);
    MtaSts sts = WorldClients.client(world, resolver).clock(clock).overrides(overrides).build();
    clients.add(sts);
    Properties p = new Properties();
    p.put("mail.smtp.localhost", "client.test");
    p.put(Settings.TRUST_MANAGER, world.trustManager());
    p.put(Settings.HOST_RESOLVER, resolver);
    return MtaStsMail.session(p, sts);
  }

  static MimeMessage message(Session session, String to) throws MessagingException {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress("app@client.test"));
    m.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
    m.setSubject("overrides");
    m.setText("x");
    return m;
  }

  static MtaStsDeliveryException refusal(SendFailedException e) {
    return (MtaStsDeliveryException) e.getNextException();
  }

  @Test
  @DisplayName("require-tls: a domain without a policy gets mail only over verified TLS")
  void requireTls_withoutPolicy() throws Exception {
    Session s = session(PolicyOverrides.builder().requireTls("*.example").build());
    SendFailedException e = assertThrows(SendFailedException.class,
        () -> Transport.send(message(s, "ann@plain.example")));
    assertEquals("4.7.10", refusal(e).statusCode());
    assertEquals(0, world.messagesFor("mx.plain.example").size(), "no plaintext delivery");

    Transport.send(message(s, "bob@tls.example"));
    ReceivedMessage m = world.messagesFor("mx.tls.example").get(0);
    assertTrue(m.tlsActive());
  }

  @Test
  @DisplayName("no override: the same domain without a policy gets plaintext (control)")
  void noOverride_plaintextDelivery() throws Exception {
    Transport.send(message(session(PolicyOverrides.none()), "ann@plain.example"));
    assertEquals(1, world.messagesFor("mx.plain.example").size());
  }

  @Test
  @DisplayName("treat-testing-as-enforce: a testing policy's violation refuses instead of"
      + " delivering (STS-TLS-06)")
  void treatTestingAsEnforce_STS_TLS_06() throws Exception {
    Transport.send(message(session(PolicyOverrides.none()), "cy@testing.example"));
    assertEquals(1, world.messagesFor("mx.testing.example").size(), "testing delivers");

    Session s = session(PolicyOverrides.builder().treatTestingAsEnforce("testing.example")
        .build());
    SendFailedException e = assertThrows(SendFailedException.class,
        () -> Transport.send(message(s, "cy@testing.example")));
    assertEquals("4.7.5", refusal(e).statusCode());
    assertEquals(1, world.messagesFor("mx.testing.example").size(), "nothing more delivered");
  }

  @Test
  @DisplayName("exempt until an instant: delivered as without a policy, refused again after it"
      + " (STS-TLS-04)")
  void exempt_untilItsExpiry_STS_TLS_04() throws Exception {
    Session s = session(PolicyOverrides.builder()
        .exempt("broken.example", clock.instant().plus(Duration.ofHours(1))).build());
    Transport.send(message(s, "dee@broken.example"));
    assertEquals(1, world.messagesFor("mx.broken.example").size());

    clock.advance(Duration.ofHours(1));
    SendFailedException e = assertThrows(SendFailedException.class,
        () -> Transport.send(message(s, "dee@broken.example")));
    assertEquals(MtaStsDeliveryException.Kind.POLICY_REFUSED, refusal(e).kind());
    assertEquals(1, world.messagesFor("mx.broken.example").size());
  }

  @Test
  @DisplayName("pinned: the local policy applies with no DNS or HTTPS for it; an MX it does not"
      + " list is never contacted (STS-MX-11)")
  void pinned_STS_MX_11() throws Exception {
    Session s = session(PolicyOverrides.builder().pin("pinned.example",
        "version: STSv1\nmode: enforce\nmx: mx.pinned.example\nmax_age: 86400\n").build());
    Transport.send(message(s, "eve@pinned.example"));
    assertTrue(world.messagesFor("mx.pinned.example").get(0).tlsActive());
    assertEquals(0, world.txtQueries("pinned.example"));

    Session other = session(PolicyOverrides.builder().pin("pinned.example",
        "version: STSv1\nmode: enforce\nmx: mx.elsewhere.example\nmax_age: 86400\n").build());
    SendFailedException e = assertThrows(SendFailedException.class,
        () -> Transport.send(message(other, "eve@pinned.example")));
    assertEquals(MtaStsDeliveryException.Kind.NO_MATCHING_MX, refusal(e).kind());
    assertEquals(1, world.smtp("mx.pinned.example").connectionCount());
  }

  @Test
  @DisplayName("mail.mtasts.overrides: the default client applies the file; a file it cannot"
      + " read fails the message")
  void overridesProperty_appliedAndFailsClosed(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("overrides"), "plain.example require-tls\n");
    Properties p = new Properties();
    p.put("mail.transport.protocol.rfc822", MtaStsTransport.PROTOCOL);
    p.put("mail.smtp.localhost", "client.test");
    p.put("mail.mtasts.dns.servers", world.dnsAddress().getAddress().getHostAddress() + ":"
        + world.dnsAddress().getPort());
    p.put("mail.mtasts.trustStore", world.writeTrustPem(dir.resolve("trust.pem")).toString());
    p.put("mail.mtasts.allowPrivateAddresses", "true");
    p.put(Settings.OVERRIDES, file.toString());
    p.put(Settings.HOST_RESOLVER, WorldClients.resolver(world));
    Session s = Session.getInstance(p);
    try {
      assertThrows(SendFailedException.class,
          () -> Transport.send(message(s, "ann@plain.example")));
      assertEquals(0, world.messagesFor("mx.plain.example").size());

      Path missing = dir.resolve("missing");
      p.put(Settings.OVERRIDES, missing.toString());
      MessagingException unreadable = assertThrows(MessagingException.class,
          () -> Transport.send(message(Session.getInstance(p), "ann@plain.example")));
      assertTrue(unreadable.getMessage().contains(missing.toString()), unreadable.getMessage());
      assertEquals(0, world.messagesFor("mx.plain.example").size(), "fail closed");
    } finally {
      MtaStsMail.closeDefaultClients();
    }
  }

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant start) {
      this.now = start;
    }

    synchronized void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
