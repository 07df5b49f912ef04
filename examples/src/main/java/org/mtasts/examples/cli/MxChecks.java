package org.mtasts.examples.cli;

import static org.mtasts.examples.cli.CheckCommand.DATE;
import static org.mtasts.examples.cli.CheckCommand.EXPIRY_WARNING;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.mtasts.dns.MxLookup;
import org.mtasts.dns.MxRecord;
import org.mtasts.examples.cli.CheckCommand.Attempt;
import org.mtasts.examples.cli.CheckReport.Item;
import org.mtasts.examples.cli.CheckReport.Verdict;
import org.mtasts.policy.Mode;
import org.mtasts.policy.MxPattern;
import org.mtasts.policy.Policy;
import org.mtasts.tls.RefusalReason;
import org.mtasts.tls.TlsOutcome;

/**
 * Checks 3 and 4 of {@link CheckCommand}: the MX records, each MX host against the policy's
 * {@code mx} patterns, and the STARTTLS probe of each host on port 25 (certificate, TLS version,
 * expiry), each problem with its fix. Problems fail under {@code enforce} (and without a policy)
 * and warn under {@code testing} and {@code none}.
 */
final class MxChecks {
  private final Clock clock;

  MxChecks(Clock clock) {
    this.clock = clock;
  }

  /** Probes every MX host of {@code lookup} at once on {@code pool}; none when null. */
  static CompletableFuture<Map<String, SmtpProbe.Result>> probeAll(
      MxLookup lookup, SmtpProbe probe, ExecutorService pool) {
    Map<String, CompletableFuture<SmtpProbe.Result>> running = new LinkedHashMap<>();
    if (lookup != null) {
      for (MxRecord host : lookup.hosts()) {
        running.put(
            host.exchange(),
            CompletableFuture.supplyAsync(() -> probe.probe(host.exchange()), pool)
                .exceptionally(
                    e -> {
                      SmtpProbe.Result failed = new SmtpProbe.Result(host.exchange());
                      failed.error = MtaStsCommand.describe(CheckCommand.unwrap(e));
                      return failed;
                    }));
      }
    }
    return CompletableFuture.allOf(running.values().toArray(new CompletableFuture<?>[0]))
        .thenApply(
            ignored -> {
              Map<String, SmtpProbe.Result> results = new LinkedHashMap<>();
              running.forEach((host, result) -> results.put(host, result.join()));
              return results;
            });
  }

