package org.mtasts.javamail;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.NoSuchProviderException;
import jakarta.mail.Provider;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.function.LongSupplier;
import org.mtasts.HostResolver;
import org.mtasts.RefusalReason;
import org.mtasts.javamail.MtaStsDeliveryException.Kind;
import org.mtasts.javamail.PolicyGate.Hop;
import org.mtasts.javamail.PolicyGate.Route;
import org.mtasts.javamail.PolicyGate.Verdict;
import org.mtasts.policy.Mode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one message to the recipients of one domain: plans the MX walk with the policy gate,
 * runs one Angus SMTP session per MX in order with the TLS settings the policy demands, and
 * decides the outcome into a {@link DomainOutcome} (conventions point 8: the transport throws).
 *
 * <p>One delivery is bounded (issue 12, item 2): at most {@code mail.mtasts.mxAddressLimit}
 * addresses per MX host, and one {@link Deadline} ({@code mail.mtasts.deliveryDeadline}) for the
 * whole domain, which shrinks the timeouts of later connects and reads; once it has passed the
 * remaining MX hosts are not tried. What an MX sends is bounded by the sockets of {@link
 * PinnedSocketFactory} (item 1); an MX that crosses a bound fails temporarily and the next MX is
 * tried, unless the message data had already been sent to it.
 *
 * <p>Used by one thread (the one in {@code sendMessage}), one domain at a time.
 */
final class Courier {
  private static final Logger log = LoggerFactory.getLogger(Courier.class);

  /** How an MX session is secured. */
  enum Security {
    /** enforce: STARTTLS required, verified certificate, TLS 1.2+; no plaintext retry. */
    ENFORCE,
    /** testing: STARTTLS if offered, certificate checked and reported, not enforced. */
    REPORT,
    /** no policy, mode none, or TLS-Required: No: STARTTLS if offered, certificate not checked. */
    OPPORTUNISTIC,
    /** the retry after a failed opportunistic handshake (never under enforce, STS-TLS-10). */
    PLAINTEXT
  }

  /** What happened to the recipients of one domain. */
  record DomainOutcome(String domain, List<Address> sent, List<Address> unsent,
      List<Address> invalid, MessagingException failure, List<MxAttempt> attempts, Mode mode) {
    DomainOutcome(String domain, List<Address> sent, List<Address> unsent,
        List<Address> invalid, MessagingException failure, List<MxAttempt> attempts) {
      this(domain, sent, unsent, invalid, failure, attempts, null);
    }

    DomainOutcome withMode(Mode policyMode) {
      return new DomainOutcome(domain, sent, unsent, invalid, failure, attempts, policyMode);
    }
  }

  /** Longest server text (e.g. an SMTP reply) quoted in a log line. */
  private static final int MAX_LOGGED = 500;

  private final Session session;
  private final Settings settings;
  private final PolicyGate policy;
  private final TlsGate tls;
  private final HostResolver resolver;
  private final LongSupplier ticker;

  /** The deadline of the domain being delivered; set by {@link #deliver}. */
  private Deadline deadline;
  /** Whether an attempt of the current domain ended because the deadline passed. */
  private boolean deadlineHit;

  Courier(Session session, Settings settings, PolicyGate policy, TlsGate tls,
      HostResolver resolver) {
    this(session, settings, policy, tls, resolver, System::nanoTime);
  }

  /** With {@code ticker} as the clock of the delivery deadline (tests). */
  Courier(Session session, Settings settings, PolicyGate policy, TlsGate tls,
      HostResolver resolver, LongSupplier ticker) {
    this.session = session;
    this.settings = settings;
    this.policy = policy;
    this.tls = tls;
    this.resolver = resolver;
    this.ticker = ticker;
  }

  DomainOutcome deliver(String domain, Address[] recipients, Message message,
      boolean tlsRequiredNo) {
    // Issue 12, item 2: one deadline for the whole domain, from the policy lookup on.
    deadline = Deadline.after(settings.deliveryDeadlineMillis(), ticker);
    deadlineHit = false;
    Route route = policy.route(domain);
    return deliver(route, recipients, message, tlsRequiredNo).withMode(route.mode());
  }

