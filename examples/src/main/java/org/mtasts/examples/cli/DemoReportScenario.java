package org.mtasts.examples.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPInputStream;
import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.SignatureRecord;
import org.apache.james.jdkim.exceptions.FailException;
import org.apache.james.jdkim.exceptions.TempFailException;
import org.mtasts.NetworkText;
import org.mtasts.TlsReporter;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.DnsException;
import org.mtasts.dns.TxtRecord;
import org.mtasts.examples.cli.DemoObservation.Dkim;
import org.mtasts.examples.cli.DemoObservation.ReportMail;
import org.mtasts.examples.cli.DemoObservation.Reporting;
import org.mtasts.examples.cli.DemoObservation.Send;
import org.mtasts.examples.cli.DemoScenarios.Findings;
import org.mtasts.examples.cli.DemoScenarios.Scenario;
import org.mtasts.examples.cli.DemoScenarios.Verdict;
import org.mtasts.javamail.ReportSigner;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.PolicyTally;
import org.mtasts.report.PolicyType;
import org.mtasts.report.ReportSubmitter;
import org.mtasts.report.ReportSyntaxException;
import org.mtasts.report.ResultType;
import org.mtasts.report.TlsReport;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorld;
import org.mtasts.testkit.smtp.HostileReply;
import org.mtasts.testkit.smtp.ReceivedMessage;

/**
 * The demo's TLS reporting scenario (RFC 8460): a testing-mode domain whose backup MX has an
 * expired certificate, a day of mail to it in which the primary MX is down for a while, and the
 * day's report built by {@code TlsReporter}, DKIM-signed with a throw-away key the world
 * publishes, delivered to the domain's {@code rua} mailbox and shown. The check judges the report
 * the {@code rua} receiver got against the mail the world saw that day.
 */
final class DemoReportScenario {
  private DemoReportScenario() {}

  // testing, mx1 good, mx2 (the backup) with an expired certificate; reports by mail
  static final String HULK = "hulkamania.example";
  static final String HULK_MX1 = "mx1.hulkamania.example";
  static final String HULK_MX2 = "mx2.hulkamania.example";
  static final String RUA_DOMAIN = "ringside-reports.example";
  static final String RUA_MX = "mx.ringside-reports.example";
  static final String RUA = "mailto:tlsrpt@" + RUA_DOMAIN;
  /** The sender's DKIM key lives at {@code <selector>._domainkey.<domain>}. */
  static final String DKIM_DOMAIN = "sender.example";
  static final String DKIM_SELECTOR = "demo-tlsrpt";
  static final String RECIPIENT = "hulkhogan@" + HULK;

  /** mx1 during its maintenance window: a 421 greeting, so the next MX is tried. */
  private static final Mx MX1_DOWN = Mx.goodTls().with(b -> b.hostile(
      HostileReply.Stage.GREETING,
      HostileReply.raw("421 4.3.2 " + HULK_MX1 + " down for maintenance\r\n")));

  /** Messages before, during and after mx1's maintenance window. */
  private static final int BEFORE = 3;
  private static final int DURING = 2;
  private static final int AFTER = 1;

  /** The CLI's escapes, and every character above US-ASCII escaped too. */
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
      .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
      .build();

  /** Adds the scenario's domains and records to the demo world. */
  static void world(TestWorld.Builder w) {
    w.domain(HULK, d -> d
            .policy("testing", HULK_MX1, HULK_MX2)
            .mx(10, HULK_MX1, Mx.goodTls())
            .mx(20, HULK_MX2, Mx.expiredCertificate()))
        .domain(RUA_DOMAIN, d -> d.mx(10, RUA_MX, Mx.goodTls()))
        .dns(dns -> dns.txt("_smtp._tls." + HULK, "v=TLSRPTv1; rua=" + RUA));
  }

