package org.mtasts.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.mtasts.internal.text.Texts;

/**
 * One TLS report (RFC 8460 §4): the counts of one policy domain for one UTC day, from one
 * submitter, as the JSON document of §4.4, its gzip form, its file name (§5.1) and its mail
 * Subject (§5.3).
 *
 * <p>What this class guarantees about the document, each a mistake seen in other senders'
 * reports:
 *
 * <ul>
 *   <li>{@code policies} is always an array (TLSRPT-JSON-01), and every entry has {@code
 *       policy-domain}, {@code no-policy-found} ones too; {@code mx-host} is always an array of
 *       A-labels (TLSRPT-JSON-02, erratum 6241);
 *   <li>{@code date-range} is the full UTC day, {@code T00:00:00Z} to {@code T23:59:59Z}
 *       (TLSRPT-TIME-03, D-27);
 *   <li>unknown failure-detail fields are left out, never written as {@code ""} (D-28); counts are
 *       JSON integers; failure details and policies are written in a fixed order, so equal reports
 *       give equal bytes;
 *   <li>the document is I-JSON (RFC 7493) whatever the strings in it (TLSRPT-JSON-05): UTF-8, no
 *       duplicate names, quotes, backslashes and control characters escaped (also DEL, the C1
 *       controls and U+2028/U+2029, which break JavaScript readers), and unpaired surrogates and
 *       noncharacters, which a Java {@code String} can hold but UTF-8 cannot carry, replaced by
 *       U+FFFD.
 * </ul>
 *
 * <p>The report id has the shape {@code <day>.<random>.<policy-domain>@<submitter-domain>}, unique
 * and usable as the msg-id of the Subject's {@code Report-ID: <...>} (D-27).
 *
 * <p>Immutable and thread-safe. The JSON is written with jackson-core's streaming generator.
 */
public final class TlsReport {

  /** The largest count I-JSON can carry exactly (RFC 7493 §2.2): 2^53 - 1. */
  static final long MAX_COUNT = (1L << 53) - 1;

  /** Longest report id accepted: it must fit a header line with the rest of the Subject. */
  static final int MAX_REPORT_ID_LENGTH = 600;