  private DomainOutcome deliver(Route route, Address[] recipients, Message message,
      boolean tlsRequiredNo) {
    Mode mode = route.mode();
    switch (route.status()) {
      case NULL_MX:
        return failed(route, Kind.NULL_MX, "5.1.10", List.of(), recipients, route.message());
      case NO_SUCH_DOMAIN:
        return failed(route, Kind.NO_SUCH_DOMAIN, "5.1.2", List.of(), recipients, route.message());
      case NO_MAIL_HOST:
        return failed(route, Kind.NO_MAIL_HOST, "5.1.2", List.of(), recipients, route.message());
      case TEMPORARY_FAILURE:
        return failed(route, Kind.DNS_TEMPORARY_FAILURE, "4.4.3", List.of(), recipients,
            route.message());
      default:
        break;
    }
    List<MxAttempt> attempts = new ArrayList<>();
    List<String> untried = new ArrayList<>();
    Security security = security(mode);
    for (Hop hop : route.hops()) {
      if (!hop.allowed() && security == Security.ENFORCE) {
        // STS-MX-11, STS-APPLY-01: a host outside an enforce policy is never contacted.
        Verdict v = policy.check(route, hop.host(), SessionFacts.noStartTls());
        attempts.add(new MxAttempt(hop.host(), MxAttempt.Result.REFUSED, false,
            RefusalReason.MX_MISMATCH, RefusalReason.MX_MISMATCH.transientStatusCode(),
            v.message()));
        continue;
      }
      if (deadline.passed()) {
        untried.add(hop.host()); // issue 12, item 2: no MX after the deadline
        continue;
      }
      DomainOutcome done = attempt(route, hop.host(), security, recipients, message, attempts);
      if (done != null) {
        return done;
      }
    }
    boolean refused =
        attempts.stream().anyMatch(a -> a.result() == MxAttempt.Result.REFUSED);
    if (refused && tlsRequiredNo && untried.isEmpty() && !deadline.passed()) {
      // RFC 8689 §4.2.2, STS-RTLS-01/03: the compliant path was tried first and failed; the
      // sender asked for delivery regardless of recipient policies. Safe by the sender's choice;
      // the refusals above were reported to the listener (STS-RTLS-07).
      log.warn("{}: delivering without MTA-STS enforcement because the message carries"
          + " 'TLS-Required: No' (RFC 8689); refusals: {}", route.domain(), attempts);
      for (Hop hop : route.hops()) {
        if (deadline.passed()) {
          untried.add(hop.host());
          continue;
        }
        DomainOutcome done =
            attempt(null, hop.host(), Security.OPPORTUNISTIC, recipients, message, attempts);
        if (done != null) {
          return done;
        }
      }
    }
    if (!untried.isEmpty() || deadlineHit) {
      // Issue 12, item 2: temporary; the next try starts with a new deadline.
      return failed(route, Kind.DEADLINE_EXCEEDED, "4.4.2", attempts, recipients,
          "delivery to " + route.domain() + " stopped: its deadline of " + deadline.millis()
              + " ms (" + Settings.DELIVERY_DEADLINE + ") passed"
              + (untried.isEmpty() ? "" : "; not tried: " + String.join(", ", untried))
              + (attempts.isEmpty() ? "" : "; " + describe(attempts)));
    }
    if (route.status() == PolicyGate.RouteStatus.NO_MATCHING_MX && !refused) {
      return failed(route, Kind.NO_MATCHING_MX, "4.7.5", attempts, recipients, route.message());
    }
    if (refused) {
      MxAttempt first = attempts.stream()
          .filter(a -> a.result() == MxAttempt.Result.REFUSED).findFirst().orElseThrow();
      boolean allMismatch = attempts.stream().allMatch(a -> !a.connected()
          && a.result() == MxAttempt.Result.REFUSED);
      return failed(route, allMismatch ? Kind.NO_MATCHING_MX : Kind.POLICY_REFUSED,
          first.statusCode().orElse("4.7.5"), attempts, recipients,
          "no MX host of " + route.domain() + " passed MTA-STS validation under mode "
              + (mode == null ? "?" : mode.token()) + ": " + describe(attempts));
    }
    return failed(route, Kind.NO_REACHABLE_MX, "4.4.1", attempts, recipients,
        "no MX host of " + route.domain() + " accepted the message: " + describe(attempts));
  }

