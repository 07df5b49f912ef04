package org.mtasts.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The hand-written TLS bytes of the legacy-TLS emulation, byte for byte. */
class TlsRecordsTest {

  @Test
  void serverHello_withEmptySessionId_tls10() {
    byte[] random = new byte[32];
    Arrays.fill(random, (byte) 0xAB);
    byte[] expected = new byte[5 + 4 + 2 + 32 + 1 + 2 + 1];
    byte[] head = {0x16, 3, 1, 0, 42, 2, 0, 0, 38, 3, 1};
    System.arraycopy(head, 0, expected, 0, head.length);
    System.arraycopy(random, 0, expected, head.length, 32);
    byte[] tail = {0, (byte) 0xC0, 0x13, 0};
    System.arraycopy(tail, 0, expected, head.length + 32, tail.length);

    assertArrayEquals(expected, TlsRecords.serverHello(0x0301, random, new byte[0], 0xC013));
  }

  @Test
  void serverHello_withSessionId_tls11() {
    byte[] random = new byte[32];
    byte[] sessionId = new byte[32];
    Arrays.fill(sessionId, (byte) 7);
    byte[] hello = TlsRecords.serverHello(0x0302, random, sessionId, 0x002F);

    assertEquals(5 + 4 + 70, hello.length);
    assertArrayEquals(new byte[] {0x16, 3, 2, 0, 74, 2, 0, 0, 70, 3, 2}, Arrays.copyOf(hello, 11));
    assertEquals(32, hello[11 + 32]);
    assertArrayEquals(sessionId, Arrays.copyOfRange(hello, 11 + 33, 11 + 65));
    assertArrayEquals(new byte[] {0, 0x2F, 0}, Arrays.copyOfRange(hello, 11 + 65, hello.length));
  }

  @Test
  void record_andHandshakeFraming() {
    assertArrayEquals(
        new byte[] {21, 3, 2, 0, 2, 2, 40},
        TlsRecords.record(TlsRecords.CONTENT_ALERT, 0x0302, new byte[] {2, 40}));
    byte[] body = new byte[0x10203];
    byte[] message = TlsRecords.handshake(TlsRecords.HANDSHAKE_SERVER_HELLO, body);
    assertArrayEquals(new byte[] {2, 1, 2, 3}, Arrays.copyOf(message, 4));
    assertEquals(4 + body.length, message.length);
  }

  @Test
  void alertNames() {
    assertEquals(Optional.of("protocol_version"), TlsRecords.alertName(70));
    assertEquals(Optional.of("handshake_failure"), TlsRecords.alertName(40));
    assertEquals(Optional.of("no_application_protocol"), TlsRecords.alertName(120));
    assertEquals(Optional.empty(), TlsRecords.alertName(99));
  }
}
