package org.mtasts.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;

/** Runs the real {@code mta-sts policy} command against a testkit world. */
class PolicyCommandTest {
  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(
          w ->
              w.domain("example.com", d -> d
                      .policy("enforce", "mx1.example.com", "*.example.net")
                      .mx(10, "mx1.example.com", Mx.goodTls()))
                  .domain("testing.example", d -> d
                      .policy("testing", "mx.testing.example")
                      .mx(10, "mx.testing.example", Mx.goodTls()))
                  .domain("broken.example", d -> d
                      .policyText("version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 1\n")
                      .mx(10, "mx.broken.example", Mx.goodTls()))
                  .domain("plain.example", d -> d.mx(10, "mx.plain.example", Mx.goodTls())));

  @TempDir static Path dir;
  static Path trustPem;

  @BeforeAll
  static void writeTrust() {
    trustPem = world.writeTrustPem(dir.resolve("ca.pem"));
  }

  static CliRun run(String... args) {
    return CliRun.inWorld(world, trustPem, args);
  }

  @Test
  void validPolicyAsJson() {
    CliRun result = run("policy", "example.com", "--json");
    assertEquals(0, result.exit(), result.err());
    String json = result.out().strip();
    assertTrue(json.startsWith("{\"domain\":\"example.com\",\"status\":\"valid\",\"mode\":\"enforce\","
        + "\"mx\":[\"mx1.example.com\",\"*.example.net\"],\"max_age\":86400,\"id\":\""), json);
    assertTrue(json.contains("\"source\":\"fetched\""), json);
    assertTrue(json.endsWith("\"warnings\":[],\"error\":null}"), json);
  }

  @Test
  void validPolicyForAPerson() {
    CliRun result = run("policy", "example.com");
    assertEquals(0, result.exit(), result.err());
    assertTrue(result.out().startsWith("example.com: valid (fetched)"), result.out());
    assertTrue(result.out().contains("mode     enforce"), result.out());
    assertTrue(result.out().contains("mx       mx1.example.com, *.example.net"), result.out());
  }

  @Test
  void severalDomainsGiveJsonLinesInInputOrderAndExitOneIfAnyIsBad(@TempDir Path tmp)
      throws Exception {
    Path file = Files.writeString(tmp.resolve("domains.txt"),
        "# customers\nplain.example\n\nbroken.example\n");
    CliRun result =
        run("policy", "example.com", "testing.example", "--domains-file", file.toString(),
            "--parallel", "2", "--json");
    assertEquals(1, result.exit(), result.err());
    String[] lines = result.out().strip().split("\n");
    assertEquals(4, lines.length, result.out());
    assertTrue(lines[0].contains("\"domain\":\"example.com\",\"status\":\"valid\""), lines[0]);
    assertTrue(lines[1].contains("\"domain\":\"testing.example\",\"status\":\"valid\","
        + "\"mode\":\"testing\""), lines[1]);
    assertTrue(lines[2].contains("\"domain\":\"plain.example\",\"status\":\"no-policy\""),
        lines[2]);
    assertTrue(lines[3].contains("\"domain\":\"broken.example\",\"status\":\"fetch-error\"")
        || lines[3].contains("\"domain\":\"broken.example\",\"status\":\"invalid\""), lines[3]);
    assertTrue(lines[3].contains("\"code\":\"policy-syntax\""), lines[3]);
    assertTrue(lines[3].contains("line 2"), lines[3]);
  }

  @Test
  void malformedDomainIsReportedNotThrown() {
    CliRun result = run("policy", "exa mple.com", "--json");
    assertEquals(1, result.exit(), result.err());
    assertTrue(result.out().contains("\"status\":\"invalid-domain\""), result.out());
    assertFalse(result.err().contains("Exception"), result.err());
  }

  @Test
  void usageErrorsExitTwoWithAMessage() {
    CliRun none = run("policy");
    assertEquals(2, none.exit());
    assertTrue(none.err().contains("at least one DOMAIN"), none.err());
    CliRun badOption = run("policy", "example.com", "--no-such-option");
    assertEquals(2, badOption.exit());
    CliRun badDns = CliRun.run(List.of("--dns", "1.2.3.4:99999", "policy", "x.example"));
    assertEquals(2, badDns.exit());
    assertTrue(badDns.err().contains("bad port"), badDns.err());
  }

  @Test
  void unreadableTrustStoreIsAClearError() {
    CliRun result =
        CliRun.run(List.of(
            "--trust-store", dir.resolve("missing.pem").toString(), "policy", "example.com"));
    assertEquals(1, result.exit());
    assertTrue(result.err().contains("missing.pem"), result.err());
    assertFalse(result.err().contains("\tat "), "no stack trace: " + result.err());
  }
}
