package org.mtasts.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/** Properties of {@link MxPattern} and {@link DomainNames}. */
class MxPatternPropertiesTest {

  private static final Duration LIMIT = Duration.ofSeconds(5);

  @Property(tries = 500)
  @Label("MxPattern round trip: parse(toString()) equals, any case and trailing dot too")
  void roundTrip(@ForAll("patternsInAnyCase") String[] textAndVariant) {
    Bounded.run(
        LIMIT,
        () -> {
          MxPattern p = MxPattern.parse(textAndVariant[0]);
          assertEquals(textAndVariant[0], p.toString());
          assertEquals(p, MxPattern.parse(p.toString()));
          MxPattern variant = MxPattern.parse(textAndVariant[1]);
          assertEquals(p, variant);
          assertEquals(p.hashCode(), variant.hashCode());
        });
  }

  @Property(tries = 500)
  @Label("STS-MATCH-03 a wildcard never matches its own parent")
  void wildcardNeverMatchesParent(@ForAll("domains") String domain) {
    Bounded.run(
        LIMIT,
        () -> {
          MxPattern p = MxPattern.parse("*." + domain);
          assertFalse(p.matches(domain));
          assertFalse(p.matches(domain + "."));
          assertFalse(p.matches(domain.toUpperCase(Locale.ROOT)));
        });
  }

  @Property(tries = 500)
  @Label("STS-MATCH-03 a wildcard matches exactly one extra label")
  void wildcardMatchesOneLabel(@ForAll("domains") String domain, @ForAll("labels") String label) {
    Bounded.run(
        LIMIT,
        () -> {
          MxPattern p = MxPattern.parse("*." + domain);
          assertTrue(p.matches(label + "." + domain));
          assertTrue(p.matches(label.toUpperCase(Locale.ROOT) + "." + domain + "."));
          assertFalse(p.matches(label + "." + label + "." + domain));
        });
  }

  @Property(tries = 500)
  @Label("STS-MATCH-02 an exact pattern matches its host in any case, with or without dot")
  void exactMatchesAnyCase(@ForAll("hostInAnyCase") String[] hostAndVariant) {
    Bounded.run(
        LIMIT,
        () -> {
          MxPattern p = MxPattern.parse(hostAndVariant[0]);
          assertTrue(p.matches(hostAndVariant[1]));
          assertTrue(p.matches(hostAndVariant[1] + "."));
          assertFalse(p.matches("x" + hostAndVariant[1]));
          assertFalse(p.matches("x." + hostAndVariant[1]));
        });
  }

  @Property(tries = 1000)
  @Label("matches() agrees with the reference function of notes §2.5")
  void matchesAgreesWithReference(
      @ForAll("patternsNear") String pattern, @ForAll("hostsNear") String host) {
    Bounded.run(
        LIMIT,
        () -> {
          assertEquals(reference(pattern, host), MxPattern.parse(pattern).matches(host));
        });
  }

  /** Notes §2.5, for ASCII LDH hosts. */
  private static boolean reference(String pattern, String mxName) {
    String h = mxName.endsWith(".") ? mxName.substring(0, mxName.length() - 1) : mxName;
    h = h.toLowerCase(Locale.ROOT);
    String p = pattern.toLowerCase(Locale.ROOT);
    if (p.startsWith("*.")) {
      int dot = h.indexOf('.');
      if (dot < 0) {
        return false;
      }
      String first = h.substring(0, dot);
      String rest = h.substring(dot + 1);
      return !first.isEmpty() && !rest.isEmpty() && rest.equals(p.substring(2));
    }
    return h.equals(p);
  }

  @Property(tries = 1000)
  @Label("any string: MxPattern.parse returns or throws the typed exception; matches never throws")
  void anyStringPattern(@ForAll @StringLength(max = 80) String text) {
    Bounded.run(
        LIMIT,
        () -> {
          try {
            MxPattern p = MxPattern.parse(text);
            assertEquals(p, MxPattern.parse(p.toString()));
          } catch (InvalidDomainException e) {
            assertEquals(text, e.input());
          }
          MxPattern.parse("*.example.com").matches(text);
          MxPattern.parse("mx.example.com").matches(text);
        });
  }

  @Property(tries = 1000)
  @Label("any string: DomainNames.normalize returns a normal name or throws InvalidDomainException")
  void anyStringDomain(@ForAll @StringLength(max = 80) String text) {
    Bounded.run(
        LIMIT,
        () -> {
          try {
            String n = DomainNames.normalize(text);
            assertTrue(DomainNames.isNormalized(n), n);
            assertSame(n, DomainNames.normalize(n));
          } catch (InvalidDomainException e) {
            assertEquals(text, e.input());
            assertFalse(DomainNames.isNormalized(text));
          }
        });
  }

  @Property(tries = 500)
  @Label("SEC-13 normalize is idempotent and ignores case and one trailing dot")
  void normalizeIgnoresCaseAndDot(@ForAll("hostInAnyCase") String[] hostAndVariant) {
    String host = hostAndVariant[0];
    Assume.that(!host.substring(host.lastIndexOf('.') + 1).chars().allMatch(Character::isDigit));
    Bounded.run(
        LIMIT,
        () -> {
          assertEquals(host, DomainNames.normalize(hostAndVariant[1] + "."));
          assertSame(host, DomainNames.normalize(host));
        });
  }

  @Provide
  Arbitrary<String> domains() {
    return Generators.domains();
  }

  @Provide
  Arbitrary<String> labels() {
    return Generators.labels();
  }

  @Provide
  Arbitrary<String> patternTexts() {
    return Generators.patternTexts();
  }

  @Provide
  Arbitrary<String[]> patternsInAnyCase() {
    return Generators.patternTexts()
        .flatMap(
            p ->
                Combinators.combine(Generators.randomCase(p), Arbitraries.of("", "."))
                    .as((variant, dot) -> new String[] {p, variant + dot}));
  }

  @Provide
  Arbitrary<String[]> hostInAnyCase() {
    return Generators.domains()
        .flatMap(d -> Generators.randomCase(d).map(variant -> new String[] {d, variant}));
  }

  private static final Arbitrary<String> POOL =
      Arbitraries.of("a", "b", "mx", "example", "com", "A", "Example", "123");

  /** Hosts built from a small label pool, so that they often match the pool patterns. */
  @Provide
  Arbitrary<String> hostsNear() {
    return Combinators.combine(POOL.list().ofMinSize(1).ofMaxSize(4), Arbitraries.of("", "."))
        .as((labels, dot) -> String.join(".", labels) + dot);
  }

  /** Patterns built from the same pool as {@link #hostsNear()}. */
  @Provide
  Arbitrary<String> patternsNear() {
    return Combinators.combine(Arbitraries.of("", "*."), POOL.list().ofMinSize(1).ofMaxSize(3))
        .as((prefix, labels) -> prefix + String.join(".", labels));
  }
}
