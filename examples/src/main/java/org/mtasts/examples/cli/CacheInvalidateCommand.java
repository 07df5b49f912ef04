package org.mtasts.examples.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mtasts.CachedPolicy;
import org.mtasts.MtaSts;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code mta-sts cache invalidate DOMAIN...}: forget the policies of some domains. */
@Command(
    name = "invalidate",
    mixinStandardHelpOptions = true,
    description = "Remove the kept policy of each DOMAIN from --cache-dir; the next lookup starts"
        + " afresh (first contact).")
final class CacheInvalidateCommand implements Callable<Integer> {
  @ParentCommand CacheCommand cache;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DOMAIN", arity = "1..*", description = "Domains to forget.")
  List<String> domains = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    List<String> names = new ArrayList<>();
    for (String domain : domains) {
      try {
        names.add(DomainNames.normalize(domain));
      } catch (InvalidDomainException e) {
        // Nothing is removed when one name is bad: the operator fixes the command line first.
        throw new GlobalOptions.UsageException("cache invalidate: " + e.getMessage());
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    try (MtaSts client = cache.client("invalidate")) {
      for (String d : names) {
        Optional<CachedPolicy> kept =
            client.cache().policies().stream().filter(p -> p.domain().equals(d)).findFirst();
        client.cache().invalidate(d);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("domain", d);
        json.put("removed", kept.isPresent());
        json.put("mode", kept.map(p -> p.mode().token()).orElse(null));
        json.put("id", kept.map(CachedPolicy::recordId).orElse(null));
        @SuppressWarnings("unchecked")
        Map<String, Object> printable = (Map<String, Object>) CheckReport.printableTree(json);
        if (cache.options().json) {
          out.println(CliJson.write(printable));
        } else {
          out.println(kept.isPresent()
              ? d + ": removed (" + printable.get("mode") + ", id " + printable.get("id") + ")"
              : d + ": nothing kept");
        }
      }
      return MtaStsCommand.OK;
    }
  }
}
