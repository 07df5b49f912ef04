package org.mtasts.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.testkit.Cert;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.https.PolicyResponse;
import org.mtasts.testkit.smtp.SessionRecord;

/** Runs the real {@code mta-sts check} command against a testkit world. */
class CheckCommandTest {
  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(
          w ->
              w.domain("good.example", d -> d
                      .policy("enforce", "mx1.good.example")
                      .maxAge(604_800)
                      .mx(10, "mx1.good.example", Mx.goodTls()))
                  .domain("nostarttls.example", d -> d
                      .policy("enforce", "mx.nostarttls.example")
                      .maxAge(604_800)
                      .mx(10, "mx.nostarttls.example", Mx.noStartTls()))
                  .domain("expired.example", d -> d
                      .policy("enforce", "mx.expired.example")
                      .mx(10, "mx.expired.example", Mx.expiredCertificate()))
                  .domain("wrongname.example", d -> d
                      .policy("enforce", "mx.wrongname.example")
                      .mx(10, "mx.wrongname.example", Mx.wrongNameCertificate()))
                  .domain("soon.example", d -> d
                      .policy("enforce", "mx.soon.example")
                      .mx(10, "mx.soon.example", Mx.startTls(Cert.custom("expires in 5 days",
                          (ca, host) -> ca.leaf(host)
                              .validity(Instant.now().minus(Duration.ofDays(60)),
                                  Instant.now().plus(Duration.ofDays(5)))
                              .build()))))
                  .domain("notinpolicy.example", d -> d
                      .policy("enforce", "mx1.notinpolicy.example")
                      .mx(10, "mx1.notinpolicy.example", Mx.goodTls())
                      .mx(20, "mx2.notinpolicy.example", Mx.goodTls()))
                  .domain("testing.example", d -> d
                      .policy("testing", "mx.testing.example")
                      .maxAge(300)
                      .mx(10, "mx.testing.example", Mx.goodTls())
                      .mx(20, "backup.testing.example", Mx.noStartTls()))
                  .domain("gone.example", d -> d
                      .policyResponse(PolicyResponse.status(404))
                      .mx(10, "mx.gone.example", Mx.goodTls()))
                  .domain("plain.example", d -> d.mx(10, "mx.plain.example", Mx.goodTls()))
                  .domain("quiet.example", d -> d
                      .policy("enforce", "mx.quiet.example")
                      .mx(10, "mx.quiet.example", Mx.goodTls()))
                  .domain("legacy.example", d -> d
                      .policy("testing", "mx.legacy.example")
                      .mx(10, "mx.legacy.example", Mx.legacyTlsOnly("TLSv1.1")))
                  .domain("down.example", d -> d
                      .policy("enforce", "mx.down.example")
                      .mx(10, "mx.down.example", Mx.unreachable()))
                  .domain("refused.example", d -> d
                      .policy("enforce", "mx.refused.example")
                      .mx(10, "mx.refused.example", Mx.startTlsRefused()))
                  .domain("implicit.example", d -> d
                      .policy("enforce", "implicit.example")
                      .implicitMx(Mx.goodTls()))
                  .domain("twice.example", d -> d
                      .txt("v=STSv1; id=1", "v=STSv1; id=2", "v=spf1 -all")
                      .policy("enforce", "mx.twice.example")
                      .mx(10, "mx.twice.example"))
                  .domain("badid.example", d -> d
                      .txt("v=STSv1; id=2024-01-01")
                      .policy("enforce", "mx.badid.example")
                      .mx(10, "mx.badid.example"))
                  .domain("sloppy.example", d -> d
                      .policyText("\uFEFFversion: STSv1\nmode: enforce\nmx: mx.sloppy.example\n"
                          + "mx: a.example, b.example\nmax_age: 9999999999\n")
                      .mx(10, "mx.sloppy.example"))
                  .domain("html.example", d -> d
                      .policyResponse(PolicyResponse.builder().status(200)
                          .contentType("text/html").body(PolicyResponse.SAMPLE_POLICY).build())
                      .mx(10, "mx.html.example"))
                  .domain("nomail.example", d -> d.policy("enforce", "mx.nomail.example")
                      .nullMx())
                  .dns(dns -> dns
                      .mx("silent.example", 10, "mx.silent.example")
                      .a("mx.silent.example", "127.0.0.1")
                      .txt("_smtp._tls.good.example", "v=TLSRPTv1; rua=mailto:tlsrpt@good.example")
                      .txt("_smtp._tls.soon.example",
                          "v=TLSRPTv1; rua=mailto:tlsrpt@soon.example,ftp://x.example/r")
                      .txt("_smtp._tls.nostarttls.example",
                          "v=TLSRPTv1; rua=https://reports.example/tlsrpt")));

