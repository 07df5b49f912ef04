package org.mtasts.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;

/** {@code mta-sts --overrides FILE policy ...}: the rule in force shows (issue 17 item 4). */
class OverridesCommandTest {
  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(w -> w
          .domain("testing.example", d -> d.policy("testing", "mx.testing.example")
              .mx(10, "mx.testing.example", Mx.goodTls()))
          .domain("plain.example", d -> d.mx(10, "mx.plain.example", Mx.goodTls())));

  @TempDir static Path dir;
  static Path trustPem;
  static Path overrides;

  @BeforeAll
  static void write() throws Exception {
    trustPem = world.writeTrustPem(dir.resolve("ca.pem"));
    overrides = Files.writeString(dir.resolve("overrides"), String.join("\n",
        "testing.example  treat-testing-as-enforce",
        "plain.example    exempt until 2999-01-01T00:00:00Z",
        "pinned.example   pinned mode: enforce; mx: mx.pinned.example; max_age: 86400",
        ""));
  }

  static CliRun run(String... args) {
    return CliRun.inWorld(world, trustPem, args);
  }

  @Test
  void policyJson_showsTheOverride() {
    CliRun r = run("--overrides", overrides.toString(), "policy", "testing.example", "--json");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("\"status\":\"valid\",\"mode\":\"enforce\""), r.out());
    assertTrue(r.out().contains("\"source\":\"fetched\",\"override\":{\"rule\":\"testing.example\","
        + "\"action\":\"treat-testing-as-enforce\",\"until\":null}"), r.out());

    CliRun pinned = run("--overrides", overrides.toString(), "policy", "pinned.example",
        "--json");
    assertEquals(0, pinned.exit(), pinned.err());
    assertTrue(pinned.out().contains("\"source\":\"pinned\",\"override\":{\"rule\":"
        + "\"pinned.example\",\"action\":\"pinned\",\"until\":null}"), pinned.out());

    CliRun none = run("policy", "testing.example", "--json");
    assertTrue(none.out().contains("\"mode\":\"testing\""), none.out());
    assertTrue(none.out().contains("\"override\":null"), none.out());
  }

  @Test
  void policyForAPerson_showsTheOverride() {
    CliRun r = run("--overrides", overrides.toString(), "policy", "plain.example");
    assertEquals(1, r.exit(), r.err()); // no policy applies: the exemption
    assertTrue(r.out().startsWith("plain.example: no-policy"), r.out());
    assertTrue(r.out().contains("override exempt until 2999-01-01T00:00:00Z (local rule"
        + " plain.example)"), r.out());
  }

  @Test
  void badOverridesFile_isAUsageErrorNamingTheLine() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad"), "# x\nx.example exempt\n");
    CliRun r = run("--overrides", bad.toString(), "policy", "plain.example");
    assertEquals(2, r.exit(), r.out());
    assertTrue(r.err().contains("line 2"), r.err());
    assertTrue(r.err().contains("a bypass must end"), r.err());
  }
}
