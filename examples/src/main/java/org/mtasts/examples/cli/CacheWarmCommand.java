package org.mtasts.examples.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mtasts.MtaSts;
import org.mtasts.PolicyLookup;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code mta-sts cache warm}: resolve a list of domains (e.g. the top recipient domains) ahead
 * of sending, so that the first message to each finds its policy kept in --cache-dir.
 */
@Command(
    name = "warm",
    mixinStandardHelpOptions = true,
    description = "Resolve each DOMAIN (and those of --domains-file) ahead of sending and keep"
        + " their policies in --cache-dir. Exit 1 if a lookup failed (no policy is no failure).")
final class CacheWarmCommand implements Callable<Integer> {
  @ParentCommand CacheCommand cache;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DOMAIN", arity = "0..*", description = "Domains to resolve.")
  List<String> domains = new ArrayList<>();

  @Option(
      names = "--domains-file",
      paramLabel = "FILE",
      description = "Read domains from FILE, one per line (blank lines and # comments skipped).")
  Path domainsFile;

  @Option(
      names = "--parallel",
      paramLabel = "N",
      description = "Resolve at most N domains at once, 1 to 256 (default: ${DEFAULT-VALUE}).")
  int parallel = 8;

  @Override
  public Integer call() throws Exception {
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
      throw new GlobalOptions.UsageException("cache warm: give a DOMAIN or --domains-file");
    }
    if (parallel < 1 || parallel > 256) {
      throw new GlobalOptions.UsageException("--parallel must be between 1 and 256");
    }
    PrintWriter out = spec.commandLine().getOut();
    boolean json = cache.options().json;
    int failed = 0;
    int withPolicy = 0;
    // One bad line in a long file must not stop the warm-up of the others: reported, skipped.
    List<String> good = new ArrayList<>();
    for (String domain : all) {
      try {
        DomainNames.normalize(domain);
        good.add(domain);
      } catch (InvalidDomainException e) {
        failed++;
        print(out, PolicyCommand.errorJson(domain, e), json);
      }
    }
    try (MtaSts client = cache.client("warm")) {
      Map<String, PolicyLookup> warmed = client.cache().warmUp(good, parallel);
      for (PolicyLookup lookup : warmed.values()) {
        if (lookup.isValid()) {
          withPolicy++;
        } else if (lookup.status() != PolicyLookup.Status.NO_POLICY) {
          failed++;
        }
        print(out, PolicyCommand.toJson(lookup), json);
      }
      if (!json) {
        out.println("warmed " + warmed.size() + " domains: " + withPolicy + " with a policy, "
            + (warmed.size() - withPolicy) + " without; " + client.cache().policies().size()
            + " policies kept in " + cache.options().stateLocation());
      }
    }
    return failed == 0 ? MtaStsCommand.OK : MtaStsCommand.BAD;
  }

  private static void print(PrintWriter out, Map<String, Object> json, boolean asJson) {
    // SEC-20: names from the file, policy lines and fetch errors are printed escaped.
    @SuppressWarnings("unchecked")
    Map<String, Object> printable = (Map<String, Object>) CheckReport.printableTree(json);
    if (asJson) {
      out.println(CliJson.write(printable));
    } else {
      PolicyCommand.printHuman(out, printable, false);
    }
  }
}
