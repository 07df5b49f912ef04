package org.mtasts.internal.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mtasts.internal.text.Texts;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.PolicyTally;
import org.mtasts.report.PolicyType;
import org.mtasts.report.ReportDay;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ResultType;

/**
 * The file of one report day in {@link DirectoryReportStore}: JSON written with jackson-core,
 * starting with {@code "format":"mta-sts-tlsrpt-day","version":1} so that a reader can tell a
 * file of a newer version from a damaged one before it reads further.
 *
 * <pre>{@code
 * {"format":"mta-sts-tlsrpt-day","version":1,"policy-domain":"example.net","day":"2026-11-30",
 *  "completed":false,"warned-full":false,"attempts":0,"first-attempt":"...","not-before":"...",
 *  "claim":{"token":"...","expires":"..."},
 *  "policies":[{"policy-type":"sts","policy-string":[...],"mx-host":[...],
 *    "successful":41,"failed":2,
 *    "failure-details":[{"result-type":"certificate-expired","receiving-ip":"...","count":2}]}]}
 * }</pre>
 *
 * <p>Strings are stored exactly (a Java string that is not well-formed UTF-16 is kept with
 * escapes), so the keys read back equal the keys counted. Not thread-safe: {@link State} is
 * mutable and belongs to one caller under the day's lock.
 */
final class ReportDayFile {

  static final String FORMAT = "mta-sts-tlsrpt-day";

  static final int VERSION = 1;