  private Security security(Mode mode) {
    if (mode == Mode.ENFORCE) {
      return settings.enforce() ? Security.ENFORCE : Security.REPORT;
    }
    if (mode == Mode.TESTING) {
      return Security.REPORT;
    }
    // STS-APPLY-03/08: mode none or no policy leaves transport security as without MTA-STS.
    return Security.OPPORTUNISTIC;
  }

  /**
   * One MX session (and, unless enforcing, a plaintext retry after a failed handshake). Returns
   * the domain's outcome when the MX took part in an SMTP transaction, null to try the next MX.
   * {@code route} null means "no policy" (the TLS-Required: No pass).
   */
  private DomainOutcome attempt(Route route, String host, Security security,
      Address[] recipients, Message message, List<MxAttempt> attempts) {
    List<InetSocketAddress> addresses;
    try {
      addresses = resolver.resolve(host, settings.port());
      if (addresses.isEmpty()) {
        throw new UnknownHostException(host + ": no address");
      }
    } catch (IOException e) {
      // STS-APPLY-07: an MX without an address is a connection failure, not an MTA-STS one.
      attempts.add(new MxAttempt(host, MxAttempt.Result.CONNECTION_FAILED, false, null, "4.4.1",
          "could not connect to " + host + ": " + rootMessage(e)));
      return null;
    }
    if (addresses.size() > settings.mxAddressLimit()) {
      // Issue 12, item 2 (Postfix smtp_mx_address_limit): an MX with many addresses must not
      // hold the delivery for one connect timeout each.
      log.debug("{}: trying {} of its {} addresses ({})", host, settings.mxAddressLimit(),
          addresses.size(), Settings.MX_ADDRESS_LIMIT);
      addresses = List.copyOf(addresses.subList(0, settings.mxAddressLimit()));
    }
    return attempt(route, host, addresses, security, recipients, message, attempts);
  }

  private DomainOutcome attempt(Route route, String host, List<InetSocketAddress> addresses,
      Security security, Address[] recipients, Message message, List<MxAttempt> attempts) {
    SessionRecorder recorder = new SessionRecorder();
    PinnedSocketFactory sockets = new PinnedSocketFactory(host, addresses, recorder, deadline,
        settings.replyTimeoutMillis());
    Session delegateSession = DelegateSessions.borrow(session);
    try {
      return attempt(route, host, addresses, security, recipients, message, attempts, recorder,
          sockets, delegateSession);
    } finally {
      DelegateSessions.release(session, delegateSession);
    }
  }

  private DomainOutcome attempt(Route route, String host, List<InetSocketAddress> addresses,
      Security security, Address[] recipients, Message message, List<MxAttempt> attempts,
      SessionRecorder recorder, PinnedSocketFactory sockets, Session delegateSession) {
    Transport transport;
    try {
      transport = delegate(delegateSession, host, sockets, security, recorder);
    } catch (NoSuchProviderException e) {
      throw new IllegalStateException("no SMTP transport (Angus Mail) on the class path", e);
    }
    try {
      try {
        // STS-JM-01: Angus gets an address literal, never the MX name, so neither it nor Jakarta
        // Mail asks the JVM's resolver; the socket factory connects to our resolver's addresses.
        transport.connect(sockets.hostLiteral(), settings.port(), null, null);
      } catch (MessagingException e) {
        return connectFailed(route, host, addresses, security, recipients, message, attempts,
            recorder, e);
      }
      Verdict verdict = route == null || security == Security.PLAINTEXT
          ? null
          : policy.check(route, host, recorder.facts());
      if (verdict != null && !verdict.allowed()) {
        if (security == Security.ENFORCE) {
          attempts.add(new MxAttempt(host, MxAttempt.Result.REFUSED, true, verdict.reason(),
              verdict.reason().transientStatusCode(), verdict.message()));
          return null;
        }
        // enforce switched to report-only by configuration: deliver and report.
        log.warn("{} (delivering anyway: {}=false)", verdict.message(), Settings.ENFORCE);
      }
      RefusalReason violation = verdict == null ? null : verdict.reason();
      return send(route, host, transport, recipients, message, attempts, recorder, violation);
    } finally {
      try {
        transport.close();
      } catch (MessagingException | RuntimeException e) {
        log.debug("closing the session with {} failed: {}", host,
            MxAttempt.printable(rootMessage(e), MAX_LOGGED));
      }
      // Service.connect saved a (user, null password) entry for this host in the session;
      // forget it so a reused delegate session does not collect one per MX address.
      delegateSession.setPasswordAuthentication(transport.getURLName(), null);
    }
  }

