package org.mtasts.internal.store;

import static org.mtasts.fuzz.Checks.assertLogSafe;
import static org.mtasts.fuzz.Checks.check;
import static org.mtasts.fuzz.Checks.checkEqual;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.mtasts.StoredPolicy;
import org.mtasts.fuzz.Checks;
import org.mtasts.internal.store.PolicyFileFormat.CorruptEntryException;
import org.mtasts.policy.DomainNames;

/**
 * Fuzz targets for the directory store's file format ({@link PolicyFileFormat}, SEC-25): a file
 * on disk is untrusted input (truncated, damaged, or written by someone else).
 *
 * <p>In this package because the format is package-private; the fuzz module runs on the class
 * path, where the package is not sealed. Expected exceptions: {@link CorruptEntryException} from
 * {@code decode}, and the documented {@code IllegalArgumentException} of the {@link StoredPolicy}
 * constructor when the fuzzer's values are not a valid entry (then there is nothing to encode).
 * Anything else thrown, an {@code Error} or a timeout is a finding. The seeds are in {@code
 * PolicyFileFormatFuzzTestInputs/<method>/}.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS) // in fuzzing mode: libFuzzer's -timeout per input
class PolicyFileFormatFuzzTest {

  /** Any bytes as a file's content. */
  @FuzzTest
  void decode(byte[] file) {
    checkDecode(file);
  }

  /**
   * Any header and text, put together with a correct checksum, so that the fuzzer reaches what
   * the checksum guards (field values, the time stamp, the UTF-8 text, the entry's own checks).
   * The input is the header up to the first NUL byte (read as ISO-8859-1), then the policy text.
   */
  @FuzzTest
  void decodeChecksummed(byte[] input) {
    int nul = 0;
    while (nul < input.length && input[nul] != 0) {
      nul++;
    }
    String head = new String(input, 0, nul, StandardCharsets.ISO_8859_1);
    byte[] text = Arrays.copyOfRange(input, Math.min(nul + 1, input.length), input.length);
    checkDecode(PolicyFileFormat.assemble(head, text));
  }

  /** encode then decode is the identity for every valid entry. */
  @FuzzTest
  void roundTrip(FuzzedDataProvider data) {
    String domain =
        data.consumeBoolean() ? hostLike(data.consumeBytes(80)) : data.consumeString(80);
    String id = alphanumeric(data.consumeBytes(data.consumeInt(0, 40)));
    Instant fetchedAt =
        Instant.ofEpochSecond(
            data.consumeLong(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond()),
            data.consumeInt(0, 999_999_999));
    String text =
        data.consumeBoolean()
            ? Checks.utf8(data.consumeRemainingAsBytes())
            : data.consumeRemainingAsString();
    StoredPolicy entry;
    try {
      entry = new StoredPolicy(domain, id, text, fetchedAt);
    } catch (IllegalArgumentException e) {
      return; // not a valid entry (documented): nothing to store
    }
    byte[] file = PolicyFileFormat.encode(entry);
    StoredPolicy decoded = decodeAccepted(file, "encode() of a valid entry");
    checkEqual("decode(encode(e))", entry, decoded);
    check(Arrays.equals(file, PolicyFileFormat.encode(decoded)), "encode is not canonical");
  }

  private static void checkDecode(byte[] file) {
    StoredPolicy entry;
    try {
      entry = PolicyFileFormat.decode(file);
    } catch (CorruptEntryException e) {
      assertLogSafe("CorruptEntryException message", e.getMessage());
      try {
        PolicyFileFormat.decode(file);
        throw new AssertionError("rejected once, accepted the second time: " + e.getMessage());
      } catch (CorruptEntryException again) {
        checkEqual("rejection message, decoded twice", e.getMessage(), again.getMessage());
      }
      return;
    }
    // An accepted file is a well-formed entry, and writing it back gives a file read equally.
    check(DomainNames.isNormalized(entry.domain()), () -> "domain not normalised: " + entry);
    check(Checks.isAlphanumeric(entry.recordId(), 32), () -> "invalid record id: " + entry);
    assertLogSafe("StoredPolicy.toString", entry.toString());
    checkEqual("decoded twice", entry, decodeAccepted(file, "the same file, decoded again"));
    byte[] rewritten = PolicyFileFormat.encode(entry);
    checkEqual("decode(encode(decode(f)))", entry, decodeAccepted(rewritten, "re-encoded entry"));
  }

  private static StoredPolicy decodeAccepted(byte[] file, String what) {
    try {
      return PolicyFileFormat.decode(file);
    } catch (CorruptEntryException e) {
      throw new AssertionError(what + " was rejected: " + e.getMessage(), e);
    }
  }

  /** Bytes mapped onto letters, digits, '-' and '.', so that many inputs are host names. */
  private static String hostLike(byte[] bytes) {
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-.ABCXYZ";
    StringBuilder b = new StringBuilder(bytes.length);
    for (byte x : bytes) {
      b.append(alphabet.charAt((x & 0xFF) % alphabet.length()));
    }
    return b.toString();
  }

  /** Bytes mapped onto ASCII letters and digits, so that most inputs are record ids. */
  private static String alphanumeric(byte[] bytes) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder b = new StringBuilder(bytes.length);
    for (byte x : bytes) {
      b.append(alphabet.charAt((x & 0xFF) % alphabet.length()));
    }
    return b.toString();
  }
}
