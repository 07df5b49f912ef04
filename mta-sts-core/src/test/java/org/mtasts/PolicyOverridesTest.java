package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mtasts.PolicyOverrides.Action;
import org.mtasts.PolicyOverrides.Rule;
import org.mtasts.policy.Mode;

/** The overrides table, its builder and its file format (issue 17 item 4). */
class PolicyOverridesTest {
  static final String FILE = String.join("\n",
      "# DOMAIN           ACTION [ARGUMENTS]",
      "partner.example    require-tls",
      "",
      "*.corp.example     treat-testing-as-enforce",
      "Broken.Example.    exempt until 2026-12-31T00:00:00Z",
      "legacy.example     pinned mode: enforce; mx: mx1.legacy.example; mx: *.legacy.example;"
          + " max_age: 604800",
      "*.example          require-tls",
      "plain.corp.example enforce-as-published",
      "");

  @Test
  void parse_readsEveryAction() {
    PolicyOverrides o = PolicyOverrides.parse(FILE);
    assertEquals(List.of("partner.example", "*.corp.example", "broken.example", "legacy.example",
        "*.example", "plain.corp.example"),
        o.rules().stream().map(Rule::domain).toList());
    Rule exempt = o.find("broken.example").orElseThrow();
    assertEquals(Action.EXEMPT, exempt.action());
    assertEquals(Instant.parse("2026-12-31T00:00:00Z"), exempt.expiresAt().orElseThrow());
    assertTrue(exempt.weakens());
    Rule pinned = o.find("legacy.example").orElseThrow();
    assertEquals(Mode.ENFORCE, pinned.pinnedPolicy().orElseThrow().mode());
    assertEquals(2, pinned.pinnedPolicy().orElseThrow().mxPatterns().size());
    assertEquals("legacy.example pinned mode: enforce; mx: mx1.legacy.example;"
        + " mx: *.legacy.example; max_age: 604800", pinned.toString());
  }

  @Test
  void toString_linesParseBackToTheSameTable() {
    PolicyOverrides o = PolicyOverrides.parse(FILE);
    String lines = o.rules().stream().map(Rule::toString).collect(Collectors.joining("\n"));
    assertEquals(o, PolicyOverrides.parse(lines));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "partner.example, partner.example",
      "a.corp.example, *.corp.example",
      "a.b.corp.example, *.corp.example",
      "plain.corp.example, plain.corp.example",
      "corp.example, *.example",
      "x.example, *.example",
      "example, -",
      "partner.example.org, -",
  })
  void find_ownRuleWins_thenTheLongestWildcard(String domain, String rule) {
    PolicyOverrides o = PolicyOverrides.parse(FILE);
    assertEquals(rule, o.find(domain).map(Rule::domain).orElse("-"));
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "2 | x.example exempt",
      "2 | x.example exempt until tomorrow",
      "2 | x.example require-tls please",
      "2 | x.example disable",
      "2 | x.example",
      "2 | not_a domain! require-tls",
      "2 | x.example pinned mode: none; max_age: 86400",
      "2 | x.example pinned mode: enforce",
      "3 | X.example. require-tls",
  })
  void parse_badLine_namesItsNumber(int line, String text) {
    String file = "# overrides\n" + text + "\n" + (line == 3 ? "" : "");
    String whole = line == 3 ? "# overrides\nx.example require-tls\n" + text : file;
    PolicyOverrides.SyntaxException e =
        assertThrows(PolicyOverrides.SyntaxException.class, () -> PolicyOverrides.parse(whole));
    assertEquals(line, e.line());
    assertTrue(e.getMessage().startsWith("line " + line + ": "), e.getMessage());
  }

  @Test
  void exemptNeedsAnExpiry_andOnlyExemptHasOne() {
    assertThrows(IllegalArgumentException.class, () -> new Rule("x.example", Action.EXEMPT,
        java.util.Optional.empty(), java.util.Optional.empty()));
    assertThrows(IllegalArgumentException.class, () -> new Rule("x.example", Action.REQUIRE_TLS,
        java.util.Optional.of(Instant.EPOCH), java.util.Optional.empty()));
    Rule r = PolicyOverrides.builder().exempt("x.example", Instant.EPOCH.plusSeconds(10)).build()
        .find("x.example").orElseThrow();
    assertTrue(r.isInForceAt(Instant.EPOCH.plusSeconds(9)));
    assertFalse(r.isInForceAt(Instant.EPOCH.plusSeconds(10)));
  }

  @Test
  void builder_checksEagerly() {
    PolicyOverrides.Builder b = PolicyOverrides.builder().requireTls("x.example");
    IllegalArgumentException twice =
        assertThrows(IllegalArgumentException.class, () -> b.exempt("X.Example", Instant.EPOCH));
    assertTrue(twice.getMessage().contains("x.example has two rules"), twice.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.requireTls("bad name!"));
    assertThrows(IllegalArgumentException.class, () -> b.pin("y.example", "mode: enforce"));
    assertThrows(NullPointerException.class, () -> b.requireTls(null));
    assertThrows(NullPointerException.class, () -> b.exempt("z.example", null));
    assertSame(PolicyOverrides.none(), PolicyOverrides.builder().build());
    assertTrue(PolicyOverrides.none().find("x.example").isEmpty());
  }

  @Test
  void read_boundsTheFile(@TempDir Path dir) throws IOException {
    Path ok = Files.writeString(dir.resolve("ok"), FILE);
    assertEquals(PolicyOverrides.parse(FILE), PolicyOverrides.read(ok));
    Path big = Files.write(dir.resolve("big"), new byte[PolicyOverrides.MAX_FILE_BYTES + 1]);
    IOException e = assertThrows(IOException.class, () -> PolicyOverrides.read(big));
    assertTrue(e.getMessage().contains("at most"), e.getMessage());
    Path bad = Files.writeString(dir.resolve("bad"), "x.example disable\n");
    PolicyOverrides.SyntaxException s =
        assertThrows(PolicyOverrides.SyntaxException.class, () -> PolicyOverrides.read(bad));
    assertTrue(s.getMessage().contains(bad.toString()), s.getMessage());
    assertEquals(1, s.line());
  }
}