  /** The largest file read or written: the bound of one report day on disk. */
  static final int MAX_FILE_BYTES = 8 << 20;

  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(8)
          .maxNumberLength(32)
          .maxStringLength(MAX_FILE_BYTES)
          .build())
      .build();

  private ReportDayFile() {}

  /** The file cannot be read as a report day; its reason is the message. */
  static class CorruptFileException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptFileException(String message) {
      super(message, null, false, false);
    }
  }

  /** The file was written by a newer version of the library; it must not be overwritten. */
  static final class NewerFormatException extends CorruptFileException {
    private static final long serialVersionUID = 1L;

    NewerFormatException(String message) {
      super(message);
    }
  }

  /** The counts of one policy. */
  static final class Tally {
    long successes;
    long failures;
    final Map<FailureDetail, Long> details = new LinkedHashMap<>();
  }

  /** Everything kept about one report day. */
  static final class State {
    final ReportDay day;
    boolean completed;
    boolean warnedFull;
    int attempts;
    Instant firstAttempt;
    Instant notBefore;
    String claimToken;
    Instant claimExpires;
    final Map<ReportPolicy, Tally> policies = new LinkedHashMap<>();

    State(ReportDay day) {
      this.day = day;
    }

    List<PolicyTally> tallies() {
      List<PolicyTally> out = new ArrayList<>(policies.size());
      policies.forEach((p, t) ->
          out.add(new PolicyTally(p, t.successes, t.failures, new HashMap<>(t.details))));
      return out;
    }
  }

  static byte[] encode(State s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("format", FORMAT);
      g.writeNumberField("version", VERSION);
      g.writeStringField("policy-domain", s.day.policyDomain());
      g.writeStringField("day", s.day.day().toString());
      g.writeBooleanField("completed", s.completed);
      g.writeBooleanField("warned-full", s.warnedFull);
      g.writeNumberField("attempts", s.attempts);
      writeInstant(g, "first-attempt", s.firstAttempt);
      writeInstant(g, "not-before", s.notBefore);
      if (s.claimToken != null) {
        g.writeObjectFieldStart("claim");
        g.writeStringField("token", s.claimToken);
        writeInstant(g, "expires", s.claimExpires);
        g.writeEndObject();
      }
      g.writeArrayFieldStart("policies");
      for (Map.Entry<ReportPolicy, Tally> e : s.policies.entrySet()) {
        ReportPolicy p = e.getKey();
        Tally t = e.getValue();
        g.writeStartObject();
        g.writeStringField("policy-type", p.type().wireName());
        writeStrings(g, "policy-string", p.policyString());
        writeStrings(g, "mx-host", p.mxHost());
        g.writeNumberField("successful", t.successes);
        g.writeNumberField("failed", t.failures);
        g.writeArrayFieldStart("failure-details");
        for (Map.Entry<FailureDetail, Long> d : t.details.entrySet()) {
          FailureDetail f = d.getKey();
          g.writeStartObject();
          g.writeStringField("result-type", f.resultType().wireName());
          writeOptional(g, "sending-mta-ip", f.sendingMtaIp());
          writeOptional(g, "receiving-mx-hostname", f.receivingMxHostname());
          writeOptional(g, "receiving-mx-helo", f.receivingMxHelo());
          writeOptional(g, "receiving-ip", f.receivingIp());
          writeOptional(g, "failure-reason-code", f.failureReasonCode());
          writeOptional(g, "additional-information", f.additionalInformation());
          g.writeNumberField("count", d.getValue());
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    }
    return out.toByteArray();
  }

  private static void writeInstant(JsonGenerator g, String name, Instant value)
      throws IOException {
    if (value != null) {
      g.writeStringField(name, value.toString());
    }
  }

  private static void writeOptional(JsonGenerator g, String name, String value)
      throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }

  private static void writeStrings(JsonGenerator g, String name, List<String> values)
      throws IOException {
    g.writeArrayFieldStart(name);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }

  /**
   * Reads a file.
   *
   * @param content the file content
   * @return the state it holds
   * @throws NewerFormatException if a newer version wrote it
   * @throws CorruptFileException if it is not a report day file of this version
   */
  static State decode(byte[] content) throws CorruptFileException {
    if (content.length > MAX_FILE_BYTES) {
      throw new CorruptFileException("larger than " + MAX_FILE_BYTES + " bytes");
    }
    try (JsonParser p = JSON.createParser(content)) {
      State s = new Reader(p).read();
      if (p.nextToken() != null) {
        throw new CorruptFileException("more follows the object");
      }
      return s;
    } catch (CorruptFileException e) {
      throw e;
    } catch (IOException e) {
      throw new CorruptFileException("not JSON: " + Texts.printable(e.getMessage(), 200));
    } catch (IllegalArgumentException | DateTimeException e) {
      throw new CorruptFileException("a value is invalid: " + Texts.printable(e.getMessage(),
          200));
    }
  }

  private static final class Reader {
    private final JsonParser p;

    Reader(JsonParser p) {
      this.p = p;
    }

    State read() throws IOException, CorruptFileException {
      expect(JsonToken.START_OBJECT, "the file");
      if (!"format".equals(nextName()) || !FORMAT.equals(string("format"))) {
        throw new CorruptFileException("not a " + FORMAT + " file");
      }
      if (!"version".equals(nextName())) {
        throw new CorruptFileException("no version after the format");
      }
      long version = number("version");
      if (version > VERSION) {
        throw new NewerFormatException("format version " + version
            + " is newer than this library's (" + VERSION + ")");
      }
      if (version != VERSION) {
        throw new CorruptFileException("unknown format version " + version);
      }
      String domain = null;
      LocalDate date = null;
      State s = null;
      Map<String, Object> fields = new HashMap<>();
      List<Object[]> policies = null;
      String name;
      while ((name = nextName()) != null) {
        switch (name) {
          case "policy-domain" -> domain = string(name);
          case "day" -> date = LocalDate.parse(string(name));
          case "completed", "warned-full" -> fields.put(name, bool(name));
          case "attempts" -> fields.put(name, number(name));
          case "first-attempt", "not-before" -> fields.put(name, Instant.parse(string(name)));
          case "claim" -> fields.put(name, claim());
          case "policies" -> policies = policies();
          default -> throw new CorruptFileException("unknown member " + Texts.quote(name));
        }
      }
      if (domain == null || date == null || policies == null) {
        throw new CorruptFileException("policy-domain, day or policies is missing");
      }
      s = new State(new ReportDay(domain, date));
      if (!s.day.policyDomain().equals(domain)) {
        throw new CorruptFileException("the policy domain is not normalised");
      }
      s.completed = Boolean.TRUE.equals(fields.get("completed"));
      s.warnedFull = Boolean.TRUE.equals(fields.get("warned-full"));
      long attempts = (Long) fields.getOrDefault("attempts", 0L);
      if (attempts < 0 || attempts > Integer.MAX_VALUE) {
        throw new CorruptFileException("attempts out of range: " + attempts);
      }
      s.attempts = (int) attempts;
      s.firstAttempt = (Instant) fields.get("first-attempt");
      s.notBefore = (Instant) fields.get("not-before");
      Object[] claim = (Object[]) fields.get("claim");
      if (claim != null) {
        s.claimToken = (String) claim[0];
        s.claimExpires = (Instant) claim[1];
      }
      for (Object[] entry : policies) {
        ReportPolicy policy = new ReportPolicy((PolicyType) entry[0], domain,
            castStrings(entry[1]), castStrings(entry[2]));
        if (s.policies.put(policy, (Tally) entry[3]) != null) {
          throw new CorruptFileException("a policy appears twice");
        }
      }
      return s;
    }

    @SuppressWarnings("unchecked")
    private static List<String> castStrings(Object o) {
      return (List<String>) o;
    }

    private Object[] claim() throws IOException, CorruptFileException {
      expect(JsonToken.START_OBJECT, "claim");
      String token = null;
      Instant expires = null;
      String name;
      while ((name = nextName()) != null) {
        switch (name) {
          case "token" -> token = string(name);
          case "expires" -> expires = Instant.parse(string(name));
          default -> throw new CorruptFileException("unknown member " + Texts.quote(name));
        }
      }
      if (token == null || expires == null) {
        throw new CorruptFileException("a claim without token or expiry");
      }
      return new Object[] {token, expires};
    }

    /** Each entry: type, policy-string, mx-host, tally. */
    private List<Object[]> policies() throws IOException, CorruptFileException {
      expect(JsonToken.START_ARRAY, "policies");
      List<Object[]> out = new ArrayList<>();
      while (p.nextToken() == JsonToken.START_OBJECT) {
        PolicyType type = null;
        List<String> lines = null;
        List<String> mx = null;
        Tally t = new Tally();
        boolean details = false;
        String name;
        while ((name = nextName()) != null) {
          switch (name) {
            case "policy-type" -> type = policyType(string(name));
            case "policy-string" -> lines = strings(name);
            case "mx-host" -> mx = strings(name);
            case "successful" -> t.successes = number(name);
            case "failed" -> t.failures = number(name);
            case "failure-details" -> {
              details(t);
              details = true;
            }
            default -> throw new CorruptFileException("unknown member " + Texts.quote(name));
          }
        }
        if (type == null || lines == null || mx == null || !details) {
          throw new CorruptFileException("a policy lacks a member");
        }
        out.add(new Object[] {type, lines, mx, t});
      }
      if (p.currentToken() != JsonToken.END_ARRAY) {
        throw new CorruptFileException("policies holds something other than objects");
      }
      return out;
    }

    private void details(Tally t) throws IOException, CorruptFileException {
      expect(JsonToken.START_ARRAY, "failure-details");
      while (p.nextToken() == JsonToken.START_OBJECT) {
        Map<String, String> f = new HashMap<>();
        long count = 0;
        String name;
        while ((name = nextName()) != null) {
          switch (name) {
            case "count" -> count = number(name);
            case "result-type", "sending-mta-ip", "receiving-mx-hostname", "receiving-mx-helo",
                "receiving-ip", "failure-reason-code", "additional-information" ->
                f.put(name, string(name));
            default -> throw new CorruptFileException("unknown member " + Texts.quote(name));
          }
        }
        String type = f.get("result-type");
        if (type == null || count < 1) {
          throw new CorruptFileException("a failure detail without result type or count");
        }
        ResultType resultType = ResultType.fromWireName(type).orElseThrow(() ->
            new CorruptFileException("unknown result type " + Texts.quote(type)));
        FailureDetail d = new FailureDetail(resultType, f.get("sending-mta-ip"),
            f.get("receiving-mx-hostname"), f.get("receiving-mx-helo"), f.get("receiving-ip"),
            f.get("failure-reason-code"), f.get("additional-information"));
        if (t.details.put(d, count) != null) {
          throw new CorruptFileException("a failure detail appears twice");
        }
      }
      if (p.currentToken() != JsonToken.END_ARRAY) {
        throw new CorruptFileException("failure-details holds something other than objects");
      }
    }

    private static PolicyType policyType(String s) throws CorruptFileException {
      for (PolicyType t : PolicyType.values()) {
        if (t.wireName().equals(s)) {
          return t;
        }
      }
      throw new CorruptFileException("unknown policy type " + Texts.quote(s));
    }

    private List<String> strings(String what) throws IOException, CorruptFileException {
      expect(JsonToken.START_ARRAY, what);
      List<String> out = new ArrayList<>();
      while (p.nextToken() == JsonToken.VALUE_STRING) {
        out.add(p.getText());
      }
      if (p.currentToken() != JsonToken.END_ARRAY) {
        throw new CorruptFileException(what + " holds something other than strings");
      }
      return out;
    }

    /** The next member name, or null at the end of the object. */
    private String nextName() throws IOException, CorruptFileException {
      JsonToken t = p.nextToken();
      if (t == JsonToken.END_OBJECT) {
        return null;
      }
      if (t != JsonToken.FIELD_NAME) {
        throw new CorruptFileException("unexpected " + t);
      }
      return p.currentName();
    }

    private String string(String what) throws IOException, CorruptFileException {
      if (p.nextToken() != JsonToken.VALUE_STRING) {
        throw new CorruptFileException(what + " is not a string");
      }
      return p.getText();
    }

    private long number(String what) throws IOException, CorruptFileException {
      if (p.nextToken() != JsonToken.VALUE_NUMBER_INT
          || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        throw new CorruptFileException(what + " is not an integer");
      }
      long n = p.getLongValue();
      if (n < 0) {
        throw new CorruptFileException(what + " is negative");
      }
      return n;
    }

    private boolean bool(String what) throws IOException, CorruptFileException {
      JsonToken t = p.nextToken();
      if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
        throw new CorruptFileException(what + " is not a boolean");
      }
      return t == JsonToken.VALUE_TRUE;
    }

    private void expect(JsonToken wanted, String what) throws IOException, CorruptFileException {
      if (p.nextToken() != wanted) {
        throw new CorruptFileException(what + " is not " + (wanted == JsonToken.START_ARRAY
            ? "an array" : "an object"));
      }
    }
  }
}
