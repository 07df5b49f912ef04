package org.mtasts.testkit.tlsrpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The schema can fail: each mistake seen in other senders' reports is caught. The reports here
 * are written by hand, independently of the core's writer.
 */
class TlsRptSchemaTest {

  /** The example of the project's RFC notes §3.7, compact. */
  static final String GOOD = """
      {"organization-name":"Example Sender Inc.",
       "date-range":{"start-datetime":"2025-03-01T00:00:00Z","end-datetime":"2025-03-01T23:59:59Z"},
       "contact-info":"tlsrpt@sender.example",
       "report-id":"20250301.recipient.example@sender.example",
       "policies":[{
         "policy":{"policy-type":"sts",
           "policy-string":["version: STSv1","mode: enforce","mx: mx1.recipient.example",
                            "mx: *.backup.recipient.example","max_age: 1209600"],
           "policy-domain":"recipient.example",
           "mx-host":["mx1.recipient.example","*.backup.recipient.example"]},
         "summary":{"total-successful-session-count":41,"total-failure-session-count":2},
         "failure-details":[
           {"result-type":"validation-failure","sending-mta-ip":"198.51.100.7",
            "receiving-mx-hostname":"legacy.recipient.example","failed-session-count":1,
            "failure-reason-code":"mta-sts-mx-mismatch"},
           {"result-type":"certificate-expired","sending-mta-ip":"2001:db8::7",
            "receiving-mx-hostname":"a.backup.recipient.example","receiving-ip":"203.0.113.25",
            "receiving-mx-helo":"a\\"b\\r\\nc \\u2028","failed-session-count":1,
            "additional-information":"https://sender.example/tlsrpt/1"}]},
        {"policy":{"policy-type":"no-policy-found","policy-string":[],
           "policy-domain":"recipient.example"},
         "summary":{"total-successful-session-count":1,"total-failure-session-count":0},
         "failure-details":[]}]}
      """;

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String replace(String from, String to) {
    assertTrue(GOOD.contains(from), from);
    return GOOD.replace(from, to);
  }

