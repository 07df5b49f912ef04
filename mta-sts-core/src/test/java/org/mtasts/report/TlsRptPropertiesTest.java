package org.mtasts.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.mtasts.policy.Bounded;
import org.mtasts.policy.RecordSelection;
import org.mtasts.policy.RecordSyntaxException;

/** Properties of the TLS-RPT record parser. */
class TlsRptPropertiesTest {

  private static final Duration LIMIT = Duration.ofSeconds(5);

  static void parsesOrThrowsTyped(String text) {
    Bounded.run(
        LIMIT,
        () -> {
          try {
            TlsRptRecord r = TlsRptRecord.parse(text);
            assertFalse(r.destinations().isEmpty());
            assertTrue(TlsRptRecord.isCandidate(text));
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
  @Label("near-valid rua soup parses or throws RecordSyntaxException")
  void nearValid(@ForAll("ruaSoup") String text) {
    parsesOrThrowsTyped(text);
  }

  @Property(tries = 300)
  @Label("select() never throws")
  void selectIsTotal(@ForAll @Size(max = 4) List<@StringLength(max = 40) String> records) {
    Bounded.run(
        LIMIT,
        () -> {
          RecordSelection<TlsRptRecord> s = TlsRptRecord.select(records);
          assertEquals(s.found().isPresent(), s.status() == RecordSelection.Status.FOUND);
        });
  }

  @Provide
  Arbitrary<String> ruaSoup() {
    Arbitrary<String> head =
        Arbitraries.of("v=TLSRPTv1", "v=TLSRPTv1", "v=TLSRPTv1 ", "v=tlsrptv1", "");
    Arbitrary<String> delim = Arbitraries.of(";", "; ", " ; ", ";;", "", " ");
    Arbitrary<String> uri =
        Arbitraries.of(
            "mailto:a@example.com", "mailto:tls%21rpt@example.com", "mailto:", "mailto:%",
            "mailto:%C3", "mailto:a@[1.2.3.4]", "mailto:a@b.example?subject=x",
            "https://r.example/", "https:///", "https://r.example/%2C", "http://r.example/",
            "a@b", "mailto:a@b!10m", "", " ", "mailto:\"x\"@b.example", "mailto:a%2Cb@c.example",
            "https://[::1]/", "https://r.example:99999/");
    Arbitrary<String> rua =
        Combinators.combine(uri.list().ofMinSize(1).ofMaxSize(3), Arbitraries.of(",", " , "))
            .as((uris, comma) -> "rua=" + String.join(comma, uris));
    Arbitrary<String> field =
        Arbitraries.oneOf(rua, rua, Arbitraries.of("x=1", "x=a=b", "=", "_x=y"));
    Arbitrary<String> pair = Combinators.combine(delim, field).as(String::concat);
    return Combinators.combine(head, pair.list().ofMaxSize(4), Arbitraries.of("", ";", " "))
        .as((h, fields, tail) -> h + String.join("", fields) + tail);
  }
}
