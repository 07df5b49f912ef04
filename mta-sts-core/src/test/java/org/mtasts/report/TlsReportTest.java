package org.mtasts.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mtasts.testkit.tlsrpt.TlsRptSchema;

class TlsReportTest {

  static final ReportSubmitter SUBMITTER =
      ReportSubmitter.of("Example Sender Inc.", "tlsrpt@sender.example");
  static final LocalDate DATE = LocalDate.of(2025, 3, 1);
  static final ReportDay DAY = new ReportDay("recipient.example", DATE);
  static final List<String> LINES = List.of("version: STSv1", "mode: enforce",
      "mx: mx1.recipient.example", "mx: *.backup.recipient.example", "max_age: 1209600");
  static final ReportPolicy STS = ReportPolicy.sts("recipient.example", LINES,
      List.of("mx1.recipient.example", "*.backup.recipient.example"));

  static FailureDetail detail(ResultType type, String mx, String ip) {
    return new FailureDetail(type, "198.51.100.7", mx, null, ip, null, null);
  }

  static TlsReport sample() {
    Map<FailureDetail, Long> details = new LinkedHashMap<>();
    details.put(detail(ResultType.CERTIFICATE_EXPIRED, "a.backup.recipient.example",
        "203.0.113.25"), 1L);
    details.put(new FailureDetail(ResultType.VALIDATION_FAILURE, "198.51.100.7",
        "legacy.recipient.example", null, null, "mta-sts-mx-mismatch", null), 1L);
    return TlsReport.create(SUBMITTER, DAY, List.of(new PolicyTally(STS, 41, 2, details)),
        "2025-03-01.recipient.example@sender.example");
  }

  /** The report's JSON, checked against the RFC 8460 schema first. */
  static String text(TlsReport r) {
    TlsRptSchema.assertValid(r.json());
    return new String(r.json(), StandardCharsets.UTF_8);
  }

  /** Decodes strictly: a malformed or lone-surrogate byte sequence fails. */
  static String strictUtf8(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }

  @Test
  @DisplayName("notes §3.7: the sample report, byte for byte, members in the RFC 8460 §4.4 order")
  void sampleReport_exactJson() {
    assertEquals("{\"organization-name\":\"Example Sender Inc.\","
        + "\"date-range\":{\"start-datetime\":\"2025-03-01T00:00:00Z\","
        + "\"end-datetime\":\"2025-03-01T23:59:59Z\"},"
        + "\"contact-info\":\"tlsrpt@sender.example\","
        + "\"report-id\":\"2025-03-01.recipient.example@sender.example\","
        + "\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
        + "\"policy-string\":[\"version: STSv1\",\"mode: enforce\",\"mx: mx1.recipient.example\","
        + "\"mx: *.backup.recipient.example\",\"max_age: 1209600\"],"
        + "\"policy-domain\":\"recipient.example\","
        + "\"mx-host\":[\"mx1.recipient.example\",\"*.backup.recipient.example\"]},"
        + "\"summary\":{\"total-successful-session-count\":41,"
        + "\"total-failure-session-count\":2},"
        + "\"failure-details\":["
        + "{\"result-type\":\"certificate-expired\",\"sending-mta-ip\":\"198.51.100.7\","
        + "\"receiving-mx-hostname\":\"a.backup.recipient.example\","
        + "\"receiving-ip\":\"203.0.113.25\",\"failed-session-count\":1},"
        + "{\"result-type\":\"validation-failure\",\"sending-mta-ip\":\"198.51.100.7\","
        + "\"receiving-mx-hostname\":\"legacy.recipient.example\",\"failed-session-count\":1,"
        + "\"failure-reason-code\":\"mta-sts-mx-mismatch\"}]}]}", text(sample()));
  }

  @Test
  @DisplayName("TLSRPT-JSON-01: one policy is still written as an array")
  void onePolicy_isAnArray_TLSRPT_JSON_01() {
    assertTrue(text(sample()).contains("\"policies\":[{\"policy\":"));
  }

