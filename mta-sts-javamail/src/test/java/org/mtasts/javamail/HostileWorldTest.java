package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.smtp.HostileReply;
import org.mtasts.testkit.smtp.HostileReply.Stage;
import org.mtasts.testkit.smtp.ReceivedMessage;

/**
 * The hostile-world suite (issue 12): one message to a recipient whose only MX is hostile and to
 * a recipient of a good domain, sent at once, in a JVM with a 64 MiB heap (the {@code hostile}
 * execution of the surefire plugin in this module's pom; the default execution leaves it out). The
 * good recipient is delivered; the hostile one fails temporarily within the delivery deadline; no
 * {@link Error} escapes; nothing is lost (the hostile address is valid-unsent).
 *
 * <p>Each hostile MX would, without the bounds of the transport, either exhaust the heap (Angus
 * keeps a reply line and a whole reply in memory, growing without limit) or hold the sending
 * thread for as long as the server likes (each byte arrives before the read timeout).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileWorldTest {
  /** The delivery deadline of the hostile domains: small, so the slow cases end quickly. */
  private static final Duration DEADLINE = Duration.ofSeconds(3);

  /**
   * The deadline where the bound under test is the reply size, not time: long enough for a TLS
   * handshake on a loaded machine (with 3 s the handshake itself ran out under a load of 20, and
   * the hostile bytes inside TLS were never reached), and still far below a hang.
   */
  private static final Duration SIZE_BOUND_DEADLINE = Duration.ofSeconds(20);

  /** Generous margin over the deadline that proves "no hang" (a loaded machine). */
  private static final Duration NO_HANG_MARGIN = Duration.ofSeconds(25);

  /** Paced hostile replies send one byte (or line) this often: far below any read timeout. */
  private static final Duration PACE = Duration.ofMillis(50);

  @RegisterExtension
  static final TestWorldExtension world = TestWorldExtension.create(w -> w
      .domain("good.example", d -> d
          .policy("enforce", "mx.good.example")
          .mx(10, "mx.good.example", Mx.goodTls()))
      .domain("continuation.example", d -> d
          .policy("enforce", "mx.continuation.example")
          .mx(10, "mx.continuation.example",
              hostile(Stage.EHLO, HostileReply.endlessContinuation(250))))
      .domain("hugeline.example", d -> d
          .policy("enforce", "mx.hugeline.example")
          .mx(10, "mx.hugeline.example", hostile(Stage.GREETING, HostileReply.hugeLine(220))))
      .domain("trickle.example", d -> d
          .policy("enforce", "mx.trickle.example")
          .mx(10, "mx.trickle.example",
              hostile(Stage.GREETING, HostileReply.trickle(220, PACE))))
      .domain("endlessgreeting.example", d -> d
          .policy("enforce", "mx.endlessgreeting.example")
          .mx(10, "mx.endlessgreeting.example",
              hostile(Stage.GREETING, HostileReply.slowLines(220, PACE))))
      .domain("aftertls.example", d -> d
          .policy("enforce", "mx.aftertls.example")
          .mx(10, "mx.aftertls.example",
              hostile(Stage.EHLO_AFTER_TLS, HostileReply.endlessContinuation(250))))
  ).resetBeforeEach();

  private static MtaSts sts;
  private static HostResolver resolver;

  private static Mx hostile(Stage stage, HostileReply reply) {
    return Mx.goodTls().with(b -> b.hostile(stage, reply));
  }

  @BeforeAll
  static void client() {
    resolver = WorldClients.resolver(world);
    sts = WorldClients.client(world, resolver)
        .build();
  }

  @AfterAll
  static void close() {
    sts.close();
  }

  @Test
  @DisplayName("hostile: endless 250- continuation lines to EHLO (SEC-08 class): bounded reply")
  void hostile_endlessContinuationLines() throws Exception {
    sendToHostileAndGood("continuation.example");
  }

  @Test
  @DisplayName("hostile: one greeting line that never ends (SEC-08 class): bounded line")
  void hostile_oneHugeLine() throws Exception {
    sendToHostileAndGood("hugeline.example");
  }

  @Test
  @DisplayName("hostile: a byte every 50 ms, under any read timeout (SEC-09 class): deadline")
  void hostile_aByteEveryInterval() throws Exception {
    sendToHostileAndGood("trickle.example");
  }

  @Test
  @DisplayName("hostile: a greeting that never ends, one line at a time (SEC-09 class)")
  void hostile_greetingThatNeverEnds() throws Exception {
    sendToHostileAndGood("endlessgreeting.example");
  }

  @Test
  @DisplayName("hostile: the EHLO reply after STARTTLS never ends (SEC-08 class, inside TLS)")
  void hostile_replyAfterStartTlsThatNeverEnds() throws Exception {
    sendToHostileAndGood("aftertls.example", SIZE_BOUND_DEADLINE);
    assertTrue(world.smtp("mx.aftertls.example").tlsHandshakes() >= 1,
        "the hostile bytes came inside TLS");
  }

  /** Sends one message to a hostile domain's recipient and a good domain's, and checks all. */
  private static void sendToHostileAndGood(String hostileDomain) throws Exception {
    sendToHostileAndGood(hostileDomain, DEADLINE);
  }

  private static void sendToHostileAndGood(String hostileDomain, Duration deadline)
      throws Exception {
    Properties props = new Properties();
    props.put("mail.smtp.localhost", "client.test");
    props.put(Settings.TRUST_MANAGER, world.trustManager());
    props.put(Settings.HOST_RESOLVER, resolver);
    props.put("mail.mtasts.deliveryDeadline", Long.toString(deadline.toMillis()));
    Session session = MtaStsMail.session(props, sts);
    InternetAddress bad = new InternetAddress("victim@" + hostileDomain);
    InternetAddress good = new InternetAddress("rae@good.example");
    MimeMessage message = new MimeMessage(session);
    message.setFrom(new InternetAddress("sender@client.test"));
    message.setRecipients(Message.RecipientType.TO, new Address[] {bad, good});
    message.setSubject("hostile world");
    message.setText("one message, a hostile and a good recipient");

    long start = System.nanoTime();
    Throwable thrown = null;
    try {
      Transport.send(message);
    } catch (Throwable t) {
      thrown = t;
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    if (thrown instanceof Error error) {
      throw new AssertionError("an Error escaped the transport: " + error, error);
    }
    SendFailedException e = assertInstanceOf(SendFailedException.class, thrown,
        "the hostile recipient is reported, not lost");
    assertEquals(List.of(good), Arrays.asList(e.getValidSentAddresses()), "good delivered");
    assertEquals(List.of(bad), Arrays.asList(e.getValidUnsentAddresses()),
        "hostile recipient valid-unsent: temporary, the application retries later");
    assertTrue(e.getInvalidAddresses() == null || e.getInvalidAddresses().length == 0,
        "nothing permanent");
    MtaStsDeliveryException failure =
        assertInstanceOf(MtaStsDeliveryException.class, e.getNextException());
    assertEquals(hostileDomain, failure.domain());
    assertTrue(failure.statusCode().startsWith("4."), failure.statusCode());
    assertTrue(!failure.attempts().isEmpty(), "the hostile MX attempt is reported");
    for (MxAttempt attempt : failure.attempts()) {
      assertTrue(attempt.statusCode().orElse("").startsWith("4."), attempt.toString());
      assertTrue(attempt.message().chars().allMatch(c -> c >= 0x20 && c < 0x7f),
          "printable reason: " + attempt.message());
    }

    List<ReceivedMessage> delivered = world.messagesFor("mx.good.example");
    assertEquals(1, delivered.size());
    assertEquals(List.of("rae@good.example"), delivered.get(0).recipients());
    assertTrue(world.messagesFor("mx." + hostileDomain).isEmpty());
    System.out.println(hostileDomain + " in " + took.toMillis() + " ms: " + failure.getMessage());
    if (took.compareTo(deadline.plus(NO_HANG_MARGIN)) > 0) {
      fail("the send took " + took + ", the deadline is " + deadline + ": " + failure);
    }
  }
}
