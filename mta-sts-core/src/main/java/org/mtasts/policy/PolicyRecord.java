package org.mtasts.policy;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.mtasts.internal.text.Texts;

/**
 * The {@code _mta-sts.<domain>} TXT record (RFC 8461 §3.1), e.g. {@code v=STSv1;
 * id=20160831085700Z;}: it announces that the domain has a policy and names its current version
 * by {@link #id()}.
 *
 * <p>The grammar (project notes §2.2, decisions D-02 and D-03):
 *
 * <pre>
 * record   = "v=STSv1" 1*(DELIM field) [DELIM]
 * DELIM    = *WSP ";" *WSP
 * field    = "id=" 1*32(ALPHA / DIGIT) / ext-name "=" ext-value
 * ext-name = (ALPHA / DIGIT) 0*31(ALPHA / DIGIT / "_" / "-" / ".")
 * ext-value= 1*(%x21-3A / %x3C / %x3E-7E)      ; visible ASCII except ";" and "="
 * </pre>
 *
 * <p>So: the record is US-ASCII and starts with exactly {@code v=STSv1}; whitespace may surround
 * each {@code ;} ({@code v=STSv1 ; id=1} is accepted, D-02); one trailing {@code ;} is allowed but
 * an empty field ({@code ;;}) is not; literals are case-sensitive ({@code ID=1} is an extension,
 * not the id); {@code id} is required; for every name only the first occurrence counts; unknown
 * fields are kept as {@link #extensions()} and otherwise ignored.
 *
 * <p>Instances are immutable and thread-safe; equality covers the id and the extensions.
 */
public final class PolicyRecord {

  /** The version tag every {@code _mta-sts} record starts with, {@value}. */
  public static final String VERSION_TAG = "v=STSv1";

  /** The longest id RFC 8461 §3.1 allows. */
  public static final int MAX_ID_LENGTH = 32;

  private static final String TYPE = "_mta-sts";

  private final String id;
  private final Map<String, String> extensions;

  private PolicyRecord(String id, Map<String, String> extensions) {
    this.id = id;
    this.extensions = Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
  }

  /**
   * Returns a record with the given id and no extensions, e.g. for tests and caches.
   *
   * @param id 1 to {@value #MAX_ID_LENGTH} ASCII letters or digits
   * @return the record
   * @throws IllegalArgumentException if {@code id} is not a valid id
   * @throws NullPointerException if {@code id} is null
   */
  public static PolicyRecord of(String id) {
    String error = idError(Objects.requireNonNull(id, "id"));
    if (error != null) {
      throw new IllegalArgumentException("invalid policy id " + Texts.quote(id) + ": " + error);
    }
    return new PolicyRecord(id, Map.of());
  }

  /**
   * Joins the character-strings of one TXT resource record with nothing in between, as RFC 8461
   * §3.1 and RFC 8460 §3 require ({@code "v=STSv1;" "id=1"} becomes {@code v=STSv1;id=1}).
   *
   * @param strings the character-strings of one TXT record, in order
   * @return the joined text
   * @throws NullPointerException if {@code strings} or an element is null
   */
  public static String join(List<String> strings) {
    StringBuilder b = new StringBuilder();
    for (String s : strings) {
      b.append(Objects.requireNonNull(s, "TXT character-string"));
    }
    return b.toString();
  }

  /**
   * Chooses and parses the {@code _mta-sts} record among all TXT records found at {@code
   * _mta-sts.<domain>}: records that do not begin with {@code v=STSv1} followed by the end, a
   * space, a tab or {@code ;} are discarded (STS-DISC-04; so {@code v=STSv10} and {@code
   * v=spf1} are not candidates); no candidate gives {@link RecordSelection.NoRecord}, more than
   * one {@link RecordSelection.MultipleRecords} (STS-DISC-05), one invalid candidate {@link
   * RecordSelection.Invalid} (STS-DISC-06), one valid candidate {@link RecordSelection.Found}.
   *
   * @param txtRecords the TXT records of the RRset, each with its character-strings already
   *     joined (see {@link #join(List)})
   * @return the outcome
   * @throws NullPointerException if {@code txtRecords} or an element is null
   */
  public static RecordSelection<PolicyRecord> select(List<String> txtRecords) {
    return RecordSelection.select(txtRecords, VERSION_TAG, PolicyRecord::parse);
  }

  /**
   * Tells whether a TXT record is a candidate {@code _mta-sts} record: it begins with {@code
   * v=STSv1} followed by the end of the text, a space, a tab or {@code ;}.
   *
   * @param txt the joined TXT record text
   * @return whether the record is a candidate
   * @throws NullPointerException if {@code txt} is null
   */
  public static boolean isCandidate(String txt) {
    return RecordSelection.isCandidate(txt, VERSION_TAG);
  }

