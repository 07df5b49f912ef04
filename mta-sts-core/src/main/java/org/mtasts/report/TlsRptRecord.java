package org.mtasts.report;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.mtasts.internal.text.Texts;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;
import org.mtasts.policy.PolicyRecord;
import org.mtasts.policy.RecordSelection;
import org.mtasts.policy.RecordSyntaxException;

/**
 * The {@code _smtp._tls.<domain>} TXT record (RFC 8460 §3), e.g. {@code v=TLSRPTv1;
 * rua=mailto:tlsrpt@example.com}: where to send TLS reports for the domain.
 *
 * <p>Grammar and rules (project notes §2.4, TLSRPT-REC-01…07, decision D-30):
 *
 * <pre>
 * record    = "v=TLSRPTv1" 1*(DELIM field) [DELIM]
 * DELIM     = *WSP ";" *WSP
 * field     = "rua=" uri *(*WSP "," *WSP uri) / ext-name "=" ext-value
 * ext-name  = (ALPHA / DIGIT) 0*31(ALPHA / DIGIT / "_" / "-" / ".")
 * ext-value = 1*(%x21-3A / %x3C / %x3E-7E)
 * </pre>
 *
 * <ul>
 *   <li>The record is US-ASCII and starts with exactly {@code v=TLSRPTv1}; whitespace may
 *       surround each {@code ;}; one trailing {@code ;} is allowed, an empty field is not;
 *       literals are case-sensitive. For names other than {@code rua} only the first occurrence
 *       counts; unknown fields are kept as {@link #extensions()}.
 *   <li>{@code rua} is split on raw commas (publishers must percent-encode {@code ,}, {@code !}
 *       and {@code ;} inside a URI), with optional whitespace around each URI. Several {@code
 *       rua=} fields are merged in order (D-30); a URI that appears twice is kept once.
 *   <li>Only {@code mailto:} and {@code https:} URIs are used. A {@code mailto:} address is
 *       percent-decoded (RFC 6068) and its {@code ?header} part dropped; the address must be one
 *       {@code local@domain} without whitespace or control characters (even in a quoted local
 *       part, since it ends up in an SMTP command), and its domain is normalised with {@link
 *       DomainNames#normalize(String)}. An {@code https:} URI must have a host and is kept as
 *       written. Other schemes, URIs with a raw {@code !} (such
 *       as DMARC size suffixes) and malformed URIs are skipped and listed in {@link
 *       #ignoredUris()}.
 *   <li>A record without {@code rua}, or whose {@code rua} has no usable URI, is invalid: there
 *       is nowhere to send reports.
 * </ul>
 *
 * <p>Instances are immutable and thread-safe; equality covers all components.
 */
public final class TlsRptRecord {

  /** The version tag every {@code _smtp._tls} record starts with, {@value}. */
  public static final String VERSION_TAG = "v=TLSRPTv1";

  private static final String TYPE = "_smtp._tls";
  private static final String RUA = "rua";

  /**
   * A {@code rua} URI that was skipped, with the reason.
   *
   * @param uri the URI as written
   * @param reason why it cannot be used
   */
  public record IgnoredUri(String uri, String reason) {
    /**
     * Creates an entry.
     *
     * @param uri the URI as written
     * @param reason why it cannot be used
     * @throws NullPointerException if an argument is null
     */
    public IgnoredUri {
      Objects.requireNonNull(uri, "uri");
      Objects.requireNonNull(reason, "reason");
    }

    /** Returns e.g. {@code IgnoredUri[uri=ftp://x, reason=...]}, the URI made printable (SEC-20). */
    @Override
    public String toString() {
      return "IgnoredUri[uri=" + Texts.printable(uri, uri.length()) + ", reason=" + reason + "]";
    }
  }

  private final List<ReportDestination> destinations;
  private final List<IgnoredUri> ignoredUris;
  private final Map<String, String> extensions;

  private TlsRptRecord(
      List<ReportDestination> destinations,
      List<IgnoredUri> ignoredUris,
      Map<String, String> extensions) {
    this.destinations = List.copyOf(destinations);
    this.ignoredUris = List.copyOf(ignoredUris);
    this.extensions = Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
  }

  /**
   * Joins the character-strings of one TXT record with nothing in between (TLSRPT-REC-03); the
   * same as {@link PolicyRecord#join(List)}.
   *
   * @param strings the character-strings of one TXT record, in order
   * @return the joined text
   * @throws NullPointerException if {@code strings} or an element is null
   */
  public static String join(List<String> strings) {
    return PolicyRecord.join(strings);
  }

  /**
   * Tells whether a TXT record is a candidate TLS-RPT record: it begins with {@code v=TLSRPTv1}
   * followed by the end, a space, a tab or {@code ;}.
   *
   * @param txt the joined TXT record text
   * @return whether the record is a candidate
   * @throws NullPointerException if {@code txt} is null
   */
  public static boolean isCandidate(String txt) {
    return RecordSelection.isCandidate(txt, VERSION_TAG);
  }

