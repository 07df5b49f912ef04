package org.mtasts.examples.cli;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.mtasts.DeliveryDecision;
import org.mtasts.HostResolver;
import org.mtasts.LookupFailure;
import org.mtasts.MtaSts;
import org.mtasts.MtaStsListener;
import org.mtasts.PolicyLookup;
import org.mtasts.TlsReporter;
import org.mtasts.tls.DaneResult;
import org.mtasts.tls.RefusalReason;
import org.mtasts.dns.DnsClient;
import org.mtasts.examples.cli.DemoObservation.Attempt;
import org.mtasts.examples.cli.DemoObservation.Event;
import org.mtasts.examples.cli.DemoObservation.MxSeen;
import org.mtasts.examples.cli.DemoObservation.Received;
import org.mtasts.examples.cli.DemoObservation.Refusal;
import org.mtasts.examples.cli.DemoObservation.Send;
import org.mtasts.javamail.DomainDelivery;
import org.mtasts.javamail.MtaStsDeliveryException;
import org.mtasts.javamail.MtaStsMail;
import org.mtasts.javamail.MtaStsTransport;
import org.mtasts.javamail.MxAttempt;
import org.mtasts.javamail.ReportSigner;
import org.mtasts.javamail.TlsReportMailer;
import org.mtasts.report.ReportStore;
import org.mtasts.report.ReportSubmitter;
import org.mtasts.testkit.TestWorld;
import org.mtasts.testkit.smtp.ReceivedMessage;
import org.mtasts.testkit.smtp.SmtpReceiver;

/**
 * The demo's offline internet and the sending side pointed at it: a testkit world (loopback DNS,
 * HTTPS policy hosts, STARTTLS receivers, a throw-away CA), one {@link MtaSts} client with a
 * listener that records events and a report store that counts every MX session for TLS reports
 * (RFC 8460), and a Jakarta Mail session made by {@link MtaStsMail#session}.
 */
final class DemoWorld implements AutoCloseable {
  static final String SENDER = "demo@sender.example";
  private static final Duration DNS_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration FETCH_DEADLINE = Duration.ofSeconds(10);
  private static final String SMTP_TIMEOUT_MS = "10000";

  final TestWorld world;
  private final MtaSts sts;
  private final Session session;
  /** Where the transport counts every MX session for TLS reports, as a sender with reporting on. */
  private final ReportStore reports = ReportStore.memory();
  /** The report deliverer's session: direct to MX, without the overrides of tests. */
  private final Session reportSession;
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final DemoClock clock = new DemoClock();

  private DemoWorld(TestWorld world, Properties overrides) {
    this.world = world;
    HostResolver resolver = HostResolver.overriding(world.hostMap(), HostResolver.none());
    this.sts =
        MtaSts.builder()
            .dnsClient(
                DnsClient.builder()
                    .server(world.dnsAddress())
                    .timeout(DNS_TIMEOUT)
                    .clock(clock)
                    .build())
            // DANE's lookups validate DNSSEC from the world's root, as a real sender's do from
            // IANA's (RFC 7672); MTA-STS's keep the plain client.
            .daneDnsClient(
                DnsClient.builder()
                    .server(world.dnsAddress())
                    .timeout(DNS_TIMEOUT)
                    .clock(clock)
                    .dnssecTrustAnchors(world.dnssecTrustAnchor())
                    .build())
            .clock(clock)
            .hostResolver(resolver)
            .trustManager(world.trustManager())
            .allowPrivateAddresses(true)
            .fetchDeadline(FETCH_DEADLINE)
            .listener(new Recorder())
            .reportStore(reports)
            .build();
    Properties props = new Properties();
    props.put("mail.smtp.localhost", "sender.example");
    props.put("mail.mtasts.trustManager", world.trustManager());
    props.put("mail.mtasts.hostResolver", resolver);
    props.put("mail.mtasts.connectiontimeout", SMTP_TIMEOUT_MS);
    props.put("mail.mtasts.timeout", SMTP_TIMEOUT_MS);
    this.reportSession = TlsReportMailer.directSession(props, sts);
    Properties sessionProps = new Properties();
    sessionProps.putAll(props);
    sessionProps.putAll(overrides);
    this.session = MtaStsMail.session(sessionProps, sts);
  }