  private DomainOutcome connectFailed(Route route, String host,
      List<InetSocketAddress> addresses, Security security, Address[] recipients, Message message,
      List<MxAttempt> attempts, SessionRecorder recorder, MessagingException e) {
    MxLimitException limit = recorder.limit();
    if (limit != null) {
      // Issue 12, item 1: the MX sent too much or too slowly (or the deadline passed); a
      // temporary failure of this MX, never a reason to retry it in plaintext. Checked first: the
      // TLS layer may report the dropped connection as a handshake failure.
      attempts.add(limitAttempt(host, limit, recorder.isConnected(), null, null));
      return null;
    }
    if (!recorder.isConnected()) {
      // STS-APPLY-07: a TCP failure is not an MTA-STS failure; next MX.
      attempts.add(new MxAttempt(host, MxAttempt.Result.CONNECTION_FAILED, false, null, "4.4.1",
          "could not connect to " + host + ": " + rootMessage(e)));
      return null;
    }
    RefusalReason tlsReason = tlsReason(recorder, e);
    if (tlsReason == null) {
      attempts.add(new MxAttempt(host, MxAttempt.Result.SMTP_FAILED, true, null,
          smtpStatus(e, "4.4.2"), "SMTP session with " + host + " failed: " + rootMessage(e)));
      return null;
    }
    SessionFacts facts = tlsReason == RefusalReason.STARTTLS_NOT_SUPPORTED
        ? SessionFacts.noStartTls() : SessionFacts.handshakeFailed(tlsReason);
    Verdict verdict = route == null || security == Security.PLAINTEXT
        ? null : policy.check(route, host, facts);
    if (security == Security.ENFORCE) {
      // STS-TLS-10: no plaintext retry under enforce; the next MX is tried.
      attempts.add(new MxAttempt(host, MxAttempt.Result.REFUSED, true, tlsReason,
          tlsReason.transientStatusCode(),
          verdict != null ? verdict.message()
              : host + ": " + tlsReason.code() + ": " + rootMessage(e)));
      return null;
    }
    if (security == Security.PLAINTEXT) {
      attempts.add(new MxAttempt(host, MxAttempt.Result.SMTP_FAILED, true, null, "4.4.2",
          "SMTP session with " + host + " failed: " + rootMessage(e)));
      return null;
    }
    // testing / opportunistic: STS-TLS-11 allows falling back to plaintext where the local
    // opportunistic configuration would; the failure was reported above under testing.
    if (deadline.passed()) {
      deadlineHit = true;
      return null;
    }
    log.info("{}: TLS failed ({}); retrying without STARTTLS (mode {})", host, tlsReason.code(),
        route == null || route.mode() == null ? "no policy" : route.mode().token());
    return attempt(route, host, addresses, Security.PLAINTEXT, recipients, message, attempts);
  }

  private RefusalReason tlsReason(SessionRecorder recorder, MessagingException e) {
    TlsGate.Handshake h = recorder.handshake();
    if (h != null && !h.completed() && h.reason() != null) {
      return h.reason();
    }
    RefusalReason classified = tls.classify(e).orElse(null);
    if (classified != null) {
      return classified;
    }
    if (recorder.startTlsSent() || String.valueOf(e.getMessage()).contains("STARTTLS")) {
      return RefusalReason.STARTTLS_NOT_SUPPORTED; // not offered, or refused (e.g. 454): STS-TLS-01
    }
    return null;
  }