  static Scenario<Reporting> scenario() {
    return new Scenario<>(
        "tls-report",
        "TLS report of a day of mail to a testing-mode domain",
        RECIPIENT,
        HULK + " publishes mode testing for mx1 and mx2 and _smtp._tls rua=" + RUA + "; backup"
            + " mx2's certificate has expired. " + (BEFORE + DURING + AFTER) + " messages go out"
            + " in a day; mx1 is down for maintenance (421) during " + DURING + " of them. The"
            + " day's report is sent, DKIM-signed by " + DKIM_DOMAIN + ".",
        "all delivered; one signed report at the rua: mx1 sessions ok, mx2 certificate-expired",
        "RFC 8460 sec. 4, 5.3, 3 and RFC 8461 sec. 5 (testing): count every session, report the"
            + " failures per MX and IP once a day to the rua, DKIM-signed mail",
        DemoReportScenario::run,
        DemoReportScenario::check);
  }

  // ============================================================================== the run

  static Reporting run(DemoWorld w) {
    KeyPair key = throwAwayKey();
    w.world.dns().txt(DKIM_SELECTOR + "._domainkey." + DKIM_DOMAIN, keyRecord(key.getPublic()));
    List<Send> sends = new ArrayList<>();
    int n = 0;
    for (int i = 0; i < BEFORE; i++) {
      sends.add(w.send(RECIPIENT, "Message " + ++n + " of the day"));
    }
    w.world.setMx(HULK_MX1, MX1_DOWN);
    try {
      for (int i = 0; i < DURING; i++) {
        sends.add(w.send(RECIPIENT, "Message " + ++n + " of the day (mx1 down)"));
      }
    } finally {
      w.world.setMx(HULK_MX1, Mx.goodTls());
    }
    for (int i = 0; i < AFTER; i++) {
      sends.add(w.send(RECIPIENT, "Message " + ++n + " of the day"));
    }
    try {
      List<TlsReporter.Outcome> outcomes = w.sendReports(
          ReportSubmitter.of("mta-sts demo", "tlsrpt@" + DKIM_DOMAIN),
          ReportSigner.dkim(DKIM_DOMAIN, DKIM_SELECTOR, key.getPrivate()));
      List<ReportMail> mails = new ArrayList<>();
      DnsClient dns = DnsClient.builder().server(w.world.dnsAddress())
          .timeout(Duration.ofSeconds(2)).build();
      for (ReceivedMessage m : w.world.smtp(RUA_MX).messages()) {
        mails.add(read(m, dns));
      }
      return new Reporting(List.copyOf(sends), outcomes, List.copyOf(mails),
          w.world.address(HULK_MX2).getAddress().getHostAddress(), w.reportDaysLeft());
    } catch (IOException e) {
      throw new UncheckedIOException("the report store failed", e);
    }
  }