  @Test
  @DisplayName("the example report of the RFC notes §3.7 is valid")
  void goodReport_valid() {
    assertEquals(List.of(), TlsRptSchema.errors(bytes(GOOD)));
    TlsRptSchema.assertValid(bytes(GOOD));
    assertTrue(TlsRptSchema.schemaText().contains("\"policy-entry\""));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      TLSRPT-JSON-02: mx-host a string (RFC 8460 appendix B, erratum 6241) | "mx-host":["mx1.recipient.example","*.backup.recipient.example"] | "mx-host":"mx1.recipient.example"
      TLSRPT-JSON-02: policy-domain in U-labels | "policy-domain":"recipient.example", | "policy-domain":"bücher.example",
      TLSRPT-JSON-02: mx-host in U-labels | "mx-host":["mx1.recipient.example" | "mx-host":["mx1.bücher.example"
      policy-domain missing | "policy-domain":"recipient.example", | ''
      failed-session-count 0 | "failed-session-count":1, | "failed-session-count":0,
      policy-type not registered | "policy-type":"sts" | "policy-type":"STS"
      D-28: sending-mta-ip an empty string | "sending-mta-ip":"198.51.100.7" | "sending-mta-ip":""
      D-28: receiving-mx-helo an empty string | "receiving-mx-helo":"a\\"b\\r\\nc \\u2028" | "receiving-mx-helo":""
      sending-mta-ip not an address | "sending-mta-ip":"198.51.100.7" | "sending-mta-ip":"mta.sender.example"
      result-type not registered | "result-type":"certificate-expired" | "result-type":"certificate-revoked"
      TLSRPT-TIME-03: end-datetime T24:00:00Z | "end-datetime":"2025-03-01T23:59:59Z" | "end-datetime":"2025-03-01T24:00:00Z"
      TLSRPT-TIME-03: end-datetime the next day's 00:00:00Z | "end-datetime":"2025-03-01T23:59:59Z" | "end-datetime":"2025-03-02T00:00:00Z"
      start-datetime without an offset | "start-datetime":"2025-03-01T00:00:00Z" | "start-datetime":"2025-03-01T00:00:00"
      count a string | "total-failure-session-count":2 | "total-failure-session-count":"2"
      count negative | "total-failure-session-count":2 | "total-failure-session-count":-2
      count above 2^53-1 | "total-failure-session-count":2 | "total-failure-session-count":9007199254740992
      count with a fraction | "total-failure-session-count":2 | "total-failure-session-count":2.5
      count written as 2.0 | "total-failure-session-count":2 | "total-failure-session-count":2.0
      contact-info not an address | "contact-info":"tlsrpt@sender.example" | "contact-info":"TLS team"
      report-id not usable in a msg-id | "report-id":"20250301.recipient.example@sender.example" | "report-id":"2025 03 01"
      unknown member | "contact-info": | "contact":"x","contact-info":
      repeated member (not I-JSON) | "contact-info":"tlsrpt@sender.example" | "contact-info":"tlsrpt@sender.example","contact-info":"tlsrpt@sender.example"
      unpaired surrogate (not I-JSON) | Example Sender Inc. | Example \\ud800 Inc.
      no-policy-found with a policy-string | "policy-string":[], | "policy-string":["version: STSv1"],
      """)
  void peerMistake_invalid(String mistake, String from, String to) {
    String bad = replace(from, to == null ? "" : to);
    List<String> errors = TlsRptSchema.errors(bytes(bad));
    assertFalse(errors.isEmpty(), mistake + " passed: " + bad);
    assertThrows(AssertionError.class, () -> TlsRptSchema.assertValid(bytes(bad)));
  }

  @Test
  @DisplayName("TLSRPT-JSON-01: policies an object instead of an array is invalid")
  void policiesObject_invalid_TLSRPT_JSON_01() {
    String bad = GOOD.substring(0, GOOD.indexOf("\"policies\"")) + "\"policies\":"
        + "{\"policy\":{\"policy-type\":\"no-policy-found\",\"policy-string\":[],"
        + "\"policy-domain\":\"recipient.example\"},\"summary\":{"
        + "\"total-successful-session-count\":1,\"total-failure-session-count\":0},"
        + "\"failure-details\":[]}}";
    assertTrue(TlsRptSchema.isValid(bytes(bad.replace("\"policies\":{", "\"policies\":[{")
        .replace("[]}}", "[]}]}"))), "the same report with an array is valid");
    assertTrue(TlsRptSchema.errors(bytes(bad)).stream().anyMatch(e -> e.contains("/policies")),
        () -> TlsRptSchema.errors(bytes(bad)).toString());
  }

  @Test
  @DisplayName("a report without policies, and an sts policy without mx-host, are invalid")
  void structure_invalid() {
    String none = GOOD.substring(0, GOOD.indexOf("\"policies\"")) + "\"policies\":[]}";
    assertFalse(TlsRptSchema.isValid(bytes(none)), none);
    String noMx = GOOD.replaceAll(",\\s*\"mx-host\":\\[[^]]*\\]", "");
    assertFalse(noMx.contains("\"mx-host\""), noMx);
    assertFalse(TlsRptSchema.isValid(bytes(noMx)), noMx);
  }

  @Test
  @DisplayName("I-JSON: invalid UTF-8 and a byte-order mark are refused")
  void encoding_invalid() {
    byte[] latin1 = GOOD.replace("Example", "Exämple").getBytes(StandardCharsets.ISO_8859_1);
    assertTrue(TlsRptSchema.errors(latin1).get(0).contains("not UTF-8"));
    assertTrue(TlsRptSchema.errors(bytes("\uFEFF" + GOOD)).get(0).contains("byte-order mark"));
    assertFalse(TlsRptSchema.isValid(bytes("")));
    assertFalse(TlsRptSchema.isValid(bytes("[]")));
  }
}