  /**
   * Starts the world {@code spec} describes, with a session whose properties {@code overrides}
   * amends (tests use it to break the transport on purpose); close the result.
   */
  static DemoWorld start(Consumer<TestWorld.Builder> spec, Properties overrides) {
    TestWorld world = TestWorld.start(spec);
    try {
      return new DemoWorld(world, overrides);
    } catch (RuntimeException | Error e) {
      world.close();
      throw e;
    }
  }

  /**
   * Sends one message to {@code recipient} through the session's MTA-STS transport, as {@code
   * Transport.send} does, and returns what happened: the transport's MX attempts, and the world's
   * observations made during the send (changes of the counters, new mail, new events for the
   * recipient's domain).
   */
  Send send(String recipient, String subject) {
    String domain = recipient.substring(recipient.indexOf('@') + 1).toLowerCase(Locale.ROOT);
    List<String> hosts = new ArrayList<>(new TreeSet<>(world.mxHosts()));
    Map<String, Integer> connectionsBefore = new LinkedHashMap<>();
    Map<String, Integer> messagesBefore = new LinkedHashMap<>();
    for (String host : hosts) {
      SmtpReceiver receiver = receiver(host);
      if (receiver != null) {
        connectionsBefore.put(host, receiver.connectionCount());
        messagesBefore.put(host, receiver.messages().size());
      }
    }
    int policyRequestsBefore = world.policyRequests(domain);
    int eventsBefore = events.size();

    boolean returnedNormally = false;
    Refusal refusal = null;
    String error = null;
    List<Attempt> attempts = new ArrayList<>();
    try {
      MimeMessage message = message(recipient, subject);
      message.saveChanges(); // what Transport.send does first
      MtaStsTransport transport = (MtaStsTransport) session.getTransport(MtaStsTransport.PROTOCOL);
      transport.connect();
      try {
        transport.sendMessage(message, message.getAllRecipients());
        returnedNormally = true;
      } finally {
        for (DomainDelivery delivery : transport.lastDeliveries()) {
          delivery.attempts().forEach(a -> attempts.add(attempt(a)));
        }
        transport.close();
      }
    } catch (MessagingException e) {
      MtaStsDeliveryException sts = find(e);
      if (sts != null) {
        refusal = refusal(sts);
      } else {
        error = MtaStsCommand.describe(e);
      }
    }

    // Each message is captured before the client sees the 250 for it, so whatever was delivered
    // is already recorded: no waiting here.
    Map<String, MxSeen> seen = new LinkedHashMap<>();
    for (String host : connectionsBefore.keySet()) {
      SmtpReceiver receiver = receiver(host);
      int connections = receiver.connectionCount() - connectionsBefore.get(host);
      List<ReceivedMessage> all = receiver.messages();
      List<Received> received = new ArrayList<>();
      for (ReceivedMessage m : all.subList(Math.min(messagesBefore.get(host), all.size()),
          all.size())) {
        received.add(new Received(host, m.tlsActive(), m.tlsProtocol().orElse(null),
            m.sniHostName().orElse(null)));
      }
      if (connections != 0 || !received.isEmpty()) {
        seen.put(host, new MxSeen(host, connections, List.copyOf(received)));
      }
    }
    List<Event> allEvents = List.copyOf(events);
    List<Event> newEvents =
        allEvents.subList(eventsBefore, allEvents.size()).stream()
            .filter(e -> e.domain().equals(domain))
            .toList();
    return new Send(recipient, returnedNormally, refusal, error, seen,
        world.policyRequests(domain) - policyRequestsBefore, newEvents, List.copyOf(attempts));
  }