  @Test
  @DisplayName("TLSRPT-JSON-01: no-policy-found has policy-domain, an empty policy-string and an"
      + " empty mx-host array")
  void noPolicyFound_hasDomainAndArrays_TLSRPT_JSON_01() {
    TlsReport r = TlsReport.create(SUBMITTER, new ReportDay("plain.example", DATE),
        List.of(new PolicyTally(ReportPolicy.noPolicyFound("plain.example"), 5, 0, Map.of())));
    assertTrue(text(r).contains("\"policy\":{\"policy-type\":\"no-policy-found\","
        + "\"policy-string\":[],\"policy-domain\":\"plain.example\",\"mx-host\":[]}"), text(r));
    assertTrue(text(r).contains("\"failure-details\":[]"), text(r));
  }

  @Test
  @DisplayName("TLSRPT-JSON-02: policy-domain, mx-host and receiving-mx-hostname in A-labels")
  void internationalNames_areALabels_TLSRPT_JSON_02() {
    ReportPolicy p = ReportPolicy.sts("Bücher.Example", List.of("version: STSv1"),
        List.of("*.Bücher.example", "mx.bücher.example."));
    FailureDetail d = new FailureDetail(ResultType.CERTIFICATE_EXPIRED, null,
        "MX.bücher.example", null, null, null, null);
    TlsReport r = TlsReport.create(SUBMITTER, new ReportDay("bücher.example", DATE),
        List.of(new PolicyTally(p, 0, 1, Map.of(d, 1L))));
    String json = text(r);
    assertTrue(json.contains("\"policy-domain\":\"xn--bcher-kva.example\""), json);
    assertTrue(json.contains(
        "\"mx-host\":[\"*.xn--bcher-kva.example\",\"mx.xn--bcher-kva.example\"]"), json);
    assertTrue(json.contains("\"receiving-mx-hostname\":\"mx.xn--bcher-kva.example\""), json);
    assertTrue(r.fileName().startsWith("sender.example!xn--bcher-kva.example!"), r.fileName());
  }

  @Test
  @DisplayName("TLSRPT-JSON-02: mx-host holds only host names and *.-patterns; a bad mx value"
      + " stays in policy-string")
  void badMxValues_leftOutOfMxHost_TLSRPT_JSON_02() {
    ReportPolicy p = ReportPolicy.sts("example.net", List.of("version: STSv1", "mx: bad value!",
        "mx: *.", "mx: mx1.example.net", "mx: *.b.example.net", "mx: a.*.example.net"),
        List.of("bad value!", "*.", "mx1.example.net", "*.b.example.net", "a.*.example.net"));
    assertEquals(List.of("mx1.example.net", "*.b.example.net"), p.mxHost());
    TlsReport r = TlsReport.create(SUBMITTER, new ReportDay("example.net", DATE),
        List.of(new PolicyTally(p, 1, 0, Map.of())));
    assertTrue(text(r).contains("\"mx: bad value!\""), text(r));
    assertThrows(IllegalArgumentException.class, () -> new FailureDetail(
        ResultType.CERTIFICATE_EXPIRED, null, "not a host!", null, null, null, null));
  }

  @Test
  @DisplayName("TLSRPT-JSON-03: policy-string keeps every line as served, erroneous ones too")
  void policyString_linesAsServed_TLSRPT_JSON_03() {
    List<String> lines = List.of("version: STSv1", "mode: testing", "foo: bar",
        "mx: mx1.example.net", "mx: mx2.example.net", "max_age: 86400");
    ReportPolicy p = ReportPolicy.sts("example.net", lines,
        List.of("mx1.example.net", "mx2.example.net"));
    TlsReport r = TlsReport.create(SUBMITTER, new ReportDay("example.net", DATE),
        List.of(new PolicyTally(p, 1, 0, Map.of())));
    assertTrue(text(r).contains("\"policy-string\":[\"version: STSv1\",\"mode: testing\","
        + "\"foo: bar\",\"mx: mx1.example.net\",\"mx: mx2.example.net\",\"max_age: 86400\"]"));
  }