  /**
   * Parses one {@code _mta-sts} TXT record strictly (see the class documentation).
   *
   * @param text the record with its character-strings joined
   * @return the record
   * @throws RecordSyntaxException if the record does not follow the grammar or has no {@code id}
   * @throws NullPointerException if {@code text} is null
   */
  public static PolicyRecord parse(String text) throws RecordSyntaxException {
    Objects.requireNonNull(text, "text");
    checkAscii(text);
    if (!text.startsWith(VERSION_TAG)) {
      String hint;
      if (!text.isEmpty() && Texts.isWsp(text.charAt(0))) {
        hint = " (no whitespace may precede it)";
      } else if (text.regionMatches(true, 0, VERSION_TAG, 0, VERSION_TAG.length())) {
        hint = " (it is case-sensitive)";
      } else {
        hint = "";
      }
      throw error(text, "v", "the record must start with '" + VERSION_TAG + "'" + hint);
    }
    int len = text.length();
    int pos = VERSION_TAG.length();
    if (pos < len && text.charAt(pos) != ';' && !Texts.isWsp(text.charAt(pos))) {
      throw error(text, "v", "the version must be exactly STSv1");
    }
    Set<String> seen = new HashSet<>();
    seen.add("v");
    String id = null;
    String idLookalike = null;
    Map<String, String> extensions = new LinkedHashMap<>();
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
      int end = p;
      while (end < len && text.charAt(end) != ';' && !Texts.isWsp(text.charAt(end))) {
        end++;
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
      if (value.indexOf('=') >= 0) {
        throw error(text, name, "the value " + Texts.quote(value) + " contains '='");
      }
      if (!seen.add(name)) {
        continue; // RFC 8461 §3.2, last paragraph: only the first occurrence counts
      }
      if (name.equals("id")) {
        String idError = idError(value);
        if (idError != null) {
          throw error(text, "id", idError);
        }
        id = value;
      } else {
        if (idLookalike == null && name.equalsIgnoreCase("id")) {
          idLookalike = name;
        }
        extensions.put(name, value);
      }
    }
    if (id == null) {
      throw error(
          text,
          "id",
          "the required field is missing"
              + (idLookalike == null
                  ? ""
                  : " ('" + idLookalike + "' is an unknown field: names are case-sensitive)"));
    }
    return new PolicyRecord(id, extensions);
  }

  private static void checkAscii(String text) throws RecordSyntaxException {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c > 0x7E) {
        throw error(
            text,
            null,
            "the character " + Texts.describe(c) + " at position " + (i + 1)
                + " is not US-ASCII");
      }
      if (c < 0x20 && c != '\t') {
        throw error(
            text,
            null,
            "the control character " + Texts.describe(c) + " at position " + (i + 1)
                + " is not allowed");
      }
    }
  }

  private static String idError(String id) {
    if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      return Texts.quote(id) + " has " + id.length()
          + " characters; an id has 1 to " + MAX_ID_LENGTH + " ASCII letters or digits";
    }
    for (int i = 0; i < id.length(); i++) {
      if (!Texts.isAsciiLetterOrDigit(id.charAt(i))) {
        return Texts.quote(id) + " must be 1 to " + MAX_ID_LENGTH
            + " ASCII letters or digits (found " + Texts.describe(id.charAt(i)) + ")";
      }
    }
    return null;
  }

  private static RecordSyntaxException error(String text, String field, String reason) {
    return new RecordSyntaxException(TYPE, text, field, reason);
  }

  /**
   * Returns the version, always {@code STSv1}.
   *
   * @return {@code STSv1}
   */
  public String version() {
    return Policy.VERSION;
  }

  /**
   * Returns the policy id: 1 to {@value #MAX_ID_LENGTH} ASCII letters or digits, compared
   * byte-for-byte with the id of a cached policy (STS-DISC-13).
   *
   * @return the id
   */
  public String id() {
    return id;
  }

  /**
   * Returns the fields other than {@code v} and {@code id}, with their first values, in record
   * order. They have no effect.
   *
   * @return the extensions, unmodifiable
   */
  public Map<String, String> extensions() {
    return extensions;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyRecord
        && ((PolicyRecord) o).id.equals(id)
        && ((PolicyRecord) o).extensions.equals(extensions);
  }

  @Override
  public int hashCode() {
    return 31 * id.hashCode() + extensions.hashCode();
  }

  /** Returns e.g. {@code PolicyRecord{id=20160831085700Z}}. */
  @Override
  public String toString() {
    return "PolicyRecord{id=" + id + (extensions.isEmpty() ? "" : ", extensions=" + extensions)
        + "}";
  }
}
