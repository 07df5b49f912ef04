package org.mtasts.fuzz;

import static org.mtasts.fuzz.Checks.assertLogSafe;
import static org.mtasts.fuzz.Checks.check;
import static org.mtasts.fuzz.Checks.checkEqual;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.PolicyRecord;
import org.mtasts.policy.RecordSelection;
import org.mtasts.policy.RecordSyntaxException;
import org.mtasts.report.ReportDestination;
import org.mtasts.report.TlsRptRecord;

/**
 * Fuzz targets for the DNS TXT record parsers: the {@code _mta-sts} record ({@link PolicyRecord},
 * RFC 8461 §3.1), the {@code _smtp._tls} record ({@link TlsRptRecord}, RFC 8460 §3), and the
 * choice of the one record of an RRset ({@link RecordSelection}, STS-DISC-04..06).
 *
 * <p>The input bytes are decoded as UTF-8 with replacement, as the DNS client does with the
 * joined character-strings. Expected exception: {@link RecordSyntaxException}; anything else
 * thrown, an {@code Error} or a timeout is a finding. The seeds are in {@code
 * TxtRecordFuzzTestInputs/<method>/}.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS) // in fuzzing mode: libFuzzer's -timeout per input
class TxtRecordFuzzTest {

  /** One {@code _mta-sts} TXT record. */
  @FuzzTest
  void mtaStsRecord(byte[] input) {
    checkPolicyRecord(Checks.utf8(input));
  }

  /** One {@code _smtp._tls} TXT record. */
  @FuzzTest
  void tlsRptRecord(byte[] input) {
    checkTlsRptRecord(Checks.utf8(input));
  }

  /**
   * An RRset: the input split at LF into TXT records (a record with an LF is covered by the
   * single-record targets), each chosen among as an {@code _mta-sts} and as an {@code _smtp._tls}
   * RRset.
   */
  @FuzzTest
  void recordSelection(byte[] input) {
    List<String> records = List.of(Checks.utf8(input).split("\n", -1));
    checkSelection(
        records, PolicyRecord.select(records), PolicyRecord::isCandidate, PolicyRecord::parse);
    checkSelection(
        records, TlsRptRecord.select(records), TlsRptRecord::isCandidate, TlsRptRecord::parse);
  }

  static void checkPolicyRecord(String text) {
    PolicyRecord r;
    try {
      r = PolicyRecord.parse(text);
    } catch (RecordSyntaxException e) {
      checkRejection(text, e, PolicyRecord::parse);
      return;
    }
    check(PolicyRecord.isCandidate(text), "accepted a record that is not a candidate");
    checkEqual("PolicyRecord.of(id)", r.id(), PolicyRecord.of(r.id()).id());
    for (Map.Entry<String, String> e : r.extensions().entrySet()) {
      check(
          Checks.isExtensionName(e.getKey()) && isRecordExtensionValue(e.getValue()),
          () -> "extension outside the grammar: " + e);
    }
    assertLogSafe("PolicyRecord.toString", r.toString());
    checkEqual("parsed twice", r, parseAccepted(text, PolicyRecord::parse));
    checkEqual("select(one record)", r, PolicyRecord.select(List.of(text)).found().orElse(null));

    // Written back in canonical form, the record parses to an equal value.
    StringBuilder canonical = new StringBuilder(PolicyRecord.VERSION_TAG).append("; id=");
    canonical.append(r.id());
    r.extensions().forEach((k, v) -> canonical.append("; ").append(k).append('=').append(v));
    checkEqual("re-serialised record", r, parseAccepted(canonical.toString(), PolicyRecord::parse));
  }

  static void checkTlsRptRecord(String text) {
    TlsRptRecord r;
    try {
      r = TlsRptRecord.parse(text);
    } catch (RecordSyntaxException e) {
      checkRejection(text, e, TlsRptRecord::parse);
      return;
    }
    check(TlsRptRecord.isCandidate(text), "accepted a record that is not a candidate");
    check(!r.destinations().isEmpty(), "accepted a record without destinations");
    Set<String> uris = new HashSet<>();
    for (ReportDestination d : r.destinations()) {
      check(uris.add(d.uri()), () -> "repeated destination " + d.uri());
      if (d instanceof ReportDestination.Https https) {
        URI uri = https.toUri(); // documented never to throw for parsed destinations
        check(uri.getHost() != null, () -> "https destination without host: " + d.uri());
        check(d.uri().regionMatches(true, 0, "https:", 0, 6), () -> "not https: " + d.uri());
      } else {
        String address = ((ReportDestination.Mailto) d).address();
        int at = address.lastIndexOf('@');
        check(at > 0, () -> "mailto address without local@domain: " + Checks.escape(address));
        String domain = address.substring(at + 1);
        check(
            DomainNames.isNormalized(domain),
            () -> "domain not normalised: " + Checks.escape(address));
        for (int i = 0; i < address.length(); i++) {
          char c = address.charAt(i);
          check(
              c > ' ' && c != 0x7F && !(c >= 0x80 && c <= 0x9F) && !Character.isWhitespace(c)
                  && c != ',',
              () -> "mailto address with whitespace, a control character or a comma: "
                  + Checks.escape(address));
        }
      }
    }
    for (TlsRptRecord.IgnoredUri ignored : r.ignoredUris()) {
      // The URI is the record's text as written (an API value); the reason is the library's.
      assertLogSafe("IgnoredUri.reason", ignored.reason());
    }
    assertLogSafe("TlsRptRecord.toString", r.toString());
    checkEqual("parsed twice", r, parseAccepted(text, TlsRptRecord::parse));
    checkEqual("select(one record)", r, TlsRptRecord.select(List.of(text)).found().orElse(null));

    // Written back: the usable URIs, then the skipped ones, then the extensions.
    List<String> all = new ArrayList<>();
    r.destinations().forEach(d -> all.add(d.uri()));
    r.ignoredUris().forEach(i -> all.add(i.uri()));
    StringBuilder canonical = new StringBuilder(TlsRptRecord.VERSION_TAG).append("; rua=");
    canonical.append(String.join(",", all));
    r.extensions().forEach((k, v) -> canonical.append("; ").append(k).append('=').append(v));
    checkEqual("re-serialised record", r, parseAccepted(canonical.toString(), TlsRptRecord::parse));
  }

  private static <R> void checkSelection(
      List<String> records,
      RecordSelection<R> selection,
      java.util.function.Predicate<String> isCandidate,
      RecordSelection.Parser<R> parser) {
    List<String> candidates = records.stream().filter(isCandidate).toList();
    check(selection.found().isPresent() == (selection.status() == RecordSelection.Status.FOUND),
        "found() disagrees with status()");
    switch (selection.status()) {
      case NO_RECORD ->
          check(candidates.isEmpty(), () -> "NO_RECORD with candidates " + candidates);
      case MULTIPLE_RECORDS ->
          checkEqual(
              "candidates",
              candidates,
              ((RecordSelection.MultipleRecords<R>) selection).candidates());
      case FOUND -> {
        check(candidates.size() == 1, () -> "FOUND among " + candidates.size() + " candidates");
        checkEqual("found record", parseAccepted(candidates.get(0), parser),
            selection.found().orElseThrow());
      }
      case INVALID -> {
        check(candidates.size() == 1, () -> "INVALID among " + candidates.size() + " candidates");
        RecordSelection.Invalid<R> invalid = (RecordSelection.Invalid<R>) selection;
        checkEqual("invalid text", candidates.get(0), invalid.text());
        assertLogSafe("RecordSyntaxException message", invalid.error().getMessage());
        try {
          parser.parse(candidates.get(0));
          throw new AssertionError("INVALID, but the record parses alone");
        } catch (RecordSyntaxException e) {
          checkEqual("rejection", e.getMessage(), invalid.error().getMessage());
        }
      }
      default -> throw new AssertionError("unknown status " + selection.status());
    }
  }

  /** RFC 8461 §3.1 {@code ext-value}: 1*(%x21-3A / %x3C / %x3E-7E). */
  private static boolean isRecordExtensionValue(String value) {
    if (value.isEmpty()) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x21 || c > 0x7E || c == ';' || c == '=') {
        return false;
      }
    }
    return true;
  }

  private static <R> R parseAccepted(String text, RecordSelection.Parser<R> parser) {
    try {
      return parser.parse(text);
    } catch (RecordSyntaxException e) {
      throw new AssertionError(
          "rejected on a second parse: " + Checks.escape(text) + ": " + e.getMessage(), e);
    }
  }

  private static <R> void checkRejection(
      String text, RecordSyntaxException e, RecordSelection.Parser<R> parser) {
    assertLogSafe("RecordSyntaxException message", e.getMessage());
    checkEqual("RecordSyntaxException.text", text, e.text());
    try {
      parser.parse(text);
      throw new AssertionError("rejected once, accepted the second time: " + e.getMessage());
    } catch (RecordSyntaxException again) {
      checkEqual("rejection message, parsed twice", e.getMessage(), again.getMessage());
    }
  }
}
