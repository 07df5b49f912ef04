package org.mtasts.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mtasts.policy.RecordSelection;
import org.mtasts.policy.RecordSelection.Status;
import org.mtasts.policy.RecordSyntaxException;
import org.mtasts.report.ReportDestination.Https;
import org.mtasts.report.ReportDestination.Mailto;

/** The {@code _smtp._tls} record: notes §2.4, TLSRPT-REC-01…07, EDGE-103…109, D-30. */
class TlsRptRecordTest {

  record Valid(String text, List<ReportDestination> destinations, int ignored) {}

  record Invalid(String text, String field, String reasonFragment) {}

  private static Named<Valid> valid(
      String name, String text, int ignored, ReportDestination... destinations) {
    return named(name, new Valid(text, List.of(destinations), ignored));
  }

  private static Named<Invalid> invalid(String name, String text, String field, String reason) {
    return named(name, new Invalid(text, field, reason));
  }

  private static Mailto mailto(String uri, String address) {
    return new Mailto(uri, address);
  }

  private static Https https(String uri) {
    return new Https(uri);
  }

  static Stream<Named<Valid>> validRecords() {
    return Stream.of(
        valid(
            "EDGE-103 one mailto destination",
            "v=TLSRPTv1; rua=mailto:tlsrpt@example.com",
            0,
            mailto("mailto:tlsrpt@example.com", "tlsrpt@example.com")),
        valid(
            "EDGE-104 comma list of mailto and https",
            "v=TLSRPTv1;rua=mailto:a@example.com,https://r.example/v1",
            0,
            mailto("mailto:a@example.com", "a@example.com"),
            https("https://r.example/v1")),
        valid(
            "TLSRPT-REC-05 percent-decoded address, https as written",
            "v=TLSRPTv1; rua=mailto:tls%21rpt@example.com, https://r.example/a%2Cb",
            0,
            mailto("mailto:tls%21rpt@example.com", "tls!rpt@example.com"),
            https("https://r.example/a%2Cb")),
        valid(
            "EDGE-109 D-30 two rua fields merged",
            "v=TLSRPTv1; rua=mailto:a@example.com; rua=https://r.example/x",
            0,
            mailto("mailto:a@example.com", "a@example.com"),
            https("https://r.example/x")),
        valid(
            "TLSRPT-REC-04 unknown field ignored",
            "v=TLSRPTv1; rua=mailto:r@example.com; x=1",
            0,
            mailto("mailto:r@example.com", "r@example.com")),
        valid(
            "TLSRPT-REC-07 D-30 mailto header fields ignored",
            "v=TLSRPTv1; rua=mailto:r@example.com?subject=TLS%20report&body=x",
            0,
            mailto("mailto:r@example.com?subject=TLS%20report&body=x", "r@example.com")),
        valid(
            "EDGE-105 D-30 http skipped next to a usable URI",
            "v=TLSRPTv1; rua=http://r.example/, mailto:r@example.com",
            1,
            mailto("mailto:r@example.com", "r@example.com")),
        valid(
            "EDGE-106 '!' size suffix skipped next to a usable URI",
            "v=TLSRPTv1; rua=mailto:a@example.com!10m,mailto:b@example.com",
            1,
            mailto("mailto:b@example.com", "b@example.com")),
        valid(
            "scheme is case-insensitive, domain normalised",
            "v=TLSRPTv1; rua=MAILTO:Reports@Example.COM, HTTPS://R.example/x",
            0,
            mailto("MAILTO:Reports@Example.COM", "Reports@example.com"),
            https("HTTPS://R.example/x")),
        valid(
            "STS-SCOPE-06 UTF-8 domain in a mailto converted to A-labels",
            "v=TLSRPTv1; rua=mailto:r@b%C3%BCcher.example",
            0,
            mailto("mailto:r@b%C3%BCcher.example", "r@xn--bcher-kva.example")),
        valid(
            "D-02 analogue: space before ';', trailing ';'",
            "v=TLSRPTv1 ; rua=mailto:r@example.com ;",
            0,
            mailto("mailto:r@example.com", "r@example.com")),
        valid(
            "whitespace around commas",
            "v=TLSRPTv1; rua=mailto:a@example.com \t,\t https://r.example/",
            0,
            mailto("mailto:a@example.com", "a@example.com"),
            https("https://r.example/")),
        valid(
            "the same URI twice is kept once",
            "v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:a@example.com",
            0,
            mailto("mailto:a@example.com", "a@example.com")),
        valid(
            "https with port, path and query",
            "v=TLSRPTv1; rua=https://r.example:8443/tls?k=v",
            0,
            https("https://r.example:8443/tls?k=v")),
        valid(
            "quoted local part",
            "v=TLSRPTv1; rua=mailto:%22a..b%22@example.com",
            0,
            mailto("mailto:%22a..b%22@example.com", "\"a..b\"@example.com")),
        valid(
            "Stalwart example",
            "v=TLSRPTv1; rua=mailto:reports@example.org",
            0,
            mailto("mailto:reports@example.org", "reports@example.org")),
        valid(
            "empty elements in the comma list skipped",
            "v=TLSRPTv1; rua=mailto:a@example.com,,",
            2,
            mailto("mailto:a@example.com", "a@example.com")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validRecords")
  void validRecord(Valid c) throws RecordSyntaxException {
    TlsRptRecord r = TlsRptRecord.parse(c.text());
    assertEquals(c.destinations(), r.destinations());
    assertEquals(c.ignored(), r.ignoredUris().size(), () -> r.ignoredUris().toString());
    assertEquals(Optional.of(r), TlsRptRecord.select(List.of(c.text())).found());
  }

  static Stream<Named<Invalid>> invalidRecords() {
    return Stream.of(
        invalid("EDGE-105 only http", "v=TLSRPTv1; rua=http://r.example/", "rua",
            "unsupported scheme 'http:'"),
        invalid("EDGE-106 only a '!' suffix", "v=TLSRPTv1; rua=mailto:a@example.com!10m",
            "rua", "raw '!'"),
        invalid("EDGE-108 no rua", "v=TLSRPTv1; x=1", "rua", "missing"),
        invalid("EDGE-108 only the version", "v=TLSRPTv1", "rua", "missing"),
        invalid("EDGE-108 version and ';'", "v=TLSRPTv1;", "rua", "missing"),
        invalid("empty rua", "v=TLSRPTv1; rua=", "rua", "empty"),
        invalid("mailto without address", "v=TLSRPTv1; rua=mailto:", "rua", "no address"),
        invalid("mailto with only header fields", "v=TLSRPTv1; rua=mailto:?subject=x", "rua",
            "no address"),
        invalid("malformed percent-encoding", "v=TLSRPTv1; rua=mailto:a%ZZ@example.com", "rua",
            "percent-encoding"),
        invalid("invalid UTF-8 in percent-encoding", "v=TLSRPTv1; rua=mailto:a%C3@example.com",
            "rua", "percent-encoding"),
        invalid("https without host", "v=TLSRPTv1; rua=https:///x", "rua", "no host"),
        invalid("opaque https", "v=TLSRPTv1; rua=https:r.example", "rua", "no host"),
        invalid("SEC-13 mailto to an address literal", "v=TLSRPTv1; rua=mailto:a@[192.0.2.1]",
            "rua", "invalid domain"),
        invalid("encoded comma: two addresses in one mailto",
            "v=TLSRPTv1; rua=mailto:a@example.com%2Cb@example.com", "rua",
            "more than one address"),
        invalid("decoded whitespace, even quoted", "v=TLSRPTv1; rua=mailto:%22a%20b%22@x.example",
            "rua", "whitespace"),
        invalid("encoded CRLF in an address", "v=TLSRPTv1; rua=mailto:a%0D%0Ab@example.com",
            "rua", "control characters"),
        invalid("unquoted '..' in the local part", "v=TLSRPTv1; rua=mailto:a..b@example.com",
            "rua", "local part"),
        invalid("no scheme", "v=TLSRPTv1; rua=r@example.com", "rua", "no scheme"),
        invalid("space inside a URI", "v=TLSRPTv1; rua=mailto:a b@example.com", "rua",
            "whitespace"),
        invalid("lower-case version", "v=tlsrptv1; rua=mailto:a@example.com", "v",
            "case-sensitive"),
        invalid("version TLSRPTv10", "v=TLSRPTv10; rua=mailto:a@example.com", "v",
            "exactly TLSRPTv1"),
        invalid("an STS record", "v=STSv1; id=1", "v", "must start with"),
        invalid("empty field", "v=TLSRPTv1;; rua=mailto:a@example.com", null, "empty field"),
        invalid("non-ASCII", "v=TLSRPTv1; rua=mailto:a@bücher.example", null, "U+00FC"),
        invalid("'=' in an extension value", "v=TLSRPTv1; rua=mailto:a@example.com; x=a=b",
            "x", "'='"),
        invalid("space in an extension value", "v=TLSRPTv1; rua=mailto:a@example.com; x=a b",
            "x", "a space"),
        invalid("field without '='", "v=TLSRPTv1; rua=mailto:a@example.com; bogus", null,
            "no '='"),
        invalid("bad field name", "v=TLSRPTv1; rua=mailto:a@example.com; _x=1", null,
            "must start with a letter or digit"),
        invalid("missing ';' after v", "v=TLSRPTv1 rua=mailto:a@example.com", null,
            "separated by ';'"),
        invalid("control character", "v=TLSRPTv1; rua=mailto:a@example.com\r\n", null,
            "U+000D"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidRecords")
  void invalidRecord(Invalid c) {
    RecordSyntaxException e =
        assertThrows(RecordSyntaxException.class, () -> TlsRptRecord.parse(c.text()));
    assertEquals(Optional.ofNullable(c.field()), e.field(), e::getMessage);
    assertTrue(
        e.reason().contains(c.reasonFragment()),
        () -> "expected '" + c.reasonFragment() + "' in: " + e.getMessage());
    assertTrue(e.getMessage().startsWith("invalid _smtp._tls record '"), e.getMessage());
  }

  @Test
  @DisplayName("EDGE-105 the ignored URI is listed with its reason")
  void ignoredUris_haveReasons() throws RecordSyntaxException {
    TlsRptRecord r =
        TlsRptRecord.parse("v=TLSRPTv1; rua=ftp://r.example/, mailto:r@example.com; x=1");
    assertEquals(
        List.of(
            new TlsRptRecord.IgnoredUri(
                "ftp://r.example/",
                "uses the unsupported scheme 'ftp:' (only mailto: and https: are used)")),
        r.ignoredUris());
    assertEquals(Map.of("x", "1"), r.extensions());
  }

  @Test
  @DisplayName("TLSRPT-REC-02 EDGE-107 selection: exactly one candidate")
  void select() {
    assertEquals(Status.NO_RECORD, TlsRptRecord.select(List.of()).status());
    assertEquals(
        Status.NO_RECORD, TlsRptRecord.select(List.of("v=spf1 -all", "v=STSv1; id=1")).status());
    RecordSelection<TlsRptRecord> two =
        TlsRptRecord.select(
            List.of(
                "v=TLSRPTv1; rua=mailto:a@example.com", "v=TLSRPTv1; rua=mailto:b@example.com"));
    assertEquals(Status.MULTIPLE_RECORDS, two.status());
    assertEquals(
        2, assertInstanceOf(RecordSelection.MultipleRecords.class, two).candidates().size());
    RecordSelection<TlsRptRecord> one =
        TlsRptRecord.select(List.of("v=spf1 -all", "v=TLSRPTv1; rua=mailto:a@example.com"));
    assertEquals(
        List.of(mailto("mailto:a@example.com", "a@example.com")),
        one.found().orElseThrow().destinations());
    RecordSelection<TlsRptRecord> invalid = TlsRptRecord.select(List.of("v=TLSRPTv1"));
    assertEquals(Status.INVALID, invalid.status());
    assertEquals(
        Optional.of("rua"),
        assertInstanceOf(RecordSelection.Invalid.class, invalid).error().field());
    assertEquals(Status.NO_RECORD, TlsRptRecord.select(List.of("v=TLSRPTv10; rua=x")).status());
  }

  @Test
  @DisplayName("TLSRPT-REC-03 character-strings joined without separator")
  void join() throws RecordSyntaxException {
    String joined = TlsRptRecord.join(List.of("v=TLSRPTv1; rua=mailto:", "a@example.com"));
    Mailto m = (Mailto) TlsRptRecord.parse(joined).destinations().get(0);
    assertEquals("a@example.com", m.address());
  }

  @Test
  void httpsDestination_toUri() {
    assertEquals(URI.create("https://r.example/a%2Cb"), https("https://r.example/a%2Cb").toUri());
  }

  @Test
  void equalityAndToString() throws RecordSyntaxException {
    TlsRptRecord a = TlsRptRecord.parse("v=TLSRPTv1; rua=https://r.example/");
    TlsRptRecord b = TlsRptRecord.parse("v=TLSRPTv1;rua=https://r.example/;");
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertEquals("TlsRptRecord{destinations=[Https[uri=https://r.example/]]}", a.toString());
    assertThrows(UnsupportedOperationException.class, () -> a.destinations().clear());
  }

  @Test
  @DisplayName("at least 40 TLS-RPT records are in the tables")
  void tableSizes() {
    assertTrue(validRecords().count() + invalidRecords().count() >= 40);
  }

  @Test
  void nullParameters() {
    List<Executable> calls =
        List.of(
            () -> TlsRptRecord.parse(null),
            () -> TlsRptRecord.select(null),
            () -> TlsRptRecord.select(Arrays.asList("v=TLSRPTv1; rua=https://r.example/", null)),
            () -> TlsRptRecord.join(null),
            () -> TlsRptRecord.isCandidate(null),
            () -> new Mailto(null, "a@b"),
            () -> new Mailto("mailto:a@b", null),
            () -> new Https(null),
            () -> new TlsRptRecord.IgnoredUri(null, "r"),
            () -> ResultType.fromWireName(null));
    for (Executable call : calls) {
      assertThrows(NullPointerException.class, call);
    }
  }
}
