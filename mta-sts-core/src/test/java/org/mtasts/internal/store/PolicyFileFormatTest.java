package org.mtasts.internal.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mtasts.StoredPolicy;
import org.mtasts.internal.store.PolicyFileFormat.CorruptEntryException;

/** The version 1 file format of the directory store (STS-CACHE-12, SEC-25). */
class PolicyFileFormatTest {

  static final String TEXT = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
      + "max_age: 604800\r\nx-note: caf\u00e9 \u2713 \uD83D\uDCEC\r\n";

  static final StoredPolicy ENTRY = new StoredPolicy(
      "example.com", "20160831085700Z", TEXT, Instant.parse("2026-11-28T15:02:07.123Z"));

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void stsCache12_encodesReadableHeaderThenTextVerbatim() {
    String file = utf8(PolicyFileFormat.encode(ENTRY));
    int textBytes = TEXT.getBytes(StandardCharsets.UTF_8).length;
    String expectedStart = "mta-sts-java policy store v1\n"
        + "domain: example.com\n"
        + "id: 20160831085700Z\n"
        + "fetched: 2026-11-28T15:02:07.123Z\n"
        + "length: " + textBytes + "\n"
        + "crc32c: ";
    assertTrue(file.startsWith(expectedStart), file);
    String rest = file.substring(expectedStart.length());
    assertTrue(rest.matches("[0-9a-f]{8}\n\n[\\s\\S]*"), rest);
    assertEquals(TEXT, rest.substring(10), "text verbatim after the blank line, CR LF kept");
  }

  @Test
  void stsCache12_exampleInTheFormatDocumentationIsExact() {
    StoredPolicy entry = new StoredPolicy("example.com", "20160831085700Z",
        "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n",
        Instant.parse("2026-11-28T15:02:07.123Z"));
    assertEquals("mta-sts-java policy store v1\n"
        + "domain: example.com\n"
        + "id: 20160831085700Z\n"
        + "fetched: 2026-11-28T15:02:07.123Z\n"
        + "length: 66\n"
        + "crc32c: ad93827d\n"
        + "\n"
        + "version: STSv1\n"
        + "mode: enforce\n"
        + "mx: mail.example.com\n"
        + "max_age: 604800\n", utf8(PolicyFileFormat.encode(entry)));
  }

  @Test
  void stsCache12_sec25_roundTripKeepsEveryComponent() throws Exception {
    assertEquals(ENTRY, PolicyFileFormat.decode(PolicyFileFormat.encode(ENTRY)));
  }

  @ParameterizedTest(name = "STS-CACHE-12 fetched {0} round-trips")
  @ValueSource(strings = {"1970-01-01T00:00:00Z", "2026-11-28T15:02:07.123456789Z",
      "+1000000000-12-31T23:59:59.999999999Z", "-1000000000-01-01T00:00:00Z",
      "2100-01-01T00:00:00Z"})
  void stsCache12_instantsRoundTripUnchanged(String instant) throws Exception {
    // Also instants in the future: the store is faithful, the facade clamps (SEC-24).
    StoredPolicy entry = new StoredPolicy("example.com", "1", TEXT, Instant.parse(instant));
    assertEquals(entry, PolicyFileFormat.decode(PolicyFileFormat.encode(entry)));
  }

  @Test
  void stsCache12_emptyAndLargestTextsRoundTrip() throws Exception {
    StoredPolicy empty = new StoredPolicy("example.com", "1", "", Instant.EPOCH);
    assertEquals(empty, PolicyFileFormat.decode(PolicyFileFormat.encode(empty)));
    String largest = "\u00e9".repeat(StoredPolicy.MAX_POLICY_TEXT_BYTES / 2);
    StoredPolicy big = new StoredPolicy("example.com", "1", largest, Instant.EPOCH);
    byte[] file = PolicyFileFormat.encode(big);
    assertTrue(file.length <= PolicyFileFormat.MAX_FILE_BYTES);
    assertEquals(big, PolicyFileFormat.decode(file));
  }

  @Test
  void stsCache12_longestDomainFitsTheHeaderLimit() throws Exception {
    String label = "a".repeat(63);
    String domain = label + "." + label + "." + label + "." + "b".repeat(61);
    assertEquals(253, domain.length());
    StoredPolicy entry =
        new StoredPolicy(domain, "a".repeat(32), TEXT, Instant.parse("+1000000000-12-31T23:59:59.999999999Z"));
    assertEquals(entry, PolicyFileFormat.decode(PolicyFileFormat.encode(entry)));
  }

  @Test
  void stsCache12_everyTruncationIsRecognised() {
    byte[] file = PolicyFileFormat.encode(ENTRY);
    for (int n = 0; n < file.length; n++) {
      byte[] prefix = java.util.Arrays.copyOf(file, n);
      CorruptEntryException e = assertThrows(CorruptEntryException.class,
          () -> PolicyFileFormat.decode(prefix), "prefix of " + n + " bytes");
      assertTrue(e.getMessage().contains(n == 0 ? "empty" : "truncated"),
          n + ": " + e.getMessage());
    }
  }

