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
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import javax.net.ssl.SSLSocketFactory;
import org.mtasts.HostResolver;
import org.mtasts.report.SessionEndpoints;
import org.mtasts.tls.DaneRequirement;
import org.mtasts.tls.DaneResult;
import org.mtasts.tls.MxTlsVerifier;
import org.mtasts.tls.RefusalReason;
import org.mtasts.tls.TlsFacts;
import org.mtasts.tls.TlsRequirement;
import org.mtasts.javamail.MtaStsDeliveryException.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Angus Mail plumbing of one {@link MxSession}: resolves the MX host's addresses (at most
 * {@code mail.mtasts.mxAddressLimit}), sets up a borrowed delegate {@link Session} with the TLS
 * settings the session needs and the bounded sockets of {@link PinnedSocketFactory}, connects
 * Angus's SMTP transport, and turns its replies and exceptions into {@link MxAttempt}s and
 * {@link DomainDelivery} values. It decides nothing about MTA-STS: that is {@link MxWalk}'s.
 *
 * <p>Used by one thread (the one in {@code sendMessage}).
 */
final class Courier {
  private static final Logger log = LoggerFactory.getLogger(Courier.class);

  /** Longest server text (e.g. an SMTP reply) quoted in a log line. */
  private static final int MAX_LOGGED = 500;

  private final Session session;
  private final Settings settings;
  private final MxTlsVerifier verifier;
  private final HostResolver resolver;
  /** {@link org.mtasts.MtaSts#daneStrict()}: WebPKI must pass on DANE sessions under enforce. */
  private final boolean daneStrict;

  Courier(Session session, Settings settings, MxTlsVerifier verifier, HostResolver resolver,
      boolean daneStrict) {
    this.session = session;
    this.settings = settings;
    this.verifier = verifier;
    this.resolver = resolver;
    this.daneStrict = daneStrict;
  }

  /** What {@link #open} came to. */
  sealed interface Opened permits Connected, Failed, TlsFailed {}

  /**
   * The SMTP session is up (after STARTTLS, if any): {@code facts} say what TLS it got, {@code
   * endpoints} where it runs (for TLS-RPT). Close the connection when done.
   */
  record Connected(Connection connection, TlsFacts facts, SessionEndpoints endpoints)
      implements Opened {}

  /**
   * The MX could not be used, for a reason that is no MTA-STS matter (no address, TCP, an SMTP
   * error, a bound crossed): the next MX is tried.
   *
   * @param deadlineCrossed whether the delivery deadline ended the session
   */
  record Failed(MxAttempt attempt, boolean deadlineCrossed) implements Opened {}

  /**
   * STARTTLS was not offered or refused, or the handshake failed: {@code reason} and the facts
   * for the core's check, and where the session ran (for TLS-RPT). {@code detail} is the
   * exception's text (not yet printable).
   */
  record TlsFailed(RefusalReason reason, TlsFacts facts, String detail,
      SessionEndpoints endpoints) implements Opened {}