  /** An RSA key made for this run only; its public half goes into the world's DNS. */
  private static KeyPair throwAwayKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot make an RSA key", e);
    }
  }

  /** The DKIM key record (RFC 6376 §3.6.1), service type tlsrpt, in TXT strings of 255. */
  static List<String> keyRecord(PublicKey key) {
    String text = "v=DKIM1; k=rsa; s=email:tlsrpt; p="
        + Base64.getEncoder().encodeToString(key.getEncoded());
    List<String> strings = new ArrayList<>();
    for (int i = 0; i < text.length(); i += 255) {
      strings.add(text.substring(i, Math.min(text.length(), i + 255)));
    }
    return strings;
  }

  /** Reads a message the rua receiver got as an RFC 8460 mail report, and verifies its DKIM. */
  private static ReportMail read(ReceivedMessage got, DnsClient dns) {
    Dkim dkim = verifyDkim(got.data(), dns);
    String contentType = null;
    String reportType = null;
    String reportDomain = null;
    String attachmentType = null;
    String fileName = null;
    byte[] json = null;
    String problem = null;
    try {
      MimeMessage message = new MimeMessage(Session.getInstance(new Properties()),
          new ByteArrayInputStream(got.data()));
      ContentType type = new ContentType(message.getContentType());
      contentType = type.getBaseType().toLowerCase(Locale.ROOT);
      reportType = type.getParameter("report-type");
      reportDomain = printable(message.getHeader("TLS-Report-Domain", null));
      if (message.getContent() instanceof Multipart parts) {
        for (int i = 0; i < parts.getCount(); i++) {
          BodyPart part = parts.getBodyPart(i);
          if (part.isMimeType("application/tlsrpt+gzip")) {
            attachmentType = new ContentType(part.getContentType()).getBaseType();
            fileName = printable(part.getFileName());
            json = gunzip(part.getInputStream());
          }
        }
      }
      if (attachmentType == null) {
        problem = "no application/tlsrpt+gzip part";
      }
    } catch (MessagingException | IOException e) {
      json = null;
      problem = "cannot be read: " + printable(MtaStsCommand.describe(e));
    }
    return new ReportMail(got.recipients().stream().map(DemoReportScenario::printable).toList(),
        contentType, reportType, reportDomain, attachmentType, fileName, json, problem, dkim);
  }

  /** At most 1 MiB of report: what a gzip bomb gets before it is cut off. */
  private static byte[] gunzip(InputStream in) throws IOException {
    try (GZIPInputStream gz = new GZIPInputStream(in)) {
      byte[] json = gz.readNBytes(1 << 20);
      if (gz.read() != -1) {
        throw new IOException("the report is larger than 1 MiB un-gzipped");
      }
      return json;
    }
  }

  /**
   * Verifies the message's DKIM signature with Apache jDKIM, a verifier independent of the
   * signing library, the public key looked up in the world's DNS.
   */
  private static Dkim verifyDkim(byte[] message, DnsClient dns) {
    DKIMVerifier verifier = new DKIMVerifier((method, selector, domain) -> {
      try {
        return dns.txtBlocking(selector + "._domainkey." + domain).records().stream()
            .map(TxtRecord::text).toList();
      } catch (DnsException e) {
        throw new TempFailException(e.getMessage());
      }
    });
    try {
      List<SignatureRecord> valid = verifier.verify(new ByteArrayInputStream(message));
      if (valid == null || valid.isEmpty()) {
        return new Dkim(false, null, "no DKIM signature verified: "
            + printable(String.valueOf(verifier.getResults())));
      }
      SignatureRecord s = valid.get(0);
      return new Dkim(true, printable(s.getDToken().toString()), "d=" + printable(s.getDToken())
          + " s=" + printable(s.getSelector()) + " a=" + printable(s.getHashKeyType()) + "-"
          + printable(s.getHashMethod()));
    } catch (FailException | IOException | RuntimeException e) {
      return new Dkim(false, null, "DKIM verification failed: "
          + printable(MtaStsCommand.describe(e)));
    }
  }

  private static String printable(CharSequence text) {
    return text == null ? null : NetworkText.printable(text);
  }

  // ============================================================================== the check

  static Verdict check(Reporting r) {
    Findings f = new Findings();
    int atGood = 0;
    int atBroken = 0;
    int violations = 0;
    for (Send s : r.sends()) {
      f.require(s.returnedNormally(), "a message to " + HULK + " was not delivered: "
          + DemoScenarios.failure(s));
      atGood += s.at(HULK_MX1).messages().size();
      atBroken += s.at(HULK_MX2).messages().size();
      violations += s.event("testing-violation", HULK_MX2).isPresent() ? 1 : 0;
    }
    f.saw("a day of mail: " + r.sends().size() + " messages; " + HULK_MX1 + " took " + atGood
        + ", " + HULK_MX2 + " took " + atBroken + " (" + violations
        + " testing violation(s) reported, delivered anyway)");
    f.require(atBroken > 0, "no message reached " + HULK_MX2
        + ", so its expired certificate was not put to the test");
    f.require(atGood > 0, "no message reached " + HULK_MX1 + ", so no session succeeded");
    f.require(violations == atBroken, atBroken + " message(s) went to " + HULK_MX2 + " but "
        + violations + " testing violation(s) were reported for it");
    f.require(atGood + atBroken == r.sends().size(), "of " + r.sends().size() + " messages, "
        + (atGood + atBroken) + " reached an MX of " + HULK);

    List<TlsReporter.Outcome> ours = r.outcomes().stream()
        .filter(o -> o.day().policyDomain().equals(HULK)).toList();
    for (TlsReporter.Outcome o : ours) {
      for (TlsReporter.DestinationResult d : o.destinations()) {
        f.saw("TlsReporter: " + HULK + " " + o.day().day() + " -> " + d.uri() + ": "
            + (d.delivered() ? "delivered" : "NOT delivered (" + d.error() + ")"));
      }
      if (o.destinations().isEmpty()) {
        f.saw("TlsReporter: " + HULK + " " + o.day().day() + ": " + o.status() + " "
            + o.detail());
      }
    }
    long dropped = r.outcomes().stream()
        .filter(o -> o.status() == TlsReporter.Status.NO_REPORTING_POLICY).count();
    if (dropped > 0) {
      f.saw("TlsReporter: " + dropped + " other demo domain(s) publish no _smtp._tls record:"
          + " their counts dropped, no report (TLSRPT-REC-02)");
    }
    f.require(ours.size() == 1, "TlsReporter handled " + ours.size() + " report(s) for " + HULK
        + ", not 1");
    f.require(ours.stream().allMatch(o -> o.delivered() && o.destinations().stream()
            .anyMatch(d -> d.uri().equals(RUA) && d.delivered())),
        "the report was not delivered to " + RUA);

    f.require(r.mails().size() == 1, RUA_MX + " got " + r.mails().size()
        + " message(s), not 1 report");
    if (!r.mails().isEmpty()) {
      checkMail(r.mails().get(0), atGood, atBroken, r.brokenMxIp(), f);
    }
    f.require(r.daysLeft().stream().noneMatch(d -> d.startsWith(RUA_DOMAIN + " ")),
        "the report's own delivery to " + RUA_DOMAIN + " was counted for a report"
            + " (TLSRPT-DEL-07)");
    f.require(r.daysLeft().stream().noneMatch(d -> d.startsWith(HULK + " ")),
        "the counts of " + HULK + " are still in the store after delivery");
    return f.verdict(atGood + " ok via mx1, " + atBroken + " via mx2 (reported); report: "
        + summary(r.mails()));
  }

  private static void checkMail(ReportMail m, int atGood, int atBroken, String brokenIp,
      Findings f) {
    f.saw(RUA_MX + ": got " + m.contentType() + "; report-type=" + m.reportType() + " for "
        + m.recipients() + ", TLS-Report-Domain " + m.reportDomain());
    f.saw("DKIM (Apache jDKIM, key from the world's DNS): "
        + (m.dkim().verified() ? "verified, " : "") + m.dkim().detail());
    f.require("multipart/report".equals(m.contentType()) && "tlsrpt".equals(m.reportType()),
        "the report mail is " + m.contentType() + "; report-type=" + m.reportType()
            + ", not multipart/report; report-type=tlsrpt");
    f.require(m.recipients().equals(List.of(RUA.substring("mailto:".length()))),
        "the report mail went to " + m.recipients());
    f.require(HULK.equals(m.reportDomain()), "TLS-Report-Domain is " + m.reportDomain());
    f.require(m.dkim().verified() && DKIM_DOMAIN.equals(m.dkim().domain()),
        "no DKIM signature of " + DKIM_DOMAIN + " verified: " + m.dkim().detail());
    if (m.json() == null) {
      f.require(false, "the report could not be read: " + m.problem());
      return;
    }
    TlsReport report;
    try {
      report = TlsReport.parse(m.json());
    } catch (ReportSyntaxException e) {
      f.require(false, "the gzip part is no RFC 8460 report: " + e.getMessage());
      return;
    }
    List<String> schemaErrors = org.mtasts.testkit.tlsrpt.TlsRptSchema.errors(m.json());
    f.require(schemaErrors.isEmpty(),
        "the report does not validate against the RFC 8460 schema: " + schemaErrors);
    f.saw("report " + m.fileName() + " (" + m.attachmentType() + "), as received:");
    for (String line : pretty(m.json())) {
      f.saw("  " + line);
    }
    f.require(report.day().policyDomain().equals(HULK),
        "the report is about " + report.day().policyDomain());
    f.require(report.policies().size() == 1, "the report has " + report.policies().size()
        + " policies, not 1");
    if (report.policies().isEmpty()) {
      return;
    }
    PolicyTally t = report.policies().get(0);
    f.require(t.policy().type() == PolicyType.STS
            && t.policy().policyString().contains("mode: testing"),
        "the report's policy is not the testing-mode sts policy: " + t.policy());
    f.require(t.successfulSessions() == atGood, "total-successful-session-count is "
        + t.successfulSessions() + "; " + HULK_MX1 + " took " + atGood + " message(s) over TLS");
    f.require(t.failedSessions() == atBroken, "total-failure-session-count is "
        + t.failedSessions() + "; " + HULK_MX2 + " had " + atBroken + " session(s)");
    long expired = 0;
    for (Map.Entry<FailureDetail, Long> e : t.failureDetails().entrySet()) {
      FailureDetail d = e.getKey();
      f.require(!HULK_MX1.equals(d.receivingMxHostname()),
          "a failure is reported for " + HULK_MX1 + ", whose certificate is good: " + d);
      if (d.resultType() == ResultType.CERTIFICATE_EXPIRED
          && HULK_MX2.equals(d.receivingMxHostname()) && brokenIp.equals(d.receivingIp())) {
        expired += e.getValue();
      }
    }
    f.require(expired == atBroken, "failure-details count " + expired + " certificate-expired"
        + " session(s) at " + HULK_MX2 + " [" + brokenIp + "], not " + atBroken);
  }

  private static String summary(List<ReportMail> mails) {
    if (mails.size() != 1) {
      return mails.size() + " messages at the rua";
    }
    ReportMail m = mails.get(0);
    if (m.json() == null) {
      return "unreadable";
    }
    try {
      TlsReport report = TlsReport.parse(m.json());
      long ok = report.policies().stream().mapToLong(PolicyTally::successfulSessions).sum();
      long failed = report.policies().stream().mapToLong(PolicyTally::failedSessions).sum();
      return ok + " ok, " + failed + " failed" + (m.dkim().verified() ? ", DKIM verified"
          : ", DKIM NOT verified");
    } catch (ReportSyntaxException e) {
      return "not an RFC 8460 report";
    }
  }

  /**
   * The report as indented JSON lines. The report came from the network, so every character
   * outside printable US-ASCII (and DEL) is written as a JSON {@code \}{@code uXXXX} escape: the
   * lines are as safe to print as {@link NetworkText#printable} makes text, and still the JSON
   * that was received.
   */
  static List<String> pretty(byte[] json) {
    StringWriter out = new StringWriter();
    try (JsonParser p = JSON.createParser(json);
        JsonGenerator g = JSON.createGenerator(out).useDefaultPrettyPrinter()) {
      g.setCharacterEscapes(CliJson.ESCAPES);
      p.nextToken();
      g.copyCurrentStructure(p);
    } catch (IOException e) {
      return List.of("(not JSON: " + printable(MtaStsCommand.describe(e)) + ")");
    }
    return out.toString().lines().toList();
  }
}
