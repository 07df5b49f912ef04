package org.mtasts.policy;

import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** jqwik generators shared by the property tests of this package. */
final class Generators {

  private Generators() {}

  /** One LDH label of 1 to 12 characters (no leading or trailing hyphen). */
  static Arbitrary<String> labels() {
    return Arbitraries.strings()
        .withChars("abcdefghijklmnopqrstuvwxyz0123456789-")
        .ofMinLength(1)
        .ofMaxLength(12)
        .filter(s -> !s.startsWith("-") && !s.endsWith("-"));
  }

  /** A lower-case LDH domain of 1 to 4 labels. */
  static Arbitrary<String> domains() {
    return labels().list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(".", l));
  }

  /** Normalised pattern text: an exact domain or {@code *.} and a domain. */
  static Arbitrary<String> patternTexts() {
    return Combinators.combine(Arbitraries.of(true, false), domains())
        .as((wildcard, domain) -> wildcard ? "*." + domain : domain);
  }

  /** Flips the case of ASCII letters at random. */
  static Arbitrary<String> randomCase(String s) {
    return Arbitraries.of(true, false)
        .list()
        .ofSize(s.length())
        .map(
            flips -> {
              StringBuilder b = new StringBuilder(s.length());
              for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                b.append(flips.get(i) ? Character.toUpperCase(c) : c);
              }
              return b.toString();
            });
  }

  /** Extension names that follow the grammar and are not registered names. */
  static Arbitrary<String> extensionNames() {
    Arbitrary<Character> first =
        Arbitraries.chars().range('a', 'z').range('A', 'Z').range('0', '9');
    Arbitrary<String> rest =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withCharRange('A', 'Z')
            .withCharRange('0', '9')
            .withChars("_-.")
            .ofMaxLength(31);
    return Combinators.combine(first, rest)
        .as((f, r) -> f + r)
        .filter(n -> !PolicyParser.isRegisteredName(n));
  }

  /** Extension values: visible ASCII and non-ASCII text with single inner spaces. */
  static Arbitrary<String> extensionValues() {
    return Arbitraries.strings()
        .withCharRange(' ', '~')
        .withCharRange('\u00A0', '\u024F')
        .withChars("\u4E2D\u6587\u3000\uFFFD\uFEFF")
        .ofMinLength(1)
        .ofMaxLength(20)
        .map(Generators::trimSpaces)
        .filter(s -> !s.isEmpty());
  }

  private static String trimSpaces(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) == ' ') {
      start++;
    }
    while (end > start && s.charAt(end - 1) == ' ') {
      end--;
    }
    return s.substring(start, end);
  }

  /** Valid policies of every mode with up to 8 patterns and up to 4 extensions. */
  static Arbitrary<Policy> policies() {
    Arbitrary<List<String>> patterns = patternTexts().list().ofMaxSize(8);
    Arbitrary<Long> ages = Arbitraries.longs().between(0, Policy.MAX_AGE_LIMIT.getSeconds());
    Arbitrary<List<String>> names = extensionNames().list().ofMaxSize(4).uniqueElements();
    Arbitrary<List<String>> values = extensionValues().list().ofSize(4);
    return Combinators.combine(Arbitraries.of(Mode.class), patterns, ages, names, values)
        .as(
            (mode, mx, age, extNames, extValues) -> {
              Policy.Builder b = Policy.builder().mode(mode).maxAge(Duration.ofSeconds(age));
              mx.forEach(b::mx);
              if (mode != Mode.NONE && mx.isEmpty()) {
                b.mx("mx.example");
              }
              for (int i = 0; i < extNames.size(); i++) {
                b.extension(extNames.get(i), extValues.get(i));
              }
              return b.build();
            });
  }
}
