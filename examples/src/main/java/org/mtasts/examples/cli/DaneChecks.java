package org.mtasts.examples.cli;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.mtasts.DeliveryPlan;
import org.mtasts.FetchedPolicy;
import org.mtasts.MtaSts;
import org.mtasts.MxCandidate;
import org.mtasts.dns.TlsaRecord;
import org.mtasts.examples.cli.CheckCommand.Attempt;
import org.mtasts.examples.cli.CheckReport.Item;
import org.mtasts.examples.cli.CheckReport.Verdict;
import org.mtasts.tls.CertificateCheck;
import org.mtasts.tls.DaneRequirement;
import org.mtasts.tls.DaneResult;
import org.mtasts.tls.DaneTlsa;
import org.mtasts.tls.MxTlsVerifier;
import org.mtasts.tls.RefusalReason;

/**
 * The DANE part of {@link CheckCommand} (RFC 7672): for each MX host, whether DANE applies (the
 * library's own planning decides: secure MX RRset, secure addresses, a secure TLSA RRset with
 * usable records) and, after the STARTTLS probe, whether the certificate the host presented
 * matches its TLSA records ({@link MxTlsVerifier#verify(DaneTlsa, X509Certificate[])}), each
 * problem with its fix. DANE problems fail whatever the MTA-STS mode: a sender that does DANE
 * refuses the host (STS-DANE-01, STS-DANE-03).
 */
final class DaneChecks {
  private DaneChecks() {}

  /**
   * The delivery plan of {@code domain} as {@link MtaSts#planAsync} makes it with DANE's validating
   * DNS client: each MX candidate carries its DANE requirement. The plan's policy lookup gets the
   * policy the check fetched already ({@code fetched}), so the policy host is asked once.
   */
  static CompletionStage<DeliveryPlan> plan(
      GlobalOptions.Dane dane, String domain, CompletableFuture<Attempt<FetchedPolicy>> fetched) {
    MtaSts planner =
        MtaSts.builder()
            .dnsClient(dane.dnsClient())
            .policyFetcher(d -> fetched.thenCompose(a -> a.error() == null
                ? CompletableFuture.completedFuture(a.value())
                : CompletableFuture.failedFuture(a.error())))
            .build();
    return planner.planAsync(domain).whenComplete((r, e) -> planner.close());
  }

  /**
   * Adds the {@code dane} item of one MX host to {@code report} and its {@code "dane"} object to
   * {@code hostJson}.
   *
   * @param plan the plan of {@link #plan}, or why there is none
   * @param probe the STARTTLS probe of the host; null with --no-smtp
   */
  static void check(CheckReport report, Map<String, Object> hostJson, String host,
      Attempt<DeliveryPlan> plan, SmtpProbe.Result probe, MxTlsVerifier verifier) {
    Map<String, Object> json = new LinkedHashMap<>();
    hostJson.put("dane", json);
    DaneRequirement requirement = null;
    if (plan.value() != null) {
      for (MxCandidate candidate : plan.value().candidates()) {
        if (candidate.host().equals(host)) {
          requirement = candidate.dane();
        }
      }
    }
    if (requirement == null) {
      // The MX lookup without DNSSEC found the host; the one that validates did not.
      String why = plan.value() != null ? plan.value().message()
          : MtaStsCommand.describe(plan.error());
      why = ascii(why);
      json.put("status", "dnssec-failed");
      json.put("message", why);
      report.add(Item.of("dane", host, Verdict.FAIL,
          "the DNSSEC-validated MX lookup did not give this host: " + why
              + ": senders that do DANE defer mail to it",
          "repair the DNSSEC of the domain's MX records (signatures current, DNSKEY and the"
              + " parent's DS matching)"));
      return;
    }
    json.put("status", CheckCommand.kebab(requirement.status().name()));
    String message = ascii(requirement.message());
    json.put("message", message);
    DaneTlsa tlsa = requirement.tlsa().orElse(null);
    if (tlsa != null) {
      json.put("tlsa_owner", tlsa.ownerName());
      json.put("records", tlsa.records().stream().map(TlsaRecord::toString).toList());
      json.put("usable", tlsa.usable().stream().map(TlsaRecord::toString).toList());
    }
    X509Certificate leaf = probe == null ? null : probe.certificate;
    String currentKey = leaf == null ? null : daneEeRecord(leaf);
    json.put("current_key_record", currentKey);
    json.put("result", null);
    switch (requirement.status()) {
      case NONE -> report.add(Item.ok("dane", host, "not used: " + message));
      case DNSSEC_FAILED -> report.add(Item.of("dane", host, Verdict.FAIL,
          "DNSSEC validation failed: " + message
              + ": senders that do DANE do not deliver to " + host + " until it validates",
          "repair the DNSSEC of " + host + " and its TLSA name (signatures current, DNSKEY"
              + " and the parent's DS matching, name servers answering)"));
      case TLS_REQUIRED -> tlsRequired(report, host, tlsa, probe, currentKey);
      case AUTHENTICATE -> authenticate(report, json, host, tlsa, probe, verifier, currentKey);
      default -> { }
    }
  }

