package org.mtasts.examples.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import javax.net.ssl.X509TrustManager;
import org.mtasts.DeliveryPlan;
import org.mtasts.FetchedPolicy;
import org.mtasts.HostResolver;
import org.mtasts.tls.MxTlsVerifier;
import org.mtasts.PolicyFetchException;
import org.mtasts.PolicyFetcher;
import org.mtasts.dns.DnsAnswer;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.MxLookup;
import org.mtasts.dns.MxResolver;
import org.mtasts.dns.TxtRecord;
import org.mtasts.examples.cli.CheckReport.Item;
import org.mtasts.examples.cli.CheckReport.Verdict;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;
import org.mtasts.policy.MxPattern;
import org.mtasts.policy.Policy;
import org.mtasts.policy.PolicyRecord;
import org.mtasts.policy.PolicyWarning;
import org.mtasts.policy.RecordSelection;
import org.mtasts.report.ReportDestination;
import org.mtasts.report.TlsRptRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code mta-sts check DOMAIN}: diagnoses a domain's own MTA-STS set-up the way a receiving-side
 * admin wants it checked — the {@code _mta-sts} TXT record, the policy file, the MX records
 * against the policy, STARTTLS and the certificate of every MX host, its DANE status (RFC 7672)
 * where the DNS validates, and the TLS-RPT record. Checks 1, 2 and 5 are here; the MX checks (3
 * and 4) are {@link MxChecks}, their DANE part {@link DaneChecks}.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Diagnose the MTA-STS set-up of DOMAIN (your own, as its mail admin): the _mta-sts TXT"
          + " record, the policy file, the MX records against the policy, STARTTLS and the"
          + " certificate of each MX host on port 25, its DANE status (RFC 7672: secure MX"
          + " records and addresses, TLSA records, whether the certificate matches them) when"
          + " the DNS resolver passes DNSSEC records on, and the TLS-RPT record.",
      "Each check is ok, warn or fail, with a fix for each problem. Exit 0 when no check fails,"
          + " 1 when one fails, 2 on usage errors (also when DOMAIN is not a domain name).",
      "--timeout bounds the policy fetch (default 60 s) and each SMTP probe (default 10 s)."
    })
final class CheckCommand implements Callable<Integer> {
  static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(10);
  static final Duration DEFAULT_FETCH_DEADLINE = Duration.ofSeconds(60);
  static final long ONE_DAY = 86_400;
  static final Duration EXPIRY_WARNING = Duration.ofDays(14);
  static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter ID_FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

  @ParentCommand MtaStsCommand parent;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DOMAIN", arity = "1", description = "The domain to check.")
  String domainArgument;

  @Option(
      names = "--no-smtp",
      description = "Skip the STARTTLS probes on port 25 (e.g. where outbound port 25 is blocked).")
  boolean noSmtp;

  @Option(
      names = "--ehlo",
      paramLabel = "NAME",
      description = "Name to send with EHLO in the probes (default: ${DEFAULT-VALUE}).")
  String ehloName = "localhost";

  Clock clock = Clock.systemUTC();

  /** A value or the reason there is none. */
  record Attempt<T>(T value, Throwable error) {}

