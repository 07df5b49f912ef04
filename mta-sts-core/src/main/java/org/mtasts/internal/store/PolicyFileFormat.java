package org.mtasts.internal.store;


import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import org.mtasts.StoredPolicy;
import org.mtasts.internal.text.Texts;
import org.mtasts.policy.DomainNames;

/**
 * Version 1 of the file format of the directory store: a header of ASCII {@code name: value}
 * lines, a blank line, and the policy text verbatim in UTF-8.
 *
 * <pre>
 * mta-sts-java policy store v1
 * domain: example.com
 * id: 20160831085700Z
 * fetched: 2026-11-28T15:02:07.123Z
 * length: 66
 * crc32c: ad93827d
 *
 * version: STSv1
 * mode: enforce
 * mx: mail.example.com
 * max_age: 604800
 * </pre>
 *
 * <p>Lines of the header end with LF. {@code length} is the size of the policy text in bytes;
 * {@code crc32c}, always the last field, is the CRC-32C of every other byte of the file (header
 * and text) in eight lower-case hex digits. Together they make a truncated or damaged file
 * recognisable. The text runs from after the blank line to the end of the file, with no terminator
 * added, and keeps its own line ends (CR LF stays CR LF). {@code fetched} is an ISO-8601 instant
 * as written by {@link Instant#toString()}. Readers ignore header fields they do not know, so a
 * later release can add optional fields without making older releases drop the entries; an
 * incompatible change gets a new version number, and files with a version a reader does not
 * know are skipped.
 *
 * <p>All methods are static and thread-safe.
 */
final class PolicyFileFormat {

  /** The first line of every version 1 file. */
  static final String MAGIC = "mta-sts-java policy store v1";

  /** The header field with the checksum; always the last field. */
  static final String CRC_FIELD = "crc32c";

  /** The first line without its version number. */
  static final String MAGIC_PREFIX = "mta-sts-java policy store v";

  /** Room for the header: the magic line and the fields with the longest possible values. */
  static final int MAX_HEADER_BYTES = 4096;

  /** Largest file the reader accepts; anything larger is not one of ours. */
  static final int MAX_FILE_BYTES = MAX_HEADER_BYTES + StoredPolicy.MAX_POLICY_TEXT_BYTES;

  private static final int MAX_QUOTED = 80;

  private PolicyFileFormat() {}

  /** Why a file is not a readable entry; the message says what is wrong, for the log. */
  static final class CorruptEntryException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptEntryException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Encodes {@code policy} as the content of its file.
   *
   * @param policy the entry
   * @return the file content
   */
  static byte[] encode(StoredPolicy policy) {
    byte[] text = policy.policyText().getBytes(StandardCharsets.UTF_8);
    return assemble(
        MAGIC + "\n"
            + "domain: " + policy.domain() + "\n"
            + "id: " + policy.recordId() + "\n"
            + "fetched: " + policy.fetchedAt() + "\n"
            + "length: " + text.length + "\n",
        text);
  }

  /**
   * Puts a file together: {@code head} (the first line and the header fields, each ending with
   * LF), the {@code crc32c} line, the blank line and {@code text}. Package-private so tests can build damaged files with valid
   * checksums.
   */
  static byte[] assemble(String head, byte[] text) {
    byte[] headBytes = head.getBytes(StandardCharsets.UTF_8);
    CRC32C crc = new CRC32C();
    crc.update(headBytes);
    crc.update('\n');
    crc.update(text);
    byte[] crcLine = (CRC_FIELD + ": " + hex(crc.getValue()) + "\n")
        .getBytes(StandardCharsets.US_ASCII);
    byte[] file = new byte[headBytes.length + crcLine.length + 1 + text.length];
    System.arraycopy(headBytes, 0, file, 0, headBytes.length);
    System.arraycopy(crcLine, 0, file, headBytes.length, crcLine.length);
    file[headBytes.length + crcLine.length] = '\n';
    System.arraycopy(text, 0, file, headBytes.length + crcLine.length + 1, text.length);
    return file;
  }

