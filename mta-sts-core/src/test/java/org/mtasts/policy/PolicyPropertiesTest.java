package org.mtasts.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;
import org.mtasts.policy.PolicyWarning.Kind;

/**
 * Properties of the policy parser: it never fails in an untyped way or hangs, whatever the
 * input, and {@code render()} and {@code parse()} are inverse.
 */
class PolicyPropertiesTest {

  /** Generous for a parse of a few hundred characters; a hang is what it is meant to catch. */
  private static final Duration LIMIT = Duration.ofSeconds(5);

  private static final String VALID =
      "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
          + "max_age: 86400\r\nfoo: bar\r\n";

  /** Parses, and either checks the invariants of a result or the shape of the exception. */
  static void parsesOrThrowsTyped(String text) {
    Bounded.run(
        LIMIT,
        () -> {
          try {
            ParsedPolicy parsed = Policy.parseDetailed(text);
            Policy p = parsed.policy();
            assertTrue(p.mode() == Mode.NONE || !p.mxPatterns().isEmpty(), p::toString);
            assertTrue(p.mxPatterns().size() <= Policy.MAX_MX_PATTERNS);
            assertTrue(!p.maxAge().isNegative() && p.maxAge().compareTo(Policy.MAX_AGE_LIMIT) <= 0);
            assertTrue(parsed.warnings().size() <= PolicyParser.MAX_WARNINGS + 1);
            assertEquals(Policy.splitLines(text), parsed.lines());
            assertEquals(p, Policy.parse(p.render()));
          } catch (PolicySyntaxException e) {
            assertTrue(e.line() >= 0 && e.line() <= Policy.splitLines(text).size(), e::getMessage);
            assertTrue(e.getMessage().endsWith(e.reason()));
            assertTrue(e.getMessage().chars().allMatch(c -> c >= 0x20), e::getMessage);
          }
        });
  }

  @Property(tries = 1000)
  @Label("any string parses or throws PolicySyntaxException, never hangs")
  void anyString(@ForAll @StringLength(max = 300) String text) {
    parsesOrThrowsTyped(text);
  }

  @Property(tries = 1000)
  @Label("near-valid line soup parses or throws PolicySyntaxException")
  void nearValidLines(@ForAll("lineSoup") String text) {
    parsesOrThrowsTyped(text);
  }

  @Property(tries = 1000)
  @Label("single-character mutations of a valid policy parse or throw PolicySyntaxException")
  void mutatedValidPolicy(@ForAll("mutations") String text) {
    parsesOrThrowsTyped(text);
  }

  @Property(tries = 500)
  @Label("parse(render(p)) equals p, with no formatting warnings")
  void renderRoundTrip(@ForAll("policies") Policy p) {
    Bounded.run(
        LIMIT,
        () -> {
          ParsedPolicy parsed = Policy.parseDetailed(p.render());
          assertEquals(p, parsed.policy());
          Set<Kind> content = EnumSet.of(Kind.MX_TOP_LEVEL_WILDCARD, Kind.MX_LOOKS_LIKE_ADDRESS);
          for (PolicyWarning w : parsed.warnings()) {
            assertTrue(content.contains(w.kind()), w::toString);
          }
          assertEquals(p.hashCode(), parsed.policy().hashCode());
        });
  }

  @Property(tries = 300)
  @Label("STS-PARSE-05 LF and CRLF renderings parse to the same policy")
  void lineEndingsDoNotMatter(@ForAll("policies") Policy p) {
    String crlf = p.render();
    String lf = crlf.replace("\r\n", "\n");
    Bounded.run(
        LIMIT,
        () -> {
          assertEquals(Policy.parse(crlf), Policy.parse(lf));
          assertEquals(p, Policy.parse(lf.substring(0, lf.length() - 1)));
        });
  }

  @Provide
  Arbitrary<Policy> policies() {
    return Generators.policies();
  }

  @Provide
  Arbitrary<String> lineSoup() {
    Arbitrary<String> lead = Arbitraries.of("", "", "", "", " ", "\t", "\uFEFF");
    Arbitrary<String> key =
        Arbitraries.of(
            "version", "mode", "max_age", "mx", "mx", "mx", "Mode", "MX", "foo", "_x", "a b",
            "", "x".repeat(33), "report_to", "version ");
    Arbitrary<String> colon = Arbitraries.of(":", ": ", ": ", ":\t", " :", "", "::");
    Arbitrary<String> value =
        Arbitraries.oneOf(
            Arbitraries.of(
                "STSv1", "STSv1", "STSv2", "stsv1", "enforce", "testing", "none", "none",
                "Enforce", "86400", "0", "31557601", "9999999999", "99999999999", "-1",
                "mail.example.com", "*.example.com", "*.*.example.com", "*.com", "192.0.2.1",
                "bücher.example", "a:b", "x\ty", "", " ", "\u0000", "\uFFFD", "\uD800", "a,b"),
            Arbitraries.strings().ofMaxLength(12));
    Arbitrary<String> trail = Arbitraries.of("", "", "", " ", "\t", "\r");
    Arbitrary<String> eol = Arbitraries.of("\n", "\n", "\r\n", "\r\n", "\r", "\n\n", "");
    Arbitrary<String> line =
        Combinators.combine(lead, key, colon, value, trail, eol)
            .as((a, b, c, d, e, f) -> a + b + c + d + e + f);
    return line.list().ofMaxSize(14).map(lines -> String.join("", lines));
  }

  @Provide
  Arbitrary<String> mutations() {
    Arbitrary<Character> inserted =
        Arbitraries.of(':', ' ', '\t', '\r', '\n', '\u0000', '*', '.', '\uFEFF', 'é', 'A', '-');
    Arbitrary<Integer> op = Arbitraries.integers().between(0, 2);
    Arbitrary<Integer> position = Arbitraries.integers().between(0, VALID.length() - 1);
    Arbitrary<String> once =
        Combinators.combine(op, position, inserted)
            .as(
                (o, i, c) ->
                    switch (o) {
                      case 0 -> VALID.substring(0, i) + c + VALID.substring(i);
                      case 1 -> VALID.substring(0, i) + VALID.substring(i + 1);
                      default -> VALID.substring(0, i) + c + VALID.substring(i + 1);
                    });
    return once;
  }
}
