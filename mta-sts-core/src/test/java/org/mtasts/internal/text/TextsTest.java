package org.mtasts.internal.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class TextsTest {

  @Test
  void printable_plainText_returnedAsIs_SEC_20() {
    String plain = "250 mx1.example.com ready";
    assertSame(plain, Texts.printable(plain, 100));
  }

  @Test
  void printable_crLfAndTerminalEscapes_escaped_SEC_20() {
    assertEquals("550 no\\u000d\\u000a250 fake \\u001b[31mred",
        Texts.printable("550 no\r\n250 fake \u001b[31mred", 100));
  }

  @Test
  void printable_backslashAndNonAscii_escaped_soTheResultIsUnambiguous_SEC_20() {
    assertEquals("a\\u005cu000d caf\\u00e9 \\u202e", Texts.printable("a\\u000d café \u202e", 100));
  }

  @Test
  void printable_longText_cutWithEllipsis_SEC_20() {
    assertEquals("abc...", Texts.printable("abcdef", 3));
    assertEquals("abc", Texts.printable("abc", 3));
    assertEquals("\\u000aa...", Texts.printable("\nab", 2));
  }

  @Test
  void printable_null_isNull() {
    assertNull(Texts.printable(null, 10));
    assertEquals("null", Texts.quote(null, 10));
  }

  @Test
  void quote_wrapsPrintableInSingleQuotes_SEC_20() {
    assertEquals("'a\\u0000b'", Texts.quote("a\u0000b"));
  }
}
