package org.mtasts.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyTest {

  private static Policy sample() {
    return Policy.builder()
        .mode(Mode.ENFORCE)
        .mx("mx1.example.com")
        .mx("*.Example.NET.")
        .maxAge(Duration.ofDays(7))
        .extension("foo", "bar baz")
        .build();
  }

  @Test
  void builder_buildsTheGivenValues() {
    Policy p = sample();
    assertEquals("STSv1", p.version());
    assertEquals(Mode.ENFORCE, p.mode());
    assertEquals(
        List.of(MxPattern.parse("mx1.example.com"), MxPattern.parse("*.example.net")),
        p.mxPatterns());
    assertEquals(Duration.ofSeconds(604_800), p.maxAge());
    assertEquals(Map.of("foo", "bar baz"), p.extensions());
  }

  @Test
  @DisplayName("render() gives canonical CRLF text that parses back to an equal policy")
  void render_isCanonicalAndRoundTrips() throws PolicySyntaxException {
    Policy p = sample();
    assertEquals(
        "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: *.example.net\r\n"
            + "max_age: 604800\r\nfoo: bar baz\r\n",
        p.render());
    ParsedPolicy parsed = Policy.parseDetailed(p.render());
    assertEquals(p, parsed.policy());
    assertEquals(List.of(), parsed.warnings());
  }

  @Test
  @DisplayName("EDGE-36 mode none without mx renders and round-trips")
  void render_modeNone() throws PolicySyntaxException {
    Policy p = Policy.builder().mode(Mode.NONE).maxAge(Duration.ZERO).build();
    assertEquals("version: STSv1\r\nmode: none\r\nmax_age: 0\r\n", p.render());
    assertEquals(p, Policy.parse(p.render()));
  }

  @Test
  void toBuilder_copiesAllValues() {
    Policy p = sample();
    assertEquals(p, p.toBuilder().build());
    Policy testing = p.toBuilder().mode(Mode.TESTING).build();
    assertEquals(Mode.TESTING, testing.mode());
    assertEquals(p.mxPatterns(), testing.mxPatterns());
  }

  @Test
  @DisplayName("EDGE-74 the builder keeps a repeated pattern once")
  void builder_dropsRepeatedPatterns() {
    Policy p =
        Policy.builder()
            .mode(Mode.TESTING)
            .mx("a.example")
            .mx("A.EXAMPLE.")
            .mx(MxPattern.parse("b.example"))
            .maxAge(Duration.ofSeconds(1))
            .build();
    assertEquals("[a.example, b.example]", p.mxPatterns().toString());
  }

  @Test
  @DisplayName("STS-PARSE-01 build() needs mode, max_age, and mx unless mode is none")
  void build_missingValues() {
    Policy.Builder noMode = Policy.builder().mx("a.example").maxAge(Duration.ZERO);
    assertEquals("mode is required", assertThrows(IllegalStateException.class, noMode::build)
        .getMessage());
    Policy.Builder noAge = Policy.builder().mode(Mode.NONE);
    assertEquals("max_age is required", assertThrows(IllegalStateException.class, noAge::build)
        .getMessage());
    Policy.Builder noMx = Policy.builder().mode(Mode.ENFORCE).maxAge(Duration.ZERO);
    assertEquals(
        "mode enforce needs at least one mx pattern",
        assertThrows(IllegalStateException.class, noMx::build).getMessage());
    Policy.Builder cleared = sample().toBuilder().mode(Mode.TESTING).clearMx();
    assertThrows(IllegalStateException.class, cleared::build);
  }

  @ParameterizedTest(name = "max_age {0} rejected by the builder")
  @CsvSource({"-1", "31557601", "PT0.5S"})
  void builder_maxAgeOutOfRange(String value) {
    Duration d =
        value.startsWith("P") ? Duration.parse(value) : Duration.ofSeconds(Long.parseLong(value));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Policy.builder().maxAge(d));
    assertTrue(e.getMessage().startsWith("max_age must be whole seconds from 0 to 31557600"));
  }

  @Test
  @DisplayName("EDGE-27 the builder accepts max_age 0 and 31557600")
  void builder_maxAgeBounds() {
    assertEquals(Policy.MAX_AGE_LIMIT, Policy.builder().mode(Mode.NONE)
        .maxAge(Duration.ofSeconds(31_557_600)).build().maxAge());
    assertEquals(Duration.ZERO, Policy.builder().mode(Mode.NONE).maxAge(Duration.ZERO).build()
        .maxAge());
  }

  @ParameterizedTest(name = "{0}: extension ''{1}'' = ''{2}'' rejected")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "STS-PARSE-13 registered name | mode | enforce | registered field",
        "STS-PARSE-13 registered name | mx | a.example | registered field",
        "EDGE-48 name starting with '_' | _x | v | must start with a letter or digit",
        "EDGE-48 name with space | a b | v | contains a space",
        "empty name | \"\" | v | empty",
        "STS-PARSE-10 empty value | x | \"\" | empty",
        "STS-PARSE-10 leading space | x | \" v\" | starts or ends with a space",
        "STS-PARSE-10 trailing space | x | \"v \" | starts or ends with a space",
        "EDGE-61 tab | x | \"a\tb\" | tab",
      })
  void builder_invalidExtension(String rule, String name, String value, String reason) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Policy.builder().extension(name, value));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  @Test
  @DisplayName("EDGE-58 the builder rejects control characters and repeated extension names")
  void builder_extensionControlCharactersAndRepeats() {
    assertThrows(
        IllegalArgumentException.class, () -> Policy.builder().extension("x", "a\u0000b"));
    assertThrows(IllegalArgumentException.class, () -> Policy.builder().extension("x", "a\nb"));
    Policy.Builder b = Policy.builder().extension("x", "1");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> b.extension("x", "2"));
    assertTrue(e.getMessage().contains("already added"), e.getMessage());
    assertTrue(b.clearExtensions().extension("x", "2") == b);
  }

  @Test
  @DisplayName("SEC-15 the builder refuses a 1001st pattern")
  void builder_mxLimit() {
    Policy.Builder b = Policy.builder().mode(Mode.ENFORCE).maxAge(Duration.ZERO);
    for (int i = 0; i < Policy.MAX_MX_PATTERNS; i++) {
      b.mx("mx" + i + ".example");
    }
    b.mx("mx0.example"); // a repeat does not count
    assertThrows(IllegalStateException.class, () -> b.mx("one-more.example"));
    assertEquals(1000, b.build().mxPatterns().size());
  }

  @Test
  @DisplayName("STS-PARSE-09 the builder rejects an invalid pattern with the typed exception")
  void builder_invalidPattern() {
    InvalidDomainException e =
        assertThrows(InvalidDomainException.class, () -> Policy.builder().mx("*.*.example"));
    assertEquals("*.*.example", e.input());
  }

  @Test
  @DisplayName("equality is by value: mode, patterns in order, max_age, extensions as a map")
  void equality() throws PolicySyntaxException {
    Policy p = sample();
    Policy reordered =
        Policy.builder()
            .extension("foo", "bar baz")
            .maxAge(Duration.ofSeconds(604_800))
            .mx("MX1.example.com.")
            .mx("*.example.net")
            .mode(Mode.ENFORCE)
            .build();
    assertEquals(p, reordered);
    assertEquals(p.hashCode(), reordered.hashCode());
    // warnings and raw text are not part of the value
    Policy parsed =
        Policy.parse(
            "\uFEFFmode:enforce\n\nmx: mx1.example.com\nmx: *.example.net\nmx: *.example.net\n"
                + "foo: bar baz\nversion: STSv1\nmax_age: 604800\n");
    assertEquals(p, parsed);
    assertNotEquals(p, p.toBuilder().mode(Mode.TESTING).build());
    assertNotEquals(p, p.toBuilder().maxAge(Duration.ofSeconds(1)).build());
    assertNotEquals(p, p.toBuilder().mx("mx3.example.com").build());
    assertNotEquals(p, p.toBuilder().clearExtensions().build());
    assertNotEquals(p, p.toBuilder().clearMx().mx("*.example.net").mx("mx1.example.com").build());
    assertNotEquals(p, "policy");
  }

  @Test
  void toString_summarisesAndEscapes() {
    Policy p = sample().toBuilder().clearExtensions().extension("note", "caf\u00e9").build();
    assertEquals(
        "Policy{mode=enforce, mx=[mx1.example.com, *.example.net], max_age=604800,"
            + " extensions={note='caf\\u00e9'}}",
        p.toString());
  }

  @ParameterizedTest(name = "{0}: allowsMx(''{1}'') = {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "STS-MATCH-01 no pattern matches | mx2.example.com | false",
        "STS-MATCH-02 exact, any case, trailing dot | MX1.EXAMPLE.COM. | true",
        "STS-MATCH-03 wildcard | a.example.net | true",
        "STS-MATCH-03 wildcard parent | example.net | false",
        "STS-MATCH-03 wildcard two labels | a.b.example.net | false",
        "EDGE-70 U-label host | bücher.example.net | true",
        "unconvertible U-label host | faß.example.net | false",
      })
  void allowsMx(String rule, String host, boolean expected) {
    Policy p = sample();
    assertEquals(expected, p.allowsMx(host));
    assertEquals(expected, p.matchingPattern(host).isPresent());
  }

  @Test
  void matchingPattern_returnsFirstMatch() {
    Policy p =
        Policy.builder()
            .mode(Mode.ENFORCE)
            .mx("*.example.com")
            .mx("mail.example.com")
            .maxAge(Duration.ZERO)
            .build();
    assertEquals(
        Optional.of(MxPattern.parse("*.example.com")), p.matchingPattern("mail.example.com"));
    assertEquals(Optional.empty(), p.matchingPattern("example.com"));
  }

  @Test
  @DisplayName("STS-MATCH-07 allowsMx ignores the mode")
  void allowsMx_modeNone() {
    Policy none = Policy.builder().mode(Mode.NONE).mx("a.example").maxAge(Duration.ZERO).build();
    assertTrue(none.allowsMx("a.example"));
    Policy empty = Policy.builder().mode(Mode.NONE).maxAge(Duration.ZERO).build();
    assertFalse(empty.allowsMx("a.example"));
  }

  @Test
  void mode_tokens() {
    assertEquals(Optional.of(Mode.ENFORCE), Mode.fromToken("enforce"));
    assertEquals(Optional.of(Mode.TESTING), Mode.fromToken("testing"));
    assertEquals(Optional.of(Mode.NONE), Mode.fromToken("none"));
    assertEquals(Optional.empty(), Mode.fromToken("Enforce"));
    assertEquals(Optional.empty(), Mode.fromToken(""));
    assertEquals("testing", Mode.TESTING.token());
  }

  @Test
  @DisplayName("every public factory and method rejects null with NullPointerException")
  void nullParameters() {
    Policy p = sample();
    Policy.Builder b = Policy.builder();
    List<Executable> calls =
        List.of(
            () -> Policy.parse(null),
            () -> Policy.parseDetailed(null),
            () -> Policy.splitLines(null),
            () -> p.allowsMx(null),
            () -> p.matchingPattern(null),
            () -> b.mode(null),
            () -> b.mx((String) null),
            () -> b.mx((MxPattern) null),
            () -> b.maxAge(null),
            () -> b.extension(null, "v"),
            () -> b.extension("n", null),
            () -> Mode.fromToken(null),
            () -> MxPattern.parse(null),
            () -> DomainNames.normalize(null),
            () -> DomainNames.isNormalized(null));
    for (Executable call : calls) {
      assertThrows(NullPointerException.class, call);
    }
  }
}