  /** Adds the MX items: the lookup, each host's match against the policy, its probe. */
  void checkMx(CheckReport report, String domain, Attempt<MxLookup> attempt,
      Policy policy, Map<String, SmtpProbe.Result> probes) {
    Map<String, Object> json = new LinkedHashMap<>();
    report.fact("mx", json);
    if (attempt.error() != null) {
      json.put("status", "dns-error");
      json.put("error", MtaStsCommand.describe(attempt.error()));
      json.put("hosts", List.of());
      report.add(Item.of("mx", domain, Verdict.FAIL,
          "MX lookup failed: " + MtaStsCommand.describe(attempt.error()),
          "make the name servers of " + domain + " answer MX queries"));
      return;
    }
    MxLookup lookup = attempt.value();
    json.put("status", CheckCommand.kebab(lookup.status().name()));
    switch (lookup.status()) {
      case MX -> {
        List<String> list = new ArrayList<>();
        for (MxRecord host : lookup.hosts()) {
          list.add(host.preference() + " " + host.exchange());
        }
        report.add(Item.ok("mx", domain, lookup.hosts().size()
            + (lookup.hosts().size() == 1 ? " MX host: " : " MX hosts: ")
            + String.join(", ", list)));
      }
      case IMPLICIT_MX -> report.add(Item.of("mx", domain, Verdict.WARN,
          "no MX record: mail goes to the address of " + domain + " itself (implicit MX), so"
              + " the policy must list " + domain + " and its certificate must name it",
          "publish an MX record for " + domain));
      case NULL_MX -> report.add(Item.of("mx", domain, Verdict.WARN,
          "null MX (MX 0 .): " + domain + " accepts no mail, so MTA-STS has no effect",
          "remove the MTA-STS records, or replace the null MX with your MX hosts"));
      case NO_SUCH_DOMAIN -> report.add(Item.of("mx", domain, Verdict.FAIL,
          domain + " does not exist (NXDOMAIN)", "check the spelling of the domain"));
      case NO_MAIL_HOST -> report.add(Item.of("mx", domain, Verdict.FAIL,
          domain + " has neither MX records nor an address: it cannot receive mail",
          "publish MX records for " + domain));
      default -> { }
    }
    // Problems with an MX fail under enforce (and without a policy, where nothing works yet);
    // under testing and none they are warnings: senders still deliver.
    Mode mode = policy != null ? policy.mode() : null;
    Verdict problem = mode == null || mode == Mode.ENFORCE ? Verdict.FAIL : Verdict.WARN;
    List<Object> hosts = new ArrayList<>();
    for (MxRecord host : lookup.hosts()) {
      Map<String, Object> hostJson = new LinkedHashMap<>();
      hostJson.put("host", host.exchange());
      hostJson.put("preference", host.preference());
      if (policy != null && mode != Mode.NONE) {
        Optional<MxPattern> match = policy.matchingPattern(host.exchange());
        hostJson.put("policy_match", match.map(MxPattern::toString).orElse(null));
        if (match.isPresent()) {
          report.add(Item.ok("mx-match", host.exchange(), "matches 'mx: " + match.get() + "'"));
        } else {
          List<String> patterns = new ArrayList<>();
          for (MxPattern pattern : policy.mxPatterns()) {
            patterns.add(pattern.toString());
          }
          report.add(Item.of("mx-match", host.exchange(), problem,
              "matches none of the policy's mx patterns (" + String.join(", ", patterns) + ")"
                  + (mode == Mode.ENFORCE
                      ? ": senders refuse to deliver to it" : ": under enforce senders would"
                      + " refuse to deliver to it"),
              "add 'mx: " + host.exchange() + "'" + wildcardHint(host.exchange())
                  + " to the policy (and change the TXT id), or correct the MX record"));
        }
      }
      SmtpProbe.Result result = probes.get(host.exchange());
      if (result != null) {
        hostJson.put("smtp", probeJson(result));
        report.add(probeItem(result, problem));
      }
      hosts.add(hostJson);
    }
    json.put("hosts", hosts);
  }

  private static String wildcardHint(String host) {
    int dot = host.indexOf('.');
    if (dot < 0 || host.indexOf('.', dot + 1) < 0) {
      return "";
    }
    return " (or '*." + host.substring(dot + 1) + "')";
  }

  private Item probeItem(SmtpProbe.Result result, Verdict problem) {
    String host = result.host;
    if (result.error != null) {
      return Item.of("starttls", host, Verdict.WARN, "could not test: " + result.error,
          "make " + host + " reachable on port 25; if this network blocks outbound port 25,"
              + " run the check elsewhere (or use --no-smtp)");
    }
    List<String> notes = certificateNotes(result);
    RefusalReason refusal = result.refusal();
    if (refusal == RefusalReason.STARTTLS_NOT_SUPPORTED) {
      String detail = result.startTlsRefusal != null
          ? "STARTTLS refused: " + result.startTlsRefusal
          : "STARTTLS not offered in the EHLO reply";
      return Item.of("starttls", host, problem, detail,
          "enable STARTTLS on " + host + " with a certificate for " + host
              + " from a publicly trusted CA").withNotes(notes);
    }
    TlsOutcome outcome = result.outcome;
    if (refusal != null) {
      String detail = refusal.code() + ": " + outcome.message();
      if (outcome.handshakeCompleted()) {
        detail = outcome.protocol().orElse("TLS") + ", " + detail;
      }
      return Item.of("starttls", host, problem, detail, tlsFix(refusal, host)).withNotes(notes);
    }
    String detail = "STARTTLS, " + outcome.protocol().orElse("TLS")
        + ", certificate valid for " + host;
    X509Certificate certificate = result.certificate;
    if (certificate != null) {
      Instant notAfter = SmtpProbe.notAfter(certificate);
      Duration left = Duration.between(clock.instant(), notAfter);
      if (left.compareTo(EXPIRY_WARNING) < 0) {
        return Item.of("starttls", host, Verdict.WARN,
            detail + ", but it expires in " + left.toDays() + " days (" + DATE.format(notAfter)
                + ")",
            "renew the certificate of " + host + " now and automate renewal").withNotes(notes);
      }
    }
    return Item.ok("starttls", host, detail).withNotes(notes);
  }