  @Test
  @DisplayName("TLSRPT-JSON-04: failure details and policies in a fixed order, whatever the"
      + " input order")
  void order_isDeterministic_TLSRPT_JSON_04() {
    List<FailureDetail> ds = List.of(
        detail(ResultType.VALIDATION_FAILURE, "b.example", "192.0.2.2"),
        detail(ResultType.CERTIFICATE_EXPIRED, "b.example", "192.0.2.2"),
        detail(ResultType.CERTIFICATE_EXPIRED, "a.example", "192.0.2.9"),
        detail(ResultType.CERTIFICATE_EXPIRED, "a.example", "192.0.2.1"),
        FailureDetail.of(ResultType.STS_POLICY_FETCH_ERROR, "http-404"),
        new FailureDetail(ResultType.CERTIFICATE_EXPIRED, null, "a.example", null,
            "192.0.2.1", null, null));
    ReportPolicy other = ReportPolicy.sts("recipient.example", List.of("version: STSv1"),
        List.of());
    ReportPolicy none = ReportPolicy.noPolicyFound("recipient.example");
    Set<String> outputs = new HashSet<>();
    for (int rotation = 0; rotation < ds.size(); rotation++) {
      Map<FailureDetail, Long> m = new LinkedHashMap<>();
      for (int i = 0; i < ds.size(); i++) {
        m.put(ds.get((i + rotation) % ds.size()), (long) i + 1 + rotation);
      }
      Map<FailureDetail, Long> counts = new LinkedHashMap<>();
      ds.forEach(d -> counts.put(d, 1L));
      List<PolicyTally> tallies = new java.util.ArrayList<>(List.of(
          new PolicyTally(STS, 1, 6, counts), new PolicyTally(other, 2, 0, Map.of()),
          new PolicyTally(none, 3, 0, Map.of())));
      java.util.Collections.rotate(tallies, rotation);
      outputs.add(text(TlsReport.create(SUBMITTER, DAY, tallies, "x@sender.example")));
    }
    assertEquals(1, outputs.size(), outputs::toString);
    String json = outputs.iterator().next();
    int expA1Null = json.indexOf("\"result-type\":\"certificate-expired\","
        + "\"receiving-mx-hostname\":\"a.example\",\"receiving-ip\":\"192.0.2.1\"");
    int expA1 = json.indexOf("\"sending-mta-ip\":\"198.51.100.7\",\"receiving-mx-hostname\":"
        + "\"a.example\",\"receiving-ip\":\"192.0.2.1\"");
    int expA9 = json.indexOf("\"receiving-ip\":\"192.0.2.9\"");
    int expB = json.indexOf("\"result-type\":\"certificate-expired\",\"sending-mta-ip\":"
        + "\"198.51.100.7\",\"receiving-mx-hostname\":\"b.example\"");
    int fetch = json.indexOf("sts-policy-fetch-error");
    int validation = json.indexOf("validation-failure");
    assertTrue(0 < expA1Null && expA1Null < expA1 && expA1 < expA9 && expA9 < expB
        && expB < fetch && fetch < validation, json);
    assertTrue(json.indexOf("\"policy-type\":\"sts\"") < json.indexOf("no-policy-found"), json);
  }

  @Test
  @DisplayName("TLSRPT-JSON-04: two tallies of one policy are refused")
  void twoTalliesOfOnePolicy_refused_TLSRPT_JSON_04() {
    var e = assertThrows(IllegalArgumentException.class, () -> TlsReport.create(SUBMITTER, DAY,
        List.of(new PolicyTally(STS, 1, 0, Map.of()), new PolicyTally(STS, 2, 0, Map.of()))));
    assertTrue(e.getMessage().contains("TLSRPT-JSON-04"), e.getMessage());
  }

