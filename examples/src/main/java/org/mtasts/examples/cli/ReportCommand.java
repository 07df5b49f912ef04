package org.mtasts.examples.cli;

import jakarta.mail.Session;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import javax.net.ssl.X509TrustManager;
import org.mtasts.MtaSts;
import org.mtasts.NetworkText;
import org.mtasts.TlsReporter;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.DnsException;
import org.mtasts.dns.TxtRecord;
import org.mtasts.javamail.ReportSigner;
import org.mtasts.javamail.TlsReportMailer;
import org.mtasts.report.PolicyTally;
import org.mtasts.report.ReportDay;
import org.mtasts.report.ReportStore;
import org.mtasts.report.ReportSubmitter;
import org.mtasts.report.TlsReport;
import org.mtasts.report.TlsRptRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mta-sts report show|send}: the TLS reports (RFC 8460) counted in {@code --cache-dir}. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = "Show or send the SMTP TLS reports (RFC 8460) counted in --cache-dir.",
    subcommands = {ReportCommand.Show.class, ReportCommand.Send.class})
final class ReportCommand implements Runnable {
  @ParentCommand MtaStsCommand parent;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The store in --cache-dir or --store (one is required). */
  static ReportStore store(GlobalOptions options, String command)
      throws GlobalOptions.UsageException, IOException {
    if (!options.keepsState()) {
      throw new GlobalOptions.UsageException(
          "report " + command + ": --cache-dir DIR or --store URI is required");
    }
    return options.stores().reportStore();
  }