  @TempDir static Path dir;
  static Path trustPem;

  @BeforeAll
  static void writeTrust() {
    trustPem = world.writeTrustPem(dir.resolve("ca.pem"));
  }

  /** Runs the command with the world's DNS, trust anchors and every host mapped. */
  static CliRun run(String... args) {
    return CliRun.inWorld(world, trustPem, args);
  }

  static CliRun runPlain(String... args) {
    return CliRun.run(List.of(args));
  }

  /** The JSON item objects of the output, as text, in order. */
  static List<String> items(String json) {
    List<String> items = new ArrayList<>();
    Matcher m = Pattern.compile("\\{\"item\":[^{}]*\\}").matcher(json);
    while (m.find()) {
      items.add(m.group());
    }
    return items;
  }

  static String item(String json, String item, String subject) {
    for (String i : items(json)) {
      if (i.startsWith("{\"item\":\"" + item + "\",\"subject\":\"" + subject + "\"")) {
        return i;
      }
    }
    throw new AssertionError("no item " + item + " " + subject + " in " + json);
  }

  static void assertVerdict(String json, String item, String subject, String verdict) {
    String i = item(json, item, subject);
    assertTrue(i.contains("\"verdict\":\"" + verdict + "\""), i);
    if (verdict.equals("ok")) {
      assertTrue(i.endsWith("\"fix\":null}"), i);
    } else {
      assertFalse(i.endsWith("\"fix\":null}"), "a problem needs a fix: " + i);
    }
  }

  @Test
  void goodDomainIsAllOkAndExitsZero() {
    CliRun result = run("check", "good.example", "--json");
    assertEquals(0, result.exit(), result.err() + result.out());
    String json = result.out().strip();
    assertTrue(json.startsWith("{\"domain\":\"good.example\",\"verdict\":\"ok\",\"items\":["),
        json);
    assertEquals(8, items(json).size(), json);
    for (String item : items(json)) {
      assertTrue(item.contains("\"verdict\":\"ok\""), item);
    }
    assertVerdict(json, "sts-record", "_mta-sts.good.example", "ok");
    assertVerdict(json, "policy", "mta-sts.good.example", "ok");
    assertVerdict(json, "mode", "mta-sts.good.example", "ok");
    assertVerdict(json, "max_age", "mta-sts.good.example", "ok");
    assertVerdict(json, "mx", "good.example", "ok");
    assertVerdict(json, "mx-match", "mx1.good.example", "ok");
    assertVerdict(json, "starttls", "mx1.good.example", "ok");
    assertVerdict(json, "tls-rpt", "_smtp._tls.good.example", "ok");
    assertTrue(json.contains("\"destinations\":[\"mailto:tlsrpt@good.example\"]"), json);
    assertTrue(json.contains("\"content_type\":\"text/plain"), json);
    assertTrue(json.contains("\"tls_version\":\"TLSv1."), json);
    assertTrue(json.contains("\"mode\":\"enforce\",\"max_age\":604800,"
        + "\"mx\":[\"mx1.good.example\"],\"warnings\":[],\"error\":null"), json);
    assertTrue(json.contains("\"host\":\"mx1.good.example\",\"preference\":10,"
        + "\"policy_match\":\"mx1.good.example\""), json);
    assertTrue(json.contains("\"starttls_offered\":true"), json);
    assertTrue(json.contains("\"dns_names\":[\"mx1.good.example\"]"), json);
    assertTrue(json.contains("\"refusal\":null,\"error\":null"), json);
    assertEquals("", result.err());
  }