  @ParameterizedTest(name = "TLSRPT-JSON-05: hostile string {index} is escaped and round-trips")
  @ValueSource(strings = {"a\"b\r\nc", "back\\slash", "nul\u0000byte", "del\u007fx",
      "c1\u0085\u009bx", "line\u2028sep\u2029par", "bidi\u202eevil", "emoji \ud83d\udce7",
      "</script><!--", "tab\tand\fform\bfeed"})
  void hostileStrings_escapedAndRoundTrip_TLSRPT_JSON_05(String hostile) throws Exception {
    FailureDetail d = new FailureDetail(ResultType.VALIDATION_FAILURE, "192.0.2.1",
        "mx.recipient.example", hostile, "192.0.2.2", hostile, null);
    ReportPolicy p = ReportPolicy.sts("recipient.example", List.of(hostile), List.of(hostile));
    TlsReport r = TlsReport.create(SUBMITTER, DAY, List.of(new PolicyTally(p, 0, 1,
        Map.of(d, 1L))));
    byte[] json = r.json();
    TlsRptSchema.assertValid(json);
    String text = strictUtf8(json);
    for (char c : text.toCharArray()) {
      assertFalse(c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0x2028
          || c == 0x2029, () -> "raw control U+" + Integer.toHexString(c) + " in " + text);
    }
    TlsReport back = TlsReport.parse(json);
    assertEquals(r, back);
    FailureDetail parsed = back.policies().get(0).failureDetails().keySet().iterator().next();
    assertEquals(hostile, parsed.receivingMxHelo());
    assertEquals(hostile, parsed.failureReasonCode());
    assertEquals(List.of(hostile), back.policies().get(0).policy().policyString());
  }

  @Test
  @DisplayName("TLSRPT-JSON-05: the EHLO identity a\"b\\r\\nc is written escaped")
  void ehloWithQuoteAndCrLf_escaped_TLSRPT_JSON_05() {
    FailureDetail d = new FailureDetail(ResultType.STARTTLS_NOT_SUPPORTED, null,
        "mx.recipient.example", "a\"b\r\nc", null, null, null);
    TlsReport r = TlsReport.create(SUBMITTER, DAY, List.of(new PolicyTally(STS, 0, 1,
        Map.of(d, 1L))));
    assertTrue(text(r).contains("\"receiving-mx-helo\":\"a\\\"b\\r\\nc\""), text(r));
  }

  @ParameterizedTest(name = "TLSRPT-JSON-05: unpaired surrogates and noncharacters in {index}"
      + " become U+FFFD, never invalid UTF-8")
  @ValueSource(strings = {"lone\ud800high", "lone\udc00low", "end\ud83d", "\udce7start",
      "swap\udce7\ud83d", "non\ufffechar", "non\ufdd0char", "non\udbff\udfffchar"})
  void loneSurrogates_becomeReplacementCharacter_TLSRPT_JSON_05(String hostile)
      throws Exception {
    FailureDetail d = new FailureDetail(ResultType.VALIDATION_FAILURE, null,
        "mx.recipient.example", hostile, null, "reason " + hostile, null);
    TlsReport r = TlsReport.create(
        ReportSubmitter.of("Org", "a@sender.example"), DAY,
        List.of(new PolicyTally(STS, 0, 1, Map.of(d, 1L))));
    TlsRptSchema.assertValid(r.json());
    String text = strictUtf8(r.json());
    assertFalse(text.contains("\\ud8") || text.contains("\\udc") || text.contains("\\udb"),
        text);
    assertTrue(text.contains("\uFFFD"), text);
    TlsReport back = TlsReport.parse(r.json());
    String helo = back.policies().get(0).failureDetails().keySet().iterator().next()
        .receivingMxHelo();
    assertEquals(TlsReport.wellFormed(hostile), helo);
    assertTrue(helo.contains("\uFFFD"), helo);
  }

