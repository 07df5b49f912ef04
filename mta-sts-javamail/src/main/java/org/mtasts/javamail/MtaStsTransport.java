package org.mtasts.javamail;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.URLName;
import jakarta.mail.event.TransportEvent;
import jakarta.mail.internet.InternetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mtasts.policy.DomainNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jakarta Mail {@link Transport} that delivers each message direct to the MX hosts of its
 * recipients' domains under their MTA-STS (RFC 8461) policies. Protocol name {@value #PROTOCOL};
 * see {@link org.mtasts.javamail} for how to select it and for its properties.
 *
 * <p><b>Delivery.</b> Recipients are grouped by domain; each domain gets one SMTP transaction
 * carrying all its recipients. For each domain the MX hosts are walked in preference order:
 *
 * <ul>
 *   <li>{@code enforce}: a host that matches no {@code mx} pattern is never contacted; on the
 *       others STARTTLS is required, TLS 1.2 or later, and the certificate must chain to a trusted
 *       root, be unexpired and name the MX host in a subjectAltName. Any failure moves on to the
 *       next host, never to a plaintext retry. If no host passes, those recipients fail
 *       temporarily with an {@link MtaStsDeliveryException} listing each host's reason.
 *   <li>{@code testing}: delivery as without a policy, with each violation reported to the
 *       configured listener.
 *   <li>{@code none} or no policy: opportunistic STARTTLS, certificate not enforced.
 * </ul>
 *
 * <p>A host that cannot be reached is not a policy failure: the next host is tried. A message
 * with exactly one {@code TLS-Required: No} header (RFC 8689) is delivered even if every host
 * fails validation, after the compliant path was tried first.
 *
 * <p><b>Results.</b> As for Angus SMTP: if any recipient was not delivered, {@link #sendMessage}
 * throws {@link SendFailedException} with the delivered addresses as valid-sent, temporary
 * failures (SMTP 4xx, MTA-STS refusals, unreachable hosts) as valid-unsent and permanent failures
 * (SMTP 5xx, null MX, no such domain) as invalid; its chain ({@code getNextException()}) holds
 * one exception per failed domain: an {@link MtaStsDeliveryException} or the SMTP server's
 * exception. A {@link TransportEvent} (delivered, not delivered, partially delivered) goes to
 * the transport listeners.
 *
 * <p>Instances are made by {@link Session}; like other transports, use one from one thread at a
 * time.
 */
public final class MtaStsTransport extends Transport {
  private static final Logger log = LoggerFactory.getLogger(MtaStsTransport.class);

  /** The protocol name this transport is registered under. */
  public static final String PROTOCOL = "smtp-mtasts";

  private volatile List<DomainDelivery> lastDeliveries = List.of();

  /**
   * Called by {@link Session#getTransport}.
   *
   * @param session the session
   * @param urlname the requested protocol; may be {@code smtp} after {@link MtaStsMail#install}
   */
  public MtaStsTransport(Session session, URLName urlname) {
    super(session, urlname);
  }

  /**
   * Connects nothing: each message opens its own sessions to the MX hosts of its recipients. Any
   * host, user or password is ignored (mail to MX hosts is not authenticated).
   */
  @Override
  protected boolean protocolConnect(String host, int port, String user, String password) {
    return true;
  }

  /**
   * What happened, per recipient domain, in the last {@link #sendMessage} call on this transport
   * (empty before the first). Like the transport itself, meant for the thread that sends; {@code
   * Transport.send(message)} uses a transport of its own, so use {@code
   * session.getTransport(...)} to read this.
   */
  public List<DomainDelivery> lastDeliveries() {
    return lastDeliveries;
  }

  /**
   * Delivers {@code message} to {@code addresses} as described in the class documentation.
   *
   * @throws SendFailedException if any recipient was not delivered; it lists which
   * @throws MessagingException if the transport is not connected or not configured
   */
  @Override
  public void sendMessage(Message message, Address[] addresses) throws MessagingException {
    if (!isConnected()) {
      throw new IllegalStateException("not connected");
    }
    if (addresses == null || addresses.length == 0) {
      throw new SendFailedException("No recipient addresses");
    }
    Gates gates = Gates.of(session);
    Courier.smtpProvider(session); // fail early, as NoSuchProviderException, without Angus
    Settings settings;
    try {
      settings = Settings.of(session);
    } catch (IllegalArgumentException e) {
      throw new MessagingException("bad mail.mtasts property: " + e.getMessage(), e);
    }
    boolean tlsRequiredNo = settings.honourTlsRequiredNo() && TlsRequiredHeader.isNo(message);
    List<Address> invalid = new ArrayList<>();
    List<MessagingException> failures = new ArrayList<>();
    Map<String, List<Address>> byDomain = new LinkedHashMap<>();
    for (Address a : addresses) {
      String domain = domainOf(a);
      if (domain == null) {
        invalid.add(a);
        failures.add(new SendFailedException("not an Internet mail address with a valid domain: "
            + a, null, null, null, new Address[] {a}));
      } else {
        byDomain.computeIfAbsent(domain, d -> new ArrayList<>()).add(a);
      }
    }
    MxWalk walk = new MxWalk(gates.sts(),
        new Courier(session, settings, gates.verifier(), gates.resolver(),
            gates.sts().daneStrict()), settings,
        System::nanoTime);
    List<Address> sent = new ArrayList<>();
    List<Address> unsent = new ArrayList<>();
    List<DomainDelivery> deliveries = new ArrayList<>();
    for (Map.Entry<String, List<Address>> e : byDomain.entrySet()) {
      DomainDelivery outcome;
      try {
        outcome = walk.deliver(e.getKey(), e.getValue().toArray(new Address[0]), message,
            tlsRequiredNo);
      } catch (RuntimeException ex) {
        // A bug or misconfiguration must not look like a delivery: those recipients stay unsent.
        log.error("delivery to {} failed unexpectedly", e.getKey(), ex);
        MessagingException me = new MessagingException(
            "delivery to " + e.getKey() + " failed unexpectedly: " + ex, ex);
        outcome = new DomainDelivery(e.getKey(), null, List.of(), e.getValue(), List.of(),
            List.of(), me);
      }
      sent.addAll(outcome.sent());
      unsent.addAll(outcome.unsent());
      invalid.addAll(outcome.invalid());
      outcome.failure().ifPresent(failures::add);
      log.debug("{}: {}", e.getKey(), outcome.attempts());
      deliveries.add(outcome);
    }
    lastDeliveries = List.copyOf(deliveries);
    Address[] s = sent.toArray(new Address[0]);
    Address[] u = unsent.toArray(new Address[0]);
    Address[] i = invalid.toArray(new Address[0]);
    int type = u.length == 0 && i.length == 0
        ? TransportEvent.MESSAGE_DELIVERED
        : s.length == 0 ? TransportEvent.MESSAGE_NOT_DELIVERED
            : TransportEvent.MESSAGE_PARTIALLY_DELIVERED;
    notifyTransportListeners(type, s, u, i, message);
    if (type != TransportEvent.MESSAGE_DELIVERED) {
      StringBuilder text = new StringBuilder();
      text.append(u.length + i.length).append(" of ").append(addresses.length)
          .append(" recipients not delivered");
      for (MessagingException f : failures) {
        // SEC-20: an SMTP server's exception quotes its reply (CR, LF, escapes); ours are
        // printable already.
        text.append("; ").append(MxAttempt.printable(String.valueOf(f.getMessage()),
            MtaStsDeliveryException.MAX_MESSAGE));
      }
      SendFailedException top = new SendFailedException(text.toString(),
          failures.isEmpty() ? null : failures.get(0), s, u, i);
      for (int n = 1; n < failures.size(); n++) {
        top.setNextException(failures.get(n));
      }
      throw top;
    }
  }

  private static String domainOf(Address a) {
    if (!(a instanceof InternetAddress ia) || ia.isGroup()) {
      return null;
    }
    String s = ia.getAddress();
    int at = s == null ? -1 : s.lastIndexOf('@');
    if (at <= 0 || at == s.length() - 1) {
      return null;
    }
    try {
      return DomainNames.normalize(s.substring(at + 1).toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) { // InvalidDomainException
      return null;
    }
  }
}