  @Override
  public Integer call() throws Exception {
    GlobalOptions options = parent.options;
    options.validate();
    String domain;
    try {
      domain = DomainNames.normalize(domainArgument.strip());
    } catch (InvalidDomainException e) {
      throw new GlobalOptions.UsageException(
          "check: '" + CheckReport.printable(domainArgument) + "' is not a domain name: "
              + e.reason());
    }
    if (ehloName.isEmpty() || !ehloName.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new GlobalOptions.UsageException("--ehlo wants a host name without spaces");
    }
    Duration probeTimeout =
        options.timeoutSeconds != null
            ? Duration.ofSeconds(options.timeoutSeconds) : DEFAULT_PROBE_TIMEOUT;
    Duration fetchDeadline =
        options.timeoutSeconds != null
            ? Duration.ofSeconds(options.timeoutSeconds) : DEFAULT_FETCH_DEADLINE;
    PrintWriter err = spec.commandLine().getErr();
    GlobalOptions.Dane dane = options.dane(err, true);
    DnsClient dns = options.dnsClient();
    HostResolver hosts = options.hostResolver(dns);
    X509TrustManager trust = options.trustManager();
    // The facade does not expose what the fetch saw (media type, TLS version), so the check uses
    // the library's fetcher directly.
    PolicyFetcher.HttpsBuilder fetcherBuilder =
        PolicyFetcher.https()
            .hostResolver(hosts)
            .allowPrivateAddresses(options.allowPrivateAddresses)
            .deadline(fetchDeadline);
    if (trust != null) {
      fetcherBuilder.trustManager(trust);
    }
    PolicyFetcher fetcher = fetcherBuilder.build();
    MxTlsVerifier verifier =
        trust != null ? MxTlsVerifier.create(trust) : MxTlsVerifier.create();
    SmtpProbe probe = new SmtpProbe(hosts, verifier, probeTimeout, ehloName);

    ExecutorService pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "mta-sts-check");
              t.setDaemon(true);
              return t;
            });
    try {
      CompletableFuture<Attempt<DnsAnswer<TxtRecord>>> stsTxt =
          attempt(() -> dns.txt("_mta-sts." + domain));
      CompletableFuture<Attempt<FetchedPolicy>> fetched = attempt(() -> fetcher.fetch(domain));
      CompletableFuture<Attempt<MxLookup>> mx =
          attempt(() -> MxResolver.create(dns).resolve(domain));
      CompletableFuture<Attempt<DnsAnswer<TxtRecord>>> rptTxt =
          attempt(() -> dns.txt("_smtp._tls." + domain));
      CompletableFuture<Map<String, SmtpProbe.Result>> probes =
          mx.thenCompose(m -> MxChecks.probeAll(noSmtp ? null : m.value(), probe, pool));
      // DANE's lookups go through the validating client, beside the ones above.
      CompletableFuture<Attempt<DeliveryPlan>> danePlan = dane.active()
          ? attempt(() -> DaneChecks.plan(dane, domain, fetched))
          : CompletableFuture.completedFuture(null);

      CheckReport report = new CheckReport(domain);
      checkRecord(report, domain, stsTxt.join());
      Policy policy = checkPolicy(report, domain, fetched.join());
      new MxChecks(clock).checkMx(report, domain, mx.join(), policy, probes.join(),
          danePlan.join(), verifier);
      checkTlsRpt(report, domain, rptTxt.join());
      report.fact("dane", dane.toJson());

      PrintWriter out = spec.commandLine().getOut();
      if (options.json) {
        out.println(CliJson.write(report.toJson()));
      } else {
        report.printHuman(out, CheckReport.useColor(CheckReport.stdoutIsTerminal(), System.getenv()));
      }
      out.flush();
      return report.verdict() == Verdict.FAIL ? MtaStsCommand.BAD : MtaStsCommand.OK;
    } finally {
      pool.shutdownNow();
    }
  }

  private static <T> CompletableFuture<Attempt<T>> attempt(Supplier<CompletionStage<T>> work) {
    CompletionStage<T> stage;
    try {
      stage = work.get();
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(new Attempt<>(null, e));
    }
    return stage.toCompletableFuture().handle((value, e) -> new Attempt<>(value, unwrap(e)));
  }

  static Throwable unwrap(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  // ---------------------------------------------------------------------------------------------
  // 1. _mta-sts TXT record

  private void checkRecord(CheckReport report, String domain,
      Attempt<DnsAnswer<TxtRecord>> attempt) {
    String name = "_mta-sts." + domain;
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", name);
    report.fact("sts_record", json);
    String example = "\"v=STSv1; id=" + ID_FORMAT.format(clock.instant()) + "\"";
    if (attempt.error() != null) {
      json.put("status", "dns-error");
      json.put("error", MtaStsCommand.describe(attempt.error()));
      report.add(Item.of("sts-record", name, Verdict.FAIL,
          "TXT lookup failed: " + MtaStsCommand.describe(attempt.error()),
          "make the name servers of " + domain + " answer TXT queries for " + name));
      return;
    }
    DnsAnswer<TxtRecord> answer = attempt.value();
    List<String> texts = new ArrayList<>();
    for (TxtRecord txt : answer.records()) {
      texts.add(txt.text());
    }
    json.put("records", texts);
    String via = answer.canonicalName().equals(answer.name())
        ? "" : " (via CNAME to " + answer.canonicalName() + ")";
    if (!via.isEmpty()) {
      json.put("cname_target", answer.canonicalName());
    }
    RecordSelection<PolicyRecord> selection = PolicyRecord.select(texts);
    json.put("status", kebab(selection.status().name()));
    if (selection instanceof RecordSelection.Found<PolicyRecord> found) {
      PolicyRecord record = found.record();
      json.put("id", record.id());
      String detail = "v=STSv1, id " + record.id() + via;
      if (!record.extensions().isEmpty()) {
        detail += "; unknown fields ignored: " + String.join(", ", record.extensions().keySet());
      }
      report.add(Item.ok("sts-record", name, detail));
    } else if (selection instanceof RecordSelection.MultipleRecords<PolicyRecord> multiple) {
      report.add(Item.of("sts-record", name, Verdict.FAIL,
          multiple.candidates().size() + " records start with v=STSv1" + via
              + ", so senders use none of them",
          "keep exactly one v=STSv1 TXT record at " + name));
    } else if (selection instanceof RecordSelection.Invalid<PolicyRecord> invalid) {
      report.add(Item.of("sts-record", name, Verdict.FAIL,
          "invalid record '" + invalid.text() + "'" + via + ": " + invalid.error().reason(),
          "publish it in the form " + example + " (id: 1-32 letters or digits)"));
    } else {
      String detail;
      if (texts.isEmpty()) {
        detail = "no TXT record (" + kebab(answer.status().name()) + "): " + domain
            + " does not publish MTA-STS";
      } else {
        detail = "none of the " + texts.size() + " TXT records" + via
            + " starts with 'v=STSv1': " + domain + " does not publish MTA-STS";
        for (String text : texts) {
          if (text.regionMatches(true, 0, PolicyRecord.VERSION_TAG, 0,
              PolicyRecord.VERSION_TAG.length())) {
            detail += " ('" + text + "' does not count: the tag is case-sensitive"
                + " and must be followed by ';')";
            break;
          }
        }
      }
      report.add(Item.of("sts-record", name, Verdict.FAIL, detail,
          "publish TXT " + name + " " + example
              + " and change the id whenever the policy changes"));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 2. The policy file

  private Policy checkPolicy(CheckReport report, String domain, Attempt<FetchedPolicy> attempt) {
    String host = "mta-sts." + domain;
    String url = "https://" + host + "/.well-known/mta-sts.txt";
    Map<String, Object> json = new LinkedHashMap<>();
    report.fact("policy", json);
    if (attempt.error() != null) {
      Throwable error = attempt.error();
      String code = error instanceof PolicyFetchException pfe
          ? kebab(pfe.failure().name()) : "internal";
      String fix = error instanceof PolicyFetchException pfe
          ? fetchFix(pfe, host, url) : "run again with --verbose and report the problem";
      json.put("url", url);
      Map<String, Object> errorJson = new LinkedHashMap<>();
      errorJson.put("code", code);
      errorJson.put("message", MtaStsCommand.describe(error));
      json.put("error", errorJson);
      report.add(Item.of("policy", host, Verdict.FAIL,
          code + ": " + MtaStsCommand.describe(error), fix));
      return null;
    }
    FetchedPolicy fetched = attempt.value();
    Policy policy = fetched.policy();
    json.put("url", fetched.url());
    json.put("http_status", 200);
    json.put("content_type", fetched.contentType().orElse(null));
    json.put("tls_version", fetched.tlsVersion().orElse(null));
    json.put("mode", policy.mode().token());
    json.put("max_age", policy.maxAge().toSeconds());
    List<String> patterns = new ArrayList<>();
    for (MxPattern pattern : policy.mxPatterns()) {
      patterns.add(pattern.toString());
    }
    json.put("mx", patterns);
    List<String> warnings = new ArrayList<>();
    for (PolicyWarning warning : fetched.warnings()) {
      warnings.add(warning.toString());
    }
    json.put("warnings", warnings);
    json.put("error", null);

    List<String> facts = new ArrayList<>();
    facts.add("HTTP 200");
    fetched.contentType().ifPresent(facts::add);
    fetched.tlsVersion().ifPresent(facts::add);
    report.add(Item.ok("policy", host, fetched.url() + " (" + String.join(", ", facts)
        + "): valid, mx " + (patterns.isEmpty() ? "(none)" : String.join(", ", patterns))));

    switch (policy.mode()) {
      case ENFORCE -> report.add(Item.ok("mode", host,
          "enforce: senders refuse MX hosts that fail these checks"));
      case TESTING -> report.add(Item.of("mode", host, Verdict.WARN,
          "testing: not enforced yet; senders deliver anyway and only report failures",
          "once the MX checks pass and TLS-RPT reports are clean, set 'mode: enforce'"
              + " and change the id in the TXT record"));
      case NONE -> report.add(Item.of("mode", host, Verdict.WARN,
          "none: the policy is withdrawn; senders stop applying MTA-STS",
          "to use MTA-STS set 'mode: testing' or 'mode: enforce'; to leave it, remove the TXT"
              + " record once max_age has passed"));
      default -> { }
    }

    long maxAge = policy.maxAge().toSeconds();
    boolean capped =
        fetched.warnings().stream().anyMatch(w -> w.kind() == PolicyWarning.Kind.MAX_AGE_CAPPED);
    if (capped) {
      report.add(Item.of("max_age", host, Verdict.WARN,
          "max_age above " + Policy.MAX_AGE_LIMIT.toSeconds() + " was capped to " + maxAge
              + " (one year)",
          "set max_age to at most " + Policy.MAX_AGE_LIMIT.toSeconds()));
    } else if (maxAge < ONE_DAY) {
      report.add(Item.of("max_age", host, Verdict.WARN,
          "max_age " + maxAge + " is short: senders re-fetch often and the policy protects"
              + " little; 604800-31557600 is typical",
          "raise max_age (e.g. 604800, one week) once the set-up is stable"));
    } else {
      report.add(Item.ok("max_age", host, maxAge + " s (" + humanDuration(maxAge) + ")"));
    }

    for (PolicyWarning warning : fetched.warnings()) {
      if (warning.kind() != PolicyWarning.Kind.MAX_AGE_CAPPED) {
        report.add(Item.of("policy-warning", host, Verdict.WARN, warning.toString(),
            warningFix(warning)));
      }
    }
    return policy;
  }

  private static String fetchFix(PolicyFetchException e, String host, String url) {
    return switch (e.failure()) {
      case DNS_FAILURE -> "publish an A or AAAA record for " + host
          + " pointing at the web server that serves the policy";
      case ADDRESS_REFUSED -> host + " must resolve to a public address"
          + " (--allow-private-addresses lifts this for tests)";
      case CONNECT_FAILED -> "serve HTTPS on port 443 of " + host;
      case TLS_HANDSHAKE_FAILED -> "serve " + host + " with TLS 1.2 or 1.3 and a valid certificate";
      case CERTIFICATE_UNTRUSTED -> "use a certificate for " + host
          + " from a publicly trusted CA, served with its intermediate certificates";
      case CERTIFICATE_EXPIRED -> "renew the certificate of " + host + " and automate renewal";
      case CERTIFICATE_HOST_MISMATCH -> "use a certificate whose subjectAltName lists " + host;
      case REDIRECT_REFUSED -> "serve the policy at " + url
          + " itself with status 200: senders do not follow redirects";
      case HTTP_STATUS -> "serve the policy file at " + url + " with status 200";
      case MEDIA_TYPE -> "serve " + url + " with 'Content-Type: text/plain'";
      case BODY_TOO_LARGE -> "keep the policy file under 64 KiB";
      case TIMEOUT -> "make " + url + " answer within seconds";
      case IO_ERROR -> "check the web server of " + host;
      case INVALID_ENCODING -> "save the policy file as UTF-8 (plain ASCII is best)";
      case POLICY_SYNTAX -> "correct the policy file: lines 'version: STSv1', 'mode: enforce'"
          + " (or testing, none), one 'mx: HOST' per MX host and 'max_age: SECONDS'";
    };
  }

  private static String warningFix(PolicyWarning warning) {
    return switch (warning.kind()) {
      case BYTE_ORDER_MARK -> "save the policy file without a byte-order mark;"
          + " some senders reject it";
      case BLANK_LINES -> "remove the blank lines; some senders reject them";
      case DUPLICATE_FIELD -> "keep one line per field: only the first counts";
      case MX_IGNORED -> "correct or remove the mx line: one host name or *.domain per line";
      case MX_DUPLICATE -> "remove the repeated mx line";
      case MX_TOP_LEVEL_WILDCARD -> "list your MX hosts more narrowly, e.g. *.example.com";
      case MX_LOOKS_LIKE_ADDRESS -> "mx lines take MX host names, not IP addresses";
      default -> "clean up the policy file";
    };
  }

  // ---------------------------------------------------------------------------------------------
  // 5. TLS-RPT

  private void checkTlsRpt(CheckReport report, String domain,
      Attempt<DnsAnswer<TxtRecord>> attempt) {
    String name = "_smtp._tls." + domain;
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", name);
    report.fact("tls_rpt", json);
    String example = "\"v=TLSRPTv1; rua=mailto:tlsrpt@" + domain + "\"";
    if (attempt.error() != null) {
      json.put("status", "dns-error");
      json.put("error", MtaStsCommand.describe(attempt.error()));
      report.add(Item.of("tls-rpt", name, Verdict.WARN,
          "TXT lookup failed: " + MtaStsCommand.describe(attempt.error()),
          "make the name servers of " + domain + " answer TXT queries for " + name));
      return;
    }
    List<String> texts = new ArrayList<>();
    for (TxtRecord txt : attempt.value().records()) {
      texts.add(txt.text());
    }
    json.put("records", texts);
    RecordSelection<TlsRptRecord> selection = TlsRptRecord.select(texts);
    json.put("status", kebab(selection.status().name()));
    if (selection instanceof RecordSelection.Found<TlsRptRecord> found) {
      TlsRptRecord record = found.record();
      List<String> destinations = new ArrayList<>();
      for (ReportDestination destination : record.destinations()) {
        destinations.add(destination.uri());
      }
      List<Object> ignored = new ArrayList<>();
      List<String> ignoredText = new ArrayList<>();
      for (TlsRptRecord.IgnoredUri uri : record.ignoredUris()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("uri", uri.uri());
        entry.put("reason", uri.reason());
        ignored.add(entry);
        ignoredText.add(uri.uri() + " (" + uri.reason() + ")");
      }
      json.put("destinations", destinations);
      json.put("ignored", ignored);
      String detail = "reports go to " + String.join(", ", destinations);
      if (ignored.isEmpty()) {
        report.add(Item.ok("tls-rpt", name, detail));
      } else {
        report.add(Item.of("tls-rpt", name, Verdict.WARN,
            detail + "; ignored: " + String.join(", ", ignoredText),
            "use only mailto: or https: URIs, with ',' '!' ';' percent-encoded"));
      }
    } else if (selection instanceof RecordSelection.MultipleRecords<TlsRptRecord> multiple) {
      report.add(Item.of("tls-rpt", name, Verdict.WARN,
          multiple.candidates().size() + " records start with v=TLSRPTv1, so senders send no"
              + " reports",
          "keep exactly one v=TLSRPTv1 TXT record at " + name));
    } else if (selection instanceof RecordSelection.Invalid<TlsRptRecord> invalid) {
      report.add(Item.of("tls-rpt", name, Verdict.WARN,
          "invalid record '" + invalid.text() + "': " + invalid.error().reason(),
          "publish it in the form " + example));
    } else {
      report.add(Item.of("tls-rpt", name, Verdict.WARN,
          "no TLS-RPT record: you get no reports when senders fail to reach you over TLS",
          "add a TLS-RPT record to receive failure reports: TXT " + name + " " + example));
    }
  }

  // ---------------------------------------------------------------------------------------------

  static String kebab(String name) {
    return name.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static String humanDuration(long seconds) {
    if (seconds % 86_400 == 0) {
      long days = seconds / 86_400;
      return days + (days == 1 ? " day" : " days");
    }
    if (seconds >= 86_400) {
      return String.format(Locale.ROOT, "%.1f days", seconds / 86_400.0);
    }
    if (seconds % 3600 == 0) {
      return seconds / 3600 + " h";
    }
    return seconds / 60 + " min";
  }
}