  private DomainOutcome send(Route route, String host, Transport transport,
      Address[] recipients, Message message, List<MxAttempt> attempts, SessionRecorder recorder,
      RefusalReason violation) {
    String protocol = recorder.handshake() != null && recorder.handshake().completed()
        ? recorder.handshake().protocol() : "plaintext";
    String domain = route == null ? domainOf(recipients) : route.domain();
    try {
      transport.sendMessage(message, recipients);
      attempts.add(new MxAttempt(host, MxAttempt.Result.DELIVERED, true, violation, "2.0.0",
          "delivered to " + host + " over " + protocol, tlsProtocol(recorder)));
      return new DomainOutcome(domain, List.of(recipients), List.of(), List.of(), null,
          List.copyOf(attempts));
    } catch (SendFailedException e) {
      if (recorder.limit() != null) {
        return limitInTransaction(route, domain, host, recipients, attempts, recorder, violation);
      }
      SmtpResults r = SmtpResults.of(e, recipients);
      attempts.add(new MxAttempt(host,
          r.sent.isEmpty() ? MxAttempt.Result.SMTP_FAILED : MxAttempt.Result.DELIVERED, true,
          violation, smtpStatus(e, null), host + " answered: " + rootMessage(e),
          tlsProtocol(recorder)));
      return new DomainOutcome(domain, r.sent, r.unsent, r.invalid, e, List.copyOf(attempts));
    } catch (MessagingException e) {
      if (recorder.limit() != null) {
        return limitInTransaction(route, domain, host, recipients, attempts, recorder, violation);
      }
      // The connection broke mid-transaction: temporary; not retried on another MX in this call
      // because the MX may already have accepted the message.
      attempts.add(new MxAttempt(host, MxAttempt.Result.SMTP_FAILED, true, violation, "4.4.2",
          "SMTP transaction with " + host + " failed: " + rootMessage(e)));
      return new DomainOutcome(domain, List.of(), List.of(recipients), List.of(), e,
          List.copyOf(attempts));
    }
  }

  /**
   * The MX crossed a bound during the mail transaction. Before DATA it cannot have taken the
   * message: the next MX is tried (null). After DATA it may have: the recipients stay unsent
   * (temporary) rather than risk a second copy through another MX.
   */
  private DomainOutcome limitInTransaction(Route route, String domain, String host,
      Address[] recipients, List<MxAttempt> attempts, SessionRecorder recorder,
      RefusalReason violation) {
    MxLimitException limit = recorder.limit();
    attempts.add(limitAttempt(host, limit, true, violation, tlsProtocol(recorder)));
    if (!recorder.dataSent()) {
      return null;
    }
    Kind kind = limit.limit() == MxLimitException.Limit.DEADLINE
        ? Kind.DEADLINE_EXCEEDED : Kind.NO_REACHABLE_MX;
    MtaStsDeliveryException e = new MtaStsDeliveryException(domain, kind,
        route == null ? null : route.mode(), "4.4.2", attempts, recipients.clone(),
        "4.4.2 " + limit.getMessage() + " after the message data was sent; not sent to another"
            + " MX, as " + host + " may have received it");
    return new DomainOutcome(domain, List.of(), List.of(recipients), List.of(), e,
        List.copyOf(attempts));
  }

  /** The attempt record of an MX that crossed a bound (issue 12, items 1 and 2). */
  private MxAttempt limitAttempt(String host, MxLimitException limit, boolean connected,
      RefusalReason violation, String tlsProtocol) {
    if (limit.limit() == MxLimitException.Limit.DEADLINE) {
      deadlineHit = true;
    }
    return new MxAttempt(host,
        connected ? MxAttempt.Result.SMTP_FAILED : MxAttempt.Result.CONNECTION_FAILED, connected,
        violation, "4.4.2", limit.getMessage() + (connected ? "; connection dropped" : ""),
        tlsProtocol);
  }

  private static String tlsProtocol(SessionRecorder recorder) {
    return recorder.handshake() != null && recorder.handshake().completed()
        ? recorder.handshake().protocol() : null;
  }

