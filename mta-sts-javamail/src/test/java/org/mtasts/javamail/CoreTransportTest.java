package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Message;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.DeliveryDecision;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.MtaStsListener;
import org.mtasts.tls.RefusalReason;

/**
 * The transport scenarios end to end with the core: {@code MtaSts} resolving policies over the
 * world's DNS and HTTPS, and {@code MxTlsVerifier} checking MX certificates in the handshake.
 */
class CoreTransportTest extends MtaStsTransportTest {
  private final List<DeliveryDecision> decisions = new CopyOnWriteArrayList<>();
  private MtaSts sts;

  @Override
  void configure(Properties props) {
    HostResolver resolver = WorldClients.resolver(world);
    sts = WorldClients.client(world, resolver)
        .listener(new MtaStsListener() {
          @Override
          public void deliveryRefused(DeliveryDecision decision) {
            decisions.add(decision);
          }

          @Override
          public void testingViolation(DeliveryDecision decision) {
            decisions.add(decision);
          }
        })
        .build();
    props.put(Settings.INSTANCE, sts);
    props.put(Settings.TRUST_MANAGER, world.trustManager());
    props.put(Settings.HOST_RESOLVER, resolver);
  }

  @AfterEach
  void close() {
    sts.close();
  }

  @Test
  @DisplayName("STS-TLS-03, STS-TLS-06: the verifier names each TLS defect exactly")
  void tlsDefects_exactReasons() throws Exception {
    Transport.send(message("quin@tls.example"));

    assertEquals(List.of(RefusalReason.TLS_VERSION, RefusalReason.CERTIFICATE_HOST_MISMATCH,
        RefusalReason.TLS_HANDSHAKE_FAILED), violations());
    assertTrue(world.policyRequests("tls.example") >= 1, "policy fetched over HTTPS");
  }

  @Test
  @DisplayName("default client from mail.mtasts.* properties (no mail.mtasts.instance)")
  void defaultClient_fromProperties(@TempDir Path dir) throws Exception {
    Properties p = new Properties();
    p.put("mail.transport.protocol.rfc822", MtaStsTransport.PROTOCOL);
    p.put("mail.smtp.localhost", "client.test");
    p.put("mail.mtasts.dns.servers", world.dnsAddress().getAddress().getHostAddress() + ":"
        + world.dnsAddress().getPort());
    p.put("mail.mtasts.trustStore", world.writeTrustPem(dir.resolve("trust.pem")).toString());
    p.put("mail.mtasts.allowPrivateAddresses", "true");
    p.put("mail.mtasts.cacheDirectory", dir.resolve("cache").toString());
    p.put(Settings.HOST_RESOLVER, WorldClients.resolver(world));
    Session s = Session.getInstance(p);

    MimeMessage ok = new MimeMessage(s);
    ok.setFrom(new InternetAddress("sender@client.test"));
    ok.addRecipient(Message.RecipientType.TO, new InternetAddress("rae@good.example"));
    ok.setText("x");
    Transport.send(ok);
    assertEquals(1, world.messagesFor("mx1.good.example").size());
    try (var files = java.nio.file.Files.list(dir.resolve("cache"))) {
      assertTrue(files.findAny().isPresent(), "policy kept in mail.mtasts.cacheDirectory");
    }

    MimeMessage refused = new MimeMessage(s);
    refused.setFrom(new InternetAddress("sender@client.test"));
    refused.addRecipient(Message.RecipientType.TO, new InternetAddress("sam@nopass.example"));
    refused.setText("x");
    SendFailedException e = assertThrows(SendFailedException.class, () -> Transport.send(refused));
    assertInstanceOf(MtaStsDeliveryException.class, e.getNextException());
    assertEquals(1, world.messages().size());
  }

  @Test
  @DisplayName("MtaStsMail.session(props, mtaSts): Transport.send goes through MTA-STS")
  void sessionFactory_transportSend() throws Exception {
    Properties p = new Properties();
    p.put("mail.smtp.localhost", "client.test");
    p.put(Settings.TRUST_MANAGER, world.trustManager());
    p.put(Settings.HOST_RESOLVER, WorldClients.resolver(world));
    Session s = MtaStsMail.session(p, sts);
    assertInstanceOf(MtaStsTransport.class, s.getTransport());

    MimeMessage m = new MimeMessage(s);
    m.setFrom(new InternetAddress("sender@client.test"));
    m.addRecipient(Message.RecipientType.TO, new InternetAddress("tia@fallback.example"));
    m.setText("x");
    Transport.send(m);

    assertEquals(1, world.messagesFor("good.fallback.example").size());
    assertEquals(5, violations().size());
  }

  @Test
  void sessionFactory_nullArguments() {
    assertThrows(NullPointerException.class, () -> MtaStsMail.session(null, sts));
    assertThrows(NullPointerException.class, () -> MtaStsMail.session(new Properties(), null));
  }

  @Override
  List<RefusalReason> violations() {
    return decisions.stream().map(d -> d.reason().orElseThrow()).toList();
  }
}
