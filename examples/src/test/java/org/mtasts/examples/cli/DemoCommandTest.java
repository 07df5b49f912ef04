package org.mtasts.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.mtasts.examples.cli.DemoReportScenario.HULK;
import static org.mtasts.examples.cli.DemoReportScenario.HULK_MX1;
import static org.mtasts.examples.cli.DemoReportScenario.HULK_MX2;
import static org.mtasts.examples.cli.DemoReportScenario.RECIPIENT;
import static org.mtasts.examples.cli.DemoReportScenario.RUA;
import static org.mtasts.examples.cli.DemoReportScenario.RUA_DOMAIN;
import static org.mtasts.examples.cli.DemoReportScenario.RUA_MX;
import static org.mtasts.examples.cli.DemoScenarios.BALOR;
import static org.mtasts.examples.cli.DemoScenarios.BALOR_MX;
import static org.mtasts.examples.cli.DemoScenarios.DARK;
import static org.mtasts.examples.cli.DemoScenarios.DARK_MX;
import static org.mtasts.examples.cli.DemoScenarios.DEADMAN;
import static org.mtasts.examples.cli.DemoScenarios.DEADMAN_MX;
import static org.mtasts.examples.cli.DemoScenarios.FLAIR;
import static org.mtasts.examples.cli.DemoScenarios.FLAIR_MX;
import static org.mtasts.examples.cli.DemoScenarios.IMPOSTOR_MX;
import static org.mtasts.examples.cli.DemoScenarios.PANCAKES;
import static org.mtasts.examples.cli.DemoScenarios.PANCAKES_MX1;
import static org.mtasts.examples.cli.DemoScenarios.PANCAKES_MX2;
import static org.mtasts.examples.cli.DemoScenarios.PLAIN;
import static org.mtasts.examples.cli.DemoScenarios.PLAIN_MX;
import static org.mtasts.examples.cli.DemoScenarios.SAVAGE;
import static org.mtasts.examples.cli.DemoScenarios.SAVAGE_MX;
import static org.mtasts.examples.cli.DemoScenarios.STONE_COLD;
import static org.mtasts.examples.cli.DemoScenarios.STONE_COLD_MX;
import static org.mtasts.examples.cli.DemoScenarios.STRIPPED;
import static org.mtasts.examples.cli.DemoScenarios.STRIPPED_MX1;
import static org.mtasts.examples.cli.DemoScenarios.STRIPPED_MX2;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mtasts.TlsReporter;
import org.mtasts.examples.cli.DemoObservation.Attempt;
import org.mtasts.examples.cli.DemoObservation.Dkim;
import org.mtasts.examples.cli.DemoObservation.Event;
import org.mtasts.examples.cli.DemoObservation.MxSeen;
import org.mtasts.examples.cli.DemoObservation.Received;
import org.mtasts.examples.cli.DemoObservation.Refusal;
import org.mtasts.examples.cli.DemoObservation.ReportMail;
import org.mtasts.examples.cli.DemoObservation.Reporting;
import org.mtasts.examples.cli.DemoObservation.Send;
import org.mtasts.examples.cli.DemoScenarios.Scenario;
import org.mtasts.examples.cli.DemoScenarios.Verdict;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.PolicyTally;
import org.mtasts.report.ReportDay;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ReportSubmitter;
import org.mtasts.report.ResultType;
import org.mtasts.report.TlsReport;
import picocli.CommandLine;

/** Runs the real {@code mta-sts demo}, and shows that its verdicts are computed, not assumed. */
class DemoCommandTest {

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = MtaStsCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  // ================================================================== the real demo

