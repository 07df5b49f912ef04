package org.mtasts.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mtasts.internal.text.Texts;

/**
 * Reads an RFC 8460 report strictly, for {@link TlsReport#parse}: one parser, and every method
 * names the JSON path it reads, so that a rejection says where and why.
 */
final class TlsReportReader {
  private final JsonParser p;

  TlsReportReader(JsonParser p) {
    this.p = p;
  }

  TlsReport report() throws IOException, ReportSyntaxException {
    expect(p.nextToken(), JsonToken.START_OBJECT, "$", "an object");
    String org = null;
    String contact = null;
    String id = null;
    LocalDate date = null;
    List<PolicyTally> tallies = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "organization-name" -> org = string(name);
        case "contact-info" -> contact = string(name);
        case "report-id" -> id = string(name);
        case "date-range" -> date = dateRange(name);
        case "policies" -> tallies = policies(name);
        default -> throw unknown("$", name);
      }
    }
    require(org, "$", "organization-name");
    require(date, "$", "date-range");
    require(contact, "$", "contact-info");
    require(id, "$", "report-id");
    require(tallies, "$", "policies");
    if (p.nextToken() != null) {
      throw new ReportSyntaxException("$", "more follows the report object", null);
    }
    ReportSubmitter submitter;
    try {
      submitter = ReportSubmitter.of(org, contact);
    } catch (IllegalArgumentException e) {
      throw new ReportSyntaxException("$", Texts.printable(e.getMessage(), 500), e);
    }
    if (tallies.isEmpty()) {
      throw new ReportSyntaxException("policies", "is empty; a report covers at least one "
          + "policy", null);
    }
    String domain = tallies.get(0).policy().domain();
    try {
      return new TlsReport(submitter, new ReportDay(domain, date), tallies, id);
    } catch (IllegalArgumentException e) {
      throw new ReportSyntaxException("$", Texts.printable(e.getMessage(), 500), e);
    }
  }

  private LocalDate dateRange(String path) throws IOException, ReportSyntaxException {
    expect(p.currentToken(), JsonToken.START_OBJECT, path, "an object");
    Instant start = null;
    Instant end = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "start-datetime" -> start = dateTime(path + "." + name);
        case "end-datetime" -> end = dateTime(path + "." + name);
        default -> throw unknown(path, name);
      }
    }
    require(start, path, "start-datetime");
    require(end, path, "end-datetime");
    LocalDate day = LocalDate.ofInstant(start, ZoneOffset.UTC);
    Instant dayStart = day.atStartOfDay(ZoneOffset.UTC).toInstant();
    if (!start.equals(dayStart) || !end.equals(dayStart.plus(TlsReport.LAST_SECOND))) {
      throw new ReportSyntaxException(path, "is " + start + " to " + end
          + ", not a full UTC day from T00:00:00Z to T23:59:59Z (TLSRPT-TIME-03)", null);
    }
    return day;
  }

  private Instant dateTime(String path) throws IOException, ReportSyntaxException {
    String s = string(path);
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      throw new ReportSyntaxException(path, Texts.quote(s)
          + " is not an RFC 3339 date-time with an offset", e);
    }
  }

  private List<PolicyTally> policies(String path) throws IOException, ReportSyntaxException {
    expect(p.currentToken(), JsonToken.START_ARRAY, path,
        "an array (RFC 8460 §4: policies is always an array)");
    List<PolicyTally> out = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      out.add(policy(path + "[" + out.size() + "]"));
    }
    return out;
  }

  private PolicyTally policy(String path) throws IOException, ReportSyntaxException {
    expect(p.currentToken(), JsonToken.START_OBJECT, path, "an object");
    ReportPolicy policy = null;
    long[] summary = null;
    Map<FailureDetail, Long> details = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "policy" -> policy = policyObject(path + ".policy");
        case "summary" -> summary = summary(path + ".summary");
        case "failure-details" -> details = failureDetails(path + ".failure-details");
        default -> throw unknown(path, name);
      }
    }
    require(policy, path, "policy");
    require(summary, path, "summary");
    require(details, path, "failure-details");
    try {
      return new PolicyTally(policy, summary[0], summary[1], details);
    } catch (IllegalArgumentException e) {
      throw new ReportSyntaxException(path, Texts.printable(e.getMessage(), 500), e);
    }
  }

  private ReportPolicy policyObject(String path) throws IOException, ReportSyntaxException {
    expect(p.currentToken(), JsonToken.START_OBJECT, path, "an object");
    PolicyType type = null;
    List<String> lines = null;
    String domain = null;
    List<String> mx = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      String at = path + "." + name;
      switch (name) {
        case "policy-type" -> type = policyType(at);
        case "policy-string" -> lines = strings(at);
        case "policy-domain" -> domain = string(at);
        case "mx-host" -> mx = strings(at);
        default -> throw unknown(path, name);
      }
    }
    require(type, path, "policy-type");
    require(lines, path, "policy-string");
    require(domain, path, "policy-domain");
    if (mx == null) {
      if (type == PolicyType.STS) {
        throw missing(path, "mx-host");
      }
      mx = List.of();
    }
    try {
      return new ReportPolicy(type, domain, lines, mx);
    } catch (IllegalArgumentException e) {
      throw new ReportSyntaxException(path, Texts.printable(e.getMessage(), 500), e);
    }
  }

  private PolicyType policyType(String path) throws IOException, ReportSyntaxException {
    String s = string(path);
    for (PolicyType t : PolicyType.values()) {
      if (t.wireName().equals(s)) {
        return t;
      }
    }
    throw new ReportSyntaxException(path, Texts.quote(s)
        + " is not sts, tlsa or no-policy-found", null);
  }

  private long[] summary(String path) throws IOException, ReportSyntaxException {
    expect(p.currentToken(), JsonToken.START_OBJECT, path, "an object");
    long ok = -1;
    long failed = -1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "total-successful-session-count" -> ok = count(path + "." + name);
        case "total-failure-session-count" -> failed = count(path + "." + name);
        default -> throw unknown(path, name);
      }
    }
    if (ok < 0) {
      throw missing(path, "total-successful-session-count");
    }
    if (failed < 0) {
      throw missing(path, "total-failure-session-count");
    }
    return new long[] {ok, failed};
  }

  private Map<FailureDetail, Long> failureDetails(String path)
      throws IOException, ReportSyntaxException {
    expect(p.currentToken(), JsonToken.START_ARRAY, path, "an array");
    Map<FailureDetail, Long> out = new LinkedHashMap<>();
    int i = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      String at = path + "[" + i++ + "]";
      expect(p.currentToken(), JsonToken.START_OBJECT, at, "an object");
      Map<String, String> fields = new LinkedHashMap<>();
      long count = -1;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        switch (name) {
          case "failed-session-count" -> count = count(at + "." + name);
          case "result-type", "sending-mta-ip", "receiving-mx-hostname", "receiving-mx-helo",
              "receiving-ip", "additional-information", "failure-reason-code" ->
              fields.put(name, string(at + "." + name));
          default -> throw unknown(at, name);
        }
      }
      String type = fields.get("result-type");
      require(type, at, "result-type");
      if (count < 0) {
        throw missing(at, "failed-session-count");
      }
      ResultType resultType = ResultType.fromWireName(type).orElseThrow(() ->
          new ReportSyntaxException(at + ".result-type", Texts.quote(type)
              + " is not a registered result type (RFC 8460 §4.3)", null));
      FailureDetail d;
      try {
        d = new FailureDetail(resultType, fields.get("sending-mta-ip"),
            fields.get("receiving-mx-hostname"), fields.get("receiving-mx-helo"),
            fields.get("receiving-ip"), fields.get("failure-reason-code"),
            fields.get("additional-information"));
      } catch (IllegalArgumentException e) {
        throw new ReportSyntaxException(at, Texts.printable(e.getMessage(), 500), e);
      }
      if (out.put(d, count) != null) {
        throw new ReportSyntaxException(at, "repeats an earlier entry's fields; entries are "
            + "keyed by every field but the count (TLSRPT-JSON-04)", null);
      }
    }
    return out;
  }

  private List<String> strings(String path) throws IOException, ReportSyntaxException {
    expect(p.currentToken(), JsonToken.START_ARRAY, path, "an array of strings");
    List<String> out = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      out.add(string(path + "[" + out.size() + "]"));
    }
    return out;
  }

  private String string(String path) throws IOException, ReportSyntaxException {
    expect(p.currentToken(), JsonToken.VALUE_STRING, path, "a string");
    String s = p.getText();
    if (!TlsReport.wellFormed(s).equals(s)) {
      throw new ReportSyntaxException(path, "holds an unpaired surrogate or a noncharacter, "
          + "which I-JSON forbids (RFC 7493 §2.1)", null);
    }
    return s;
  }

  private long count(String path) throws IOException, ReportSyntaxException {
    expect(p.currentToken(), JsonToken.VALUE_NUMBER_INT, path, "an integer");
    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw new ReportSyntaxException(path, "is too large", null);
    }
    long n = p.getLongValue();
    if (n < 0 || n > TlsReport.MAX_COUNT) {
      throw new ReportSyntaxException(path, "is " + n + ", not between 0 and 2^53-1", null);
    }
    return n;
  }

  private static void expect(JsonToken actual, JsonToken wanted, String path, String what)
      throws ReportSyntaxException {
    if (actual != wanted) {
      throw new ReportSyntaxException(path, "must be " + what + ", is " + describe(actual),
          null);
    }
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "missing";
    }
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "an integer";
      case VALUE_NUMBER_FLOAT -> "a number with a fraction or exponent";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.toString();
    };
  }

  private static void require(Object value, String path, String member)
      throws ReportSyntaxException {
    if (value == null) {
      throw missing(path, member);
    }
  }

  private static ReportSyntaxException missing(String path, String member) {
    return new ReportSyntaxException(path, "the member " + member + " is missing", null);
  }

  private static ReportSyntaxException unknown(String path, String member) {
    return new ReportSyntaxException(path, "unknown member " + Texts.quote(member), null);
  }
}