  private static void tlsRequired(CheckReport report, String host, DaneTlsa tlsa,
      SmtpProbe.Result probe, String currentKey) {
    String records = tlsa.records().stream().map(TlsaRecord::toString)
        .reduce((a, b) -> a + ", " + b).orElse("");
    String publish = currentKey != null
        ? "publish " + tlsa.ownerName() + ". IN TLSA " + currentKey + " (the current key)"
        : "publish DANE-EE (3 1 1) or DANE-TA (2 x x) records";
    if (probe != null && probe.error == null
        && probe.refusal() == RefusalReason.STARTTLS_NOT_SUPPORTED) {
      report.add(Item.of("dane", host, Verdict.FAIL,
          "secure TLSA RRset at " + tlsa.ownerName() + " makes STARTTLS mandatory, but "
              + host + " does not offer it: senders that do DANE do not deliver to it",
          "enable STARTTLS on " + host + ", and " + publish));
      return;
    }
    report.add(Item.of("dane", host, Verdict.WARN,
        "secure TLSA RRset at " + tlsa.ownerName() + " has no record usable for SMTP ("
            + records + "): senders require STARTTLS but authenticate nothing",
        publish + "; PKIX-TA (0) and PKIX-EE (1) records are unusable for SMTP"
            + " (RFC 7672 sec. 3.1.3)"));
  }

  private static void authenticate(CheckReport report, Map<String, Object> json, String host,
      DaneTlsa tlsa, SmtpProbe.Result probe, MxTlsVerifier verifier, String currentKey) {
    String owner = tlsa.ownerName();
    if (probe == null) {
      report.add(Item.ok("dane", host, "secure TLSA RRset at " + owner + " with "
          + tlsa.usable().size() + " usable record(s); certificate not probed (--no-smtp)"));
      return;
    }
    if (probe.error != null) {
      report.add(Item.of("dane", host, Verdict.WARN,
          "secure TLSA RRset at " + owner + "; could not test the certificate: " + probe.error,
          "make " + host + " reachable on port 25, or run the check elsewhere"));
      return;
    }
    if (probe.refusal() == RefusalReason.STARTTLS_NOT_SUPPORTED) {
      report.add(Item.of("dane", host, Verdict.FAIL,
          "secure TLSA RRset at " + owner + " makes STARTTLS mandatory, but " + host
              + " does not offer it: senders that do DANE do not deliver to it",
          "enable STARTTLS on " + host + " with the certificate its TLSA records name"));
      return;
    }
    if (probe.chain == null || probe.chain.length == 0) {
      String why = probe.outcome != null ? probe.outcome.message() : "no certificate";
      report.add(Item.of("dane", host, Verdict.FAIL,
          "secure TLSA RRset at " + owner + ", but the TLS handshake failed: " + why,
          "check the TLS set-up of " + host + ": TLS 1.2 or 1.3 with the certificate its"
              + " TLSA records name"));
      return;
    }
    CertificateCheck check = verifier.verify(tlsa, probe.chain);
    DaneResult result = check.dane().orElse(DaneResult.FAILED);
    json.put("result", result.code());
    json.put("detail", ascii(check.message()));
    String sni = tlsa.tlsaBaseDomain().equals(host) ? ""
        : " (probed with SNI " + host + "; senders send " + tlsa.tlsaBaseDomain() + ")";
    if (result == DaneResult.AUTHENTICATED) {
      report.add(Item.ok("dane", host, "authenticated: the certificate matches a usable TLSA"
          + " record at " + owner + sni));
      return;
    }
    report.add(Item.of("dane", host, Verdict.FAIL,
        ascii(check.message()) + sni + ": senders that do DANE refuse " + host
            + " (tlsa-invalid), even where MTA-STS passes",
        (currentKey != null ? "publish TLSA " + currentKey + " at " + owner
            + " (the SHA-256 of the key " + host + " serves now), or " : "")
            + "serve the certificate the TLSA records name; at the next key change publish the"
            + " new record a TTL before the new key is served"));
  }

  /**
   * The library's messages cite RFC sections with a section sign, which the report's escaping of
   * non-ASCII text (SEC-20) would turn into a Unicode escape; say "sec." instead.
   */
  private static String ascii(String message) {
    return message.replace("\u00a7", "sec. ").replace("sec.  ", "sec. ");
  }

  /**
   * The DANE-EE record for {@code certificate}'s public key, SHA-256 (3 1 1), in presentation
   * form: what RFC 7672 sec. 3.1.1 recommends publishing.
   */
  static String daneEeRecord(X509Certificate certificate) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(certificate.getPublicKey().getEncoded());
      return "3 1 1 " + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