  private Transport delegate(Session delegateSession, String host, PinnedSocketFactory sockets,
      Security security, SessionRecorder recorder) throws NoSuchProviderException {
    Properties p = delegateSession.getProperties();
    p.clear(); // a reused session: nothing of the previous attempt stays
    Properties src = session.getProperties();
    for (String name : src.stringPropertyNames()) {
      p.put(name, src.getProperty(name));
    }
    for (var entry : src.entrySet()) {
      p.put(entry.getKey(), entry.getValue()); // objects too (e.g. a user's executor)
    }
    // Never let the user's relay settings leak into direct-to-MX delivery.
    // mail.smtp.writetimeout: Angus would wrap our socket in its own (a thread per connection);
    // the delivery deadline bounds writes instead, and STARTTLS must see our socket.
    for (String name : List.of("mail.smtp.ssl.trust", "mail.smtp.ssl.socketFactory",
        "mail.smtp.ssl.socketFactory.class", "mail.smtp.ssl.socketFactory.port",
        "mail.smtp.socketFactory.class", "mail.smtp.socketFactory.port",
        "mail.smtp.writetimeout", "mail.smtp.executor.writetimeout",
        "mail.smtp.usesocketchannels",
        "mail.smtp.proxy.host", "mail.smtp.socks.host", "mail.smtp.class", "mail.smtp.user",
        "mail.smtp.ssl.hostnameverifier", "mail.smtp.ssl.hostnameverifier.class",
        "mail.smtp.reportsuccess", "mail.smtp.auth.mechanisms", "mail.smtp.sasl.enable")) {
      p.remove(name);
    }
    p.put("mail.smtp.host", sockets.hostLiteral());
    p.put("mail.smtp.port", Integer.toString(settings.port()));
    p.put("mail.smtp.auth", "false");
    p.put("mail.smtp.ssl.enable", "false");
    p.put("mail.smtp.sendpartial", "true");
    p.put("mail.smtp.connectiontimeout", Integer.toString(settings.connectTimeoutMillis()));
    p.put("mail.smtp.timeout", Integer.toString(settings.readTimeoutMillis()));
    if (settings.ehlo() != null) {
      p.put("mail.smtp.localhost", settings.ehlo());
    }
    p.put("mail.smtp.socketFactory", sockets);
    // Never fall back to a plain socket Angus connects itself.
    p.put("mail.smtp.socketFactory.fallback", "false");
    switch (security) {
      case ENFORCE -> {
        // STS-JM-02, STS-TLS-01/03: STARTTLS required, TLS 1.2+, certificate checked in the
        // handshake by the verifier (SAN only, STS-JM-03).
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        p.put("mail.smtp.ssl.protocols", "TLSv1.3 TLSv1.2");
        p.put("mail.smtp.ssl.checkserveridentity", "false");
        p.put("mail.smtp.ssl.socketFactory",
            sockets.tls(tls.socketFactory(host, true, recorder::handshake)));
      }
      case REPORT, OPPORTUNISTIC -> {
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "false");
        p.put("mail.smtp.ssl.protocols", "TLSv1.3 TLSv1.2");
        p.put("mail.smtp.ssl.checkserveridentity", "false");
        p.put("mail.smtp.ssl.socketFactory",
            sockets.tls(tls.socketFactory(host, false, recorder::handshake)));
      }
      case PLAINTEXT -> {
        p.put("mail.smtp.starttls.enable", "false");
        p.put("mail.smtp.starttls.required", "false");
      }
      default -> throw new AssertionError(security);
    }
    delegateSession.setDebug(session.getDebug());
    delegateSession.setDebugOut(session.getDebugOut());
    return delegateSession.getTransport(smtpProvider(delegateSession));
  }

  /**
   * The first SMTP transport provider that is not ours. Never {@code getTransport("smtp")}: that
   * recurses when {@code mail.smtp.class} names our transport ({@link MtaStsMail#install}).
   */
  static Provider smtpProvider(Session s) throws NoSuchProviderException {
    for (Provider provider : s.getProviders()) {
      if (provider.getType() == Provider.Type.TRANSPORT
          && "smtp".equals(provider.getProtocol())
          && !MtaStsTransport.class.getName().equals(provider.getClassName())) {
        return provider;
      }
    }
    throw new NoSuchProviderException("no SMTP transport provider (Angus Mail) registered");
  }

  private DomainOutcome failed(Route route, Kind kind, String status, List<MxAttempt> attempts,
      Address[] recipients, String text) {
    MtaStsDeliveryException e = new MtaStsDeliveryException(route.domain(), kind, route.mode(),
        status, attempts, recipients.clone(), status + " " + text);
    return kind.isPermanent()
        ? new DomainOutcome(route.domain(), List.of(), List.of(), List.of(recipients), e, attempts)
        : new DomainOutcome(route.domain(), List.of(), List.of(recipients), List.of(), e, attempts);
  }

  private static String describe(List<MxAttempt> attempts) {
    StringBuilder b = new StringBuilder();
    for (MxAttempt a : attempts) {
      if (b.length() > 0) {
        b.append("; ");
      }
      b.append(a.host()).append(' ').append(a.result().name().toLowerCase(Locale.ROOT));
      a.reason().ifPresent(r -> b.append(' ').append(r.code()));
      a.statusCode().ifPresent(c -> b.append(" (").append(c).append(')'));
      if (a.reason().isEmpty() && a.result() != MxAttempt.Result.DELIVERED) {
        b.append(" [").append(a.message()).append(']'); // printable already (MxAttempt)
      }
    }
    return b.toString();
  }

  private static String domainOf(Address[] recipients) {
    String a = recipients[0].toString();
    return a.substring(a.lastIndexOf('@') + 1);
  }

  static String rootMessage(Throwable t) {
    String m = t.getMessage();
    Throwable c = t;
    Set<Throwable> seen = new LinkedHashSet<>();
    while (c.getCause() != null && seen.add(c)) {
      c = c.getCause();
    }
    if (c != t && c.getMessage() != null) {
      m = (m == null ? "" : m + ": ") + c.getMessage();
    }
    return m == null ? t.getClass().getSimpleName() : m.strip();
  }

  /** The SMTP reply code of an Angus exception (via its public {@code getReturnCode()}). */
  static int returnCode(Object e) {
    try {
      Method m = e.getClass().getMethod("getReturnCode");
      return (Integer) m.invoke(e);
    } catch (ReflectiveOperationException | RuntimeException ignored) {
      return -1;
    }
  }

  private static String smtpStatus(MessagingException e, String dflt) {
    int code = returnCode(e);
    if (code >= 400 && code < 600) {
      return Integer.toString(code);
    }
    return dflt;
  }

  /** Per-recipient results of an Angus {@link SendFailedException}, 4xx and 5xx kept apart. */
  static final class SmtpResults {
    final List<Address> sent = new ArrayList<>();
    final List<Address> unsent = new ArrayList<>();
    final List<Address> invalid = new ArrayList<>();

    static SmtpResults of(SendFailedException e, Address[] recipients) {
      SmtpResults r = new SmtpResults();
      addAll(r.sent, e.getValidSentAddresses());
      // Per-address replies (Angus SMTPAddressFailedException) decide 4xx vs 5xx.
      java.util.Map<Address, Integer> codes = new java.util.HashMap<>();
      Exception next = e;
      Set<Exception> seen = new java.util.HashSet<>();
      while (next instanceof MessagingException me && seen.add(me)) {
        Address a = address(me);
        int code = returnCode(me);
        if (a != null && code >= 400) {
          codes.put(a, code);
        }
        next = me.getNextException();
      }
      int overall = returnCode(e); // MAIL FROM or DATA reply
      for (Address a : recipients) {
        if (r.sent.contains(a)) {
          continue;
        }
        Integer code = codes.get(a);
        if (code == null && overall >= 400) {
          code = overall;
        }
        if (code != null) {
          (code >= 500 ? r.invalid : r.unsent).add(a);
        } else if (contains(e.getInvalidAddresses(), a)) {
          r.invalid.add(a);
        } else {
          r.unsent.add(a);
        }
      }
      return r;
    }

    private static Address address(Object e) {
      try {
        Object a = e.getClass().getMethod("getAddress").invoke(e);
        return a instanceof Address address ? address : null;
      } catch (ReflectiveOperationException | RuntimeException ignored) {
        return null;
      }
    }

    private static void addAll(List<Address> to, Address[] from) {
      if (from != null) {
        to.addAll(List.of(from));
      }
    }

    private static boolean contains(Address[] list, Address a) {
      if (list != null) {
        for (Address x : list) {
          if (x.equals(a)) {
            return true;
          }
        }
      }
      return false;
    }
  }
}
