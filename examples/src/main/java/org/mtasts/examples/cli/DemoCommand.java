package org.mtasts.examples.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.mtasts.examples.cli.DemoScenarios.Scenario;
import org.mtasts.examples.cli.DemoScenarios.Verdict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code mta-sts demo}: sends real mail through the MTA-STS Jakarta Mail transport into an offline
 * testkit world (loopback DNS, HTTPS policy hosts, STARTTLS receivers, a throw-away CA) and checks
 * every outcome against RFC 8461 (RFC 7672 for DANE), and the TLS report of a day of that mail
 * against RFC 8460. Exit 0 when every scenario behaved as required, 1 otherwise.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run MTA-STS end to end, offline: start an in-process world (DNS, HTTPS policy hosts, SMTP"
          + " receivers with STARTTLS, a throw-away CA, all on loopback), send one real message"
          + " per scenario through the MTA-STS transport, and check each outcome against RFC 8461"
          + " (RFC 7672 for DANE, RFC 8460 for the TLS report) from what the receivers saw.",
      "Scenarios: enforce over verified TLS, STARTTLS stripped, an MX not in the policy, an"
          + " expired certificate, testing mode, a policy server gone dark after caching, a"
          + " domain without MTA-STS, DANE (RFC 7672) on a DNSSEC-signed domain whose TLSA record"
          + " authenticates a self-signed certificate, a TLSA record that refuses a certificate"
          + " MTA-STS accepts, and a TLS report (RFC 8460): a day of mail to a"
          + " testing-mode domain with a broken MX, the DKIM-signed report delivered to the"
          + " domain's rua and shown.",
      "Exit 0 when every scenario behaved as the RFC requires, 1 otherwise. --json prints the"
          + " results as JSON. The options for real lookups (--dns, --trust-store, ...) do not"
          + " apply (exit 2)."
    })
final class DemoCommand implements Callable<Integer> {
  @ParentCommand MtaStsCommand parent;

  @Spec CommandSpec spec;

  /** The scenarios to run; tests swap in others. */
  List<Scenario<?>> scenarios = DemoScenarios.all();

  /** Extra Jakarta Mail session properties; tests use them to make the transport misbehave. */
  Properties sessionOverrides = new Properties();

  /** A scenario with its verdict. */
  record Result(Scenario<?> scenario, Verdict verdict) {}

  @Override
  public Integer call() throws GlobalOptions.UsageException {
    GlobalOptions options = parent.options;
    if (!options.dnsServers.isEmpty() || options.trustStore != null
        || options.trustStorePassword != null || options.timeoutSeconds != null
        || options.cacheDir != null || options.store != null || options.overrides != null
        || options.allowPrivateAddresses || !options.connectTo.isEmpty()
        || options.dnssecTrustAnchor != null || options.noDane) {
      throw new GlobalOptions.UsageException("demo runs in its own offline world and takes only"
          + " --json and --verbose");
    }
    PrintWriter out = spec.commandLine().getOut();
    boolean json = options.json;
    if (!json) {
      out.println("mta-sts demo: " + scenarios.size() + " MTA-STS (RFC 8461), DANE (RFC 7672)"
          + " and TLS reporting (RFC 8460) scenarios, real mail, offline.");
      out.println("Loopback DNS (DNSSEC-signed where DANE is shown), HTTPS policy hosts and SMTP"
          + " receivers with a throw-away CA; nothing leaves this machine.");
      out.flush();
    }
    List<Result> results = run(scenarios, sessionOverrides, json ? null : out);
    if (json) {
      out.println(CliJson.write(json(results)));
    } else {
      printTable(out, results);
    }
    out.flush();
    return results.stream().allMatch(r -> r.verdict().pass()) ? MtaStsCommand.OK
        : MtaStsCommand.BAD;
  }