  @Test
  @DisplayName("D-28: unknown failure-detail fields are left out, never empty strings")
  void unknownFields_omitted_D_28() {
    TlsReport r = TlsReport.create(SUBMITTER, DAY, List.of(new PolicyTally(STS, 0, 1,
        Map.of(FailureDetail.of(ResultType.STS_POLICY_FETCH_ERROR, null), 1L))));
    assertTrue(text(r).contains(
        "\"failure-details\":[{\"result-type\":\"sts-policy-fetch-error\","
        + "\"failed-session-count\":1}]"), text(r));
    assertFalse(text(r).contains("\"\""), text(r));
    assertFalse(text(r).contains("sending-mta-ip"), text(r));
  }

  @Test
  @DisplayName("counts are JSON integers, up to 2^53-1 (I-JSON)")
  void counts_areIntegers() throws Exception {
    long big = TlsReport.MAX_COUNT;
    TlsReport r = TlsReport.create(SUBMITTER, DAY, List.of(new PolicyTally(STS, big, 0,
        Map.of())));
    assertTrue(text(r).contains("\"total-successful-session-count\":9007199254740991,"));
    assertEquals(big, TlsReport.parse(r.json()).policies().get(0).successfulSessions());
    assertThrows(IllegalArgumentException.class, () -> TlsReport.create(SUBMITTER, DAY,
        List.of(new PolicyTally(STS, big + 1, 0, Map.of()))));
  }

  @Test
  @DisplayName("TLSRPT-TIME-03: the period is T00:00:00Z to T23:59:59Z of the UTC day")
  void dateRange_fullUtcDay_TLSRPT_TIME_03() {
    TlsReport r = sample();
    assertEquals(Instant.parse("2025-03-01T00:00:00Z"), r.startDateTime());
    assertEquals(Instant.parse("2025-03-01T23:59:59Z"), r.endDateTime());
    assertTrue(text(r).contains("\"date-range\":{\"start-datetime\":\"2025-03-01T00:00:00Z\","
        + "\"end-datetime\":\"2025-03-01T23:59:59Z\"}"));
    TlsReport leap = TlsReport.create(SUBMITTER, new ReportDay("x.example",
        LocalDate.of(2024, 12, 31)), List.of(new PolicyTally(
            ReportPolicy.noPolicyFound("x.example"), 1, 0, Map.of())));
    assertEquals(Instant.parse("2024-12-31T23:59:59Z"), leap.endDateTime());
  }

  @Test
  @DisplayName("TLSRPT-DEL-01, TLSRPT-TIME-03: file name submitter!policy-domain!begin!end.json.gz")
  void fileName_TLSRPT_DEL_01() {
    TlsReport r = TlsReport.create(ReportSubmitter.of("S", "tlsrpt@mail.sender.example"),
        new ReportDay("example.net", LocalDate.of(2023, 11, 15)),
        List.of(new PolicyTally(ReportPolicy.noPolicyFound("example.net"), 1, 0, Map.of())));
    assertEquals("mail.sender.example!example.net!1700006400!1700092799.json.gz", r.fileName());
  }

  @Test
  @DisplayName("TLSRPT-DEL-05: Subject Report Domain: d Submitter: s Report-ID: <id>")
  void subject_TLSRPT_DEL_05() {
    assertEquals("Report Domain: recipient.example Submitter: sender.example "
        + "Report-ID: <2025-03-01.recipient.example@sender.example>", sample().subject());
  }