  /**
   * Decodes the content of an entry file. Whether the entry belongs under the file's name is for
   * the caller to check.
   *
   * @param file the file content
   * @return the entry
   * @throws CorruptEntryException if the content is not a complete, valid version 1 entry; the
   *     message says why
   */
  static StoredPolicy decode(byte[] file) throws CorruptEntryException {
    if (file.length == 0) {
      throw new CorruptEntryException("the file is empty");
    }
    if (file.length > MAX_FILE_BYTES) {
      throw new CorruptEntryException(
          "the file is larger than " + MAX_FILE_BYTES + " bytes, the most an entry can take");
    }
    int pos = 0;
    int end = lineEnd(file, pos);
    if (end < 0) {
      String start = new String(file, 0, Math.min(file.length, MAGIC.length()),
          StandardCharsets.ISO_8859_1);
      throw new CorruptEntryException(MAGIC.startsWith(start)
          ? "truncated: the first line has no end"
          : "not a policy store file: the first line is not '" + MAGIC + "'");
    }
    String first = ascii(file, pos, end);
    if (first == null || !first.equals(MAGIC)) {
      if (first != null && first.startsWith(MAGIC_PREFIX)) {
        throw new CorruptEntryException("unknown format version "
            + quote(first.substring(MAGIC_PREFIX.length())) + "; this release reads version 1");
      }
      throw new CorruptEntryException(
          "not a policy store file: the first line is not '" + MAGIC + "'");
    }
    pos = end + 1;
    Map<String, String> fields = new HashMap<>();
    int crcStart = -1;
    int crcEnd = -1;
    while (true) {
      end = lineEnd(file, pos);
      if (end < 0) {
        throw new CorruptEntryException(file.length > MAX_HEADER_BYTES
            ? "the header is longer than " + MAX_HEADER_BYTES + " bytes"
            : "truncated: the header does not end with a blank line");
      }
      if (end == pos) {
        pos = end + 1;
        break;
      }
      if (crcStart >= 0) {
        throw new CorruptEntryException("the 'crc32c' field is not the last of the header");
      }
      String line = ascii(file, pos, end);
      int colon = line == null ? -1 : line.indexOf(": ");
      if (colon < 1 || !isFieldName(line, colon)) {
        throw new CorruptEntryException("header line " + (fields.size() + 2)
            + " is not a 'name: value' line of printable ASCII");
      }
      String name = line.substring(0, colon);
      if (fields.put(name, line.substring(colon + 2)) != null) {
        throw new CorruptEntryException("the header has two '" + name + "' fields");
      }
      if (name.equals(CRC_FIELD)) {
        crcStart = pos;
        crcEnd = end + 1;
      }
      pos = end + 1;
    }
    String crc = required(fields, CRC_FIELD);
    int length = parseLength(required(fields, "length"));
    int actual = file.length - pos;
    if (actual < length) {
      throw new CorruptEntryException("truncated: the policy text has " + actual + " of "
          + length + " bytes");
    }
    if (actual > length) {
      throw new CorruptEntryException((actual - length)
          + " unexpected bytes after the policy text of " + length + " bytes");
    }
    String computed = crc32c(file, crcStart, crcEnd);
    if (!crc.equals(computed)) {
      throw new CorruptEntryException("the content does not match its checksum (crc32c "
          + quote(crc) + " in the header, " + computed + " computed): the file is damaged");
    }

    String domain = required(fields, "domain");
    if (!DomainNames.isNormalized(domain)) {
      throw new CorruptEntryException(
          "the 'domain' field " + quote(domain) + " is not a normalised domain name");
    }
    String id = required(fields, "id");
    String fetched = required(fields, "fetched");
    Instant fetchedAt;
    try {
      fetchedAt = Instant.parse(fetched);
    } catch (DateTimeParseException e) {
      throw new CorruptEntryException(
          "the 'fetched' field " + quote(fetched) + " is not an ISO-8601 instant");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(file, pos, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CorruptEntryException("the policy text is not valid UTF-8");
    }
    try {
      return new StoredPolicy(domain, id, text, fetchedAt);
    } catch (IllegalArgumentException e) {
      throw new CorruptEntryException("invalid entry: " + quote(e.getMessage()));
    }
  }

  /**
   * Quotes untrusted text (file names, header values) for a log message: characters outside
   * printable ASCII become {@code \}{@code uXXXX} escapes and long text is cut, so that a file
   * cannot inject line breaks or terminal escapes into the log.
   */
  static String quote(String s) {
    return quote(s, MAX_QUOTED);
  }

  /**
   * Like {@link #quote(String)}, cutting after {@code max} characters.
   *
   * @param s the text, may be null
   * @param max how many characters to keep at most
   * @return the quoted text
   */
  static String quote(String s, int max) {
    return Texts.quote(s, max);
  }

  private static String required(Map<String, String> fields, String name)
      throws CorruptEntryException {
    String value = fields.get(name);
    if (value == null) {
      throw new CorruptEntryException("the header has no '" + name + "' field");
    }
    return value;
  }

  private static int parseLength(String value) throws CorruptEntryException {
    boolean digits = !value.isEmpty() && value.length() <= 6;
    for (int i = 0; digits && i < value.length(); i++) {
      digits = value.charAt(i) >= '0' && value.charAt(i) <= '9';
    }
    int length = digits ? Integer.parseInt(value) : -1;
    if (length < 0 || length > StoredPolicy.MAX_POLICY_TEXT_BYTES) {
      throw new CorruptEntryException("the 'length' field " + quote(value)
          + " is not a number from 0 to " + StoredPolicy.MAX_POLICY_TEXT_BYTES);
    }
    return length;
  }

  private static boolean isFieldName(String line, int end) {
    for (int i = 0; i < end; i++) {
      char c = line.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
        return false;
      }
    }
    return true;
  }

  /** Index of the next LF at or after {@code from} within the header, or -1. */
  private static int lineEnd(byte[] b, int from) {
    int limit = Math.min(b.length, MAX_HEADER_BYTES);
    for (int i = from; i < limit; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** The bytes as a string if they are all printable ASCII, otherwise null. */
  private static String ascii(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] < 0x20 || b[i] > 0x7E) {
        return null;
      }
    }
    return new String(b, from, to - from, StandardCharsets.US_ASCII);
  }

  /** CRC-32C of {@code file} without the bytes {@code [skipFrom, skipTo)}. */
  private static String crc32c(byte[] file, int skipFrom, int skipTo) {
    CRC32C crc = new CRC32C();
    crc.update(file, 0, skipFrom);
    crc.update(file, skipTo, file.length - skipTo);
    return hex(crc.getValue());
  }

  private static String hex(long crc) {
    return String.format("%08x", crc);
  }
}