  /**
   * Moves the sender's clock (policy lifetimes, fetch back-off, DNS cache) forward, as if that much
   * time had passed. The world's clock and the MX certificates' validity are not affected.
   */
  void advanceClock(Duration duration) {
    clock.advance(duration);
  }

  /**
   * Sends every TLS report the store holds now, today's included as if the day had ended, the way
   * {@link TlsReporter} sends them after 00:00 UTC: {@code _smtp._tls} looked up in the world's
   * DNS, {@code mailto:} reports signed by {@code signer} and delivered direct to MX.
   */
  List<TlsReporter.Outcome> sendReports(ReportSubmitter submitter, ReportSigner signer)
      throws IOException {
    TlsReportMailer mailer = TlsReportMailer.builder().session(reportSession).signer(signer)
        .build();
    try (TlsReporter reporter = TlsReporter.builder(sts).submitter(submitter).store(reports)
        .mailer(mailer).build()) {
      return reporter.sendDue(true);
    }
  }

  /** The report days the store still holds: {@code policy-domain date}. */
  List<String> reportDaysLeft() throws IOException {
    return reports.days().stream().map(d -> d.policyDomain() + " " + d.day()).toList();
  }

  private SmtpReceiver receiver(String host) {
    try {
      return world.smtp(host);
    } catch (IllegalArgumentException e) {
      return null; // an unreachable host has no receiver
    }
  }

  private MimeMessage message(String recipient, String subject) throws MessagingException {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress(SENDER));
    m.addRecipient(Message.RecipientType.TO, new InternetAddress(recipient));
    m.setSubject(subject);
    m.setText("Sent by `mta-sts demo` through the MTA-STS transport.\n");
    return m;
  }

  private static MtaStsDeliveryException find(MessagingException e) {
    for (Exception x = e; x != null;
        x = x instanceof MessagingException me ? me.getNextException() : null) {
      if (x instanceof MtaStsDeliveryException sts) {
        return sts;
      }
    }
    return null;
  }

  private static Refusal refusal(MtaStsDeliveryException e) {
    List<Attempt> attempts = new ArrayList<>();
    for (MxAttempt a : e.attempts()) {
      attempts.add(attempt(a));
    }
    return new Refusal(e.domain(), kebab(e.kind().name()), e.isPermanent(), e.statusCode(),
        List.copyOf(attempts));
  }

  private static Attempt attempt(MxAttempt a) {
    return new Attempt(a.host(), kebab(a.result().name()), a.connected(),
        a.reason().map(RefusalReason::code).orElse(null), a.statusCode().orElse(null),
        a.dane().map(DaneResult::code).orElse(null));
  }

  static String kebab(String enumName) {
    return enumName.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  @Override
  public void close() {
    try {
      sts.close();
    } finally {
      world.close();
    }
  }

  /** The system clock plus an offset the demo moves forward; never backward. */
  private static final class DemoClock extends Clock {
    private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

    void advance(Duration duration) {
      offset.updateAndGet(o -> o.plus(duration));
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(offset.get());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("the demo clock is UTC only");
    }
  }

  /** Keeps the listener events the checks look at. Fast and never throws, as a listener must. */
  private final class Recorder extends MtaStsListener {
    @Override
    public void deliveryRefused(DeliveryDecision decision) {
      add("delivery-refused", decision);
    }

    @Override
    public void testingViolation(DeliveryDecision decision) {
      add("testing-violation", decision);
    }

    @Override
    public void staleServed(PolicyLookup lookup) {
      events.add(new Event("stale-served", lookup.domain(), null, null, null,
          lookup.failure().map(LookupFailure::message).orElse("")));
    }

    private void add(String type, DeliveryDecision d) {
      RefusalReason reason = d.reason().orElse(null);
      events.add(new Event(type, d.domain(), d.mxHost(), reason == null ? null : reason.code(),
          reason == null ? null : reason.transientStatusCode(), d.message()));
    }
  }
}
