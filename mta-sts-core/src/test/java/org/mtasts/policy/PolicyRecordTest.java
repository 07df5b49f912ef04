package org.mtasts.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

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
import org.mtasts.policy.RecordSelection.Status;

/** The {@code _mta-sts} TXT record: grammar (notes §2.2), EDGE-01…EDGE-19, selection. */
class PolicyRecordTest {

  record Valid(String text, String id, Map<String, String> extensions) {}

  record Invalid(String text, String field, String reasonFragment) {}

  private static Named<Valid> valid(String name, String text, String id) {
    return named(name, new Valid(text, id, Map.of()));
  }

  private static Named<Valid> valid(
      String name, String text, String id, Map<String, String> extensions) {
    return named(name, new Valid(text, id, extensions));
  }

  private static Named<Invalid> invalid(String name, String text, String field, String reason) {
    return named(name, new Invalid(text, field, reason));
  }

  static Stream<Named<Valid>> validRecords() {
    String id32 = "A1b2".repeat(8);
    return Stream.of(
        valid("EDGE-01 RFC example", "v=STSv1; id=20160831085700Z;", "20160831085700Z"),
        valid("EDGE-02 no spaces, no final ';'", "v=STSv1;id=abc", "abc"),
        valid("EDGE-03 STS-DISC-11 first id wins", "v=STSv1; id=A; id=B", "A"),
        valid("EDGE-06 STS-DISC-09 id of 32 characters", "v=STSv1; id=" + id32, id32),
        valid("EDGE-10 STS-DISC-17 D-02 space before ';'", "v=STSv1 ; id=1", "1"),
        valid("STS-DISC-18 trailing ';'", "v=STSv1;id=1;", "1"),
        valid("STS-DISC-18 tab and spaces around ';'", "v=STSv1;\tid=1 ;  ", "1"),
        valid("STS-DISC-09 date-time id", "v=STSv1; id=20160831T085700Z", "20160831T085700Z"),
        valid(
            "STS-DISC-10 extension ignored",
            "v=STSv1; id=1; x-rpt=ok",
            "1",
            Map.of("x-rpt", "ok")),
        valid(
            "STS-DISC-07 fields after v in any order",
            "v=STSv1; foo=bar; id=1",
            "1",
            Map.of("foo", "bar")),
        valid("mox whitespace around fields", "v=STSv1; \t id=20160831085700Z  \t;",
            "20160831085700Z"),
        valid(
            "mox two extensions",
            "v=STSv1; id=a; more=a; ext=2",
            "a",
            Map.of("more", "a", "ext", "2")),
        valid("TLSPOL WSP on both sides", "v=STSv1 \t; \tid=policy1 \t;", "policy1"),
        valid(
            "go-mtasts spaces before ';'",
            "v=STSv1  ;    id=foo; unrelated=1",
            "foo",
            Map.of("unrelated", "1")),
        valid("KumoMTA example", "v=STSv1; id=20190429T010101;", "20190429T010101"),
        valid("STS-DISC-11 repeated v ignored", "v=STSv1; id=1; v=STSv2", "1"),
        valid("STS-DISC-11 repeated id not validated", "v=STSv1; id=1; id=2024-01-01", "1"),
        valid(
            "STS-DISC-19 extension value of visible ASCII",
            "v=STSv1; id=1; x=!\"#$%&'()*+,-./:<>?@[\\]^_`{|}~",
            "1",
            Map.of("x", "!\"#$%&'()*+,-./:<>?@[\\]^_`{|}~")),
        valid(
            "STS-DISC-19 extension name of 32 characters",
            "v=STSv1; id=1; " + "n".repeat(32) + "=v",
            "1",
            Map.of("n".repeat(32), "v")),
        valid(
            "STS-DISC-08 'ID' is an extension next to id",
            "v=STSv1; ID=x; id=1",
            "1",
            Map.of("ID", "x")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validRecords")
  void validRecord(Valid c) throws RecordSyntaxException {
    PolicyRecord r = PolicyRecord.parse(c.text());
    assertEquals(c.id(), r.id());
    assertEquals(c.extensions(), r.extensions());
    assertEquals("STSv1", r.version());
    RecordSelection<PolicyRecord> selected = PolicyRecord.select(List.of(c.text()));
    assertEquals(Optional.of(r), selected.found());
  }

  static Stream<Named<Invalid>> invalidRecords() {
    return Stream.of(
        invalid("EDGE-04 only the version", "v=STSv1", "id", "missing"),
        invalid("EDGE-04 version and ';'", "v=STSv1;", "id", "missing"),
        invalid("EDGE-04 version and space", "v=STSv1 ", "id", "missing"),
        invalid("EDGE-05 empty id", "v=STSv1; id=", "id", "empty"),
        invalid("EDGE-06 id of 33 characters", "v=STSv1; id=" + "a".repeat(33), "id",
            "33 characters"),
        invalid("EDGE-07 STS-DISC-09 id with '-'", "v=STSv1; id=2024-01-01", "id",
            "found '-'"),
        invalid("TLSPOL id with '-'", "v=STSv1; id=bad-value;", "id", "ASCII letters or digits"),
        invalid("EDGE-08 STS-DISC-08 lower-case version", "v=stsv1; id=1", "v",
            "case-sensitive"),
        invalid("EDGE-08 upper-case V", "V=STSv1; id=1", "v", "case-sensitive"),
        invalid("EDGE-09 STS-DISC-08 'ID' is not id", "v=STSv1; ID=1", "id", "'ID'"),
        invalid("EDGE-11 leading space", " v=STSv1; id=1", "v", "no whitespace may precede"),
        invalid("EDGE-12 STS-DISC-07 version not first", "id=1; v=STSv1", "v",
            "must start with"),
        invalid("EDGE-16 '=' in an extension value", "v=STSv1; id=1; ext=a=b", "ext", "'='"),
        invalid("STS-DISC-19 a=b=c", "v=STSv1; id=1; a=b=c", "a", "'='"),
        invalid("mox test==", "v=STSv1; id=1; test==", "test", "'='"),
        invalid("EDGE-17 empty extension value", "v=STSv1; id=1; ext=", "ext", "empty"),
        invalid("EDGE-18 D-03 ';;' at the end", "v=STSv1; id=1;;", null, "empty field"),
        invalid("STS-DISC-18 D-03 empty field in the middle", "v=STSv1; ; id=1", null,
            "empty field"),
        invalid("mox ';;' directly after v", "v=STSv1;;id=1", null, "empty field"),
        invalid("EDGE-19 STS-DISC-12 non-ASCII", "v=STSv1; id=1; note=é", null, "US-ASCII"),
        invalid("TLSPOL non-ASCII 'café'", "v=STSv1; id=policy1; note=café;", null,
            "U+00E9"),
        invalid("STS-DISC-19 name starting with '_'", "v=STSv1; id=1; _a=b", null,
            "must start with a letter or digit"),
        invalid("mox name with '%'", "v=STSv1; id=1; 1%=a", null, "'%'"),
        invalid("mox name of 33 characters", "v=STSv1; id=1; " + "n".repeat(33) + "=v", null,
            "longer than 32"),
        invalid("version STSv10", "v=STSv10; id=1", "v", "exactly STSv1"),
        invalid("mox version STSv2", "v=STSv2; id=1", "v", "must start with"),
        invalid("mox version STSv0", "v=STSv0", "v", "must start with"),
        invalid("TLSPOL trailing space without ';'", "v=STSv1; id=policy1 ", null,
            "whitespace at the end"),
        invalid("TLSPOL space inside an extension value", "v=STSv1; id=policy1; note=has space;",
            null, "separated by ';'"),
        invalid("go-mtasts missing ';' between fields", "v=STSv1;    id=foo include=foo.com",
            null, "separated by ';'"),
        invalid("missing ';' after v", "v=STSv1 id=1", null, "separated by ';'"),
        invalid("field without '='", "v=STSv1; bogus", null, "no '='"),
        invalid("TLSPOL no id", "v=STSv1; x-note=ok;", "id", "missing"),
        invalid("empty record", "", "v", "must start with"),
        invalid("unrelated record", "v=spf1 -all", "v", "must start with"),
        invalid("control character", "v=STSv1; id=1\u0000", null, "U+0000"),
        invalid("CRLF at the end", "v=STSv1; id=1\r\n", null, "U+000D"),
        invalid("DEL", "v=STSv1; id=1; x=\u007F", null, "U+007F"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidRecords")
  void invalidRecord(Invalid c) {
    RecordSyntaxException e =
        assertThrows(RecordSyntaxException.class, () -> PolicyRecord.parse(c.text()));
    assertEquals(Optional.ofNullable(c.field()), e.field(), e::getMessage);
    assertTrue(
        e.reason().contains(c.reasonFragment()),
        () -> "expected '" + c.reasonFragment() + "' in: " + e.getMessage());
    assertEquals(c.text(), e.text());
    assertTrue(e.getMessage().startsWith("invalid _mta-sts record '"), e.getMessage());
    assertTrue(e.getMessage().endsWith(e.reason()), e.getMessage());
  }

  @Test
  @DisplayName("EDGE-07 the message names the record, the field and the rule")
  void message_isActionable() {
    RecordSyntaxException e =
        assertThrows(
            RecordSyntaxException.class, () -> PolicyRecord.parse("v=STSv1; id=2024-01-01"));
    assertEquals(
        "invalid _mta-sts record 'v=STSv1; id=2024-01-01': id: '2024-01-01' must be 1 to 32"
            + " ASCII letters or digits (found '-')",
        e.getMessage());
  }

  @Test
  @DisplayName("at least 30 TXT records are in the _mta-sts tables")
  void tableSizes() {
    assertTrue(validRecords().count() + invalidRecords().count() >= 30);
  }

  private static RecordSelection<PolicyRecord> select(String... records) {
    return PolicyRecord.select(Arrays.asList(records));
  }

  @Test
  @DisplayName("STS-DISC-04 EDGE-14 non-STS records are discarded")
  void select_discardsOtherRecords() {
    RecordSelection<PolicyRecord> s =
        select("v=spf1 -all", "google-site-verification=x", "v=STSv1; id=1");
    assertEquals(Status.FOUND, s.status());
    assertEquals("1", s.found().orElseThrow().id());
    assertEquals(new RecordSelection.Found<>(PolicyRecord.of("1")), s);
  }

  @Test
  @DisplayName("STS-DISC-05 EDGE-13 two STS records: no policy")
  void select_multipleRecords() {
    RecordSelection<PolicyRecord> s = select("v=STSv1; id=1", "v=spf1 -all", "v=STSv1; id=2");
    assertEquals(Status.MULTIPLE_RECORDS, s.status());
    assertEquals(
        List.of("v=STSv1; id=1", "v=STSv1; id=2"),
        assertInstanceOf(RecordSelection.MultipleRecords.class, s).candidates());
    assertEquals(Optional.empty(), s.found());
  }

  @Test
  @DisplayName("STS-DISC-05 an invalid candidate still counts against 'exactly one'")
  void select_invalidCandidateCounts() {
    assertEquals(Status.MULTIPLE_RECORDS, select("v=STSv1; id=1", "v=STSv1").status());
  }

  @Test
  @DisplayName("STS-DISC-06 one invalid candidate: invalid, with the syntax error")
  void select_invalidRecord() {
    RecordSelection<PolicyRecord> s = select("v=STSv1; id=", "v=spf1 -all");
    assertEquals(Status.INVALID, s.status());
    RecordSelection.Invalid<PolicyRecord> invalid =
        assertInstanceOf(RecordSelection.Invalid.class, s);
    assertEquals("v=STSv1; id=", invalid.text());
    assertEquals(Optional.of("id"), invalid.error().field());
    assertEquals(Optional.empty(), s.found());
  }

  @Test
  @DisplayName("mox: an STS record with a bogus field is invalid, a bogus other record is not")
  void select_moxCases() {
    assertEquals(Status.FOUND, select("v=STSv1; id=1", "bogus").status());
    assertEquals(Status.INVALID, select("v=STSv1; bogus").status());
  }

  @Test
  @DisplayName("STS-DISC-15 no record, or only other records: no record")
  void select_noRecord() {
    assertEquals(new RecordSelection.NoRecord<>(), select());
    assertEquals(Status.NO_RECORD, select("v=spf1 -all", "x").status());
  }

  @Test
  @DisplayName("EDGE-08 EDGE-11 wrong case, leading space or STSv10 are not candidates")
  void select_nonCandidates() {
    assertEquals(Status.NO_RECORD, select("v=stsv1; id=1").status());
    assertEquals(Status.NO_RECORD, select(" v=STSv1; id=1").status());
    assertEquals(Status.NO_RECORD, select("v=STSv10; id=1").status());
    assertFalse(PolicyRecord.isCandidate("v=STSv1x"));
    assertTrue(PolicyRecord.isCandidate("v=STSv1"));
    assertTrue(PolicyRecord.isCandidate("v=STSv1\t;id=1"));
  }

  @Test
  @DisplayName("D-02 EDGE-10 'v=STSv1 ;' is a candidate and valid")
  void select_spaceBeforeSemicolon() {
    assertEquals(Optional.of(PolicyRecord.of("1")), select("v=STSv1 ;id=1").found());
  }

  @Test
  @DisplayName("STS-DISC-03 EDGE-15 character-strings are joined without separator")
  void join() throws RecordSyntaxException {
    assertEquals("abc123", PolicyRecord.parse(PolicyRecord.join(List.of("v=STSv1; id=", "abc123")))
        .id());
    assertEquals("1", PolicyRecord.parse(PolicyRecord.join(List.of("v=STSv1;", "id=1"))).id());
    assertEquals("1", PolicyRecord.parse(PolicyRecord.join(List.of("v=STSv1; ", "id=1"))).id());
    assertEquals("", PolicyRecord.join(List.of()));
  }

  @Test
  @DisplayName("STS-DISC-13 ids are compared as exact strings: case and length matter")
  void ids_compareExactly() throws RecordSyntaxException {
    assertEquals(PolicyRecord.of("20240102"), PolicyRecord.parse("v=STSv1; id=20240102"));
    assertNotEquals(PolicyRecord.of("abc"), PolicyRecord.of("ABC"));
    assertNotEquals(PolicyRecord.of("20240102"), PolicyRecord.of("020240102"));
    assertNotEquals(
        PolicyRecord.parse("v=STSv1; id=20240102").id(),
        PolicyRecord.parse("v=STSv1; id=20240101").id());
  }

  @Test
  void of_validatesTheId() {
    assertEquals("abc", PolicyRecord.of("abc").id());
    assertThrows(IllegalArgumentException.class, () -> PolicyRecord.of(""));
    assertThrows(IllegalArgumentException.class, () -> PolicyRecord.of("a-b"));
    assertThrows(IllegalArgumentException.class, () -> PolicyRecord.of("a".repeat(33)));
  }

  @Test
  void equalityAndToString() throws RecordSyntaxException {
    PolicyRecord a = PolicyRecord.parse("v=STSv1; id=1; x=y");
    assertEquals(a, PolicyRecord.parse("v=STSv1;x=y;id=1;"));
    assertEquals(a.hashCode(), PolicyRecord.parse("v=STSv1;x=y;id=1;").hashCode());
    assertNotEquals(a, PolicyRecord.of("1"));
    assertEquals("PolicyRecord{id=1, extensions={x=y}}", a.toString());
    assertEquals("PolicyRecord{id=1}", PolicyRecord.of("1").toString());
    assertThrows(UnsupportedOperationException.class, () -> a.extensions().put("a", "b"));
  }

  @Test
  void nullParameters() {
    List<Executable> calls =
        List.of(
            () -> PolicyRecord.parse(null),
            () -> PolicyRecord.select(null),
            () -> PolicyRecord.select(Arrays.asList("v=STSv1; id=1", null)),
            () -> PolicyRecord.join(null),
            () -> PolicyRecord.join(Arrays.asList("a", null)),
            () -> PolicyRecord.isCandidate(null),
            () -> PolicyRecord.of(null),
            () -> new RecordSelection.Found<>(null),
            () -> new RecordSelection.MultipleRecords<>(null),
            () -> new RecordSelection.Invalid<>(null, null));
    for (Executable call : calls) {
      assertThrows(NullPointerException.class, call);
    }
  }
}