  private static String tlsFix(RefusalReason reason, String host) {
    return switch (reason) {
      case TLS_VERSION -> "enable TLS 1.2 or 1.3 on " + host
          + "; older versions are refused under MTA-STS";
      case TLS_HANDSHAKE_FAILED -> "check the TLS set-up of " + host + " (certificate and key,"
          + " protocols, cipher suites): the handshake must complete with TLS 1.2 or 1.3";
      case CERTIFICATE_HOST_MISMATCH -> "install a certificate whose subjectAltName lists " + host
          + wildcardHint(host).replace(" (or ", " (or a wildcard ")
          + "; the Common Name does not count";
      case CERTIFICATE_EXPIRED -> "renew the certificate of " + host + " and automate renewal";
      case CERTIFICATE_NOT_TRUSTED -> "use a certificate from a publicly trusted CA and send"
          + " the intermediate certificates with it";
      default -> "check the certificate of " + host;
    };
  }

  private List<String> certificateNotes(SmtpProbe.Result result) {
    List<String> notes = new ArrayList<>();
    X509Certificate certificate = result.certificate;
    if (certificate != null) {
      List<String> names = SmtpProbe.dnsNames(certificate);
      Instant notAfter = SmtpProbe.notAfter(certificate);
      long days = Duration.between(clock.instant(), notAfter).toDays();
      notes.add("certificate: " + certificate.getSubjectX500Principal().getName()
          + ", DNS names " + (names.isEmpty() ? "(none)" : String.join(" ", names)));
      notes.add("issuer: " + certificate.getIssuerX500Principal().getName() + ", expires "
          + DATE.format(notAfter) + " (" + (days >= 0 ? "in " + days + " days" : "expired") + ")");
    }
    return notes;
  }

  private Map<String, Object> probeJson(SmtpProbe.Result result) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("address", result.address);
    json.put("greeting", result.greeting);
    json.put("starttls_offered", result.error == null ? result.startTlsOffered : null);
    json.put("starttls_refused", result.startTlsRefusal);
    TlsOutcome outcome = result.outcome;
    if (outcome != null) {
      Map<String, Object> tls = new LinkedHashMap<>();
      tls.put("handshake_completed", outcome.handshakeCompleted());
      tls.put("protocol", outcome.protocol().orElse(null));
      tls.put("cipher_suite", outcome.cipherSuite().orElse(null));
      tls.put("message", outcome.message());
      json.put("tls", tls);
    } else {
      json.put("tls", null);
    }
    X509Certificate certificate = result.certificate;
    if (certificate != null) {
      Map<String, Object> cert = new LinkedHashMap<>();
      cert.put("subject", certificate.getSubjectX500Principal().getName());
      cert.put("dns_names", SmtpProbe.dnsNames(certificate));
      cert.put("issuer", certificate.getIssuerX500Principal().getName());
      cert.put("not_after", SmtpProbe.notAfter(certificate).toString());
      cert.put("days_left", Duration.between(clock.instant(), SmtpProbe.notAfter(certificate))
          .toDays());
      json.put("certificate", cert);
    } else {
      json.put("certificate", null);
    }
    RefusalReason refusal = result.refusal();
    json.put("refusal", refusal != null ? refusal.code() : null);
    json.put("error", result.error);
    return json;
  }
}