  /**
   * Chooses and parses the TLS-RPT record among all TXT records at {@code _smtp._tls.<domain>}
   * (TLSRPT-REC-02): non-candidates are discarded; then none gives {@link
   * RecordSelection.NoRecord}, several {@link RecordSelection.MultipleRecords}, one invalid
   * {@link RecordSelection.Invalid} and one valid {@link RecordSelection.Found}. In every case
   * but {@code Found} the domain gets no reports.
   *
   * @param txtRecords the TXT records, each with its character-strings already joined
   * @return the outcome
   * @throws NullPointerException if {@code txtRecords} or an element is null
   */
  public static RecordSelection<TlsRptRecord> select(List<String> txtRecords) {
    return RecordSelection.select(txtRecords, VERSION_TAG, TlsRptRecord::parse);
  }

  /**
   * Parses one TLS-RPT record (see the class documentation).
   *
   * @param text the record with its character-strings joined
   * @return the record, with at least one destination
   * @throws RecordSyntaxException if the record does not follow the grammar, has no {@code
   *     rua}, or no usable destination
   * @throws NullPointerException if {@code text} is null
   */
  public static TlsRptRecord parse(String text) throws RecordSyntaxException {
    Objects.requireNonNull(text, "text");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c > 0x7E || (c < 0x20 && c != '\t')) {
        throw error(
            text,
            null,
            "the character " + Texts.describe(c) + " at position " + (i + 1)
                + " is not allowed; the record must be printable US-ASCII");
      }
    }
    if (!text.startsWith(VERSION_TAG)) {
      String hint =
          text.regionMatches(true, 0, VERSION_TAG, 0, VERSION_TAG.length())
              ? " (it is case-sensitive)"
              : "";
      throw error(text, "v", "the record must start with '" + VERSION_TAG + "'" + hint);
    }
    int len = text.length();
    int pos = VERSION_TAG.length();
    if (pos < len && text.charAt(pos) != ';' && !Texts.isWsp(text.charAt(pos))) {
      throw error(text, "v", "the version must be exactly TLSRPTv1");
    }
    Set<String> seen = new HashSet<>();
    seen.add("v");
    List<ReportDestination> destinations = new ArrayList<>();
    Set<String> destinationUris = new HashSet<>();
    List<IgnoredUri> ignored = new ArrayList<>();
    Map<String, String> extensions = new LinkedHashMap<>();
    boolean ruaSeen = false;
    int fields = 0;
    while (true) {
      int p = Texts.skipWsp(text, pos);
      if (p == len) {
        if (p > pos && fields > 0) {
          throw error(text, null, "whitespace at the end must be followed by ';'");
        }
        break;
      }
      if (text.charAt(p) != ';') {
        throw error(
            text,
            null,
            "fields must be separated by ';' (found " + Texts.describe(text.charAt(p))
                + " at position " + (p + 1) + ")");
      }
      p = Texts.skipWsp(text, p + 1);
      if (p == len) {
        break;
      }
      if (text.charAt(p) == ';') {
        throw error(text, null, "empty field at position " + (p + 1) + " (';' repeated)");
      }
      int end = text.indexOf(';', p);
      if (end < 0) {
        end = len;
      }
      while (Texts.isWsp(text.charAt(end - 1))) {
        end--;
      }
      String field = text.substring(p, end);
      pos = end;
      fields++;
      int eq = field.indexOf('=');
      if (eq < 0) {
        throw error(text, null, "field " + Texts.quote(field) + " has no '='");
      }
      String name = field.substring(0, eq);
      String value = field.substring(eq + 1);
      String nameError = Texts.extensionNameError(name);
      if (nameError != null) {
        throw error(text, null, nameError);
      }
      if (value.isEmpty()) {
        throw error(text, name, "the value is empty");
      }
      if (name.equals(RUA)) {
        ruaSeen = true; // D-30: every rua field counts, merged in order
        for (String part : value.split(",", -1)) {
          String uri = part.strip();
          String[] reason = new String[1];
          ReportDestination d = destination(uri, reason);
          if (d == null) {
            ignored.add(new IgnoredUri(uri, reason[0]));
          } else if (destinationUris.add(d.uri())) {
            destinations.add(d);
          }
        }
        continue;
      }
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == '=' || Texts.isWsp(c)) {
          throw error(text, name, "the value " + Texts.quote(value) + " contains " + Texts.describe(c));
        }
      }
      if (seen.add(name)) {
        extensions.put(name, value);
      }
    }
    if (!ruaSeen) {
      throw error(text, RUA, "the required field is missing");
    }
    if (destinations.isEmpty()) {
      IgnoredUri first = ignored.get(0);
      throw error(
          text,
          RUA,
          "no usable mailto: or https: destination (" + Texts.quote(first.uri()) + " "
              + first.reason() + (ignored.size() > 1 ? ", and " + (ignored.size() - 1)
              + " more" : "") + ")");
    }
    return new TlsRptRecord(destinations, ignored, extensions);
  }

  /** Returns the destination for one URI, or {@code null} with the reason in {@code why[0]}. */
  private static ReportDestination destination(String uri, String[] why) {
    if (uri.isEmpty()) {
      why[0] = "is empty";
      return null;
    }
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c == '!') {
        why[0] = "contains a raw '!' (RFC 8460 §3 requires %21; size limits are not supported)";
        return null;
      }
      if (Texts.isWsp(c)) {
        why[0] = "contains whitespace";
        return null;
      }
    }
    int colon = uri.indexOf(':');
    if (colon <= 0) {
      why[0] = "has no scheme";
      return null;
    }
    String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
    if (scheme.equals("mailto")) {
      return mailto(uri, colon, why);
    }
    if (scheme.equals("https")) {
      return https(uri, why);
    }
    why[0] =
        "uses the unsupported scheme "
            + Texts.quote(scheme + ":")
            + " (only mailto: and https: are used)";
    return null;
  }

  private static ReportDestination mailto(String uri, int colon, String[] why) {
    String to = uri.substring(colon + 1);
    int query = to.indexOf('?');
    if (query >= 0) {
      to = to.substring(0, query); // RFC 6068 hfields (subject, body, ...) are ignored (D-30)
    }
    if (to.isEmpty()) {
      why[0] = "has no address";
      return null;
    }
    String decoded = percentDecode(to);
    if (decoded == null) {
      why[0] = "has a malformed percent-encoding";
      return null;
    }
    for (int i = 0; i < decoded.length(); i++) {
      char c = decoded.charAt(i);
      if (c <= ' ' || c == 0x7F || (c >= 0x80 && c <= 0x9F) || Character.isWhitespace(c)) {
        why[0] = "has an address with whitespace or control characters";
        return null;
      }
      if (c == ',') {
        why[0] = "names more than one address";
        return null;
      }
    }
    int at = decoded.lastIndexOf('@');
    if (at <= 0 || at == decoded.length() - 1) {
      why[0] = "has no address of the form local@domain";
      return null;
    }
    String local = decoded.substring(0, at);
    if (!isPlausibleLocalPart(local)) {
      why[0] = "has an invalid local part";
      return null;
    }
    String domain;
    try {
      domain = DomainNames.normalize(decoded.substring(at + 1));
    } catch (InvalidDomainException e) {
      why[0] = "has an invalid domain (" + e.reason() + ")";
      return null;
    }
    return new ReportDestination.Mailto(uri, local + "@" + domain);
  }

  /** RFC 5322 dot-atom (atext, UTF-8 allowed as in RFC 6531) or a quoted string. */
  private static boolean isPlausibleLocalPart(String local) {
    if (local.length() >= 2 && local.startsWith("\"") && local.endsWith("\"")) {
      return true;
    }
    if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
      return false;
    }
    for (int i = 0; i < local.length(); i++) {
      char c = local.charAt(i);
      boolean atext =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-/=?^_`{|}~.".indexOf(c) >= 0
              || c >= 0xA0;
      if (!atext) {
        return false;
      }
    }
    return true;
  }

  private static ReportDestination https(String uri, String[] why) {
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      why[0] = "is not a valid URI (" + e.getReason() + ")";
      return null;
    }
    if (parsed.isOpaque() || parsed.getHost() == null) {
      why[0] = "has no host";
      return null;
    }
    return new ReportDestination.Https(uri);
  }

  /** Decodes %XX escapes as UTF-8 (strictly); {@code null} if the encoding is malformed. */
  private static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteBuffer bytes = ByteBuffer.allocate(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0 || s.charAt(i + 1) > 0x7F || s.charAt(i + 2) > 0x7F) {
          return null;
        }
        bytes.put((byte) (hi << 4 | lo));
        i += 2;
      } else {
        bytes.put((byte) c); // the record is US-ASCII, checked before
      }
    }
    bytes.flip();
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /**
   * Returns the usable destinations in record order, without repeats; never empty.
   *
   * @return the destinations, unmodifiable
   */
  public List<ReportDestination> destinations() {
    return destinations;
  }

  /**
   * Returns the {@code rua} URIs that were skipped, with the reason for each.
   *
   * @return the skipped URIs, unmodifiable, possibly empty
   */
  public List<IgnoredUri> ignoredUris() {
    return ignoredUris;
  }

  /**
   * Returns the fields other than {@code v} and {@code rua}, with their first values, in record
   * order.
   *
   * @return the extensions, unmodifiable
   */
  public Map<String, String> extensions() {
    return extensions;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TlsRptRecord)) {
      return false;
    }
    TlsRptRecord r = (TlsRptRecord) o;
    return destinations.equals(r.destinations)
        && ignoredUris.equals(r.ignoredUris)
        && extensions.equals(r.extensions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(destinations, ignoredUris, extensions);
  }

  @Override
  public String toString() {
    return "TlsRptRecord{destinations=" + destinations
        + (ignoredUris.isEmpty() ? "" : ", ignored=" + ignoredUris)
        + (extensions.isEmpty() ? "" : ", extensions=" + extensions) + "}";
  }

  private static RecordSyntaxException error(String text, String field, String reason) {
    return new RecordSyntaxException(TYPE, text, field, reason);
  }
}