  /** Runs each scenario in one world, narrating to {@code out} unless it is null. */
  static List<Result> run(List<Scenario<?>> scenarios, Properties overrides, PrintWriter out) {
    List<Result> results = new ArrayList<>();
    try (DemoWorld world = DemoWorld.start(DemoScenarios::world, overrides)) {
      int n = 0;
      for (Scenario<?> scenario : scenarios) {
        n++;
        if (out != null) {
          out.println();
          out.printf("[%d/%d] %s -> %s%n", n, scenarios.size(), scenario.title(),
              scenario.recipient());
          out.println("  world:   " + scenario.world());
          out.flush();
        }
        Verdict verdict = runOne(scenario, world);
        results.add(new Result(scenario, verdict));
        if (out != null) {
          String label = "  seen:    ";
          for (String line : verdict.details()) {
            out.println(label + line);
            label = "           ";
          }
          out.println("  rule:    " + scenario.rule());
          out.println("  verdict: " + (verdict.pass() ? "PASS" : "FAIL"));
          out.flush();
        }
      }
    }
    return results;
  }

  private static <T> Verdict runOne(Scenario<T> scenario, DemoWorld world) {
    T observed;
    try {
      observed = scenario.run().apply(world);
    } catch (RuntimeException e) {
      return new Verdict(false, "error: " + MtaStsCommand.describe(e),
          List.of("NOT AS REQUIRED: the scenario could not run: " + e));
    }
    try {
      return scenario.check().apply(observed);
    } catch (RuntimeException e) {
      return new Verdict(false, "error: " + MtaStsCommand.describe(e),
          List.of("NOT AS REQUIRED: the observations could not be checked: " + e));
    }
  }

  private static final int[] WRAP = {0, 0, 26, 50, 0};

  /** What the scenarios are judged against, for the final verdict. */
  static final String RFCS = "RFC 8461, RFC 7672 and RFC 8460";

  static void printTable(PrintWriter out, List<Result> results) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"#", "scenario", "expected", "observed", "verdict"});
    int n = 0;
    for (Result r : results) {
      n++;
      rows.add(new String[] {
          String.valueOf(n), r.scenario().id(), r.scenario().expected(), r.verdict().observed(),
          r.verdict().pass() ? "PASS" : "FAIL"});
    }
    int[] width = new int[5];
    List<List<List<String>>> cells = new ArrayList<>();
    for (String[] row : rows) {
      List<List<String>> wrapped = new ArrayList<>();
      for (int i = 0; i < row.length; i++) {
        List<String> lines = WRAP[i] > 0 ? wrap(row[i], WRAP[i]) : List.of(row[i]);
        for (String line : lines) {
          width[i] = Math.max(width[i], line.length());
        }
        wrapped.add(lines);
      }
      cells.add(wrapped);
    }
    out.println();
    for (int k = 0; k < cells.size(); k++) {
      List<List<String>> row = cells.get(k);
      int height = row.stream().mapToInt(List::size).max().orElse(1);
      for (int h = 0; h < height; h++) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < row.size(); i++) {
          String text = h < row.get(i).size() ? row.get(i).get(h) : "";
          line.append(i == 0 ? String.format("%" + width[i] + "s", text)
              : String.format("%-" + width[i] + "s", text));
          line.append(i < row.size() - 1 ? "  " : "");
        }
        out.println(line.toString().stripTrailing());
      }
      if (k == 0) {
        out.println("-".repeat(java.util.Arrays.stream(width).sum() + 2 * (width.length - 1)));
      }
    }
    long passed = results.stream().filter(r -> r.verdict().pass()).count();
    out.println();
    out.println(passed == results.size()
        ? "All " + results.size() + " scenarios behaved as " + RFCS + " require."
        : (results.size() - passed) + " of " + results.size()
            + " scenarios did NOT behave as " + RFCS + " require.");
  }

  /** Splits {@code text} at spaces into lines of at most {@code width} (longer words stay whole). */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    lines.add(line.toString());
    return lines;
  }

  static Map<String, Object> json(List<Result> results) {
    List<Object> list = new ArrayList<>();
    for (Result r : results) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", r.scenario().id());
      m.put("title", r.scenario().title());
      m.put("recipient", r.scenario().recipient());
      m.put("world", r.scenario().world());
      m.put("expected", r.scenario().expected());
      m.put("observed", r.verdict().observed());
      m.put("verdict", r.verdict().pass() ? "pass" : "fail");
      m.put("rule", r.scenario().rule());
      m.put("details", r.verdict().details());
      list.add(m);
    }
    long passed = results.stream().filter(r -> r.verdict().pass()).count();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("scenarios", list);
    json.put("passed", (int) passed);
    json.put("failed", (int) (results.size() - passed));
    json.put("result", passed == results.size() ? "pass" : "fail");
    return json;
  }
}
