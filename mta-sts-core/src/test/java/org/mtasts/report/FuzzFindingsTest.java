package org.mtasts.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.mtasts.policy.RecordSyntaxException;

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
  void fuzz_tabInSkippedRuaUri_isEscapedInToString_SEC_20() throws RecordSyntaxException {
    // The input of fuzz/.../tlsRptRecord/crash-2f578d3c...: a skipped URI keeps the record's
    // tab, and toString() printed it raw.
    TlsRptRecord r =
        TlsRptRecord.parse(
            "v=TLSRPTv1;rua=https://reports.le/v1/tlsrpt,mailto:a%21b@ele%10b \tsrruA=mect=x");
    assertEquals("mailto:a%21b@ele%10b \tsrruA=mect=x", r.ignoredUris().get(0).uri());
    assertPrintableAscii(r.toString());
    assertPrintableAscii(r.ignoredUris().get(0).toString());
  }

  @Test
  void fuzz_bidiOverrideInMailtoAddress_isEscapedInToString_SEC_20()
      throws RecordSyntaxException {
    // A percent-encoded U+202E RIGHT-TO-LEFT OVERRIDE in the local part is a valid (RFC 6531)
    // address, kept as is for sending, but must not reach a log line unescaped.
    TlsRptRecord r = TlsRptRecord.parse("v=TLSRPTv1; rua=mailto:%E2%80%AEa@example.com");
    ReportDestination.Mailto m =
        assertInstanceOf(ReportDestination.Mailto.class, r.destinations().get(0));
    assertEquals("\u202ea@example.com", m.address());
    assertPrintableAscii(m.toString());
    assertPrintableAscii(r.toString());
  }

  @Test
  void fuzz_idnaErrorInMailtoDomain_isEscapedInTheException_SEC_20() {
    RecordSyntaxException e =
        assertThrows(
            RecordSyntaxException.class,
            () -> TlsRptRecord.parse("v=TLSRPTv1; rua=mailto:a@%E2%80%AEexample.com"));
    assertPrintableAscii(e.getMessage());
  }
}
