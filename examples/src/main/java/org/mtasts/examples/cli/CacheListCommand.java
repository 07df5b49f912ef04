package org.mtasts.examples.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mtasts.CachedPolicy;
import org.mtasts.MtaSts;
import org.mtasts.policy.MxPattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code mta-sts cache list}: the unexpired policies kept in --cache-dir. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List the unexpired policies kept in --cache-dir (expired ones are removed).")
final class CacheListCommand implements Callable<Integer> {
  @ParentCommand CacheCommand cache;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (MtaSts client = cache.client("list")) {
      List<CachedPolicy> policies = client.cache().policies();
      for (CachedPolicy p : policies) {
        // SEC-20: ids and mx patterns came from the network once; printed escaped.
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) CheckReport.printableTree(toJson(p));
        if (cache.options().json) {
          out.println(CliJson.write(json));
        } else {
          out.printf(Locale.ROOT, "%s  %s  id %s  mx %s  expires %s%n", json.get("domain"),
              json.get("mode"), json.get("id"), String.join(",", mx(json)),
              json.get("expires_at"));
        }
      }
      if (!cache.options().json) {
        out.println(policies.size() + (policies.size() == 1 ? " policy" : " policies") + " in "
            + cache.options().stateLocation());
      }
      return MtaStsCommand.OK;
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> mx(Map<String, Object> json) {
    return (List<String>) json.get("mx");
  }

  static Map<String, Object> toJson(CachedPolicy p) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("domain", p.domain());
    json.put("mode", p.mode().token());
    json.put("id", p.recordId());
    List<String> mx = new ArrayList<>();
    for (MxPattern pattern : p.policy().mxPatterns()) {
      mx.add(pattern.toString());
    }
    json.put("mx", mx);
    json.put("max_age", p.policy().maxAge().toSeconds());
    json.put("fetched_at", p.fetchedAt().toString());
    json.put("expires_at", p.expiresAt().toString());
    return json;
  }
}
