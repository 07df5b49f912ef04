package org.mtasts.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Bugs that the fuzz targets of the {@code fuzz} module found in this package (issue 12), each
 * pinned here as a plain unit test; the crashing inputs are also in the fuzz module's seeds.
 */
class FuzzFindingsTest {

  /** Printable US-ASCII only: what {@code Texts.printable} guarantees for network text. */
  private static void assertPrintableAscii(String text) {
    assertTrue(text.chars().allMatch(c -> c >= 0x20 && c < 0x7F || c == '\u00a7'), text);
  }

  @Test
  void fuzz_idnaErrorMessage_isEscaped_SEC_20() {
    // java.net.IDN puts the rejected label, unescaped, into its exception message; the reason
    // passed it on, so a bidi override (or U+FFFD, as the fuzzer found first) reached the log.
    String input = "x\u202e.example";
    InvalidDomainException e =
        assertThrows(InvalidDomainException.class, () -> DomainNames.normalize(input));
    assertPrintableAscii(e.getMessage());
    assertPrintableAscii(e.reason());
    assertTrue(e.reason().contains("\\u202e"), e.reason());
    assertEquals(input, e.input());
  }

  @Test
  void fuzz_idnaErrorMessage_ofTheFuzzerInput_isEscaped_SEC_20() {
    // The input of fuzz/.../hostNames/crash-b2ae1397..., decoded as the target does.
    String input = "xn--bcher\u04d2\u03d6-exa-bc\ufffd";
    InvalidDomainException e =
        assertThrows(InvalidDomainException.class, () -> DomainNames.normalize(input));
    assertPrintableAscii(e.getMessage());
  }
}