  @Test
  void stsCache12_everySingleBitFlipIsRecognised() throws Exception {
    byte[] file = PolicyFileFormat.encode(ENTRY);
    for (int i = 0; i < file.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] damaged = file.clone();
        damaged[i] ^= (byte) (1 << bit);
        assertThrows(CorruptEntryException.class, () -> PolicyFileFormat.decode(damaged),
            "byte " + i + " bit " + bit);
      }
    }
    assertEquals(ENTRY, PolicyFileFormat.decode(file));
  }

  @Test
  void stsCache12_trailingBytesAreRecognised() {
    byte[] file = PolicyFileFormat.encode(ENTRY);
    byte[] longer = java.util.Arrays.copyOf(file, file.length + 1);
    longer[file.length] = 'x';
    CorruptEntryException e =
        assertThrows(CorruptEntryException.class, () -> PolicyFileFormat.decode(longer));
    assertTrue(e.getMessage().contains("unexpected bytes"), e.getMessage());
  }

  @Test
  void unknownHeaderFieldsAreIgnored() throws Exception {
    byte[] text = TEXT.getBytes(StandardCharsets.UTF_8);
    byte[] file = PolicyFileFormat.assemble(PolicyFileFormat.MAGIC + "\n"
        + "domain: example.com\nid: 20160831085700Z\nfetched: 2026-11-28T15:02:07.123Z\n"
        + "source-url: https://mta-sts.example.com/.well-known/mta-sts.txt\n"
        + "length: " + text.length + "\n", text);
    assertEquals(ENTRY, PolicyFileFormat.decode(file));
  }

  @Test
  void encodingIsDeterministic() {
    assertArrayEquals(PolicyFileFormat.encode(ENTRY), PolicyFileFormat.encode(ENTRY));
  }

  static String reason(byte[] file) {
    return assertThrows(CorruptEntryException.class, () -> PolicyFileFormat.decode(file))
        .getMessage();
  }

  static byte[] withHeader(String fields, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return PolicyFileFormat.assemble(PolicyFileFormat.MAGIC + "\n" + fields
        + "length: " + bytes.length + "\n", bytes);
  }

  @Test
  void rejectsWithAReason() {
    String id = "id: 1\n";
    String fetched = "fetched: 2026-11-28T15:02:07Z\n";
    assertTrue(reason(new byte[0]).contains("empty"));
    assertTrue(reason("hello world\n\nversion: STSv1\n".getBytes(StandardCharsets.UTF_8))
        .contains("not a policy store file"));
    assertTrue(reason(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2})
        .contains("not a policy store file"));
    assertTrue(reason("mta-sts-java policy store v2\ndomain: example.com\n\n"
        .getBytes(StandardCharsets.UTF_8)).contains("unknown format version '2'"));
    assertTrue(reason(withHeader("domain: example.com\n" + id + "fetched: yesterday\n", TEXT))
        .contains("'fetched' field 'yesterday' is not an ISO-8601 instant"));
    assertTrue(reason(withHeader("domain: example.com\n" + id
        + "fetched: 2026-11-28 15:02:07\n", TEXT)).contains("'fetched'"));
    assertTrue(reason(withHeader("domain: Example.COM\n" + id + fetched, TEXT))
        .contains("not a normalised domain name"));
    assertTrue(reason(withHeader("domain: ../etc\n" + id + fetched, TEXT))
        .contains("not a normalised domain name"));
    assertTrue(reason(withHeader("domain: example.com\nid: not-valid\n" + fetched, TEXT))
        .contains("invalid entry"));
    assertTrue(reason(withHeader("domain: example.com\n" + fetched, TEXT))
        .contains("no 'id' field"));
    assertTrue(reason(withHeader("domain: example.com\n" + id + id + fetched, TEXT))
        .contains("two 'id' fields"));
    assertTrue(reason(withHeader("domain: example.com\n" + id + "fetched:2026\n", TEXT))
        .contains("is not a 'name: value' line"));
    byte[] badUtf8 = PolicyFileFormat.assemble(PolicyFileFormat.MAGIC + "\n"
        + "domain: example.com\n" + id + fetched + "length: 2\n", new byte[] {(byte) 0xc3, 'x'});
    assertTrue(reason(badUtf8).contains("not valid UTF-8"));
    byte[] badLength = PolicyFileFormat.assemble(PolicyFileFormat.MAGIC + "\n"
        + "domain: example.com\n" + id + fetched + "length: -1\n", new byte[0]);
    assertTrue(reason(badLength).contains("'length' field '-1'"));
    byte[] crcNotLast = (PolicyFileFormat.MAGIC + "\ncrc32c: 00000000\nid: 1\n\n")
        .getBytes(StandardCharsets.US_ASCII);
    assertTrue(reason(crcNotLast).contains("not the last"));
  }

  @Test
  void rejectsOversizedFileBeforeParsing() {
    byte[] huge = new byte[PolicyFileFormat.MAX_FILE_BYTES + 1];
    assertTrue(reason(huge).contains("larger than"));
  }

  @Test
  void quoteEscapesControlCharactersAndCuts() {
    assertEquals("'a\\u000ab\\u001b[31m'", PolicyFileFormat.quote("a\nb\u001b[31m"));
    assertEquals("'" + "x".repeat(80) + "...'", PolicyFileFormat.quote("x".repeat(81)));
  }
}
