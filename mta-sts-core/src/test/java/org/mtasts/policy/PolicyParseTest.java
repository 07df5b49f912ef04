package org.mtasts.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mtasts.policy.PolicyWarning.Kind;

/**
 * Table-driven tests of the policy body parser: every case names the rule or edge case of the
 * project's RFC notes it checks, and asserts the typed outcome (mode, patterns, max_age,
 * warning kinds; or the line and field of the error).
 */
class PolicyParseTest {

  /** RFC 8461 Appendix A, with LF line ends. */
  private static final String APPENDIX_A =
      "version: STSv1\nmode: testing\nmx: mx1.example.com\nmx: mx2.example.com\n"
          + "mx: mx.backup-example.com\nmax_age: 1296000\n";

  private static final String HEAD = "version: STSv1\nmode: enforce\n";
  private static final String MX = "mx: mail.example.com\n";
  private static final String AGE = "max_age: 86400\n";
  private static final String GOOD = HEAD + MX + AGE;

  /** One valid policy text and everything the parser must make of it. */
  record Valid(
      String text,
      Mode mode,
      List<String> mx,
      long maxAge,
      Map<String, String> extensions,
      List<Kind> warnings) {}

  /** One invalid policy text and where the parser must say the problem is. */
  record Invalid(String text, int line, String field, String reasonFragment) {}

  private static Named<Valid> valid(
      String name, String text, Mode mode, List<String> mx, long maxAge, Kind... warnings) {
    return valid(name, text, mode, mx, maxAge, Map.of(), warnings);
  }

  private static Named<Valid> valid(
      String name,
      String text,
      Mode mode,
      List<String> mx,
      long maxAge,
      Map<String, String> ext,
      Kind... warnings) {
    return named(name, new Valid(text, mode, mx, maxAge, ext, List.of(warnings)));
  }

  private static Named<Invalid> invalid(
      String name, String text, int line, String field, String reasonFragment) {
    return named(name, new Invalid(text, line, field, reasonFragment));
  }

  private static final List<String> ONE = List.of("mail.example.com");
  private static final List<String> A3 =
      List.of("mx1.example.com", "mx2.example.com", "mx.backup-example.com");

