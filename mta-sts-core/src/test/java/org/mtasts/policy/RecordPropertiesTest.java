package org.mtasts.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** Properties of the {@code _mta-sts} record parser and the RRset selection. */
class RecordPropertiesTest {

  private static final Duration LIMIT = Duration.ofSeconds(5);

  static void parsesOrThrowsTyped(String text) {
    Bounded.run(
        LIMIT,
        () -> {
          try {
            PolicyRecord r = PolicyRecord.parse(text);
            assertTrue(r.id().length() >= 1 && r.id().length() <= 32, r::toString);
            assertTrue(PolicyRecord.isCandidate(text));
          } catch (RecordSyntaxException e) {
            assertEquals(text, e.text());
            assertTrue(e.getMessage().chars().allMatch(c -> c >= 0x20), e::getMessage);
          }
        });
  }

  @Property(tries = 1000)
  @Label("any string parses or throws RecordSyntaxException, never hangs")
  void anyString(@ForAll @StringLength(max = 120) String text) {
    parsesOrThrowsTyped(text);
  }

  @Property(tries = 1000)
  @Label("near-valid field soup parses or throws RecordSyntaxException")
  void nearValid(@ForAll("fieldSoup") String text) {
    parsesOrThrowsTyped(text);
  }

  @Property(tries = 500)
  @Label("select() never throws, and finds a record only for exactly one candidate")
  void selectIsTotal(@ForAll @Size(max = 4) List<@StringLength(max = 40) String> records) {
    Bounded.run(
        LIMIT,
        () -> {
          RecordSelection<PolicyRecord> s = PolicyRecord.select(records);
          long candidates = records.stream().filter(PolicyRecord::isCandidate).count();
          assertEquals(s.found().isPresent(), s.status() == RecordSelection.Status.FOUND);
          if (s.found().isPresent()) {
            assertEquals(1, candidates);
          }
        });
  }

  @Property(tries = 500)
  @Label("a record written from an id and extensions parses back to them")
  void roundTrip(@ForAll("ids") String id, @ForAll("extensions") Map<String, String> ext) {
    StringBuilder text = new StringBuilder("v=STSv1; id=").append(id);
    ext.forEach((k, v) -> text.append("; ").append(k).append('=').append(v));
    Bounded.run(
        LIMIT,
        () -> {
          PolicyRecord r = PolicyRecord.parse(text.toString());
          assertEquals(id, r.id());
          assertEquals(ext, r.extensions());
        });
  }

  @Provide
  Arbitrary<String> ids() {
    return Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(32);
  }

  @Provide
  Arbitrary<Map<String, String>> extensions() {
    Arbitrary<String> values =
        Arbitraries.strings().withCharRange('!', '~').withChars("").ofMinLength(1).ofMaxLength(10)
            .filter(v -> v.indexOf(';') < 0 && v.indexOf('=') < 0);
    return Arbitraries.maps(
            Generators.extensionNames().filter(n -> !n.equals("id") && !n.equals("v")), values)
        .ofMaxSize(4);
  }

  @Provide
  Arbitrary<String> fieldSoup() {
    Arbitrary<String> head =
        Arbitraries.of("v=STSv1", "v=STSv1", "v=STSv1", "v=STSv1 ", "v=stsv1", " v=STSv1",
            "v=STSv10", "");
    Arbitrary<String> delim = Arbitraries.of(";", "; ", " ;", " ; ", "\t;\t", ";;", "", " ");
    Arbitrary<String> field =
        Arbitraries.of("id=abc", "id=abc", "id=", "ID=1", "id=a-b", "x=y", "x=a=b", "x=",
            "=y", "_a=b", "é=1", "id=" + "a".repeat(33), "v=STSv1", "bogus", "x=\u0000");
    Arbitrary<String> pair = Combinators.combine(delim, field).as(String::concat);
    return Combinators.combine(
            head, pair.list().ofMaxSize(5), Arbitraries.of("", "", ";", " ", "; "))
        .as((h, fields, tail) -> h + String.join("", fields) + tail);
  }
}