  @Test
  void humanReportIsAnAlignedTableWithoutColourWhenNotATerminal() {
    CliRun result = run("check", "nostarttls.example");
    assertEquals(1, result.exit(), result.err() + result.out());
    String out = result.out();
    assertFalse(out.contains("\u001b["), "no colour when stdout is not a terminal");
    assertTrue(out.startsWith("MTA-STS check of nostarttls.example"), out);
    List<String> lines = out.lines().toList();
    String header = lines.stream().filter(l -> l.startsWith("RESULT")).findFirst().orElseThrow();
    int detailColumn = header.indexOf("DETAIL");
    String starttls = lines.stream().filter(l -> l.startsWith("fail   starttls")).findFirst()
        .orElseThrow(() -> new AssertionError(out));
    assertTrue(starttls.contains("mx.nostarttls.example"), starttls);
    assertEquals(detailColumn, starttls.indexOf("STARTTLS not offered"), out);
    String fix = lines.get(lines.indexOf(starttls) + 1);
    assertEquals(detailColumn, fix.indexOf("fix: enable STARTTLS on mx.nostarttls.example"), out);
    assertTrue(out.contains("ok     tls-rpt"), out);
    assertTrue(out.strip().endsWith("nostarttls.example: FAIL (1 failed, 0 warnings, 7 ok)"),
        out);
  }

  @Test
  void mxWithoutStartTlsFailsNamingTheMx() {
    CliRun result = run("check", "nostarttls.example", "--json");
    assertEquals(1, result.exit(), result.out());
    String i = item(result.out(), "starttls", "mx.nostarttls.example");
    assertTrue(i.contains("\"verdict\":\"fail\""), i);
    assertTrue(i.contains("STARTTLS not offered"), i);
    assertTrue(i.contains("\"fix\":\"enable STARTTLS on mx.nostarttls.example"), i);
    assertTrue(result.out().contains("\"refusal\":\"starttls-not-supported\""), result.out());
    assertTrue(result.out().contains("\"verdict\":\"fail\",\"items\""), result.out());
  }

  @Test
  void expiredCertificateFailsWithTheReason() {
    CliRun result = run("check", "expired.example", "--json");
    assertEquals(1, result.exit(), result.out());
    String i = item(result.out(), "starttls", "mx.expired.example");
    assertTrue(i.contains("\"verdict\":\"fail\""), i);
    assertTrue(i.contains("certificate-expired"), i);
    assertTrue(i.contains("renew the certificate of mx.expired.example"), i);
    // report-only handshake: the certificate is still shown
    assertTrue(result.out().contains("\"dns_names\":[\"mx.expired.example\"]"), result.out());
  }

  @Test
  void wrongNameCertificateFailsWithTheReasonAndTheNamesFound() {
    CliRun result = run("check", "wrongname.example");
    assertEquals(1, result.exit(), result.out());
    assertTrue(result.out().contains("certificate-host-mismatch"), result.out());
    assertTrue(result.out().contains("DNS names wrong-name.invalid"), result.out());
    assertTrue(result.out().contains(
        "fix: install a certificate whose subjectAltName lists mx.wrongname.example"),
        result.out());
  }