  static final Duration LAST_SECOND = Duration.ofHours(24).minusSeconds(1);

  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(8)
          .maxNumberLength(32)
          .build())
      .build();

  private static final CharacterEscapes ESCAPES = new IJsonEscapes();

  private static final SecureRandom RANDOM = new SecureRandom();

  private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

  private static final Comparator<String> NULLS_FIRST =
      Comparator.nullsFirst(Comparator.naturalOrder());

  /** The order of {@code failure-details}: by every field, result type first. */
  static final Comparator<FailureDetail> DETAIL_ORDER =
      Comparator.comparing((FailureDetail d) -> d.resultType().wireName())
          .thenComparing(FailureDetail::receivingMxHostname, NULLS_FIRST)
          .thenComparing(FailureDetail::receivingIp, NULLS_FIRST)
          .thenComparing(FailureDetail::sendingMtaIp, NULLS_FIRST)
          .thenComparing(FailureDetail::receivingMxHelo, NULLS_FIRST)
          .thenComparing(FailureDetail::failureReasonCode, NULLS_FIRST)
          .thenComparing(FailureDetail::additionalInformation, NULLS_FIRST);

  private static final Comparator<List<String>> LIST_ORDER = (a, b) -> {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  };

  /** The order of {@code policies}: by type, then policy string, then MX patterns. */
  static final Comparator<PolicyTally> POLICY_ORDER =
      Comparator.comparing((PolicyTally t) -> t.policy().type())
          .thenComparing(t -> t.policy().policyString(), LIST_ORDER)
          .thenComparing(t -> t.policy().mxHost(), LIST_ORDER);

  private final ReportSubmitter submitter;
  private final ReportDay day;
  private final String reportId;
  private final List<PolicyTally> policies;

  TlsReport(
      ReportSubmitter submitter, ReportDay day, List<PolicyTally> policies, String reportId) {
    this.submitter = Objects.requireNonNull(submitter, "submitter");
    this.day = Objects.requireNonNull(day, "day");
    this.reportId = Objects.requireNonNull(reportId, "reportId");
    Objects.requireNonNull(policies, "tallies");
    checkReportId(reportId);
    if (policies.isEmpty()) {
      throw new IllegalArgumentException("a report covers at least one policy");
    }
    List<PolicyTally> sorted = new ArrayList<>(policies.size());
    Set<ReportPolicy> seen = new HashSet<>();
    for (PolicyTally t : policies) {
      Objects.requireNonNull(t, "tally");
      if (!t.policy().domain().equals(day.policyDomain())) {
        throw new IllegalArgumentException("a tally of the policy domain " + t.policy().domain()
            + " in the report of " + day.policyDomain());
      }
      if (!seen.add(t.policy())) {
        throw new IllegalArgumentException("two tallies of one policy (TLSRPT-JSON-04): "
            + t.policy().type().wireName() + " " + t.policy().domain());
      }
      checkCount(t.successfulSessions());
      checkCount(t.failedSessions());
      t.failureDetails().values().forEach(TlsReport::checkCount);
      sorted.add(t);
    }
    sorted.sort(POLICY_ORDER);
    this.policies = List.copyOf(sorted);
  }

  private static void checkCount(long n) {
    if (n > MAX_COUNT) {
      throw new IllegalArgumentException("count " + n + " exceeds 2^53-1, the I-JSON limit");
    }
  }

  /**
   * Makes the report of one day with a new, unique report id.
   *
   * @param submitter who sends the report
   * @param day the policy domain and UTC day
   * @param tallies the counts, one per policy, all of {@code day.policyDomain()}; at least one
   * @return the report
   * @throws NullPointerException if an argument or element is null
   * @throws IllegalArgumentException if {@code tallies} is empty, holds another domain's tally,
   *     two tallies of one policy, or a count above 2^53 - 1
   */
  public static TlsReport create(ReportSubmitter submitter, ReportDay day, List<PolicyTally> tallies) {
    Objects.requireNonNull(submitter, "submitter");
    Objects.requireNonNull(day, "day");
    return new TlsReport(submitter, day, tallies, newReportId(submitter, day));
  }

  /**
   * Makes the report of one day with a given report id, e.g. to send a report again under the id
   * of its first attempt.
   *
   * @param submitter who sends the report
   * @param day the policy domain and UTC day
   * @param tallies the counts, one per policy, all of {@code day.policyDomain()}; at least one
   * @param reportId the id: {@code left@right}, both parts RFC 5322 dot-atom-text, so that it can
   *     stand in the Subject's {@code Report-ID: <...>} (A-21)
   * @return the report
   * @throws NullPointerException if an argument or element is null
   * @throws IllegalArgumentException as {@link #create(ReportSubmitter, ReportDay, List)}, or if
   *     {@code reportId} does not have the shape of a msg-id
   */
  public static TlsReport create(
      ReportSubmitter submitter, ReportDay day, List<PolicyTally> tallies, String reportId) {
    return new TlsReport(submitter, day, tallies, reportId);
  }

  private static String newReportId(ReportSubmitter submitter, ReportDay day) {
    byte[] bytes = new byte[10];
    RANDOM.nextBytes(bytes);
    StringBuilder unique = new StringBuilder(16);
    long bits = 0;
    int n = 0;
    for (byte b : bytes) {
      bits = bits << 8 | (b & 0xFF);
      n += 8;
      while (n >= 5) {
        unique.append(BASE32[(int) (bits >>> (n - 5)) & 31]);
        n -= 5;
      }
    }
    return day.day() + "." + unique + "." + day.policyDomain() + "@" + submitter.domain();
  }

  private static void checkReportId(String id) {
    int at = id.lastIndexOf('@');
    if (id.length() > MAX_REPORT_ID_LENGTH
        || at < 0
        || !ReportSubmitter.isDotAtomText(id.substring(0, at))
        || !ReportSubmitter.isDotAtomText(id.substring(at + 1))) {
      throw new IllegalArgumentException("report id " + Texts.quote(id)
          + " is not of the form left@right (RFC 5322 dot-atom-text, at most "
          + MAX_REPORT_ID_LENGTH + " characters), which the Subject's Report-ID: <...> needs");
    }
  }

  /**
   * Returns who sends the report.
   *
   * @return the submitter
   */
  public ReportSubmitter submitter() {
    return submitter;
  }

  /**
   * Returns the policy domain and the UTC day of the report.
   *
   * @return the report day
   */
  public ReportDay day() {
    return day;
  }

  /**
   * Returns the report id, e.g. {@code 2025-03-01.k3j4h5g6f7d8s9a0.example.net@sender.example}.
   *
   * @return the id, without angle brackets
   */
  public String reportId() {
    return reportId;
  }

  /**
   * Returns the counts, one per policy, in the order they are written.
   *
   * @return the tallies, unmodifiable, never empty
   */
  public List<PolicyTally> policies() {
    return policies;
  }

  /**
   * Returns the start of the report period: 00:00:00 UTC of the day (TLSRPT-TIME-03).
   *
   * @return the start
   */
  public Instant startDateTime() {
    return day.day().atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /**
   * Returns the end of the report period: 23:59:59 UTC of the day, as RFC 8460's own example and
   * RFC 3339 (which has no hour 24) have it (TLSRPT-TIME-03, D-27).
   *
   * @return the end
   */
  public Instant endDateTime() {
    return startDateTime().plus(LAST_SECOND);
  }

  /**
   * Returns the name of the gzipped report file (RFC 8460 §5.1, TLSRPT-DEL-01), e.g. {@code
   * sender.example!example.net!1700006400!1700092799.json.gz}: submitter domain, policy domain
   * (both A-labels), and the Unix seconds of the start and the end of the period.
   *
   * @return the file name
   */
  public String fileName() {
    return submitter.domain() + "!" + day.policyDomain() + "!"
        + startDateTime().getEpochSecond() + "!" + endDateTime().getEpochSecond() + ".json.gz";
  }

  /**
   * Returns the Subject of a mail report (RFC 8460 §5.3, TLSRPT-DEL-05), unfolded: {@code Report
   * Domain: example.net Submitter: sender.example Report-ID: <id>}.
   *
   * @return the subject
   */
  public String subject() {
    return "Report Domain: " + day.policyDomain() + " Submitter: " + submitter.domain()
        + " Report-ID: <" + reportId + ">";
  }

  /**
   * Returns the report as RFC 8460 §4.4 JSON in UTF-8, compact, members in the order of the RFC's
   * template.
   *
   * @return a new array with the document
   */
  public byte[] json() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
      g.setCharacterEscapes(ESCAPES);
      g.writeStartObject();
      g.writeStringField("organization-name", wellFormed(submitter.organizationName()));
      g.writeObjectFieldStart("date-range");
      g.writeStringField("start-datetime", startDateTime().toString());
      g.writeStringField("end-datetime", endDateTime().toString());
      g.writeEndObject();
      g.writeStringField("contact-info", submitter.contactInfo());
      g.writeStringField("report-id", reportId);
      g.writeArrayFieldStart("policies");
      for (PolicyTally t : policies) {
        writePolicy(g, t);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    }
    return out.toByteArray();
  }

  private static void writePolicy(JsonGenerator g, PolicyTally t) throws IOException {
    ReportPolicy p = t.policy();
    g.writeStartObject();
    g.writeObjectFieldStart("policy");
    g.writeStringField("policy-type", p.type().wireName());
    g.writeArrayFieldStart("policy-string");
    for (String line : p.policyString()) {
      g.writeString(wellFormed(line));
    }
    g.writeEndArray();
    g.writeStringField("policy-domain", p.domain());
    g.writeArrayFieldStart("mx-host");
    for (String mx : p.mxHost()) {
      g.writeString(wellFormed(mx));
    }
    g.writeEndArray();
    g.writeEndObject();
    g.writeObjectFieldStart("summary");
    g.writeNumberField("total-successful-session-count", t.successfulSessions());
    g.writeNumberField("total-failure-session-count", t.failedSessions());
    g.writeEndObject();
    g.writeArrayFieldStart("failure-details");
    List<FailureDetail> details = new ArrayList<>(t.failureDetails().keySet());
    details.sort(DETAIL_ORDER);
    for (FailureDetail d : details) {
      g.writeStartObject();
      g.writeStringField("result-type", d.resultType().wireName());
      writeOptional(g, "sending-mta-ip", d.sendingMtaIp());
      writeOptional(g, "receiving-mx-hostname", d.receivingMxHostname());
      writeOptional(g, "receiving-mx-helo", d.receivingMxHelo());
      writeOptional(g, "receiving-ip", d.receivingIp());
      g.writeNumberField("failed-session-count", t.failureDetails().get(d));
      writeOptional(g, "additional-information", d.additionalInformation());
      writeOptional(g, "failure-reason-code", d.failureReasonCode());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /** Unknown is left out (D-28). */
  private static void writeOptional(JsonGenerator g, String name, String value)
      throws IOException {
    if (value != null) {
      g.writeStringField(name, wellFormed(value));
    }
  }

  /**
   * Replaces what UTF-8 and I-JSON cannot carry (RFC 7493 §2.1): unpaired surrogates and
   * noncharacters become U+FFFD. Returns {@code s} itself when there is nothing to replace.
   */
  static String wellFormed(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int len = Character.charCount(cp);
      boolean bad = (cp <= 0xFFFF && Character.isSurrogate((char) cp))
          || (cp >= 0xFDD0 && cp <= 0xFDEF)
          || (cp & 0xFFFE) == 0xFFFE;
      if (bad && b == null) {
        b = new StringBuilder(s.length()).append(s, 0, i);
      }
      if (b != null) {
        if (bad) {
          b.append('\uFFFD');
        } else {
          b.appendCodePoint(cp);
        }
      }
      i += len;
    }
    return b == null ? s : b.toString();
  }

  /**
   * Returns the report gzipped (RFC 8460 §5.2, TLSRPT-DEL-02), for {@code
   * application/tlsrpt+gzip}. The gzip header carries no time stamp, so equal reports give equal
   * bytes.
   *
   * @return a new array with the compressed document
   */
  public byte[] gzip() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(json());
    } catch (IOException e) {
      throw new UncheckedIOException("compressing in memory failed", e);
    }
    return out.toByteArray();
  }

  /**
   * Reads a report as {@link #json()} writes it. Strict: the document must be UTF-8 JSON without
   * a byte-order mark, with exactly the members of RFC 8460 §4.4 (optional ones may be absent,
   * nothing else may be present, nothing twice), {@code policies} and {@code mx-host} arrays,
   * counts integers, a full UTC day as date range, registered result types and policy types, and
   * at least one policy, all of one policy domain.
   *
   * @param json the document
   * @return the report; {@link #json()} of it gives equal content
   * @throws ReportSyntaxException if the document is not such a report; the message says where
   *     and why
   * @throws NullPointerException if {@code json} is null
   */
  public static TlsReport parse(byte[] json) throws ReportSyntaxException {
    Objects.requireNonNull(json, "json");
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(json))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ReportSyntaxException("$", "not UTF-8", e);
    }
    if (text.startsWith("\uFEFF")) {
      throw new ReportSyntaxException("$", "starts with a byte-order mark", null);
    }
    try (JsonParser p = JSON.createParser(text)) {
      return new TlsReportReader(p).report();
    } catch (JsonProcessingException e) {
      throw new ReportSyntaxException("$", "not JSON: " + Texts.printable(e.getOriginalMessage(),
          200) + " at character " + e.getLocation().getCharOffset(), e);
    } catch (IOException e) {
      throw new ReportSyntaxException("$", "cannot be read: " + e, e);
    }
  }

  /**
   * JSON's own escapes, plus DEL, the C1 controls and the two JavaScript line terminators: the
   * document then holds no character that can hide text or break a line in a reader.
   */
  private static final class IJsonEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;

    private final int[] ascii;

    IJsonEscapes() {
      ascii = CharacterEscapes.standardAsciiEscapesForJSON();
      ascii[0x7F] = CharacterEscapes.ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      if ((ch >= 0x80 && ch <= 0x9F) || ch == 0x2028 || ch == 0x2029) {
        return new SerializedString(String.format("\\u%04x", ch));
      }
      return null;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TlsReport r
        && submitter.equals(r.submitter)
        && day.equals(r.day)
        && reportId.equals(r.reportId)
        && policies.equals(r.policies);
  }

  @Override
  public int hashCode() {
    return Objects.hash(submitter, day, reportId, policies);
  }

  /** Returns e.g. {@code TlsReport[sender.example!example.net!...json.gz, id=...]}. */
  @Override
  public String toString() {
    return "TlsReport[" + fileName() + ", id=" + reportId + ", policies=" + policies.size() + "]";
  }
}