  /**
   * Opens {@code s}: resolves, connects, STARTTLS as {@code s} demands. Never throws for network
   * reasons.
   */
  Opened open(MxSession s) {
    String host = s.host();
    List<InetSocketAddress> addresses;
    try {
      addresses = resolver.resolve(host, settings.port());
      if (addresses.isEmpty()) {
        throw new UnknownHostException(host + ": no address");
      }
    } catch (IOException e) {
      // STS-APPLY-07: an MX without an address is a connection failure, not an MTA-STS one.
      return new Failed(new MxAttempt(host, MxAttempt.Result.CONNECTION_FAILED, false, null,
          "4.4.1", "could not connect to " + host + ": " + rootMessage(e)), false);
    }
    if (addresses.size() > settings.mxAddressLimit()) {
      // Issue 12, item 2 (Postfix smtp_mx_address_limit): an MX with many addresses must not
      // hold the delivery for one connect timeout each.
      log.debug("{}: trying {} of its {} addresses ({})", host, settings.mxAddressLimit(),
          addresses.size(), Settings.MX_ADDRESS_LIMIT);
      addresses = List.copyOf(addresses.subList(0, settings.mxAddressLimit()));
    }
    SessionRecorder recorder = new SessionRecorder();
    PinnedSocketFactory sockets = new PinnedSocketFactory(host, addresses, recorder,
        s.deadline(), settings.replyTimeoutMillis());
    Session delegateSession = DelegateSessions.borrow(session);
    Transport transport;
    try {
      transport = delegate(delegateSession, s, sockets, recorder);
    } catch (NoSuchProviderException e) {
      DelegateSessions.release(session, delegateSession);
      throw new IllegalStateException("no SMTP transport (Angus Mail) on the class path", e);
    } catch (RuntimeException e) {
      DelegateSessions.release(session, delegateSession);
      throw e;
    }
    Connection connection = new Connection(host, transport, delegateSession, recorder);
    try {
      // STS-JM-01: Angus gets an address literal, never the MX name, so neither it nor Jakarta
      // Mail asks the JVM's resolver; the socket factory connects to our resolver's addresses.
      transport.connect(sockets.hostLiteral(), settings.port(), null, null);
      return new Connected(connection, recorder.facts(), recorder.endpoints());
    } catch (MessagingException e) {
      connection.close();
      return connectFailed(host, recorder, e);
    } catch (RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  private Opened connectFailed(String host, SessionRecorder recorder, MessagingException e) {
    MxLimitException limit = recorder.limit();
    if (limit != null) {
      // Issue 12, item 1: the MX sent too much or too slowly (or the deadline passed); a
      // temporary failure of this MX, never a reason to retry it in plaintext. Checked first: the
      // TLS layer may report the dropped connection as a handshake failure.
      return limitFailed(host, limit, recorder.isConnected(), null, null);
    }
    if (!recorder.isConnected()) {
      // STS-APPLY-07: a TCP failure is not an MTA-STS failure; next MX.
      return new Failed(new MxAttempt(host, MxAttempt.Result.CONNECTION_FAILED, false, null,
          "4.4.1", "could not connect to " + host + ": " + rootMessage(e)), false);
    }
    RefusalReason tlsReason = tlsReason(recorder, e);
    if (tlsReason == null) {
      return new Failed(new MxAttempt(host, MxAttempt.Result.SMTP_FAILED, true, null,
          smtpStatus(e, "4.4.2"), "SMTP session with " + host + " failed: " + rootMessage(e)),
          false);
    }
    // The verifier's own facts when it saw the handshake fail: they keep its DANE verdict.
    TlsFacts facts = tlsReason == RefusalReason.STARTTLS_NOT_SUPPORTED ? TlsFacts.noStartTls()
        : recorder.failedHandshake().orElseGet(() -> TlsFacts.handshakeFailed(tlsReason));
    return new TlsFailed(tlsReason, facts, rootMessage(e), recorder.endpoints());
  }

  private static RefusalReason tlsReason(SessionRecorder recorder, MessagingException e) {
    RefusalReason aborted = recorder.handshakeFailure().orElse(null);
    if (aborted != null) {
      return aborted;
    }
    RefusalReason classified = MxTlsVerifier.classify(e).orElse(null);
    if (classified != null) {
      return classified;
    }
    if (recorder.startTlsSent() || String.valueOf(e.getMessage()).contains("STARTTLS")) {
      return RefusalReason.STARTTLS_NOT_SUPPORTED; // not offered, or refused (e.g. 454): STS-TLS-01
    }
    return null;
  }

  /**
   * Sends the message over {@code c}. Returns the domain's delivery when the MX took part in an
   * SMTP transaction, empty when the next MX may be tried.
   *
   * @param violation the reported testing-mode violation of this session, or null
   */
  Optional<DomainDelivery> send(Connection c, MxSession s, RefusalReason violation,
      Address[] recipients, Message message, List<MxAttempt> attempts) {
    SessionRecorder recorder = c.recorder;
    String host = c.host;
    String protocol = recorder.tlsProtocol().orElse(null);
    DaneResult dane = recorder.facts().dane().orElse(null);
    try {
      c.transport.sendMessage(message, recipients);
      attempts.add(new MxAttempt(host, MxAttempt.Result.DELIVERED, true, violation, "2.0.0",
          "delivered to " + host + " over " + (protocol == null ? "plaintext" : protocol)
              + (dane == DaneResult.AUTHENTICATED ? ", certificate authenticated by DANE" : ""),
          protocol, dane));
      return Optional.of(delivery(s, List.of(recipients), List.of(), List.of(), null, attempts));
    } catch (SendFailedException e) {
      if (recorder.limit() != null) {
        return limitInTransaction(s, host, recipients, attempts, recorder, violation);
      }
      SmtpResults r = SmtpResults.of(e, recipients);
      attempts.add(new MxAttempt(host,
          r.sent.isEmpty() ? MxAttempt.Result.SMTP_FAILED : MxAttempt.Result.DELIVERED, true,
          violation, smtpStatus(e, null), host + " answered: " + rootMessage(e), protocol, dane));
      return Optional.of(delivery(s, r.sent, r.unsent, r.invalid, e, attempts));
    } catch (MessagingException e) {
      if (recorder.limit() != null) {
        return limitInTransaction(s, host, recipients, attempts, recorder, violation);
      }
      // The connection broke mid-transaction: temporary; not retried on another MX in this call
      // because the MX may already have accepted the message.
      attempts.add(new MxAttempt(host, MxAttempt.Result.SMTP_FAILED, true, violation, "4.4.2",
          "SMTP transaction with " + host + " failed: " + rootMessage(e), null, dane));
      return Optional.of(delivery(s, List.of(), List.of(recipients), List.of(), e, attempts));
    }
  }

  /**
   * The MX crossed a bound during the mail transaction. Before DATA it cannot have taken the
   * message: the next MX is tried (empty). After DATA it may have: the recipients stay unsent
   * (temporary) rather than risk a second copy through another MX.
   */
  private Optional<DomainDelivery> limitInTransaction(MxSession s, String host,
      Address[] recipients, List<MxAttempt> attempts, SessionRecorder recorder,
      RefusalReason violation) {
    MxLimitException limit = recorder.limit();
    attempts.add(limitFailed(host, limit, true, violation, recorder.tlsProtocol().orElse(null))
        .attempt());
    if (!recorder.dataSent()) {
      return Optional.empty();
    }
    Kind kind = limit.limit() == MxLimitException.Limit.DEADLINE
        ? Kind.DEADLINE_EXCEEDED : Kind.NO_REACHABLE_MX;
    MtaStsDeliveryException e = new MtaStsDeliveryException(s.plan().domain(), kind,
        s.pass() == MxSession.Pass.COMPLIANT ? MxWalk.mode(s.plan()) : null, "4.4.2", attempts,
        recipients.clone(), "4.4.2 " + limit.getMessage() + " after the message data was sent;"
            + " not sent to another MX, as " + host + " may have received it");
    return Optional.of(delivery(s, List.of(), List.of(recipients), List.of(), e, attempts));
  }

  /** The attempt record of an MX that crossed a bound (issue 12, items 1 and 2). */
  private static Failed limitFailed(String host, MxLimitException limit, boolean connected,
      RefusalReason violation, String tlsProtocol) {
    return new Failed(new MxAttempt(host,
        connected ? MxAttempt.Result.SMTP_FAILED : MxAttempt.Result.CONNECTION_FAILED, connected,
        violation, "4.4.2", limit.getMessage() + (connected ? "; connection dropped" : ""),
        tlsProtocol), limit.limit() == MxLimitException.Limit.DEADLINE);
  }

  private static DomainDelivery delivery(MxSession s, List<Address> sent, List<Address> unsent,
      List<Address> invalid, MessagingException failure, List<MxAttempt> attempts) {
    return new DomainDelivery(s.plan().domain(), MxWalk.mode(s.plan()), sent, unsent, invalid,
        attempts, failure);
  }

  /**
   * One connected delegate SMTP session. {@link #close} closes Angus's transport and returns the
   * delegate session for reuse.
   */
  final class Connection implements AutoCloseable {
    private final String host;
    private final Transport transport;
    private final Session delegateSession;
    private final SessionRecorder recorder;

    private Connection(String host, Transport transport, Session delegateSession,
        SessionRecorder recorder) {
      this.host = host;
      this.transport = transport;
      this.delegateSession = delegateSession;
      this.recorder = recorder;
    }

    @Override
    public void close() {
      try {
        transport.close();
      } catch (MessagingException | RuntimeException e) {
        log.debug("closing the session with {} failed: {}", host,
            MxAttempt.printable(rootMessage(e), MAX_LOGGED));
      } finally {
        // Service.connect saved a (user, null password) entry for this host in the session;
        // forget it so a reused delegate session does not collect one per MX address.
        delegateSession.setPasswordAuthentication(transport.getURLName(), null);
        DelegateSessions.release(session, delegateSession);
      }
    }
  }

  private Transport delegate(Session delegateSession, MxSession s, PinnedSocketFactory sockets,
      SessionRecorder recorder) throws NoSuchProviderException {
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
    if (!s.startTls()) {
      // The retry after a failed opportunistic handshake (never under enforce, STS-TLS-10).
      p.put("mail.smtp.starttls.enable", "false");
      p.put("mail.smtp.starttls.required", "false");
    } else {
      // enforce (VERIFIED), STS-JM-02, STS-TLS-01/03: STARTTLS required, TLS 1.2+, certificate
      // checked in the handshake by the verifier (SAN only, STS-JM-03). testing and
      // opportunistic: STARTTLS if offered; the certificate is checked and reported, not
      // enforced. Secure TLSA records make STARTTLS required whatever the policy (RFC 7672 §2.2,
      // STS-DANE-04).
      boolean enforce = s.tls() == TlsRequirement.VERIFIED;
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", Boolean.toString(s.tlsMandatory()));
      p.put("mail.smtp.ssl.protocols", "TLSv1.3 TLSv1.2");
      p.put("mail.smtp.ssl.checkserveridentity", "false");
      p.put("mail.smtp.ssl.socketFactory", tlsSockets(s, enforce, sockets, recorder));
    }
    delegateSession.setDebug(session.getDebug());
    delegateSession.setDebugOut(session.getDebugOut());
    return delegateSession.getTransport(smtpProvider(delegateSession));
  }

  /**
   * The verifier's STARTTLS socket factory for {@code s}. A host with usable secure TLSA records
   * gets the DANE one (RFC 7672 §3): SNI is the TLSA base domain (STS-DANE-07), a certificate that
   * matches no usable record aborts the handshake before any command goes over TLS (STS-DANE-01),
   * and the WebPKI verdict for the MX name is computed beside it for the core's check (D-23); in
   * strict mode under {@code enforce} a WebPKI failure aborts the handshake too, so no command goes
   * over that connection (STS-APPLY-01); under testing the core's check judges it after the
   * handshake. Every other host gets the
   * MTA-STS one, also a host whose TLSA records are all unusable: DANE then only makes STARTTLS
   * mandatory and MTA-STS judges the certificate (STS-DANE-04).
   */
  private SSLSocketFactory tlsSockets(MxSession s, boolean enforce, PinnedSocketFactory sockets,
      SessionRecorder recorder) {
    DaneRequirement dane = s.dane();
    if (dane.status() == DaneRequirement.Status.AUTHENTICATE) {
      return verifier.socketFactory(dane.tlsa().orElseThrow(), daneStrict && enforce,
          recorder::handshake,
          sockets.tlsStreams());
    }
    return verifier.socketFactory(s.host(), enforce, recorder::handshake, sockets.tlsStreams());
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