  @Test
  void certificateExpiringWithinTwoWeeksWarns() {
    CliRun result = run("check", "soon.example", "--json");
    assertEquals(0, result.exit(), result.out());
    String i = item(result.out(), "starttls", "mx.soon.example");
    assertTrue(i.contains("\"verdict\":\"warn\""), i);
    assertTrue(i.contains("expires in 4 days") || i.contains("expires in 5 days"), i);
    // its TLS-RPT record has an ftp: URI that senders ignore
    String rpt = item(result.out(), "tls-rpt", "_smtp._tls.soon.example");
    assertTrue(rpt.contains("\"verdict\":\"warn\""), rpt);
    assertTrue(rpt.contains("ignored: ftp://x.example/r"), rpt);
    assertTrue(result.out().contains("\"destinations\":[\"mailto:tlsrpt@soon.example\"],"
        + "\"ignored\":[{\"uri\":\"ftp://x.example/r\",\"reason\":"), result.out());
  }

  @Test
  void mxNotInPolicyFailsUnderEnforce() {
    CliRun result = run("check", "notinpolicy.example", "--json");
    assertEquals(1, result.exit(), result.out());
    assertVerdict(result.out(), "mx-match", "mx1.notinpolicy.example", "ok");
    String i = item(result.out(), "mx-match", "mx2.notinpolicy.example");
    assertTrue(i.contains("\"verdict\":\"fail\""), i);
    assertTrue(i.contains("\"fix\":\"add 'mx: mx2.notinpolicy.example' (or "
        + "'*.notinpolicy.example') to the policy"), i);
    assertTrue(result.out().contains("\"policy_match\":null"), result.out());
  }

  @Test
  void testingModeWarnsAndMxProblemsAreWarningsThere() {
    CliRun result = run("check", "testing.example", "--json");
    assertEquals(0, result.exit(), result.out());
    String mode = item(result.out(), "mode", "mta-sts.testing.example");
    assertTrue(mode.contains("\"verdict\":\"warn\""), mode);
    assertTrue(mode.contains("not enforced yet"), mode);
    String maxAge = item(result.out(), "max_age", "mta-sts.testing.example");
    assertTrue(maxAge.contains("\"verdict\":\"warn\""), maxAge);
    assertTrue(maxAge.contains("max_age 300 is short"), maxAge);
    assertVerdict(result.out(), "mx-match", "backup.testing.example", "warn");
    assertVerdict(result.out(), "starttls", "backup.testing.example", "warn");
    assertVerdict(result.out(), "starttls", "mx.testing.example", "ok");
    assertVerdict(result.out(), "tls-rpt", "_smtp._tls.testing.example", "warn");
    assertTrue(item(result.out(), "tls-rpt", "_smtp._tls.testing.example")
        .contains("add a TLS-RPT record to receive failure reports"), result.out());
  }

  @Test
  void policyNotFoundFails() {
    CliRun result = run("check", "gone.example", "--json");
    assertEquals(1, result.exit(), result.out());
    assertVerdict(result.out(), "sts-record", "_mta-sts.gone.example", "ok");
    String i = item(result.out(), "policy", "mta-sts.gone.example");
    assertTrue(i.contains("\"verdict\":\"fail\""), i);
    assertTrue(i.contains("http-status"), i);
    assertTrue(i.contains("404"), i);
    assertTrue(i.contains("with status 200"), i);
    assertTrue(result.out().contains("\"policy\":{\"url\":\"https://mta-sts.gone.example/"
        + ".well-known/mta-sts.txt\",\"error\":{\"code\":\"http-status\",\"message\":"),
        result.out());
    assertFalse(result.out().contains("\"item\":\"mx-match\""), "no policy, nothing to match");
    assertVerdict(result.out(), "starttls", "mx.gone.example", "ok");
  }

  @Test
  void domainWithoutMtaStsFails() {
    CliRun result = run("check", "plain.example", "--json");
    assertEquals(1, result.exit(), result.out());
    String i = item(result.out(), "sts-record", "_mta-sts.plain.example");
    assertTrue(i.contains("\"verdict\":\"fail\""), i);
    assertTrue(i.contains("does not publish MTA-STS"), i);
    assertTrue(i.contains("\"fix\":\"publish TXT _mta-sts.plain.example \\\"v=STSv1; id="), i);
    assertVerdict(result.out(), "policy", "mta-sts.plain.example", "fail");
  }

