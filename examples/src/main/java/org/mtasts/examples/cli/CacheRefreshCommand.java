package org.mtasts.examples.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mtasts.MtaSts;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code mta-sts cache refresh DOMAIN...}: fetch some policies again now. */
@Command(
    name = "refresh",
    mixinStandardHelpOptions = true,
    description = "Fetch the policy of each DOMAIN again now, even if its id is unchanged, and"
        + " keep it in --cache-dir. A failed fetch keeps the policy kept before.")
final class CacheRefreshCommand implements Callable<Integer> {
  @ParentCommand CacheCommand cache;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DOMAIN", arity = "1..*", description = "Domains to refresh.")
  List<String> domains = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    for (String domain : domains) {
      try {
        DomainNames.normalize(domain);
      } catch (InvalidDomainException e) {
        throw new GlobalOptions.UsageException("cache refresh: " + e.getMessage());
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    boolean allValid = true;
    try (MtaSts client = cache.client("refresh")) {
      for (String domain : domains) {
        // SEC-20: policy lines and fetch errors are printed escaped.
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>)
            CheckReport.printableTree(PolicyCommand.toJson(client.cache().refresh(domain)));
        allValid &= "valid".equals(json.get("status"));
        if (cache.options().json) {
          out.println(CliJson.write(json));
        } else {
          PolicyCommand.printHuman(out, json, domains.size() == 1);
        }
      }
    }
    return allValid ? MtaStsCommand.OK : MtaStsCommand.BAD;
  }
}