  static Stream<Named<Valid>> validPolicies() {
    String crlf = APPENDIX_A.replace("\n", "\r\n");
    return Stream.of(
        valid("EDGE-23 RFC 8461 Appendix A with CRLF", crlf, Mode.TESTING, A3, 1_296_000),
        valid("EDGE-24 STS-PARSE-05 Appendix A with LF", APPENDIX_A, Mode.TESTING, A3, 1_296_000),
        valid(
            "EDGE-25 STS-PARSE-05 mixed LF and CRLF",
            "version: STSv1\r\nmode: testing\nmx: mx1.example.com\r\nmx: mx2.example.com\n"
                + "mx: mx.backup-example.com\r\nmax_age: 1296000\n",
            Mode.TESTING,
            A3,
            1_296_000),
        valid(
            "STS-PARSE-05 no final line terminator",
            APPENDIX_A.substring(0, APPENDIX_A.length() - 1),
            Mode.TESTING,
            A3,
            1_296_000),
        valid(
            "STS-PARSE-05 CRLF without final terminator",
            crlf.substring(0, crlf.length() - 2),
            Mode.TESTING,
            A3,
            1_296_000),
        valid("STS-PARSE-01 enforce with mx", GOOD, Mode.ENFORCE, ONE, 86_400),
        valid(
            "EDGE-27 STS-PARSE-08 max_age 31557600 is the maximum, no warning",
            HEAD + MX + "max_age: 31557600",
            Mode.ENFORCE,
            ONE,
            31_557_600),
        valid(
            "EDGE-28 D-10 max_age 31557601 capped with a warning",
            HEAD + MX + "max_age: 31557601",
            Mode.ENFORCE,
            ONE,
            31_557_600,
            Kind.MAX_AGE_CAPPED),
        valid(
            "EDGE-29 D-10 max_age 9999999999 (10 digits) capped",
            HEAD + MX + "max_age: 9999999999",
            Mode.ENFORCE,
            ONE,
            31_557_600,
            Kind.MAX_AGE_CAPPED),
        valid("EDGE-31 D-09 max_age 0 is valid", HEAD + MX + "max_age: 0", Mode.ENFORCE, ONE, 0),
        valid(
            "EDGE-31 max_age 0000000000 (10 zeros) is 0",
            HEAD + MX + "max_age: 0000000000",
            Mode.ENFORCE,
            ONE,
            0),
        valid(
            "EDGE-33 max_age with leading zeros",
            HEAD + MX + "max_age: 0086400",
            Mode.ENFORCE,
            ONE,
            86_400),
        valid(
            "EDGE-33 max_age of 10 digits with leading zeros",
            HEAD + MX + "max_age: 0000086400",
            Mode.ENFORCE,
            ONE,
            86_400),
        valid("max_age 1", HEAD + MX + "max_age: 1", Mode.ENFORCE, ONE, 1),
        valid(
            "EDGE-36 STS-PARSE-01 mode none without mx",
            "version: STSv1\nmode: none\nmax_age: 86400\n",
            Mode.NONE,
            List.of(),
            86_400),
        valid(
            "EDGE-37 mode none with mx lines keeps them",
            "version: STSv1\nmode: none\nmx: a.example\nmax_age: 86400\n",
            Mode.NONE,
            List.of("a.example"),
            86_400),
        valid(
            "go-mtasts mode none without space after colon",
            "version: STSv1\nmode:none\nmax_age:8600",
            Mode.NONE,
            List.of(),
            8600),
        valid(
            "D-11 mode none whose only mx is invalid is valid",
            "version: STSv1\nmode: none\nmx: *.*.example\nmax_age: 1\n",
            Mode.NONE,
            List.of(),
            1,
            Kind.MX_IGNORED),
        valid(
            "EDGE-42 STS-PARSE-03 first mode wins",
            "version: STSv1\nmode: testing\nmode: enforce\n" + MX + AGE,
            Mode.TESTING,
            ONE,
            86_400,
            Kind.DUPLICATE_FIELD),
        valid(
            "EDGE-43 D-14 later bogus mode ignored unvalidated",
            HEAD + "mode: bogus\n" + MX + AGE,
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.DUPLICATE_FIELD),
        valid(
            "STS-PARSE-03 D-14 later bogus version ignored",
            HEAD + "version: STSv2\n" + MX + AGE,
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.DUPLICATE_FIELD),
        valid(
            "STS-PARSE-03 D-14 later bogus max_age ignored",
            HEAD + MX + "max_age: 5\nmax_age: forever\n",
            Mode.ENFORCE,
            ONE,
            5,
            Kind.DUPLICATE_FIELD),
        valid(
            "EDGE-46 STS-PARSE-14 version last, order free",
            "mode: enforce\nmx: mail.example.com\nmax_age: 1\nversion: STSv1",
            Mode.ENFORCE,
            ONE,
            1),
        valid(
            "EDGE-47 STS-PARSE-02 unknown field kept as extension",
            GOOD + "foo: bar\n",
            Mode.ENFORCE,
            ONE,
            86_400,
            Map.of("foo", "bar")),
        valid(
            "EDGE-47 extension value with UTF-8",
            GOOD + "comment: café au lait\n",
            Mode.ENFORCE,
            ONE,
            86_400,
            Map.of("comment", "café au lait")),
        valid(
            "STS-PARSE-10 colon inside an extension value",
            GOOD + "foo: a:b\n",
            Mode.ENFORCE,
            ONE,
            86_400,
            Map.of("foo", "a:b")),
        valid(
            "STS-PARSE-15 an 'id' line in the body is only an extension",
            GOOD + "id: 20160831085700Z\n",
            Mode.ENFORCE,
            ONE,
            86_400,
            Map.of("id", "20160831085700Z")),
        valid(
            "STS-PARSE-02 report_to extension",
            GOOD + "report_to: x\n",
            Mode.ENFORCE,
            ONE,
            86_400,
            Map.of("report_to", "x")),
        valid(
            "STS-PARSE-07 EDGE-40 'Mode' is an extension beside mode",
            GOOD + "Mode: testing\n",
            Mode.ENFORCE,
            ONE,
            86_400,
            Map.of("Mode", "testing")),
        valid(
            "STS-PARSE-03 first extension value wins",
            GOOD + "foo: first\nfoo: second\n",
            Mode.ENFORCE,
            ONE,
            86_400,
            Map.of("foo", "first"),
            Kind.DUPLICATE_FIELD),
        valid(
            "STS-PARSE-03 duplicate extension not validated",
            GOOD + "foo: first\nfoo:\n",
            Mode.ENFORCE,
            ONE,
            86_400,
            Map.of("foo", "first"),
            Kind.DUPLICATE_FIELD),
        valid(
            "STS-PARSE-10 extension value with inner spaces",
            GOOD + "more: ext e  ns ion\n",
            Mode.ENFORCE,
            ONE,
            86_400,
            Map.of("more", "ext e  ns ion")),
        valid(
            "STS-PARSE-10 extension name of 32 characters",
            GOOD + "a".repeat(32) + ": x\n",
            Mode.ENFORCE,
            ONE,
            86_400,
            Map.of("a".repeat(32), "x")),
        valid(
            "STS-PARSE-10 extension name with digit start, '-', '_' and '.'",
            GOOD + "1x-report.v2_a: safe-value\n",
            Mode.ENFORCE,
            ONE,
            86_400,
            Map.of("1x-report.v2_a", "safe-value")),
        valid(
            "STS-PARSE-10 extension value starting with '#'",
            GOOD + "note: # not a comment\n",
            Mode.ENFORCE,
            ONE,
            86_400,
            Map.of("note", "# not a comment")),
        valid(
            "STS-PARSE-10 U+FFFD and emoji accepted in extension values",
            GOOD + "note: \uFFFD \uD83D\uDE00\n",
            Mode.ENFORCE,
            ONE,
            86_400,
            Map.of("note", "\uFFFD \uD83D\uDE00")),
        valid(
            "STS-PARSE-10 trailing tab after an extension value is line-end whitespace",
            GOOD + "foo: bar\t\n",
            Mode.ENFORCE,
            ONE,
            86_400,
            Map.of("foo", "bar")),
        valid(
            "EDGE-52 STS-PARSE-06 no space after colon",
            "version:STSv1\nmode:enforce\nmx:mail.example.com\nmax_age:86400",
            Mode.ENFORCE,
            ONE,
            86_400),
        valid(
            "EDGE-52 STS-PARSE-06 tab after colon",
            "version:\tSTSv1\nmode:\tenforce\nmx:\tmail.example.com\nmax_age:\t86400",
            Mode.ENFORCE,
            ONE,
            86_400),
        valid(
            "EDGE-53 STS-PARSE-06 trailing spaces and tabs",
            "version: STSv1 \nmode: enforce \t\nmx: mail.example.com\t\nmax_age: 86400  \n",
            Mode.ENFORCE,
            ONE,
            86_400),
        valid(
            "mox trailing WSP and max_age 0",
            "version: STSv1\nmode: enforce\t\nmx: *.example.com \nmax_age: 0 \n",
            Mode.ENFORCE,
            List.of("*.example.com"),
            0),
        valid(
            "mox mixed terminators, tabs, extension",
            "version:STSv1\r\nmode:\tenforce\r\nmx:  \t\t *.example.com\nmax_age: 1\n"
                + "more:ext e  ns ion",
            Mode.ENFORCE,
            List.of("*.example.com"),
            1,
            Map.of("more", "ext e  ns ion")),
        valid(
            "KumoMTA trailing space, CRLF and tab",
            "version: STSv1 \nmode: enforce\nmx: mail.example.com\r\nmx:\t*.example.net\n"
                + "mx: backupmx.example.com\nmax_age: 604800",
            Mode.ENFORCE,
            List.of("mail.example.com", "*.example.net", "backupmx.example.com"),
            604_800),
        valid(
            "EDGE-55 STS-PARSE-11 D-12 blank line between fields",
            HEAD + "\n" + MX + AGE,
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.BLANK_LINES),
        valid(
            "EDGE-55 D-12 doubled final newline",
            GOOD + "\n",
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.BLANK_LINES),
        valid(
            "D-12 whitespace-only line",
            HEAD + " \t \n" + MX + AGE,
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.BLANK_LINES),
        valid(
            "D-12 blank CRLF lines at start",
            "\r\n\r\n" + GOOD.replace("\n", "\r\n"),
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.BLANK_LINES),
        valid(
            "EDGE-56 STS-PARSE-12 D-13 (project decision) BOM stripped with a warning",
            "\uFEFF" + GOOD,
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.BYTE_ORDER_MARK),
        valid(
            "D-13 byte-order mark with CRLF policy",
            "\uFEFF" + crlf,
            Mode.TESTING,
            A3,
            1_296_000,
            Kind.BYTE_ORDER_MARK),
        valid(
            "STS-PARSE-04 several mx lines all count",
            HEAD + "mx: a.example\nmx: *.b.example\nmx: c.example\n" + AGE,
            Mode.ENFORCE,
            List.of("a.example", "*.b.example", "c.example"),
            86_400),
        valid(
            "EDGE-67 D-11 trailing dot on a pattern stripped",
            HEAD + "mx: mail.example.com.\n" + AGE,
            Mode.ENFORCE,
            ONE,
            86_400),
        valid(
            "EDGE-67 trailing dot on a wildcard stripped",
            HEAD + "mx: *.Example.com.\n" + AGE,
            Mode.ENFORCE,
            List.of("*.example.com"),
            86_400),
        valid(
            "STS-MATCH-04 upper-case A-label pattern normalised",
            HEAD + "mx: XN--BCHER-KVA.example\n" + AGE,
            Mode.ENFORCE,
            List.of("xn--bcher-kva.example"),
            86_400),
        valid(
            "EDGE-64 D-11 two wildcards: line ignored, others kept",
            HEAD + "mx: *.*.example.com\n" + MX + AGE,
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.MX_IGNORED),
        valid(
            "EDGE-65 D-11 partial-label wildcard ignored",
            HEAD + "mx: mail*.example.com\n" + MX + AGE,
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.MX_IGNORED),
        valid(
            "EDGE-65 D-11 bare '*' ignored",
            HEAD + "mx: *\n" + MX + AGE,
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.MX_IGNORED),
        valid(
            "EDGE-66 D-11 '.example.com' ignored, not rewritten",
            HEAD + "mx: .example.com\n" + MX + AGE,
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.MX_IGNORED),
        valid(
            "EDGE-68 SEC-18 '*.com' honoured with a warning",
            HEAD + "mx: *.com\n" + AGE,
            Mode.ENFORCE,
            List.of("*.com"),
            86_400,
            Kind.MX_TOP_LEVEL_WILDCARD),
        valid(
            "EDGE-69 D-11 U-label pattern ignored",
            HEAD + "mx: bücher.example\n" + MX + AGE,
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.MX_IGNORED),
        valid(
            "EDGE-71 D-11 pattern with port ignored",
            HEAD + "mx: mail.example.com:25\n" + MX + AGE,
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.MX_IGNORED),
        valid(
            "EDGE-71 D-11 address literal ignored",
            HEAD + "mx: [192.0.2.1]\n" + MX + AGE,
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.MX_IGNORED),
        valid(
            "EDGE-71 STS-PARSE-04 comma list ignored",
            HEAD + "mx: a.example, b.example\n" + MX + AGE,
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.MX_IGNORED),
        valid(
            "EDGE-71 D-11 empty mx ignored",
            HEAD + "mx:\n" + MX + AGE,
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.MX_IGNORED),
        valid(
            "EDGE-71 D-11 underscore ignored",
            HEAD + "mx: _mx.example.com\n" + MX + AGE,
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.MX_IGNORED),
        valid(
            "EDGE-72 address-like pattern valid with a warning",
            HEAD + "mx: 192.0.2.1\n" + AGE,
            Mode.ENFORCE,
            List.of("192.0.2.1"),
            86_400,
            Kind.MX_LOOKS_LIKE_ADDRESS),
        valid(
            "EDGE-73 D-11 64-character label ignored",
            HEAD + "mx: " + "a".repeat(64) + ".example\n" + MX + AGE,
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.MX_IGNORED),
        valid(
            "EDGE-74 repeated mx line kept once",
            HEAD + MX + MX + AGE,
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.MX_DUPLICATE),
        valid(
            "EDGE-74 repeats differing in case and dot kept once",
            HEAD + MX + "mx: MAIL.example.com.\n" + AGE,
            Mode.ENFORCE,
            ONE,
            86_400,
            Kind.MX_DUPLICATE),
        valid(
            "several warnings reported in line order",
            "\uFEFFversion: STSv1\nmode: enforce\nmx: *.com\nmx: bad_one\n\nmax_age: 99999999\n",
            Mode.ENFORCE,
            List.of("*.com"),
            31_557_600,
            Kind.BYTE_ORDER_MARK,
            Kind.MX_TOP_LEVEL_WILDCARD,
            Kind.MX_IGNORED,
            Kind.BLANK_LINES,
            Kind.MAX_AGE_CAPPED));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validPolicies")
  void validPolicy(Valid c) throws PolicySyntaxException {
    ParsedPolicy parsed = Policy.parseDetailed(c.text());
    Policy p = parsed.policy();
    assertEquals(c.mode(), p.mode());
    assertEquals(c.mx(), p.mxPatterns().stream().map(MxPattern::toString).toList());
    assertEquals(Duration.ofSeconds(c.maxAge()), p.maxAge());
    assertEquals(c.extensions(), p.extensions());
    assertEquals(
        c.warnings(),
        parsed.warnings().stream().map(PolicyWarning::kind).toList(),
        () -> "warnings: " + parsed.warnings());
    assertEquals(p, Policy.parse(c.text()));
  }

  static Stream<Named<Invalid>> invalidPolicies() {
    List<Named<Invalid>> cases = new ArrayList<>();
    cases.addAll(
        List.of(
            invalid(
                "EDGE-26 bare CR is not a line terminator",
                "version: STSv1\rmode: enforce\rmx: a.example\rmax_age: 1\r",
                1,
                "version",
                "carriage return"),
            invalid(
                "EDGE-26 CR CR LF",
                "version: STSv1\r\r\n" + "mode: enforce\n" + MX + AGE,
                1,
                "version",
                "carriage return"),
            invalid(
                "EDGE-26 lone CR at the very end",
                GOOD + "foo: x\r",
                5,
                "foo",
                "carriage return"),
            invalid("EDGE-30 max_age with 11 digits", HEAD + MX + "max_age: 12345678901",
                4, "max_age", "11 digits"),
            invalid("EDGE-30 mox 11 digits with leading zero", HEAD + MX + "max_age:01234567890",
                4, "max_age", "at most 10"),
            invalid("EDGE-32 max_age -1", HEAD + MX + "max_age: -1", 4, "max_age", "'-1'"),
            invalid("EDGE-32 max_age +86400", HEAD + MX + "max_age: +86400", 4, "max_age",
                "'+86400'"),
            invalid("EDGE-32 max_age 86400s", HEAD + MX + "max_age: 86400s", 4, "max_age",
                "'86400s'"),
            invalid("EDGE-32 max_age 8.64e4", HEAD + MX + "max_age: 8.64e4", 4, "max_age",
                "not a number"),
            invalid("EDGE-32 max_age 0x10", HEAD + MX + "max_age: 0x10", 4, "max_age",
                "not a number"),
            invalid("EDGE-32 max_age '1 000'", HEAD + MX + "max_age: 1 000", 4, "max_age",
                "not a number"),
            invalid("EDGE-32 max_age in Arabic-Indic digits", HEAD + MX + "max_age: \u0663",
                4, "max_age", "ASCII digits"),
            invalid("max_age twenty", HEAD + MX + "max_age: twenty", 4, "max_age",
                "not a number"),
            invalid("max_age empty", HEAD + MX + "max_age:", 4, "max_age", "empty"),
            invalid("max_age only spaces", HEAD + MX + "max_age:   ", 4, "max_age", "empty"),
            invalid("EDGE-34 STS-PARSE-01 no max_age", HEAD + MX, 0, "max_age", "missing"),
            invalid("EDGE-35 STS-PARSE-01 enforce without mx", HEAD + AGE, 0, "mx",
                "at least one"),
            invalid("EDGE-38 testing without mx", "version: STSv1\nmode: testing\n" + AGE,
                0, "mx", "mode testing needs"),
            invalid("EDGE-39 STS-PARSE-07 mode: Enforce", "version: STSv1\nmode: Enforce\n"
                + MX + AGE, 2, "mode", "(values are case-sensitive)"),
            invalid("EDGE-39 mode: ENFORCE", "version: STSv1\nmode: ENFORCE\n" + MX + AGE,
                2, "mode", "case-sensitive"),
            invalid("EDGE-40 STS-PARSE-07 only 'Mode:'", "version: STSv1\nMode: enforce\n"
                + MX + AGE, 0, "mode", "'Mode' on line 2"),
            invalid("EDGE-41 draft-era mode: report", "version: STSv1\nmode: report\n" + MX
                + AGE, 2, "mode", "not one of enforce, testing, none"),
            invalid("mode empty", "version: STSv1\nmode:\n" + MX + AGE, 2, "mode",
                "not one of"),
            invalid("STS-PARSE-13 D-14 first mode bogus, later valid", "version: STSv1\n"
                + "mode: bogus\nmode: enforce\n" + MX + AGE, 2, "mode", "'bogus'"),
            invalid("STS-PARSE-01 no mode", "version: STSv1\n" + MX + AGE, 0, "mode",
                "missing"),
            invalid("EDGE-44 version STSv2", "version: STSv2\nmode: enforce\n" + MX + AGE,
                1, "version", "'STSv2'"),
            invalid("EDGE-44 mox version STSv10", "version: STSv10\nmode: enforce\n" + MX
                + AGE, 1, "version", "'STSv10'"),
            invalid("STS-PARSE-07 version stsv1", "version: stsv1\nmode: enforce\n" + MX
                + AGE, 1, "version", "case-sensitive"),
            invalid("version with trailing text", "version: STSv1 extra\nmode: enforce\n"
                + MX + AGE, 1, "version", "'STSv1 extra'"),
            invalid("EDGE-45 no version", "mode: enforce\n" + MX + AGE, 0, "version",
                "missing"),
            invalid("EDGE-48 key starting with '_'", GOOD + "_foo: x\n", 5, null,
                "must start with a letter or digit"),
            invalid("EDGE-48 key with a space", GOOD + "foo bar: x\n", 5, null,
                "contains a space"),
            invalid("EDGE-48 key of 33 characters", GOOD + "a".repeat(33) + ": x\n", 5, null,
                "longer than 32"),
            invalid("EDGE-48 key with a tab, then space before ':'", GOOD + "mode\tx : y\n", 5,
                null, "'mode\\u0009x' contains a tab"),
            invalid("EDGE-48 key with '+'", GOOD + "x+comment: x\n", 5, null, "'+'"),
            invalid("EDGE-48 key with non-ASCII", GOOD + "café: x\n", 5, null, "U+00E9"),
            invalid("empty key", GOOD + ": value\n", 5, null, "empty"),
            invalid("EDGE-49 comment line", "# generated by tool\n" + GOOD, 1, null,
                "no ':'"),
            invalid("go-mtasts 'mode none' without colon", "version: STSv1\nmode none\n"
                + AGE, 2, null, "no ':'"),
            invalid("bare 'STSv1' line", "STSv1\n" + GOOD, 1, null, "no ':'"),
            invalid("EDGE-50 STS-PARSE-06 D-08 leading space", "version: STSv1\n mode: enforce\n"
                + MX + AGE, 2, null, "whitespace before the field name"),
            invalid("EDGE-50 D-08 leading tab", "version: STSv1\n\tmode: enforce\n" + MX + AGE,
                2, null, "whitespace before"),
            invalid("EDGE-50 header-folding continuation", GOOD + "foo: a\n  continued\n", 6,
                null, "whitespace before"),
            invalid("EDGE-51 STS-PARSE-06 D-08 space before colon", "version: STSv1\n"
                + "mode : enforce\n" + MX + AGE, 2, "mode", "between the field name and ':'"),
            invalid("EDGE-51 D-08 tab before colon", "version: STSv1\nmode\t: enforce\n" + MX
                + AGE, 2, "mode", "between the field name and ':'"),
            invalid("EDGE-54 comment after the value", "version: STSv1\n"
                + "mode: enforce # prod\n" + MX + AGE, 2, "mode", "'enforce # prod'"),
            invalid("EDGE-57 empty body", "", 0, null, "empty"),
            invalid("EDGE-57 only blank lines", "\n \r\n\t\n", 0, null, "only blank lines"),
            invalid("EDGE-57 only a byte-order mark", "\uFEFF", 0, null, "empty"),
            invalid("EDGE-58 NUL in an extension value", GOOD + "x: a\u0000b\n", 5, "x",
                "U+0000"),
            invalid("EDGE-58 control character in mode", "version: STSv1\nmode: enf\u0001orce\n"
                + MX + AGE, 2, "mode", "U+0001"),
            invalid("EDGE-58 DEL", GOOD + "x: a\u007Fb\n", 5, "x", "U+007F"),
            invalid("EDGE-58 C1 control NEL", GOOD + "x: a\u0085b\n", 5, "x", "U+0085"),
            invalid("EDGE-58 escape sequence in a key", GOOD + "\u001B[31mx: y\n", 5, null,
                "U+001B"),
            invalid("EDGE-58 NUL in an mx line is not just ignored", HEAD + "mx: a\u0000.b\n"
                + MX + AGE, 3, "mx", "U+0000"),
            invalid("EDGE-59 UTF-16 decoded as UTF-8", "v\u0000e\u0000r\u0000s\u0000i\u0000o"
                + "\u0000n\u0000:\u0000 \u0000S\u0000T\u0000S\u0000v\u00001\u0000\n\u0000", 1,
                null, "U+0000"),
            invalid("EDGE-60 HTML error page", "<!DOCTYPE html>\n<html><body>Not Found"
                + "</body></html>\n", 1, null, "no ':'"),
            invalid("EDGE-60 HTML with a colon", "<html><head><title>Error: 404</title>\n",
                1, null, "'<html><head><title>Error' must start with a letter or digit"),
            invalid("EDGE-61 tab inside an extension value", GOOD + "foo: a\tb\n", 5, "foo",
                "tab"),
            invalid("STS-PARSE-10 empty extension value", GOOD + "foo:\n", 5, "foo",
                "empty"),
            invalid("STS-PARSE-10 extension value of spaces only", GOOD + "foo:   \n", 5,
                "foo", "empty"),
            invalid("unpaired surrogate in an extension value", GOOD + "foo: a\uD800b\n", 5,
                "foo", "unpaired surrogate"),
            invalid("EDGE-64 D-11 only invalid mx under enforce", HEAD + "mx: *.*.example.com\n"
                + AGE, 0, "mx", "every mx line was ignored"),
            invalid("EDGE-71 D-11 only a list mx under testing", "version: STSv1\n"
                + "mode: testing\nmx: a.example, b.example\n" + AGE, 0, "mx",
                "every mx line was ignored"),
            invalid("EDGE-75 STS-PARSE-07 only 'MX:' under enforce", HEAD
                + "MX: mail.example.com\n" + AGE, 0, "mx", "'MX' on line 3"),
            invalid("D-13 second byte-order mark", "\uFEFF\uFEFF" + GOOD, 1, null,
                "must start with a letter or digit"),
            invalid("D-13 byte-order mark on a later line", "version: STSv1\n\uFEFFmode: "
                + "enforce\n" + MX + AGE, 2, null, "must start with a letter or digit"),
            invalid("vertical tab is not whitespace", "version: STSv1\u000B\nmode: enforce\n"
                + MX + AGE, 1, "version", "U+000B")));
    StringBuilder many = new StringBuilder(HEAD);
    for (int i = 0; i < Policy.MAX_MX_PATTERNS + 1; i++) {
      many.append("mx: mx").append(i).append(".example.com\n");
    }
    cases.add(invalid("SEC-15 1001 mx lines", many + AGE, 1003, "mx", "more than 1000"));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidPolicies")
  void invalidPolicy(Invalid c) {
    PolicySyntaxException e =
        assertThrows(PolicySyntaxException.class, () -> Policy.parseDetailed(c.text()));
    assertEquals(c.line(), e.line(), e::getMessage);
    assertEquals(Optional.ofNullable(c.field()), e.field(), e::getMessage);
    assertTrue(
        e.reason().contains(c.reasonFragment()),
        () -> "expected '" + c.reasonFragment() + "' in: " + e.getMessage());
    String prefix = (c.line() > 0 ? "line " + c.line() + ": " : "")
        + (c.field() == null ? "" : c.field() + ": ");
    assertEquals(prefix + e.reason(), e.getMessage());
  }

  @Test
  @DisplayName("STS-PARSE-07 the message says what to do, as a person reads it")
  void message_forCaseMismatch_isActionable() {
    PolicySyntaxException e =
        assertThrows(
            PolicySyntaxException.class,
            () -> Policy.parse("version: STSv1\nmx: a.example\nmode: Enforce\nmax_age: 1"));
    assertEquals(
        "line 3: mode: 'Enforce' is not one of enforce, testing, none (values are"
            + " case-sensitive)",
        e.getMessage());
  }

  @Test
  @DisplayName("SEC-15 exactly 1000 mx lines are accepted")
  void thousandMxLines_accepted() throws PolicySyntaxException {
    StringBuilder text = new StringBuilder(HEAD);
    for (int i = 0; i < Policy.MAX_MX_PATTERNS; i++) {
      text.append("mx: mx").append(i).append(".example.com\n");
    }
    Policy p = Policy.parse(text + AGE);
    assertEquals(1000, p.mxPatterns().size());
    assertEquals("mx999.example.com", p.mxPatterns().get(999).toString());
  }

  @Test
  @DisplayName("SEC-15 ignored mx lines count toward the 1000-line limit")
  void invalidMxLines_countTowardLimit() {
    StringBuilder text = new StringBuilder(HEAD + MX);
    for (int i = 0; i < Policy.MAX_MX_PATTERNS; i++) {
      text.append("mx: bad_").append(i).append(".example\n");
    }
    PolicySyntaxException e =
        assertThrows(PolicySyntaxException.class, () -> Policy.parse(text + AGE));
    assertEquals(1003, e.line());
  }

  @Test
  @DisplayName("D-11 EDGE-64 a warning names the ignored line, the field and the reason")
  void ignoredMx_warningDetails() throws PolicySyntaxException {
    ParsedPolicy parsed = Policy.parseDetailed(HEAD + "mx: *.*.example.com\n" + MX + AGE);
    PolicyWarning w = parsed.warnings().get(0);
    assertEquals(Kind.MX_IGNORED, w.kind());
    assertEquals(3, w.line());
    assertEquals(Optional.of("mx"), w.field());
    assertTrue(w.message().startsWith("mx pattern '*.*.example.com' has a '*'"), w.message());
    assertTrue(w.message().endsWith("; the line is ignored"), w.message());
    assertEquals("line 3: mx: " + w.message(), w.toString());
  }

  @Test
  @DisplayName("D-12 blank lines are reported once, at the first, with the count")
  void blankLines_oneSummaryWarning() throws PolicySyntaxException {
    ParsedPolicy parsed = Policy.parseDetailed(HEAD + "\n" + MX + "  \n" + AGE + "\n");
    assertEquals(1, parsed.warnings().size());
    PolicyWarning w = parsed.warnings().get(0);
    assertEquals(Kind.BLANK_LINES, w.kind());
    assertEquals(3, w.line());
    assertTrue(w.message().startsWith("3 blank lines were skipped"), w.message());
  }

  @Test
  @DisplayName("STS-PARSE-03 the duplicate warning names the line that counts")
  void duplicate_warningNamesFirstLine() throws PolicySyntaxException {
    ParsedPolicy parsed =
        Policy.parseDetailed("version: STSv1\nmode: testing\n" + MX + AGE + "mode: enforce\n");
    PolicyWarning w = parsed.warnings().get(0);
    assertEquals(Kind.DUPLICATE_FIELD, w.kind());
    assertEquals(5, w.line());
    assertEquals(Optional.of("mode"), w.field());
    assertTrue(w.message().contains("line 2"), w.message());
  }

  @Test
  @DisplayName("warnings are capped so a hostile body cannot build an unbounded list")
  void warnings_capped() throws PolicySyntaxException {
    String text = GOOD + "mode: testing\n".repeat(300);
    List<PolicyWarning> warnings = Policy.parseDetailed(text).warnings();
    assertEquals(PolicyParser.MAX_WARNINGS + 1, warnings.size());
    PolicyWarning last = warnings.get(warnings.size() - 1);
    assertEquals(Kind.TOO_MANY_WARNINGS, last.kind());
    assertEquals("200 further warnings were dropped", last.message());
  }

  @Test
  @DisplayName("TLS-RPT policy-string: lines exactly as served, terminators removed")
  void lines_areExactlyAsServed() throws PolicySyntaxException {
    String text = "\uFEFFversion: STSv1 \r\nmode:\tenforce\n\n" + MX + "max_age: 1\r\n\r\n";
    ParsedPolicy parsed = Policy.parseDetailed(text);
    assertEquals(
        List.of("version: STSv1 ", "mode:\tenforce", "", "mx: mail.example.com", "max_age: 1", ""),
        parsed.lines());
    assertEquals(parsed.lines(), Policy.splitLines(text));
  }

  @Test
  @DisplayName("EDGE-26 splitLines keeps a bare CR inside its line")
  void splitLines_bareCrIsNotATerminator() {
    assertEquals(List.of("a\rb", "c"), Policy.splitLines("a\rb\r\nc"));
    assertEquals(List.of(), Policy.splitLines(""));
    assertEquals(List.of(""), Policy.splitLines("\n"));
    assertEquals(List.of("x\r"), Policy.splitLines("x\r"));
  }

  @Test
  @DisplayName("lines(), warnings() and extensions() are unmodifiable")
  void results_areUnmodifiable() throws PolicySyntaxException {
    ParsedPolicy parsed = Policy.parseDetailed("\uFEFF" + GOOD + "foo: bar\n");
    assertThrows(UnsupportedOperationException.class, () -> parsed.lines().add("x"));
    assertThrows(UnsupportedOperationException.class, () -> parsed.warnings().clear());
    assertThrows(
        UnsupportedOperationException.class, () -> parsed.policy().extensions().put("a", "b"));
    assertThrows(
        UnsupportedOperationException.class,
        () -> parsed.policy().mxPatterns().add(MxPattern.parse("x.example")));
  }

  @Test
  @DisplayName("at least 60 valid and 60 invalid policy texts are in the tables")
  void tableSizes() {
    assertTrue(validPolicies().count() >= 60, "valid: " + validPolicies().count());
    assertTrue(invalidPolicies().count() >= 60, "invalid: " + invalidPolicies().count());
    assertEquals(
        validPolicies().count(),
        validPolicies().map(Named::getName).collect(Collectors.toSet()).size(),
        "names must be unique");
  }
}