  @Test
  void nullMxWarns() {
    CliRun result = run("check", "nomail.example", "--json");
    assertVerdict(result.out(), "mx", "nomail.example", "warn");
    assertTrue(result.out().contains("\"mx\":{\"status\":\"null-mx\",\"hosts\":[]}"),
        result.out());
    assertEquals(0, result.exit(), result.out());
  }

  @Test
  void noSmtpSkipsTheProbes() {
    CliRun result = run("check", "nostarttls.example", "--no-smtp", "--json");
    assertEquals(0, result.exit(), result.out());
    assertFalse(result.out().contains("\"item\":\"starttls\""), result.out());
  }

  @Test
  void unreachableMxCannotBeTestedAndSaysSo() {
    CliRun result = run("check", "down.example", "--json");
    String i = item(result.out(), "starttls", "mx.down.example");
    assertTrue(i.contains("\"verdict\":\"warn\""), i);
    assertTrue(i.contains("could not test: cannot connect to mx.down.example"), i);
    assertTrue(i.contains("reachable on port 25"), i);
    assertEquals(0, result.exit(), result.out());
  }

  @Test
  void theProbeSaysEhloStartTlsQuitAndNeverMailFrom() throws Exception {
    CliRun result = run("check", "quiet.example", "--ehlo", "probe.example", "--json");
    assertEquals(0, result.exit(), result.out());
    List<SessionRecord> sessions =
        world.smtp("mx.quiet.example").awaitSessions(1, Duration.ofSeconds(10));
    assertEquals(1, sessions.size(), sessions.toString());
    SessionRecord session = sessions.get(0);
    assertEquals(List.of("EHLO probe.example", "STARTTLS", "QUIT"), session.commands(),
        session.transcript().toString());
    assertFalse(session.hasCommand("MAIL"));
    assertEquals("mx.quiet.example", session.sniHostName().orElse(null));
    assertTrue(world.messages().isEmpty());
  }

  @Test
  void legacyTlsIsAWarningUnderTesting() {
    CliRun result = run("check", "legacy.example", "--json");
    assertEquals(0, result.exit(), result.out());
    String i = item(result.out(), "starttls", "mx.legacy.example");
    assertTrue(i.contains("\"verdict\":\"warn\""), i);
    assertTrue(i.contains("\"detail\":\"tls-version: "), i);
    assertTrue(i.contains("\"fix\":\"enable TLS 1.2 or 1.3 on mx.legacy.example"), i);
  }