  @Test
  @DisplayName("D-27: a new report id is unique and has the msg-id form the Subject needs")
  void reportId_uniqueMsgId_D_27() {
    Pattern msgId = Pattern.compile(
        "2025-03-01\\.[a-z2-7]{16}\\.recipient\\.example@sender\\.example");
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      TlsReport r = TlsReport.create(SUBMITTER, DAY, List.of(new PolicyTally(STS, 1, 0,
          Map.of())));
      assertTrue(msgId.matcher(r.reportId()).matches(), r.reportId());
      assertTrue(r.subject().endsWith("Report-ID: <" + r.reportId() + ">"));
      ids.add(r.reportId());
    }
    assertEquals(1000, ids.size());
  }

  @ParameterizedTest(name = "report id {0} is refused: not usable in a msg-id")
  @ValueSource(strings = {"", "no-at-sign", "two words@x.example", "a@", "@b.example",
      "a..b@x.example", "<a@b.example>", "a@b@c", "é@x.example", "a@b.example\r\nBcc: x"})
  void reportId_notMsgId_refused(String id) {
    assertThrows(IllegalArgumentException.class, () -> TlsReport.create(SUBMITTER, DAY,
        List.of(new PolicyTally(STS, 1, 0, Map.of())), id));
  }

  @Test
  @DisplayName("a report has at least one policy, all of its own policy domain")
  void create_validates() {
    assertThrows(IllegalArgumentException.class,
        () -> TlsReport.create(SUBMITTER, DAY, List.of()));
    assertThrows(IllegalArgumentException.class, () -> TlsReport.create(SUBMITTER, DAY,
        List.of(new PolicyTally(ReportPolicy.noPolicyFound("other.example"), 1, 0, Map.of()))));
    assertThrows(NullPointerException.class, () -> TlsReport.create(null, DAY, List.of()));
    assertThrows(NullPointerException.class,
        () -> TlsReport.create(SUBMITTER, null, List.of()));
    assertThrows(NullPointerException.class, () -> TlsReport.create(SUBMITTER, DAY, null));
    assertThrows(NullPointerException.class, () -> TlsReport.create(SUBMITTER, DAY,
        List.of(new PolicyTally(STS, 1, 0, Map.of())), null));
    assertThrows(NullPointerException.class, () -> TlsReport.parse(null));
  }

  @Test
  @DisplayName("TLSRPT-DEL-02: gzip() is the gzipped json(), the same bytes each time")
  void gzip_TLSRPT_DEL_02() throws IOException {
    TlsReport r = sample();
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(r.gzip()))) {
      assertArrayEquals(r.json(), in.readAllBytes());
    }
    assertArrayEquals(r.gzip(), sample().gzip());
  }

  @Test
  @DisplayName("round trip: parse(json()) equals the report, json() of it the same bytes")
  void roundTrip() throws Exception {
    TlsReport r = sample();
    TlsReport back = TlsReport.parse(r.json());
    assertEquals(r, back);
    assertEquals(r.hashCode(), back.hashCode());
    assertArrayEquals(r.json(), back.json());
    assertEquals(r.fileName(), back.fileName());
    assertEquals(r.subject(), back.subject());
  }

  static String sampleWith(String from, String to) {
    String json = text(sample());
    assertTrue(json.contains(from), from);
    return json.replace(from, to);
  }

  static ReportSyntaxException refused(String json) {
    return assertThrows(ReportSyntaxException.class,
        () -> TlsReport.parse(json.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  @DisplayName("parse is strict: each shape peers get wrong is refused with where and why")
  void parse_strict() {
    assertEquals("policies", refused(sampleWith("\"policies\":[{", "\"policies\":{\"x\":{")
        .replace("}]}]}", "}]}}}")).path());
    ReportSyntaxException e = refused(sampleWith(
        "\"mx-host\":[\"mx1.recipient.example\",\"*.backup.recipient.example\"]",
        "\"mx-host\":\"mx1.recipient.example\""));
    assertEquals("policies[0].policy.mx-host", e.path());
    assertTrue(e.getMessage().contains("must be an array of strings, is a string"),
        e.getMessage());
    e = refused(sampleWith("\"total-failure-session-count\":2",
        "\"total-failure-session-count\":2.0"));
    assertEquals("policies[0].summary.total-failure-session-count", e.path());
    e = refused(sampleWith("\"total-failure-session-count\":2",
        "\"total-failure-session-count\":\"2\""));
    assertTrue(e.getMessage().contains("must be an integer, is a string"), e.getMessage());
    e = refused(sampleWith("\"total-failure-session-count\":2",
        "\"total-failure-session-count\":-2"));
    assertTrue(e.getMessage().contains("not between 0"), e.getMessage());
    e = refused(sampleWith("\"receiving-ip\":\"203.0.113.25\"", "\"receiving-ip\":\"\""));
    assertTrue(e.getMessage().contains("D-28"), e.getMessage());
    e = refused(sampleWith("\"result-type\":\"certificate-expired\"",
        "\"result-type\":\"certificate-revoked\""));
    assertTrue(e.getMessage().contains("not a registered result type"), e.getMessage());
    e = refused(sampleWith("\"policy-type\":\"sts\"", "\"policy-type\":\"STS\""));
    assertEquals("policies[0].policy.policy-type", e.path());
    e = refused(sampleWith("\"end-datetime\":\"2025-03-01T23:59:59Z\"",
        "\"end-datetime\":\"2025-03-02T00:00:00Z\""));
    assertTrue(e.getMessage().contains("TLSRPT-TIME-03"), e.getMessage());
    e = refused(sampleWith("\"contact-info\":\"tlsrpt@sender.example\",",
        "\"contact-info\":\"tlsrpt@sender.example\",\"extra\":1,"));
    assertTrue(e.getMessage().contains("unknown member 'extra'"), e.getMessage());
    e = refused(sampleWith("\"contact-info\":\"tlsrpt@sender.example\",",
        "\"contact-info\":\"tlsrpt@sender.example\",\"contact-info\":\"x@sender.example\","));
    assertTrue(e.getMessage().contains("not JSON") && e.getMessage().contains("contact-info"),
        e.getMessage());
    e = refused(sampleWith("\"policy-domain\":\"recipient.example\",", ""));
    assertTrue(e.getMessage().contains("policy-domain is missing"), e.getMessage());
    e = refused(text(sample()) + "{}");
    assertTrue(e.getMessage().contains("more follows"), e.getMessage());
    String json = text(sample());
    e = refused(json.substring(0, json.indexOf("\"policies\":[")) + "\"policies\":[]}");
    assertTrue(e.getMessage().contains("at least one policy"), e.getMessage());
    e = refused(sampleWith("\"report-id\":\"2025-03-01.recipient.example@sender.example\"",
        "\"report-id\":\"not a msg id\""));
    assertTrue(e.getMessage().contains("report id"), e.getMessage());
    e = refused("\uFEFF" + text(sample()));
    assertTrue(e.getMessage().contains("byte-order mark"), e.getMessage());
    e = refused("[]");
    assertEquals("$", e.path());
    e = refused("");
    assertEquals("$", e.path());
    e = refused(sampleWith("Example Sender Inc.", "Example \\ud800 Inc."));
    assertTrue(e.getMessage().contains("surrogate"), e.getMessage());
    byte[] latin1 = text(sample()).replace("Example", "Exämple")
        .getBytes(StandardCharsets.ISO_8859_1);
    e = assertThrows(ReportSyntaxException.class, () -> TlsReport.parse(latin1));
    assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());
  }

  @Test
  @DisplayName("toString names the file and the id")
  void toString_namesFileAndId() {
    assertEquals("TlsReport[sender.example!recipient.example!1740787200!1740873599.json.gz, "
        + "id=2025-03-01.recipient.example@sender.example, policies=1]", sample().toString());
    assertNotEquals(sample(), TlsReport.create(SUBMITTER, DAY, sample().policies()));
  }
}
