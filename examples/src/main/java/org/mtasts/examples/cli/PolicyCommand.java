package org.mtasts.examples.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.mtasts.FetchFailure;
import org.mtasts.LookupFailure;
import org.mtasts.MtaSts;
import org.mtasts.PolicyLookup;
import org.mtasts.PolicyOverrides;
import org.mtasts.policy.InvalidDomainException;
import org.mtasts.policy.MxPattern;
import org.mtasts.policy.Policy;
import org.mtasts.policy.PolicyWarning;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mta-sts policy DOMAIN...}: discover and fetch policies, one or many at once. */
@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description = "Discover and fetch the MTA-STS policy of each DOMAIN.")
final class PolicyCommand implements Callable<Integer> {
  @ParentCommand MtaStsCommand parent;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DOMAIN", arity = "0..*", description = "Domains to look up.")
  List<String> domains = new ArrayList<>();

  @Option(
      names = "--domains-file",
      paramLabel = "FILE",
      description = "Read domains from FILE, one per line (blank lines and # comments skipped).")
  Path domainsFile;

  @Option(
      names = "--parallel",
      paramLabel = "N",
      description = "Look up at most N domains at once (default: ${DEFAULT-VALUE}).")
  int parallel = 16;

  @Override
  public Integer call() throws Exception {
    GlobalOptions options = parent.options;
    options.validate();
    List<String> all = new ArrayList<>(domains);
    if (domainsFile != null) {
      for (String line : Files.readAllLines(domainsFile, StandardCharsets.UTF_8)) {
        String trimmed = line.strip();
        if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
          all.add(trimmed);
        }
      }
    }
    if (all.isEmpty()) {
      throw new GlobalOptions.UsageException("policy: give at least one DOMAIN or --domains-file");
    }
    if (parallel < 1) {
      throw new GlobalOptions.UsageException("--parallel must be at least 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (MtaSts client = options.client()) {
      List<CompletableFuture<Map<String, Object>>> results = lookUpAll(client, all, err);
      boolean allValid = true;
      for (CompletableFuture<Map<String, Object>> result : results) {
        // SEC-20: domains from a file, policy lines and fetch errors are printed escaped.
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) CheckReport.printableTree(result.join());
        allValid &= "valid".equals(json.get("status"));
        if (parent.options.json) {
          out.println(CliJson.write(json));
        } else {
          printHuman(out, json, all.size() == 1);
        }
      }
      return allValid ? MtaStsCommand.OK : MtaStsCommand.BAD;
    }
  }

  private List<CompletableFuture<Map<String, Object>>> lookUpAll(
      MtaSts client, List<String> all, PrintWriter err) {
    Semaphore permits = new Semaphore(parallel);
    boolean progress = all.size() > 1 && System.console() != null;
    AtomicInteger done = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    long start = System.nanoTime();
    List<CompletableFuture<Map<String, Object>>> results = new ArrayList<>(all.size());
    for (String domain : all) {
      permits.acquireUninterruptibly();
      CompletableFuture<Map<String, Object>> result;
      try {
        result =
            client.resolveAsync(domain).toCompletableFuture()
                .handle((lookup, e) -> e == null ? toJson(lookup) : errorJson(domain, e));
      } catch (InvalidDomainException e) {
        result = CompletableFuture.completedFuture(errorJson(domain, e));
      }
      result.whenComplete(
          (json, e) -> {
            permits.release();
            int n = done.incrementAndGet();
            if (!"valid".equals(json.get("status"))) {
              failed.incrementAndGet();
            }
            if (progress) {
              double seconds = (System.nanoTime() - start) / 1e9;
              synchronized (err) {
                err.printf(Locale.ROOT, "\r%d/%d domains, %.1f/s, %d without a valid policy ",
                    n, all.size(), n / Math.max(seconds, 1e-3), failed.get());
                err.flush();
              }
            }
          });
      results.add(result);
    }
    CompletableFuture.allOf(results.toArray(new CompletableFuture<?>[0])).join();
    if (progress) {
      err.println();
    }
    return results;
  }

  static Map<String, Object> toJson(PolicyLookup lookup) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("domain", lookup.domain());
    json.put("status", status(lookup.status()));
    Policy policy = lookup.policy().orElse(null);
    json.put("mode", policy == null ? null : policy.mode().token());
    List<String> mx = new ArrayList<>();
    if (policy != null) {
      for (MxPattern pattern : policy.mxPatterns()) {
        mx.add(pattern.toString());
      }
    }
    json.put("mx", mx);
    json.put("max_age", policy == null ? null : policy.maxAge().toSeconds());
    json.put("id", lookup.recordId().orElse(null));
    json.put("source", lookup.source().map(s -> kebab(s.name())).orElse(null));
    json.put("override", lookup.override().map(PolicyCommand::override).orElse(null));
    List<String> warnings = new ArrayList<>();
    for (PolicyWarning warning : lookup.warnings()) {
      warnings.add(warning.toString());
    }
    json.put("warnings", warnings);
    json.put("error", lookup.failure().map(PolicyCommand::error).orElse(null));
    return json;
  }

  /** The local override rule in force (issue 17): what a person must know was not published. */
  private static Map<String, Object> override(PolicyOverrides.Rule rule) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("rule", rule.domain());
    json.put("action", rule.action().token());
    json.put("until", rule.expiresAt().map(Object::toString).orElse(null));
    return json;
  }

  private static Map<String, Object> error(LookupFailure failure) {
    Map<String, Object> error = new LinkedHashMap<>();
    String code =
        failure.fetchFailure().map(FetchFailure::name).map(PolicyCommand::kebab)
            .or(() -> failure.resultType().map(r -> r.wireName()))
            .orElse("warning");
    error.put("code", code);
    error.put("message", failure.message());
    return error;
  }

  static Map<String, Object> errorJson(String domain, Throwable e) {
    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
        ? e.getCause() : e;
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("domain", domain);
    json.put("status", cause instanceof InvalidDomainException ? "invalid-domain" : "error");
    json.put("mode", null);
    json.put("mx", List.of());
    json.put("max_age", null);
    json.put("id", null);
    json.put("source", null);
    json.put("override", null);
    json.put("warnings", List.of());
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", cause instanceof InvalidDomainException ? "invalid-domain" : "internal");
    error.put("message", MtaStsCommand.describe(cause));
    json.put("error", error);
    return json;
  }

  private static String status(PolicyLookup.Status status) {
    return kebab(status == PolicyLookup.Status.NO_POLICY ? "no-policy" : status.name());
  }

  private static String kebab(String name) {
    return name.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  @SuppressWarnings("unchecked")
  static void printHuman(PrintWriter out, Map<String, Object> json, boolean detailed) {
    String domain = (String) json.get("domain");
    String status = (String) json.get("status");
    Map<String, Object> error = (Map<String, Object>) json.get("error");
    if (!detailed) {
      String line = domain + "  " + status;
      if (json.get("mode") != null) {
        line += "  " + json.get("mode") + "  mx " + String.join(",", (List<String>) json.get("mx"));
      }
      Map<String, Object> override = (Map<String, Object>) json.get("override");
      if (override != null) {
        line += "  override " + override.get("action");
      }
      if (error != null) {
        line += "  (" + error.get("message") + ")";
      }
      out.println(line);
      return;
    }
    out.println(domain + ": " + status
        + (json.get("source") != null ? " (" + json.get("source") + ")" : ""));
    if (json.get("mode") != null) {
      row(out, "id", json.get("id"));
      row(out, "mode", json.get("mode"));
      row(out, "mx", String.join(", ", (List<String>) json.get("mx")));
      row(out, "max_age", json.get("max_age") + " s");
    }
    Map<String, Object> override = (Map<String, Object>) json.get("override");
    if (override != null) {
      row(out, "override", override.get("action")
          + (override.get("until") != null ? " until " + override.get("until") : "")
          + " (local rule " + override.get("rule") + ")");
    }
    for (String warning : (List<String>) json.get("warnings")) {
      row(out, "warning", warning);
    }
    if (error != null) {
      row(out, "error", error.get("code") + ": " + error.get("message"));
    }
  }

  private static void row(PrintWriter out, String name, Object value) {
    out.printf(Locale.ROOT, "  %-8s %s%n", name, value);
  }
}
