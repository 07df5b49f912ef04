package org.mtasts.javamail;

import jakarta.activation.DataHandler;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.ByteArrayDataSource;
import java.time.Clock;
import java.util.Date;
import java.util.Objects;
import java.util.Properties;
import org.mtasts.MtaSts;
import org.mtasts.NetworkText;
import org.mtasts.report.ReportDeliveryException;
import org.mtasts.report.ReportDestination;
import org.mtasts.report.ReportMailer;
import org.mtasts.report.TlsReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends TLS reports by mail as RFC 8460 §5.3 says, through a Jakarta Mail {@link Session}.
 *
 * <p>The message (TLSRPT-DEL-03…06):
 *
 * <ul>
 *   <li>{@code multipart/report; report-type="tlsrpt"}: a {@code text/plain} part for people, then
 *       the report as {@code application/tlsrpt+gzip}, base64, with the §5.1 file name ({@link
 *       TlsReport#fileName()}) as attachment;
 *   <li>{@code Subject:} {@link TlsReport#subject()}; {@code TLS-Report-Domain:} the policy
 *       domain; {@code TLS-Report-Submitter:} the submitter domain; {@code From:} the submitter's
 *       contact address (or {@link Builder#from}); {@code To:} the {@code mailto:} address;
 *   <li>{@code TLS-Required: No} (RFC 8689): a report must reach a domain whose TLS is broken, since
 *       that is what it reports (TLSRPT-DEL-07, SEC-22);
 *   <li>signed by the {@link Builder#signer signer}, normally {@link ReportSigner#dkim DKIM}
 *       (receivers ignore unsigned reports, TLSRPT-DEL-06).
 * </ul>
 *
 * <p>Where it goes: the session's transport for Internet addresses ({@code
 * mail.transport.protocol.rfc822}), connected as {@code Transport.send} would connect it. Give the
 * application's own session to hand reports to its relay, or {@link #directSession} for delivery
 * straight to the MX hosts with {@link MtaStsTransport}, which honours {@code TLS-Required: No}.
 * The {@code TLS-Report-Domain} header ({@link ReportMailer#REPORT_DOMAIN_HEADER}) is what keeps
 * the session that delivers a report out of the next report (TLSRPT-DEL-07).
 *
 * <p>Thread-safe: each report gets its own transport connection.
 */
public final class TlsReportMailer implements ReportMailer {
  private static final Logger log = LoggerFactory.getLogger(TlsReportMailer.class);

  /** The media type of the report part (RFC 8460 §6.5). */
  static final String GZIP_MEDIA_TYPE = "application/tlsrpt+gzip";

  private final Session session;
  private final ReportSigner signer;
  private final InternetAddress from;
  private final Clock clock;

  private TlsReportMailer(Builder b) {
    this.session = b.session;
    this.signer = b.signer;
    this.from = b.from;
    this.clock = b.clock;
  }

  /**
   * Starts a builder; {@link Builder#session} is required.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A session whose mail goes direct to the recipients' MX hosts through {@link MtaStsTransport},
   * as {@link MtaStsMail#session} makes it, with {@code mail.mtasts.tlsRequiredHeader=true}: the
   * report's {@code TLS-Required: No} lets it through MTA-STS failures after the compliant MX hosts
   * were tried first (TLSRPT-DEL-07).
   *
   * @param properties the mail properties (EHLO name, timeouts, resolver, trust...); not changed
   * @param mtaSts the MTA-STS client
   * @return the session
   * @throws IllegalArgumentException if {@code properties} turn {@code TLS-Required: No} off, or a
   *     {@code mail.mtasts.*} setting cannot be applied
   */
  public static Session directSession(Properties properties, MtaSts mtaSts) {
    Objects.requireNonNull(properties, "properties");
    // getProperty sees values in the defaults of a Properties (as Jakarta Mail reads them); get
    // sees a non-String value put directly.
    Object honour = properties.getProperty("mail.mtasts.tlsRequiredHeader") != null
        ? properties.getProperty("mail.mtasts.tlsRequiredHeader")
        : properties.get("mail.mtasts.tlsRequiredHeader");
    if (honour != null && !Boolean.parseBoolean(honour.toString().strip())) {
      throw new IllegalArgumentException("mail.mtasts.tlsRequiredHeader=" + honour
          + " would let MTA-STS failures block TLS reports (RFC 8460 §3); leave it unset");
    }
    Properties copy = new Properties();
    for (String name : properties.stringPropertyNames()) {
      copy.put(name, properties.getProperty(name));
    }
    copy.putAll(properties);
    copy.put("mail.mtasts.tlsRequiredHeader", "true");
    return MtaStsMail.session(copy, mtaSts);
  }

  @Override
  public void send(TlsReport report, ReportDestination.Mailto destination)
      throws ReportDeliveryException {
    Objects.requireNonNull(report, "report");
    Objects.requireNonNull(destination, "destination");
    String shown = NetworkText.printable(destination.uri(), 200);
    InternetAddress to;
    try {
      to = new InternetAddress(destination.address(), true);
    } catch (AddressException e) {
      throw new ReportDeliveryException(shown + " is not an address this mailer can send to: "
          + NetworkText.printable(e.getMessage(), 200), e);
    }
    MimeMessage message;
    try {
      message = signer.sign(message(report, to));
    } catch (MessagingException | RuntimeException e) {
      throw new ReportDeliveryException("cannot make the report message for " + shown + ": "
          + NetworkText.printable(String.valueOf(e.getMessage()), 300), e);
    }
    try (Transport transport = session.getTransport(to)) {
      transport.connect();
      transport.sendMessage(message, new Address[] {to});
    } catch (MessagingException e) {
      throw new ReportDeliveryException("mail to " + shown + " was not accepted: "
          + NetworkText.printable(String.valueOf(e.getMessage()), 300), e);
    }
    log.debug("TLS report {} for {} sent to {}", report.reportId(), report.day().policyDomain(),
        shown);
  }

  /** The RFC 8460 §5.3 message, changes saved, unsigned. */
  MimeMessage message(TlsReport report, InternetAddress to) throws MessagingException {
    String policyDomain = report.day().policyDomain();
    String submitter = report.submitter().domain();
    MimeMessage message = new MimeMessage(session);
    InternetAddress sender = from != null ? from : new InternetAddress(
        report.submitter().contactInfo(), true);
    message.setFrom(sender);
    message.setRecipient(Message.RecipientType.TO, to);
    message.setSubject(report.subject(), "US-ASCII");
    message.setSentDate(new Date(clock.millis()));
    message.setHeader("TLS-Report-Domain", policyDomain);
    message.setHeader("TLS-Report-Submitter", submitter);
    message.setHeader(TlsRequiredHeader.NAME, "No");

    MimeBodyPart text = new MimeBodyPart();
    text.setText(humanText(report), "UTF-8");
    MimeBodyPart gzip = new MimeBodyPart();
    gzip.setDataHandler(new DataHandler(new ByteArrayDataSource(report.gzip(), GZIP_MEDIA_TYPE)));
    gzip.setFileName(report.fileName());
    gzip.setDisposition(Part.ATTACHMENT);
    gzip.setHeader("Content-Transfer-Encoding", "base64");

    ReportMultipart multipart = new ReportMultipart();
    multipart.addBodyPart(text);
    multipart.addBodyPart(gzip);
    message.setContent(multipart);
    message.saveChanges();
    return message;
  }

  private static String humanText(TlsReport report) {
    return "This is an aggregate TLS report (RFC 8460) from "
        + report.submitter().organizationName() + ".\r\n\r\n"
        + "It counts the SMTP TLS sessions of " + report.submitter().domain() + " with the mail"
        + " servers of " + report.day().policyDomain() + " from " + report.startDateTime()
        + " to " + report.endDateTime() + ", and what failed.\r\n\r\n"
        + "Report-ID: <" + report.reportId() + ">\r\n"
        + "Contact:   " + report.submitter().contactInfo() + "\r\n\r\n"
        + "The report is attached as " + report.fileName() + " (gzip-compressed JSON).\r\n";
  }

  @Override
  public String toString() {
    return "TlsReportMailer{signer=" + signer + ", from=" + from + "}";
  }

  /** Configures a {@link TlsReportMailer}. Not thread-safe. */
  public static final class Builder {
    private Session session;
    private ReportSigner signer;
    private InternetAddress from;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Sets the session that sends the reports: the application's (its relay), or {@link
     * #directSession}. Required.
     *
     * @param session the session
     * @return this builder
     */
    public Builder session(Session session) {
      this.session = Objects.requireNonNull(session, "session");
      return this;
    }

    /**
     * Sets the signer; {@link ReportSigner#dkim} for reports receivers will read.
     *
     * @param signer the signer
     * @return this builder
     */
    public Builder signer(ReportSigner signer) {
      this.signer = Objects.requireNonNull(signer, "signer");
      return this;
    }

    /**
     * Sets the {@code From} address (and so the envelope sender, unless the session sets {@code
     * mail.smtp.from}); default: the report's {@code contact-info}.
     *
     * @param address the address
     * @return this builder
     * @throws IllegalArgumentException if it is not one Internet mail address
     */
    public Builder from(String address) {
      Objects.requireNonNull(address, "address");
      try {
        this.from = new InternetAddress(address, true);
      } catch (AddressException e) {
        throw new IllegalArgumentException("from: '" + NetworkText.printable(address, 200)
            + "' is not a mail address (" + e.getMessage() + ")", e);
      }
      return this;
    }

    /**
     * Sets the clock for the {@code Date} header; default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the mailer. Without a signer, reports go out unsigned (logged at WARN): receivers
     * ignore them unless a relay signs them (RFC 8460 §3).
     *
     * @return the mailer
     * @throws IllegalStateException if no session is set
     */
    public TlsReportMailer build() {
      if (session == null) {
        throw new IllegalStateException("session is required");
      }
      if (signer == null) {
        log.warn("TLS reports will be sent unsigned: receivers ignore mail reports without a"
            + " DKIM signature of the reporting domain (RFC 8460 §3) unless the relay signs them;"
            + " set a ReportSigner.dkim(...)");
        signer = ReportSigner.none();
      }
      return new TlsReportMailer(this);
    }
  }
}
