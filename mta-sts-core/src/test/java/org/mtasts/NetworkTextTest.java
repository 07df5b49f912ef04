package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NetworkTextTest {
  @Test
  void printable_smtpReplyWithCrLf_isOneLine_SEC_20() {
    assertEquals("550 no\\u000d\\u000a250 ok", NetworkText.printable("550 no\r\n250 ok"));
  }

  @Test
  void printable_cutsAtTheDefaultLength_SEC_20() {
    String cut = NetworkText.printable("x".repeat(NetworkText.DEFAULT_MAX_LENGTH + 1));
    assertEquals("x".repeat(NetworkText.DEFAULT_MAX_LENGTH) + "...", cut);
  }

  @Test
  void printable_nullIsNull_andMaxLengthMustBePositive() {
    assertNull(NetworkText.printable(null));
    assertThrows(IllegalArgumentException.class, () -> NetworkText.printable("a", 0));
  }
}
