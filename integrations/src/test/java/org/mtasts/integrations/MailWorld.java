package org.mtasts.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.MessagingException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mtasts.HostResolver;
import org.mtasts.javamail.MtaStsDeliveryException;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorld;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.smtp.ReceivedMessage;

/**
 * The world every integration test sends into: {@code good.example} (enforce, one MX with valid
 * TLS), {@code forged.example} (enforce, but its MX record names a host the policy does not list:
 * a forged MX), and a plaintext relay, {@code relay.example}, that an application might have
 * configured as its ordinary SMTP server.
 */
final class MailWorld {
  static final String GOOD = "rae@good.example";
  static final String GOOD_MX = "mx1.good.example";
  static final String FORGED = "sam@forged.example";
  static final String FORGED_MX = "evil.forged.example";
  static final String RELAY = "relay.relay.example";

  private MailWorld() {}

  static TestWorldExtension create() {
    return TestWorldExtension.create(w -> w
        .domain("good.example", d -> d
            .policy("enforce", GOOD_MX)
            .mx(10, GOOD_MX, Mx.goodTls()))
        .domain("forged.example", d -> d
            .policy("enforce", "mx.forged.example")
            .mx(10, FORGED_MX, Mx.goodTls()))
        .domain("relay.example", d -> d.mx(10, RELAY, Mx.noStartTls()))
    ).resetBeforeEach();
  }

  /**
   * The text settings that point the transport's default client at the world: what an
   * application writes in its configuration (with its own DNS servers and trust store).
   */
  static Map<String, String> settings(TestWorld world, Path dir) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("mail.mtasts.dns.servers", world.dnsAddress().getAddress().getHostAddress() + ":"
        + world.dnsAddress().getPort());
    s.put("mail.mtasts.trustStore", world.writeTrustPem(dir.resolve("trust.pem")).toString());
    s.put("mail.mtasts.cacheDirectory", dir.resolve("mta-sts-cache").toString());
    s.put("mail.mtasts.ehlo", "client.test");
    // Only because the world's policy host listens on loopback.
    s.put("mail.mtasts.allowPrivateAddresses", "true");
    return s;
  }

  /**
   * The one setting a real application does not need: the world's receivers listen on their own
   * loopback ports instead of port 25, so MX names are mapped to them. It is an object, so it
   * goes into the session's own {@code Properties}.
   */
  static final String HOST_RESOLVER = "mail.mtasts.hostResolver";

  static HostResolver hosts(TestWorld world) {
    return HostResolver.overriding(world.hostMap(), HostResolver.none());
  }

  /** The message to {@link #GOOD} reached its listed MX, over TLS, with its name as SNI. */
  static void assertDeliveredOverTls(TestWorld world) {
    List<ReceivedMessage> got = world.messagesFor(GOOD_MX);
    assertEquals(1, got.size(), "messages at " + GOOD_MX + ": " + world.messages());
    ReceivedMessage m = got.get(0);
    assertEquals(List.of(GOOD), m.recipients());
    assertTrue(m.tlsActive(), "delivered over TLS");
    assertEquals(GOOD_MX, m.sniHostName().orElseThrow());
    assertEquals(1, world.messages().size(), "nothing else was delivered: " + world.messages());
  }

  /** The refusal of {@link #FORGED}: found in the library's exception, nothing sent anywhere. */
  static MtaStsDeliveryException assertForgedMxRefused(TestWorld world, Throwable thrown) {
    MtaStsDeliveryException refusal = find(thrown);
    assertEquals("forged.example", refusal.domain());
    assertEquals(MtaStsDeliveryException.Kind.NO_MATCHING_MX, refusal.kind());
    assertEquals("4.7.5", refusal.statusCode()); // D-22: no MX host matches the policy
    assertEquals(List.of(), world.messages(), "nothing delivered");
    assertEquals(0, world.smtp(FORGED_MX).connectionCount(), "the forged MX was never contacted");
    return refusal;
  }

  /** The {@link MtaStsDeliveryException} in a library's exception (causes and Jakarta chains). */
  static MtaStsDeliveryException find(Throwable thrown) {
    Deque<Throwable> todo = new ArrayDeque<>(List.of(thrown));
    for (int seen = 0; !todo.isEmpty() && seen < 100; seen++) {
      Throwable t = todo.pop();
      if (t instanceof MtaStsDeliveryException e) {
        return e;
      }
      if (t.getCause() != null) {
        todo.add(t.getCause());
      }
      if (t instanceof MessagingException me && me.getNextException() != null) {
        todo.add(me.getNextException());
      }
      for (Throwable s : t.getSuppressed()) {
        todo.add(s);
      }
    }
    throw new AssertionError("no MtaStsDeliveryException in " + thrown, thrown);
  }
}