  /** {@code mta-sts report show}. */
  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Print the reports of ended UTC days without sending them; --json: one"
          + " object per line {\"policy-domain\", \"rua\": [...], \"report\": {...}}.")
  static final class Show implements Callable<Integer> {
    @ParentCommand ReportCommand report;

    @Spec CommandSpec spec;

    @Option(names = "--today", description = "Include the current UTC day, as if it had ended.")
    boolean today;

    @Option(names = "--organization", paramLabel = "NAME",
        description = "organization-name in the shown reports (default: ${DEFAULT-VALUE}).")
    String organization = "mta-sts-java (report preview)";

    @Option(names = "--contact", paramLabel = "ADDR",
        description = "contact-info in the shown reports (default: ${DEFAULT-VALUE}).")
    String contact = "tlsrpt@report-preview.invalid";

    @Override
    public Integer call() throws Exception {
      GlobalOptions options = report.parent.options;
      options.validate();
      ReportStore store = store(options, "show");
      ReportSubmitter submitter = submitter(organization, contact, null);
      DnsClient dns = options.dnsClient();
      LocalDate now = LocalDate.now(Clock.systemUTC());
      PrintWriter out = spec.commandLine().getOut();
      for (ReportDay day : store.days()) {
        if (day.day().isAfter(now) || (day.day().equals(now) && !today)) {
          continue;
        }
        List<PolicyTally> tallies = store.tallies(day);
        if (tallies.isEmpty()) {
          continue;
        }
        TlsReport tlsReport = TlsReport.create(submitter, day, tallies);
        List<String> rua = rua(dns, day.policyDomain());
        if (options.json) {
          Map<String, Object> line = new LinkedHashMap<>();
          line.put("policy-domain", day.policyDomain());
          line.put("rua", rua);
          line.put("report", new CliJson.Raw(new String(tlsReport.json(), StandardCharsets.UTF_8)));
          out.println(CliJson.write(line));
        } else {
          long ok = tallies.stream().mapToLong(PolicyTally::successfulSessions).sum();
          long failed = tallies.stream().mapToLong(PolicyTally::failedSessions).sum();
          out.println(day.policyDomain() + " " + day.day() + ": " + (ok + failed)
              + " sessions, " + failed + " failed; rua: "
              + (rua.isEmpty() ? "(none: no report would be sent)" : String.join(" ", rua)));
          for (PolicyTally t : tallies) {
            out.println("  " + t.policy().type().wireName() + " " + t.policy().mxHost() + ": "
                + t.successfulSessions() + " ok, " + t.failedSessions() + " failed");
            t.failureDetails().forEach((detail, count) -> out.println("    " + count + " x "
                + detail.resultType().wireName()
                + (detail.receivingMxHostname() != null
                    ? " " + NetworkText.printable(detail.receivingMxHostname()) : "")
                + (detail.receivingIp() != null ? " [" + detail.receivingIp() + "]" : "")
                + (detail.failureReasonCode() != null
                    ? " (" + NetworkText.printable(detail.failureReasonCode()) + ")" : "")));
          }
        }
      }
      return MtaStsCommand.OK;
    }

    /** The usable rua URIs of the domain, or none when it publishes no usable record. */
    private static List<String> rua(DnsClient dns, String domain) {
      try {
        List<String> texts = dns.txtBlocking("_smtp._tls." + domain).records().stream()
            .map(TxtRecord::text).toList();
        return TlsRptRecord.select(texts).found()
            .map(r -> r.destinations().stream()
                .map(d -> NetworkText.printable(d.uri())).toList())
            .orElse(List.of());
      } catch (DnsException | RuntimeException e) {
        return List.of();
      }
    }
  }

  /** {@code mta-sts report send}. */
  @Command(name = "send", mixinStandardHelpOptions = true,
      description = "Deliver the reports of ended UTC days now (no random delay) to each domain's"
          + " rua; one line per report and destination. Exit 0 when every report reached a"
          + " destination.")
  static final class Send implements Callable<Integer> {
    @ParentCommand ReportCommand report;

    @Spec CommandSpec spec;

    @Option(names = "--organization", required = true, paramLabel = "NAME",
        description = "organization-name of the reports.")
    String organization;

    @Option(names = "--contact", required = true, paramLabel = "ADDR",
        description = "contact-info of the reports; its domain is the submitter.")
    String contact;

    @Option(names = "--submitter", paramLabel = "DOMAIN",
        description = "Submitter domain (default: the contact's domain; must equal it).")
    String submitterDomain;

    @Option(names = "--mail-from", paramLabel = "ADDR",
        description = "From address of mail reports (default: the contact).")
    String mailFrom;

    @Option(names = "--today", description = "Include the current UTC day, as if it had ended.")
    boolean today;

    @Option(names = "--dkim-domain", paramLabel = "D", description = "DKIM signing domain (d=).")
    String dkimDomain;

    @Option(names = "--dkim-selector", paramLabel = "S", description = "DKIM selector (s=).")
    String dkimSelector;

    @Option(names = "--dkim-key", paramLabel = "FILE",
        description = "DKIM private key: RSA or Ed25519, PKCS#8 (or PKCS#1 RSA), PEM or DER, as"
            + " openssl genpkey writes it.")
    Path dkimKey;

    @Override
    public Integer call() throws Exception {
      GlobalOptions options = report.parent.options;
      options.validate();
      ReportStore store = store(options, "send");
      ReportSubmitter submitter = submitter(organization, contact, submitterDomain);
      int dkim = (dkimDomain != null ? 1 : 0) + (dkimSelector != null ? 1 : 0)
          + (dkimKey != null ? 1 : 0);
      if (dkim != 0 && dkim != 3) {
        throw new GlobalOptions.UsageException(
            "report send: give --dkim-domain, --dkim-selector and --dkim-key together");
      }
      ReportSigner signer;
      try {
        signer = dkim == 3
            ? ReportSigner.dkim(dkimDomain, dkimSelector, ReportSigner.readKey(dkimKey))
            : ReportSigner.none();
      } catch (IllegalArgumentException | IOException e) {
        throw new GlobalOptions.UsageException("report send: " + e.getMessage());
      }
      PrintWriter out = spec.commandLine().getOut();
      DnsClient dns = options.dnsClient();
      // JSON Lines, one per report and destination: no one document to carry the DANE status
      try (MtaSts client =
          options.sendingClientBuilder(spec.commandLine().getErr(), false).build()) {
        Properties props = new Properties();
        props.put("mail.mtasts.hostResolver", options.hostResolver(dns));
        X509TrustManager trust = options.trustManager();
        if (trust != null) {
          props.put("mail.mtasts.trustManager", trust);
        }
        props.put("mail.mtasts.ehlo", submitter.domain());
        Session session = TlsReportMailer.directSession(props, client);
        TlsReportMailer.Builder mailer = TlsReportMailer.builder().session(session)
            .signer(signer);
        if (mailFrom != null) {
          try {
            mailer.from(mailFrom);
          } catch (IllegalArgumentException e) {
            throw new GlobalOptions.UsageException("--mail-from: " + e.getMessage());
          }
        }
        boolean all = true;
        try (TlsReporter reporter = TlsReporter.builder(client).submitter(submitter).store(store)
            .mailer(mailer.build()).build()) {
          for (TlsReporter.Outcome o : reporter.sendDue(today)) {
            all &= o.delivered();
            List<Map<String, Object>> lines = new ArrayList<>();
            for (TlsReporter.DestinationResult d : o.destinations()) {
              lines.add(line(o.day(), d.uri(), d.delivered(), d.error()));
            }
            if (lines.isEmpty()) {
              lines.add(line(o.day(), null, false,
                  o.status().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                      + (o.detail().isEmpty() ? "" : ": " + o.detail())));
            }
            for (Map<String, Object> line : lines) {
              out.println(options.json ? CliJson.write(line) : human(line));
            }
          }
        }
        return all ? MtaStsCommand.OK : MtaStsCommand.BAD;
      }
    }

    private static Map<String, Object> line(ReportDay day, String destination, boolean delivered,
        String error) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("policy-domain", day.policyDomain());
      line.put("destination", destination == null ? null : NetworkText.printable(destination));
      line.put("delivered", delivered);
      line.put("error", error == null ? null : NetworkText.printable(error));
      return line;
    }

    private static String human(Map<String, Object> line) {
      return line.get("policy-domain") + " -> "
          + (line.get("destination") == null ? "(no destination)" : line.get("destination"))
          + ": " + (Boolean.TRUE.equals(line.get("delivered")) ? "delivered"
              : "NOT delivered (" + line.get("error") + ")");
    }
  }

  static ReportSubmitter submitter(String organization, String contact, String domain)
      throws GlobalOptions.UsageException {
    try {
      return domain == null ? ReportSubmitter.of(organization, contact)
          : new ReportSubmitter(organization, contact, domain);
    } catch (IllegalArgumentException e) {
      throw new GlobalOptions.UsageException("report: " + e.getMessage());
    }
  }
}
