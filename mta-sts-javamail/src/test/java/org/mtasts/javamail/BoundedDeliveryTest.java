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
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
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

/**
 * Issue 12, items 1, 2 and 4 end to end (real DNS, policy hosts, STARTTLS receivers and the core
 * client): what one MX can make the transport read is bounded, and crossing a bound is a
 * temporary failure of that MX, after which the next MX is tried (STS-MX-07); one delivery is
 * bounded by its deadline and by the addresses tried per MX; reply text reaches the application
 * printable.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BoundedDeliveryTest {
  /** Generous bound that proves "no hang" for the timed cases. */
  private static final Duration NO_HANG = Duration.ofSeconds(25);

  @RegisterExtension
  static final TestWorldExtension world = TestWorldExtension.create(w -> w
      .domain("flood.example", d -> d
          .policy("enforce", "*.flood.example")
          .mx(10, "mx1.flood.example", hostile(Stage.EHLO, HostileReply.endlessContinuation(250)))
          .mx(20, "mx2.flood.example", Mx.goodTls()))
      .domain("longline.example", d -> d
          .policy("enforce", "*.longline.example")
          .mx(10, "mx1.longline.example", hostile(Stage.GREETING, HostileReply.hugeLine(220)))
          .mx(20, "mx2.longline.example", Mx.goodTls()))
      .domain("trickle.example", d -> d
          .policy("enforce", "*.trickle.example")
          .mx(10, "mx1.trickle.example",
              hostile(Stage.GREETING, HostileReply.trickle(220, Duration.ofMillis(20))))
          .mx(20, "mx2.trickle.example", Mx.goodTls()))
      .domain("tlsflood.example", d -> d
          .policy("enforce", "*.tlsflood.example")
          .mx(10, "mx1.tlsflood.example",
              hostile(Stage.EHLO_AFTER_TLS, HostileReply.endlessContinuation(250)))
          .mx(20, "mx2.tlsflood.example", Mx.goodTls()))
      .domain("rcptflood.example", d -> d
          .policy("enforce", "*.rcptflood.example")
          .mx(10, "mx1.rcptflood.example",
              hostile(Stage.RCPT, HostileReply.endlessContinuation(250)))
          .mx(20, "mx2.rcptflood.example", Mx.goodTls()))
      .domain("dataflood.example", d -> d
          .policy("enforce", "*.dataflood.example")
          .mx(10, "mx1.dataflood.example",
              hostile(Stage.DATA_END, HostileReply.hugeLine(250)))
          .mx(20, "mx2.dataflood.example", Mx.goodTls()))
      .domain("slow.example", d -> d
          .policy("enforce", "*.slow.example")
          .mx(10, "mx1.slow.example",
              hostile(Stage.GREETING, HostileReply.slowLines(220, Duration.ofMillis(50))))
          .mx(20, "mx2.slow.example", Mx.goodTls())
          .mx(30, "mx3.slow.example", Mx.goodTls()))
      .domain("many.example", d -> d
          .policy("enforce", "mx.many.example")
          .mx(10, "mx.many.example", Mx.goodTls()))
      .domain("evil.example", d -> d
          .mx(10, "mx.evil.example", Mx.goodTls().with(b -> b.hostile(Stage.RCPT,
              HostileReply.raw("550-bad\u001b[31m red\r550-bare CR\n550 5.1.1 \u0007end\r\n")))))
      .domain("evilgreeting.example", d -> d
          .mx(10, "mx.evilgreeting.example", Mx.goodTls().with(b -> b.hostile(Stage.GREETING,
              HostileReply.raw("554-go\u001b]0;owned\u0007\r\n554 away\r\n")))))
  ).resetBeforeEach();

  private static MtaSts sts;
  private static HostResolver worldResolver;

  private static Mx hostile(Stage stage, HostileReply reply) {
    return Mx.goodTls().with(b -> b.hostile(stage, reply));
  }

  @BeforeAll
  static void client() {
    worldResolver = WorldClients.resolver(world);
    sts = WorldClients.client(world, worldResolver)
        .build();
  }

  @AfterAll
  static void close() {
    sts.close();
  }

  private static Properties props() {
    Properties props = new Properties();
    props.put("mail.smtp.localhost", "client.test");
    props.put(Settings.TRUST_MANAGER, world.trustManager());
    props.put(Settings.HOST_RESOLVER, worldResolver);
    return props;
  }

  /** Sends to {@code to} over a transport of its own; returns what happened to its domain. */
  private static DomainDelivery send(Properties props, String to) throws MessagingException {
    Session session = MtaStsMail.session(props, sts);
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress("sender@client.test"));
    m.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
    m.setText("bounded");
    MtaStsTransport transport = (MtaStsTransport) session.getTransport(MtaStsTransport.PROTOCOL);
    transport.connect();
    try {
      transport.sendMessage(m, m.getAllRecipients());
    } catch (SendFailedException expected) {
      // read from lastDeliveries()
    } finally {
      transport.close();
    }
    return transport.lastDeliveries().get(0);
  }

  private static void assertNextMxDelivered(DomainDelivery d, String mx1, String mx2,
      String reason) {
    assertEquals(1, d.sent().size(), d.toString());
    assertEquals(mx2, d.deliveredBy().orElseThrow().host());
    MxAttempt first = d.attempts().get(0);
    assertEquals(mx1, first.host());
    assertEquals(MxAttempt.Result.SMTP_FAILED, first.result());
    assertEquals("4.4.2", first.statusCode().orElseThrow(), "temporary");
    assertTrue(first.message().contains(reason), first.message());
    assertEquals(1, world.messagesFor(mx2).size());
    assertTrue(world.messagesFor(mx1).isEmpty());
  }

  @Test
  @DisplayName("item01: endless 250- continuation lines: reply limit, next MX (SEC-08, STS-MX-07)")
  void item01_endlessContinuationLines_nextMxTried_SEC_08() throws Exception {
    DomainDelivery d = send(props(), "a@flood.example");
    assertNextMxDelivered(d, "mx1.flood.example", "mx2.flood.example",
        "mx1.flood.example sent a reply longer than 65536 bytes");
  }

  @Test
  @DisplayName("item01: a greeting line that never ends: line limit, next MX (SEC-08, STS-MX-07)")
  void item01_oneHugeLine_nextMxTried_SEC_08() throws Exception {
    DomainDelivery d = send(props(), "a@longline.example");
    assertNextMxDelivered(d, "mx1.longline.example", "mx2.longline.example",
        "sent a reply line longer than 4096 bytes");
  }

  @Test
  @DisplayName("item01: a byte every 20 ms, under the read timeout: reply time, next MX (SEC-09)")
  void item01_aByteAtATime_replyTimeout_nextMxTried_SEC_09() throws Exception {
    Properties props = props();
    props.put(Settings.REPLY_TIMEOUT, "500");
    long start = System.nanoTime();
    DomainDelivery d = send(props, "a@trickle.example");
    assertNextMxDelivered(d, "mx1.trickle.example", "mx2.trickle.example",
        "sent one reply for longer than 500 ms (mail.mtasts.replyTimeout)");
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(NO_HANG) < 0);
  }

  @Test
  @DisplayName("item01: the EHLO reply inside TLS never ends: the TLS socket is bounded (SEC-08)")
  void item01_replyAfterStartTls_bounded_nextMxTried_SEC_08() throws Exception {
    DomainDelivery d = send(props(), "a@tlsflood.example");
    assertNextMxDelivered(d, "mx1.tlsflood.example", "mx2.tlsflood.example",
        "sent a reply longer than 65536 bytes");
    assertEquals(1, world.smtp("mx1.tlsflood.example").tlsHandshakes());
  }

  @Test
  @DisplayName("item01: a bound crossed before DATA: the MX cannot hold the message, next MX")
  void item01_limitBeforeData_nextMxTried() throws Exception {
    DomainDelivery d = send(props(), "a@rcptflood.example");
    assertNextMxDelivered(d, "mx1.rcptflood.example", "mx2.rcptflood.example",
        "sent a reply longer than 65536 bytes");
  }

  @Test
  @DisplayName("item01: a bound crossed after DATA: unsent (temporary), never a second MX")
  void item01_limitAfterData_notSentToAnotherMx() throws Exception {
    DomainDelivery d = send(props(), "a@dataflood.example");
    assertEquals(List.of(new InternetAddress("a@dataflood.example")), d.unsent());
    assertEquals(0, world.smtp("mx2.dataflood.example").connectionCount(),
        "the first MX may have the message: no second copy");
    MtaStsDeliveryException e = assertInstanceOf(MtaStsDeliveryException.class,
        d.failure().orElseThrow());
    assertEquals(MtaStsDeliveryException.Kind.NO_REACHABLE_MX, e.kind());
    assertEquals("4.4.2", e.statusCode());
    assertTrue(e.getMessage().contains("reply line longer than 4096 bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("after the message data was sent"), e.getMessage());
  }

  @Test
  @DisplayName("item02: the deadline passes on a slow MX: the others are not tried (SEC-09)")
  void item02_deadline_remainingMxNotTried_SEC_09() throws Exception {
    Properties props = props();
    props.put(Settings.DELIVERY_DEADLINE, "1500");
    long start = System.nanoTime();
    DomainDelivery d = send(props, "a@slow.example");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertEquals(List.of(new InternetAddress("a@slow.example")), d.unsent(), "temporary");
    MtaStsDeliveryException e = assertInstanceOf(MtaStsDeliveryException.class,
        d.failure().orElseThrow());
    assertEquals(MtaStsDeliveryException.Kind.DEADLINE_EXCEEDED, e.kind());
    assertFalse(e.isPermanent());
    assertEquals("4.4.2", e.statusCode());
    assertTrue(e.getMessage().contains("its deadline of 1500 ms (mail.mtasts.deliveryDeadline)"
        + " passed; not tried: mx2.slow.example, mx3.slow.example"), e.getMessage());
    assertEquals(1, d.attempts().size(), d.attempts().toString());
    assertTrue(d.attempts().get(0).message().contains("delivery deadline of 1500 ms"),
        d.attempts().get(0).message());
    assertEquals(0, world.smtp("mx2.slow.example").connectionCount());
    assertEquals(0, world.smtp("mx3.slow.example").connectionCount());
    assertTrue(took.compareTo(Duration.ofMillis(1400)) >= 0, "the deadline, not less: " + took);
    assertTrue(took.compareTo(NO_HANG) < 0, "bounded: " + took);
  }

  @Test
  @DisplayName("item02: at most mail.mtasts.mxAddressLimit (5) addresses per MX (STS-MX-07)")
  void item02_mxAddressLimit_sixthAddressNotTried_STS_MX_07() throws Exception {
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      addresses.add(refusingAddress());
    }
    addresses.add(world.hostMap().get("mx.many.example")); // the sixth: the real receiver
    HostResolver many = (host, port) -> host.equals("mx.many.example")
        ? addresses : worldResolver.resolve(host, port);
    Properties props = props();
    props.put(Settings.HOST_RESOLVER, many);

    DomainDelivery limited = send(props, "a@many.example");
    assertTrue(limited.sent().isEmpty(), limited.toString());
    assertEquals(MxAttempt.Result.CONNECTION_FAILED, limited.attempts().get(0).result());
    assertEquals(0, world.smtp("mx.many.example").connectionCount(), "sixth address not tried");

    props.put(Settings.MX_ADDRESS_LIMIT, "6");
    DomainDelivery wider = send(props, "a@many.example");
    assertEquals(1, wider.sent().size(), wider.toString());
  }

  @Test
  void item02_badLimits_areRefused() throws Exception {
    for (String[] bad : new String[][] {{Settings.MX_ADDRESS_LIMIT, "0"},
        {Settings.DELIVERY_DEADLINE, "0"}, {Settings.REPLY_TIMEOUT, "soon"}}) {
      Properties props = props();
      props.put(bad[0], bad[1]);
      // Refused when the session is made (MtaStsMail checks the settings) or, at the latest,
      // when a message is sent; never ignored.
      Exception e = assertThrows(Exception.class, () -> {
        Session session = MtaStsMail.session(props, sts);
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("sender@client.test"));
        m.addRecipient(Message.RecipientType.TO, new InternetAddress("a@many.example"));
        m.setText("x");
        jakarta.mail.Transport.send(m);
      });
      assertTrue(e instanceof MessagingException || e instanceof IllegalArgumentException,
          e.toString());
      assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
    }
  }

  @Test
  void item02_defaults() {
    Settings s = Settings.of(Session.getInstance(new Properties()));
    assertEquals(5, s.mxAddressLimit());
    assertEquals(300_000, s.deliveryDeadlineMillis());
    assertEquals(60_000, s.replyTimeoutMillis());
  }

  @Test
  @DisplayName("item04: SMTP reply text with CR, LF, ESC, BEL reaches the app escaped (SEC-20)")
  void item04_replyTextWithControlCharacters_escaped_SEC_20() throws Exception {
    Session session = MtaStsMail.session(props(), sts);
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress("sender@client.test"));
    m.addRecipient(Message.RecipientType.TO, new InternetAddress("a@evil.example"));
    m.addRecipient(Message.RecipientType.TO, new InternetAddress("b@evilgreeting.example"));
    m.setText("x");
    MtaStsTransport transport = (MtaStsTransport) session.getTransport(MtaStsTransport.PROTOCOL);
    transport.connect();
    SendFailedException top;
    try {
      top = assertThrows(SendFailedException.class,
          () -> transport.sendMessage(m, m.getAllRecipients()));
    } finally {
      transport.close();
    }
    assertPrintable(top.getMessage());
    List<DomainDelivery> deliveries = transport.lastDeliveries();
    MxAttempt rcpt = deliveries.get(0).attempts().get(0);
    assertPrintable(rcpt.message());
    assertPrintable(rcpt.toString());
    assertTrue(rcpt.message().contains("550-bad\\u001b[31m red"), rcpt.message());
    MxAttempt greeting = deliveries.get(1).attempts().get(0);
    assertPrintable(greeting.message());
    assertTrue(greeting.message().contains("\\u001b]0;owned\\u0007"), greeting.message());
    MtaStsDeliveryException e = assertInstanceOf(MtaStsDeliveryException.class,
        deliveries.get(1).failure().orElseThrow());
    assertPrintable(e.getMessage());
  }

  private static void assertPrintable(String text) {
    assertTrue(text.chars().allMatch(c -> c >= 0x20 && c < 0x7f), "not printable: " + text);
  }

  /** A loopback address where nothing listens: connecting is refused at once. */
  private static InetSocketAddress refusingAddress() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return (InetSocketAddress) s.getLocalSocketAddress();
    }
  }
}
