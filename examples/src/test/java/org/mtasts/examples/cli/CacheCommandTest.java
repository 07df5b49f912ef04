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

/** Runs the real {@code mta-sts cache ...} commands against a testkit world (issue 17 item 3). */
class CacheCommandTest {
  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(w -> w
              .domain("example.com", d -> d.policy("enforce", "mx1.example.com").id("E1")
                  .mx(10, "mx1.example.com", Mx.goodTls()))
              .domain("testing.example", d -> d.policy("testing", "mx.testing.example")
                  .id("T1").mx(10, "mx.testing.example", Mx.goodTls()))
              .domain("plain.example", d -> d.mx(10, "mx.plain.example", Mx.goodTls())))
          .resetBeforeEach();

  @TempDir static Path dir;
  static Path trustPem;
  @TempDir Path cacheDir;

  @BeforeAll
  static void writeTrust() {
    trustPem = world.writeTrustPem(dir.resolve("ca.pem"));
  }

  CliRun run(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of("--cache-dir", cacheDir.toString()));
    all.addAll(List.of(args));
    return CliRun.inWorld(world, trustPem, all.toArray(new String[0]));
  }

  @Test
  void warm_thenList_showsTheKeptPolicies() throws Exception {
    Path file = Files.writeString(cacheDir.resolveSibling(cacheDir.getFileName() + ".txt"),
        "# top recipient domains\nexample.com\n\ntesting.example\nplain.example\n");
    CliRun warm = run("cache", "warm", "--domains-file", file.toString(), "--parallel", "2");
    assertEquals(0, warm.exit(), warm.err());
    assertTrue(warm.out().contains("warmed 3 domains: 2 with a policy, 1 without; 2 policies"
        + " kept in"), warm.out());
    assertEquals(1, world.policyRequests("example.com"));

    CliRun list = run("cache", "list");
    assertEquals(0, list.exit(), list.err());
    String[] lines = list.out().strip().split("\n");
    assertEquals(3, lines.length, list.out());
    assertTrue(lines[0].startsWith("example.com  enforce  id E1  mx mx1.example.com  expires "),
        lines[0]);
    assertTrue(lines[1].startsWith("testing.example  testing  id T1"), lines[1]);
    assertEquals("2 policies in " + cacheDir, lines[2]);
    assertEquals(1, world.policyRequests("example.com"), "listing fetches nothing");

    CliRun json = run("cache", "list", "--json");
    assertEquals(0, json.exit(), json.err());
    String first = json.out().strip().split("\n")[0];
    assertTrue(first.startsWith("{\"domain\":\"example.com\",\"mode\":\"enforce\",\"id\":\"E1\","
        + "\"mx\":[\"mx1.example.com\"],\"max_age\":86400,\"fetched_at\":\""), first);
    assertTrue(first.contains("\"expires_at\":\""), first);
  }

  @Test
  void invalidate_removesFromTheDirectory() {
    assertEquals(0, run("cache", "warm", "example.com", "testing.example").exit());
    CliRun inv = run("cache", "invalidate", "EXAMPLE.com.", "plain.example");
    assertEquals(0, inv.exit(), inv.err());
    assertEquals("example.com: removed (enforce, id E1)\nplain.example: nothing kept",
        inv.out().strip());
    CliRun list = run("cache", "list", "--json");
    assertFalse(list.out().contains("\"domain\":\"example.com\""), list.out());
    assertTrue(list.out().contains("\"domain\":\"testing.example\""), list.out());

    CliRun json = run("cache", "invalidate", "testing.example", "--json");
    assertEquals("{\"domain\":\"testing.example\",\"removed\":true,\"mode\":\"testing\","
        + "\"id\":\"T1\"}", json.out().strip());
  }

  @Test
  void refresh_fetchesAgain_andAFailureKeepsThePolicy_STS_CACHE_05() {
    assertEquals(0, run("cache", "warm", "example.com").exit());
    world.domain("example.com").policy("enforce", "mx1.example.com", "mx2.example.com");
    CliRun refreshed = run("cache", "refresh", "example.com", "--json");
    assertEquals(0, refreshed.exit(), refreshed.err());
    assertTrue(refreshed.out().contains("\"source\":\"fetched\""), refreshed.out());
    assertTrue(refreshed.out().contains("\"mx\":[\"mx1.example.com\",\"mx2.example.com\"]"),
        refreshed.out());
    assertEquals(2, world.policyRequests("example.com"));

    world.domain("example.com").policyDown();
    CliRun stale = run("cache", "refresh", "example.com");
    assertEquals(0, stale.exit(), stale.err());
    assertTrue(stale.out().startsWith("example.com: valid (stale-cache)"), stale.out());
    assertTrue(run("cache", "list").out().contains("example.com  enforce"));
  }

  @Test
  void warm_reportsBadLinesAndGoesOn() {
    CliRun warm = run("cache", "warm", "example.com", "bad name", "--json");
    assertEquals(1, warm.exit(), warm.err());
    assertTrue(warm.out().contains("\"status\":\"invalid-domain\""), warm.out());
    assertTrue(warm.out().contains("\"domain\":\"example.com\",\"status\":\"valid\""),
        warm.out());
  }

  @Test
  void issue15_storeDir_isWhatCacheDirMeans() {
    CliRun warm = CliRun.inWorld(world, trustPem, "--store", cacheDir.toString(), "cache", "warm",
        "example.com");
    assertEquals(0, warm.exit(), warm.err());
    CliRun list = run("cache", "list"); // --cache-dir on the same directory
    assertEquals(0, list.exit(), list.err());
    assertTrue(list.out().startsWith("example.com  enforce  id E1"), list.out());
    CliRun viaStore = CliRun.inWorld(world, trustPem, "--store", cacheDir.toString(), "cache",
        "list");
    assertEquals(list.out(), viaStore.out());
  }

  @Test
  void usageErrors() {
    CliRun noDir = CliRun.inWorld(world, trustPem, "cache", "list");
    assertEquals(2, noDir.exit());
    assertTrue(noDir.err().contains("--cache-dir DIR or --store URI is required"), noDir.err());
    CliRun both = run("--store", cacheDir.toString(), "cache", "list");
    assertEquals(2, both.exit());
    assertTrue(both.err().contains("--store and --cache-dir"), both.err());
    CliRun noModule = CliRun.inWorld(world, trustPem, "--store", "memcached://h:1", "cache",
        "list");
    assertEquals(2, noModule.exit());
    assertTrue(noModule.err().contains("--store: no store provider for memcached"),
        noModule.err());
    CliRun noSub = run("cache");
    assertEquals(2, noSub.exit());
    assertTrue(noSub.err().contains("give a subcommand"), noSub.err());
    CliRun badName = run("cache", "invalidate", "exa mple.com");
    assertEquals(2, badName.exit());
    CliRun noDomains = run("cache", "warm");
    assertEquals(2, noDomains.exit());
    assertTrue(noDomains.err().contains("give a DOMAIN or --domains-file"), noDomains.err());
    CliRun badParallel = run("cache", "warm", "example.com", "--parallel", "0");
    assertEquals(2, badParallel.exit());
  }
}