  @Test
  void anMxThatNeverGreetsIsBoundedByTheTimeout() throws Exception {
    // The kernel completes the TCP handshake for the backlog; nobody ever answers.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      long start = System.nanoTime();
      CliRun result = run("check", "silent.example", "--timeout", "1", "--connect-to",
          "mx.silent.example=127.0.0.1:" + silent.getLocalPort(), "--json");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      String i = item(result.out(), "starttls", "mx.silent.example");
      assertTrue(i.contains("\"verdict\":\"warn\""), i);
      assertTrue(i.contains("could not test: no answer from mx.silent.example within 1 s"), i);
      assertTrue(took.compareTo(Duration.ofSeconds(8)) < 0, "took " + took);
    }
  }

  @Test
  void startTlsRefusedFails() {
    CliRun result = run("check", "refused.example", "--json");
    assertEquals(1, result.exit(), result.out());
    String i = item(result.out(), "starttls", "mx.refused.example");
    assertTrue(i.contains("\"verdict\":\"fail\""), i);
    assertTrue(i.contains("STARTTLS refused: 454"), i);
  }

  @Test
  void implicitMxWarnsAndIsProbedUnderTheDomainName() {
    CliRun result = run("check", "implicit.example", "--json");
    assertEquals(0, result.exit(), result.out());
    assertVerdict(result.out(), "mx", "implicit.example", "warn");
    assertTrue(item(result.out(), "mx", "implicit.example").contains("implicit MX"),
        result.out());
    assertVerdict(result.out(), "mx-match", "implicit.example", "ok");
    assertVerdict(result.out(), "starttls", "implicit.example", "ok");
  }

  @Test
  void twoStsRecordsFail() {
    CliRun result = run("check", "twice.example", "--json");
    assertEquals(1, result.exit(), result.out());
    String i = item(result.out(), "sts-record", "_mta-sts.twice.example");
    assertTrue(i.contains("\"verdict\":\"fail\""), i);
    assertTrue(i.contains("2 records start with v=STSv1, so senders use none of them"), i);
    assertTrue(result.out().contains("\"status\":\"multiple-records\""), result.out());
  }

  @Test
  void invalidStsRecordFailsWithTheReason() {
    CliRun result = run("check", "badid.example", "--json");
    assertEquals(1, result.exit(), result.out());
    String i = item(result.out(), "sts-record", "_mta-sts.badid.example");
    assertTrue(i.contains("\"verdict\":\"fail\""), i);
    assertTrue(i.contains("invalid record 'v=STSv1; id=2024-01-01'"), i);
    assertTrue(i.contains("letters or digits"), i);
  }

  @Test
  void parserWarningsAreWarningsWithFixes() {
    CliRun result = run("check", "sloppy.example", "--json");
    assertEquals(0, result.exit(), result.out());
    String maxAge = item(result.out(), "max_age", "mta-sts.sloppy.example");
    assertTrue(maxAge.contains("\"verdict\":\"warn\""), maxAge);
    assertTrue(maxAge.contains("capped to 31557600"), maxAge);
    List<String> warnings = items(result.out()).stream()
        .filter(i -> i.startsWith("{\"item\":\"policy-warning\"")).toList();
    assertEquals(2, warnings.size(), result.out());
    assertTrue(warnings.get(0).contains("byte-order mark"), warnings.get(0));
    assertTrue(warnings.get(1).contains("line 4"), warnings.get(1));
    assertTrue(warnings.get(1).contains("one host name or *.domain per line"), warnings.get(1));
    for (String w : warnings) {
      assertTrue(w.contains("\"verdict\":\"warn\""), w);
    }
  }

  @Test
  void wrongMediaTypeFails() {
    CliRun result = run("check", "html.example", "--json");
    assertEquals(1, result.exit(), result.out());
    String i = item(result.out(), "policy", "mta-sts.html.example");
    assertTrue(i.contains("\"verdict\":\"fail\""), i);
    assertTrue(i.contains("media-type"), i);
    assertTrue(i.contains("Content-Type: text/plain"), i);
  }

  @Test
  void malformedDomainIsAUsageError() {
    CliRun result = run("check", "exa mple.com");
    assertEquals(2, result.exit(), result.err());
    assertTrue(result.err().startsWith("mta-sts: check: 'exa mple.com' is not a domain name"),
        result.err());
    assertFalse(result.err().contains("\tat "), result.err());
    assertEquals("", result.out());
    CliRun none = run("check");
    assertEquals(2, none.exit());
    assertTrue(none.err().contains("DOMAIN"), none.err());
  }

  @Test
  void colourOnlyOnATerminalWithoutNoColor() {
    assertTrue(CheckReport.useColor(true, Map.of()));
    assertTrue(CheckReport.useColor(true, Map.of("NO_COLOR", "")));
    assertFalse(CheckReport.useColor(true, Map.of("NO_COLOR", "1")));
    assertFalse(CheckReport.useColor(false, Map.of()));
  }

  @Test
  void controlCharactersNeverReachTheTerminal() {
    assertEquals("a\\u001b[31mb\\u000d", CheckReport.printable("a\u001b[31mb\r"));
  }
}