  @Test
  @Timeout(60)
  void demo_everyScenarioPasses_exit0() {
    Run r = run("demo");

    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("All 10 scenarios behaved as RFC 8461, RFC 7672 and RFC 8460"
        + " require."), r.out());
    for (Scenario<?> s : DemoScenarios.all()) {
      Matcher row = Pattern.compile("(?m)^\\s*\\d+  " + Pattern.quote(s.id()) + " .*\\s(\\w+)$")
          .matcher(r.out());
      assertTrue(row.find(), "table row for " + s.id() + "\n" + r.out());
      assertEquals("PASS", row.group(1), s.id() + "\n" + r.out());
    }
    assertFalse(r.out().contains("FAIL"), r.out());
    assertFalse(r.out().contains("NOT AS REQUIRED"), r.out());
  }

  @Test
  @Timeout(60)
  void demo_narratesWhatHappenedOnTheWire() {
    String out = run("demo").out();

    assertTrue(out.contains(STRIPPED_MX1 + ": refused (starttls-not-supported, 4.7.10) after 1"
        + " connection(s), nothing sent to it"), out);
    assertTrue(out.contains(STRIPPED_MX2 + ": delivered over TLSv1."), out);
    assertTrue(out.contains(IMPOSTOR_MX + ": skipped (mx-mismatch, 4.7.5), 0 connection(s)"), out);
    assertTrue(out.contains(FLAIR_MX + ": refused (certificate-expired, 4.7.5)"), out);
    assertTrue(out.contains(SAVAGE_MX + ": certificate-not-trusted - reported"), out);
    assertTrue(out.contains("policy requests during the second send: 1"), out);
    assertTrue(out.contains("answered HTTP 503"), out);
    assertTrue(out.contains(PLAIN_MX + ": delivered in plaintext"), out);
    // the TLS report: delivered to the rua, signed, shown as received
    assertTrue(out.contains("TlsReporter: " + HULK + " "), out);
    assertTrue(out.contains(" -> " + RUA + ": delivered"), out);
    assertTrue(out.contains(RUA_MX + ": got multipart/report; report-type=tlsrpt"), out);
    assertTrue(out.contains("DKIM (Apache jDKIM, key from the world's DNS): verified,"
        + " d=sender.example s=demo-tlsrpt a=rsa-sha256"), out);
    assertTrue(out.contains("\"total-successful-session-count\" : 4"), out);
    assertTrue(out.contains("\"result-type\" : \"certificate-expired\""), out);
    assertTrue(out.contains("\"receiving-mx-hostname\" : \"" + HULK_MX2 + "\""), out);
  }

  @Test
  @Timeout(60)
  void demoJson_sameVerdicts() {
    Run r = run("demo", "--json");

    assertEquals(0, r.exitCode(), r.out() + r.err());
    String json = r.out().strip();
    assertTrue(json.startsWith("{\"scenarios\":[") && json.endsWith("}"), json);
    assertEquals(1, json.lines().count(), "JSON only, on one line: " + json);
    assertTrue(json.contains("\"passed\":10,\"failed\":0,\"result\":\"pass\""), json);
    for (Scenario<?> s : DemoScenarios.all()) {
      assertTrue(json.contains("{\"id\":\"" + s.id() + "\""), s.id() + ": " + json);
    }
    assertEquals(10, json.split("\"verdict\":\"pass\"", -1).length - 1, json);
  }

  // ================================================================== verdicts can fail

  @Test
  @Timeout(60)
  void demo_aScenarioThatMisbehaves_failsAndExits1() {
    // A real run whose check does not match what happened: burritos' mail to banana-pancakes.com
    // is judged by the STARTTLS-stripping rule, which finds no refusal of mx1 and no mail at mx2.
    Scenario<List<Send>> first = DemoScenarios.mtaSts().get(0);
    Scenario<List<Send>> second = DemoScenarios.mtaSts().get(1);
    Scenario<List<Send>> mismatched = new Scenario<>("mismatched", "Wrong check", first.recipient(),
        first.world(), second.expected(), second.rule(), first.run(),
        sends -> DemoScenarios.starttlsStripped(sends.get(0)));
    Scenario<List<Send>> crashing = new Scenario<>("crashing", "Scenario that throws", "nobody@nowhere.example",
        "nothing", "nothing", "none", w -> {
          throw new IllegalStateException("boom");
        }, sends -> new Verdict(true, "unreachable", List.of()));

    CommandLine commandLine = new CommandLine(new MtaStsCommand());
    DemoCommand demo = commandLine.getSubcommands().get("demo").getCommand();
    demo.scenarios = List.of(first, mismatched, crashing);
    StringWriter out = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(new StringWriter(), true));

    int code = commandLine.execute("demo");

    assertEquals(1, code, out.toString());
    assertTrue(out.toString().contains("2 of 3 scenarios did NOT behave as RFC 8461, RFC 7672"
        + " and RFC 8460 require."),
        out.toString());
    assertTrue(out.toString().contains("NOT AS REQUIRED: mx1 was not refused"), out.toString());
    assertTrue(out.toString().contains("the scenario could not run"), out.toString());
    assertTrue(Pattern.compile("(?m)^\\s*2  mismatched .*FAIL$").matcher(out.toString()).find(),
        out.toString());
    assertTrue(Pattern.compile("(?m)^\\s*3  crashing .*FAIL$").matcher(out.toString()).find(),
        out.toString());
  }

  @Test
  @Timeout(60)
  void demo_transportThatDoesNotEnforce_failsTheEnforceScenarios() {
    // mail.mtasts.enforce=false makes the transport treat enforce like testing: the real library,
    // deliberately misconfigured. The verdicts come from what the receivers saw, so they turn FAIL.
    CommandLine commandLine = new CommandLine(new MtaStsCommand());
    DemoCommand demo = commandLine.getSubcommands().get("demo").getCommand();
    demo.sessionOverrides.put("mail.mtasts.enforce", "false");
    StringWriter out = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(new StringWriter(), true));

    int code = commandLine.execute("demo", "--json");

    String json = out.toString();
    assertEquals(1, code, json);
    // DANE does not depend on MTA-STS's enforce setting: its two scenarios still pass
    assertTrue(json.contains("\"passed\":6,\"failed\":4,\"result\":\"fail\""), json);
    for (String id : List.of("starttls-stripped", "mx-not-in-policy", "expired-certificate",
        "policy-server-dark")) {
      Matcher m = Pattern.compile("\\{\"id\":\"" + id + "\".*?\"verdict\":\"(\\w+)\"")
          .matcher(json);
      assertTrue(m.find(), id + ": " + json);
      assertEquals("fail", m.group(1), id + ": " + json);
    }
    for (String id : List.of("enforce-verified-tls", "testing-mode", "no-mta-sts",
        "dane-authenticated", "dane-mismatch", "tls-report")) {
      Matcher m = Pattern.compile("\\{\"id\":\"" + id + "\".*?\"verdict\":\"(\\w+)\"")
          .matcher(json);
      assertTrue(m.find(), id + ": " + json);
      assertEquals("pass", m.group(1), id + ": " + json);
    }
  }

  @Test
  @Timeout(60)
  @DisplayName("TLSRPT-DATA-02: a transport that does not record fails the TLS report scenario")
  void demo_transportThatDoesNotRecord_failsTheReportScenario_TLSRPT_DATA_02() {
    // mail.mtasts.tlsrpt.record=false: the real transport, told not to count its sessions. The
    // mail is delivered, but no report reaches the rua, and the verdict says so.
    CommandLine commandLine = new CommandLine(new MtaStsCommand());
    DemoCommand demo = commandLine.getSubcommands().get("demo").getCommand();
    demo.scenarios = List.of(DemoReportScenario.scenario());
    demo.sessionOverrides.put("mail.mtasts.tlsrpt.record", "false");
    StringWriter out = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(new StringWriter(), true));

    int code = commandLine.execute("demo");

    assertEquals(1, code, out.toString());
    assertTrue(out.toString().contains("1 of 1 scenarios did NOT behave as RFC 8461, RFC 7672"
        + " and RFC 8460 require."),
        out.toString());
    assertTrue(out.toString().contains("NOT AS REQUIRED: TlsReporter handled 0 report(s) for "
        + HULK), out.toString());
    assertTrue(out.toString().contains("NOT AS REQUIRED: " + RUA_MX + " got 0 message(s)"),
        out.toString());
  }

  @Test
  void checks_passOnTheRightObservation_failOnAWrongOne() {
    // 1. enforce, verified TLS
    assertPass(DemoScenarios.enforceVerifiedTls(
        delivered("burritos@" + PANCAKES, List.of(), tls(PANCAKES_MX1))));
    assertFail(DemoScenarios.enforceVerifiedTls(
        delivered("burritos@" + PANCAKES, List.of(), plain(PANCAKES_MX1))), "not over TLS 1.2+");
    assertFail(DemoScenarios.enforceVerifiedTls(
        delivered("burritos@" + PANCAKES, List.of(),
            new Received(PANCAKES_MX1, true, "TLSv1.1", PANCAKES_MX1))), "not over TLS 1.2+");
    assertFail(DemoScenarios.enforceVerifiedTls(
        delivered("burritos@" + PANCAKES, List.of(), tls(PANCAKES_MX2))), "one message at");

    // 2. STARTTLS stripped on mx1
    Event mx1Refused = refusedEvent(STRIPPED, STRIPPED_MX1, "starttls-not-supported", "4.7.10");
    assertPass(DemoScenarios.starttlsStripped(contacting(
        delivered("braunstrowman@" + STRIPPED, List.of(mx1Refused), tls(STRIPPED_MX2)),
        STRIPPED_MX1)));
    assertFail(DemoScenarios.starttlsStripped(
        delivered("braunstrowman@" + STRIPPED, List.of(mx1Refused), tls(STRIPPED_MX2))),
        "mx1 was never tried");
    assertFail(DemoScenarios.starttlsStripped(
        delivered("braunstrowman@" + STRIPPED, List.of(), plain(STRIPPED_MX1))),
        "mail went to mx1");

    // 3. MX not in the policy
    Event mismatch = refusedEvent(BALOR, IMPOSTOR_MX, "mx-mismatch", "4.7.5");
    assertPass(DemoScenarios.mxNotInPolicy(
        delivered("finnbalor@" + BALOR, List.of(mismatch), tls(BALOR_MX))));
    Send contacted = delivered("finnbalor@" + BALOR, List.of(mismatch), tls(BALOR_MX));
    Map<String, MxSeen> mx = new LinkedHashMap<>(contacted.mx());
    mx.put(IMPOSTOR_MX, new MxSeen(IMPOSTOR_MX, 1, List.of()));
    assertFail(DemoScenarios.mxNotInPolicy(withMx(contacted, mx)), "was contacted 1 time(s)");

    // 4. expired certificate
    Refusal expired = new Refusal(FLAIR, "policy-refused", false, "4.7.5",
        List.of(new Attempt(FLAIR_MX, "refused", true, "certificate-expired", "4.7.5")));
    Event expiredEvent = refusedEvent(FLAIR, FLAIR_MX, "certificate-expired", "4.7.5");
    assertPass(DemoScenarios.expiredCertificate(
        contacting(refused("ricflair@" + FLAIR, expired, List.of(expiredEvent)), FLAIR_MX)));
    assertFail(DemoScenarios.expiredCertificate(
        delivered("ricflair@" + FLAIR, List.of(), tls(FLAIR_MX))), "despite the expired");
    assertFail(DemoScenarios.expiredCertificate(refused("ricflair@" + FLAIR,
        new Refusal(FLAIR, "policy-refused", true, "5.7.5", expired.attempts()),
        List.of(expiredEvent))), "permanent");

    // 5. testing mode
    Event violation = new Event("testing-violation", SAVAGE, SAVAGE_MX,
        "certificate-not-trusted", "4.7.5", "reported");
    assertPass(DemoScenarios.testingMode(
        delivered("randysavage@" + SAVAGE, List.of(violation), tls(SAVAGE_MX))));
    assertFail(DemoScenarios.testingMode(
        delivered("randysavage@" + SAVAGE, List.of(), tls(SAVAGE_MX))),
        "no testing violation was reported");
    assertFail(DemoScenarios.testingMode(refused("randysavage@" + SAVAGE,
        new Refusal(SAVAGE, "policy-refused", false, "4.7.5", List.of()), List.of(violation))),
        "not delivered");

    // 6. policy server dark after caching
    Send first = delivered("syrup@" + DARK, List.of(), tls(DARK_MX));
    Event stale = new Event("stale-served", DARK, null, null, null, "HTTP 503");
    Event darkRefused = refusedEvent(DARK, DARK_MX, "starttls-not-supported", "4.7.10");
    Refusal darkRefusal = new Refusal(DARK, "policy-refused", false, "4.7.10",
        List.of(new Attempt(DARK_MX, "refused", true, "starttls-not-supported", "4.7.10")));
    Send enforced = withPolicyRequests(contacting(
        refused("syrup@" + DARK, darkRefusal, List.of(stale, darkRefused)), DARK_MX), 1);
    assertPass(DemoScenarios.policyServerDark(List.of(first, enforced)));
    Send ignored = withPolicyRequests(delivered("syrup@" + DARK, List.of(), plain(DARK_MX)), 1);
    assertFail(DemoScenarios.policyServerDark(List.of(first, ignored)),
        "the cached policy was not applied");
    assertFail(DemoScenarios.policyServerDark(List.of(first, withPolicyRequests(enforced, 0))),
        "never fetched");

    // 7. no MTA-STS
    assertPass(DemoScenarios.noMtaSts(delivered("hello@" + PLAIN, List.of(), plain(PLAIN_MX))));
    assertFail(DemoScenarios.noMtaSts(refused("hello@" + PLAIN,
        new Refusal(PLAIN, "policy-refused", false, "4.7.10", List.of()), List.of())),
        "not delivered");
  }

  @Test
  @Timeout(60)
  @DisplayName("EDGE-98, STS-DANE-01: the demo's DANE scenarios, on the wire")
  void demo_dane_selfSignedDaneEeDelivered_mismatchRefused_EDGE_98_STS_DANE_01() {
    CommandLine commandLine = new CommandLine(new MtaStsCommand());
    DemoCommand demo = commandLine.getSubcommands().get("demo").getCommand();
    demo.scenarios = List.copyOf(DemoScenarios.dane());
    StringWriter out = new StringWriter();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(new StringWriter(), true));

    int code = commandLine.execute("demo");

    String text = out.toString();
    assertEquals(0, code, text);
    assertTrue(text.contains(DEADMAN_MX + ": DANE authenticated: the certificate matches its TLSA"
        + " record"), text);
    assertTrue(text.contains(DEADMAN_MX + ": delivered over TLSv1."), text);
    assertTrue(text.contains("; dane: authenticated"), text);
    assertTrue(text.contains(STONE_COLD_MX + ": DANE failed"), text);
    assertTrue(text.contains("tlsa-invalid"), text);
    assertTrue(text.contains("; dane: failed"), text);
    assertTrue(text.contains("All 2 scenarios behaved as RFC 8461, RFC 7672 and RFC 8460"
        + " require."), text);
  }

  @Test
  @DisplayName("STS-DANE-01, D-23: the DANE checks pass the right observation, fail a wrong one")
  void daneChecks_passOnTheRightObservation_failOnAWrongOne_STS_DANE_01_D_23() {
    // delivered to the self-signed MX because DANE authenticated it
    Send authenticated = withAttempts(delivered("undertaker@" + DEADMAN, List.of(),
        tls(DEADMAN_MX)), new Attempt(DEADMAN_MX, "delivered", true, null, null,
        "authenticated"));
    assertPass(DemoScenarios.daneAuthenticated(authenticated));
    assertFail(DemoScenarios.daneAuthenticated(withAttempts(delivered("undertaker@" + DEADMAN,
        List.of(), tls(DEADMAN_MX)), new Attempt(DEADMAN_MX, "delivered", true, null, null))),
        "was not authenticated by DANE");
    assertFail(DemoScenarios.daneAuthenticated(refused("undertaker@" + DEADMAN,
        new Refusal(DEADMAN, "policy-refused", false, "4.7.5", List.of(new Attempt(DEADMAN_MX,
            "refused", true, "certificate-not-trusted", "4.7.5"))),
        List.of(refusedEvent(DEADMAN, DEADMAN_MX, "certificate-not-trusted", "4.7.5")))),
        "MTA-STS overrode DANE");

    // refused although MTA-STS passes
    Attempt tlsaInvalid = new Attempt(STONE_COLD_MX, "refused", true, "tlsa-invalid", "4.7.5",
        "failed");
    Send refused = withAttempts(contacting(refused("austin@" + STONE_COLD,
        new Refusal(STONE_COLD, "policy-refused", false, "4.7.5", List.of(tlsaInvalid)),
        List.of()), STONE_COLD_MX), tlsaInvalid);
    assertPass(DemoScenarios.daneMismatch(refused));
    assertFail(DemoScenarios.daneMismatch(withAttempts(delivered("austin@" + STONE_COLD,
        List.of(), tls(STONE_COLD_MX)), new Attempt(STONE_COLD_MX, "delivered", true, null,
        null))), "matches no TLSA record");
    assertFail(DemoScenarios.daneMismatch(contacting(refused("austin@" + STONE_COLD,
        new Refusal(STONE_COLD, "policy-refused", true, "5.7.5", List.of(tlsaInvalid)),
        List.of()), STONE_COLD_MX)), "permanent");
  }

  @Test
  @DisplayName("TLSRPT-DEL-03, -06, -07: the report check passes the right report, fails a wrong one")
  void reportCheck_passOnTheRightReport_failOnAWrongOne_TLSRPT_DEL_03_06_07() {
    assertPass(DemoReportScenario.check(reporting(report(4, 2, HULK_MX2, "127.0.0.1"))));

    // the day of mail
    List<Send> undelivered = new ArrayList<>(day());
    undelivered.set(5, refused(RECIPIENT, new Refusal(HULK, "policy-refused", false, "4.7.5",
        List.of()), List.of()));
    assertFail(DemoReportScenario.check(new Reporting(undelivered, delivered(), List.of(
        mail(report(4, 2, HULK_MX2, "127.0.0.1"), DKIM_OK)), "127.0.0.1", List.of())),
        "was not delivered");
    List<Send> unreported = new ArrayList<>(day());
    unreported.set(3, delivered(RECIPIENT, List.of(), tls(HULK_MX2)));
    assertFail(DemoReportScenario.check(new Reporting(unreported, delivered(), List.of(
        mail(report(4, 2, HULK_MX2, "127.0.0.1"), DKIM_OK)), "127.0.0.1", List.of())),
        "testing violation(s) were reported");
    // the reporter and the rua receiver
    assertFail(DemoReportScenario.check(new Reporting(day(), List.of(new TlsReporter.Outcome(
        new ReportDay(HULK, LocalDate.of(2026, 12, 1)), TlsReporter.Status.RETRY,
        List.of(new TlsReporter.DestinationResult(RUA, false, "421")), "", Optional.empty())),
        List.of(), "127.0.0.1", List.of())), "not delivered to " + RUA);
    ReportMail good = mail(report(4, 2, HULK_MX2, "127.0.0.1"), DKIM_OK);
    assertFail(DemoReportScenario.check(new Reporting(day(), delivered(), List.of(good, good),
        "127.0.0.1", List.of())), "got 2 message(s), not 1 report");
    // the report itself
    assertFail(DemoReportScenario.check(reporting(report(4, 2, HULK_MX2, "127.0.0.2"))),
        "failure-details count 0 certificate-expired");
    assertFail(DemoReportScenario.check(reporting(report(3, 2, HULK_MX2, "127.0.0.1"))),
        "total-successful-session-count is 3");
    assertFail(DemoReportScenario.check(reporting(report(4, 2, HULK_MX1, "127.0.0.1"))),
        "whose certificate is good");
    assertFail(DemoReportScenario.check(new Reporting(day(), delivered(), List.of(
        new ReportMail(List.of("tlsrpt@" + RUA_DOMAIN), "multipart/report", "tlsrpt", HULK,
            "application/tlsrpt+gzip", "r.json.gz", "{\"policies\":{}}".getBytes(UTF_8), null,
            DKIM_OK)), "127.0.0.1", List.of())), "no RFC 8460 report");
    assertFail(DemoReportScenario.check(new Reporting(day(), delivered(), List.of(
        new ReportMail(List.of("tlsrpt@" + RUA_DOMAIN), "multipart/mixed", null, HULK, null,
            null, null, "no application/tlsrpt+gzip part", DKIM_OK)), "127.0.0.1", List.of())),
        "not multipart/report");
    // TLSRPT-DEL-06: signed; TLSRPT-DEL-07: the report's own delivery is not counted
    assertFail(DemoReportScenario.check(new Reporting(day(), delivered(), List.of(
        mail(report(4, 2, HULK_MX2, "127.0.0.1"), new Dkim(false, null, "body hash mismatch"))),
        "127.0.0.1", List.of())), "no DKIM signature of sender.example verified");
    assertFail(DemoReportScenario.check(new Reporting(day(), delivered(), List.of(good),
        "127.0.0.1", List.of(RUA_DOMAIN + " 2026-12-01"))), "TLSRPT-DEL-07");
  }

  @Test
  @DisplayName("SEC-20: the report is shown indented, as JSON, in printable US-ASCII only")
  void reportIsShownIndented_hostileTextEscaped_SEC_20() throws Exception {
    String hostile = "x\u001b[31m\u202e\u007f\u0085\"\\\u00e9";
    String json = "{\"a\":[\"" + hostile.replace("\\", "\\\\").replace("\"", "\\\"")
        .replace("\u001b", "\\u001b") + "\"],\"b\":{\"c\":1}}";
    List<String> lines = DemoReportScenario.pretty(json.getBytes(UTF_8));
    assertEquals("{", lines.get(0));
    assertTrue(lines.contains("  \"a\" : [ \"x\\u001b[31m\\u202e\\u007f\\u0085\\\"\\\\\\u00e9\" ],"),
        lines.toString());
    assertTrue(lines.stream().allMatch(l -> l.chars().allMatch(c -> c >= 0x20 && c < 0x7f)),
        lines.toString());
    try (JsonParser p = new JsonFactory().createParser(String.join("\n", lines))) {
      while (p.nextToken() != JsonToken.VALUE_STRING) {
        assertNotNull(p.currentToken());
      }
      assertEquals(hostile, p.getText(), "the same JSON");
    }
    assertTrue(DemoReportScenario.pretty("{".getBytes(UTF_8)).get(0).startsWith("(not JSON"));
  }

  @Test
  void demo_optionsForRealLookups_usageError() {
    for (String[] args : List.of(new String[] {"demo", "--dns", "127.0.0.1"},
        new String[] {"--cache-dir", "/tmp/x", "demo"}, new String[] {"demo", "--timeout", "5"},
        new String[] {"demo", "--allow-private-addresses"}, new String[] {"demo", "--no-dane"},
        new String[] {"--dnssec-trust-anchor", "/tmp/anchors.ds", "demo"})) {
      Run r = run(args);
      assertEquals(2, r.exitCode(), String.join(" ", args) + ": " + r.out() + r.err());
      assertTrue(r.err().contains("demo runs in its own offline world"), r.err());
      assertEquals("", r.out());
    }
  }

  @Test
  void tableWrapsLongCells() {
    assertEquals(List.of("one two", "three"), DemoCommand.wrap("one two three", 7));
    assertEquals(List.of("averyverylongword", "x"), DemoCommand.wrap("averyverylongword x", 5));
  }

  // ================================================================== fabricated observations

  private static final Dkim DKIM_OK = new Dkim(true, "sender.example",
      "d=sender.example s=demo-tlsrpt a=rsa-sha256");

  /** The day of the report scenario: 3 to mx1, 2 to mx2 (reported), 1 to mx1. */
  private static List<Send> day() {
    Event violation = new Event("testing-violation", HULK, HULK_MX2, "certificate-expired",
        "4.7.5", "reported");
    List<Send> day = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      day.add(delivered(RECIPIENT, List.of(), tls(HULK_MX1)));
    }
    for (int i = 0; i < 2; i++) {
      day.add(delivered(RECIPIENT, List.of(violation), tls(HULK_MX2)));
    }
    day.add(delivered(RECIPIENT, List.of(), tls(HULK_MX1)));
    return day;
  }

  private static List<TlsReporter.Outcome> delivered() {
    return List.of(new TlsReporter.Outcome(new ReportDay(HULK, LocalDate.of(2026, 12, 1)),
        TlsReporter.Status.DELIVERED, List.of(new TlsReporter.DestinationResult(RUA, true, null)),
        "", Optional.empty()));
  }

  /** The day's report with the given counts and one failure detail at {@code mx} / {@code ip}. */
  private static TlsReport report(long ok, long failed, String mx, String ip) {
    ReportPolicy policy = ReportPolicy.sts(HULK, List.of("version: STSv1", "mode: testing",
        "mx: " + HULK_MX1, "mx: " + HULK_MX2, "max_age: 86400"), List.of(HULK_MX1, HULK_MX2));
    FailureDetail expired = new FailureDetail(ResultType.CERTIFICATE_EXPIRED, "127.0.0.1", mx,
        mx, ip, null, null);
    return TlsReport.create(ReportSubmitter.of("mta-sts demo", "tlsrpt@sender.example"),
        new ReportDay(HULK, LocalDate.of(2026, 12, 1)),
        List.of(new PolicyTally(policy, ok, failed, Map.of(expired, failed))));
  }

  private static ReportMail mail(TlsReport report, Dkim dkim) {
    return new ReportMail(List.of("tlsrpt@" + RUA_DOMAIN), "multipart/report", "tlsrpt", HULK,
        "application/tlsrpt+gzip", report.fileName(), report.json(), null, dkim);
  }

  private static Reporting reporting(TlsReport report) {
    return new Reporting(day(), delivered(), List.of(mail(report, DKIM_OK)), "127.0.0.1",
        List.of());
  }

  private static void assertPass(Verdict v) {
    assertTrue(v.pass(), "expected PASS: " + v);
  }

  private static void assertFail(Verdict v, String problem) {
    assertFalse(v.pass(), "expected FAIL: " + v);
    assertTrue(v.details().stream().anyMatch(d -> d.startsWith("NOT AS REQUIRED: ")
        && d.contains(problem)), "expected a problem containing '" + problem + "': " + v);
  }

  private static Received tls(String host) {
    return new Received(host, true, "TLSv1.3", host);
  }

  private static Received plain(String host) {
    return new Received(host, false, null, null);
  }

  private static Event refusedEvent(String domain, String host, String reason, String status) {
    return new Event("delivery-refused", domain, host, reason, status, "refused");
  }

  private static Send delivered(String recipient, List<Event> events, Received... received) {
    Map<String, MxSeen> mx = new LinkedHashMap<>();
    for (Received r : received) {
      mx.put(r.host(), new MxSeen(r.host(), 1, List.of(r)));
    }
    return new Send(recipient, true, null, null, mx, 0, events);
  }

  private static Send refused(String recipient, Refusal refusal, List<Event> events) {
    return new Send(recipient, false, refusal, null, Map.of(), 0, events);
  }

  /** {@code s} with one connection to each of {@code hosts} that took no mail. */
  private static Send contacting(Send s, String... hosts) {
    Map<String, MxSeen> mx = new LinkedHashMap<>(s.mx());
    for (String host : hosts) {
      mx.putIfAbsent(host, new MxSeen(host, 1, List.of()));
    }
    return withMx(s, mx);
  }

  private static Send withMx(Send s, Map<String, MxSeen> mx) {
    return new Send(s.recipient(), s.returnedNormally(), s.refusal(), s.error(), mx,
        s.policyRequests(), s.events(), s.attempts());
  }

  private static Send withPolicyRequests(Send s, int requests) {
    return new Send(s.recipient(), s.returnedNormally(), s.refusal(), s.error(), s.mx(), requests,
        s.events(), s.attempts());
  }

  private static Send withAttempts(Send s, Attempt... attempts) {
    return new Send(s.recipient(), s.returnedNormally(), s.refusal(), s.error(), s.mx(),
        s.policyRequests(), s.events(), List.of(attempts));
  }
}
