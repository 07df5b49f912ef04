package org.mtasts.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The session fields of a TLS-RPT failure detail: addresses as text, the MX's own name (D-31). */
class SessionEndpointsTest {

  @ParameterizedTest(name = "RFC 5952: {0} -> {1}")
  @CsvSource({
      "192.0.2.7, 192.0.2.7",
      "2001:0DB8:0000:0000:0000:0000:0000:0025, 2001:db8::25",
      "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",      // §4.2.3: the first of equal runs
      "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",   // §4.2.2: one zero group stays
      "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",            // §4.2.3: the longest run
      "0:0:0:0:0:0:0:1, ::1",
      "0:0:0:0:0:0:0:0, ::",
      "fe80:0:0:0:0:0:0:1, fe80::1",
      "1:0:0:0:0:0:0:0, 1::"})
  void ipText_rfc5952(String literal, String text) throws Exception {
    assertEquals(text, SessionEndpoints.ipText(InetAddress.getByName(literal)));
  }

  @ParameterizedTest(name = "D-31: {0}")
  @CsvSource(delimiter = '|', value = {
      "250-mx1.example.com Hello client.example [192.0.2.7]|mx1.example.com",
      "250 mx1.example.com|mx1.example.com",
      "'220 mx1.example.com ESMTP Postfix\r\n'|mx1.example.com",
      "220-edge.example.net\tready|edge.example.net",
      "250 [192.0.2.25] hi|[192.0.2.25]"})
  void heloName_theWordAfterTheCode_D_31(String line, String name) {
    assertEquals(Optional.of(name), SessionEndpoints.heloName(line));
  }

  @ParameterizedTest(name = "D-31, TLSRPT-JSON-05: no name in {0}")
  @CsvSource(delimiter = '|', value = {
      "'250 '", "250", "250-", "25 mx.example.com", "2500mx.example.com", "abc mx.example.com",
      "250 mx.example.com\u001b[31m", "250 bücher.example hello", "250 a\u0000b"})
  void heloName_noNameInHostileOrEmptyText_D_31(String line) {
    assertEquals(Optional.empty(), SessionEndpoints.heloName(line));
  }

  @Test
  void heloName_atMost255Characters() {
    String name = "a".repeat(255);
    assertEquals(Optional.of(name), SessionEndpoints.heloName("250 " + name));
    assertEquals(Optional.empty(), SessionEndpoints.heloName("250 " + name + "a"));
  }

  @Test
  @DisplayName("D-28: a name that could not be reported is refused, not written empty")
  void constructor_refusesEmptyOrUnprintableHelo_D_28() {
    assertThrows(IllegalArgumentException.class, () -> new SessionEndpoints(null, null, ""));
    assertThrows(IllegalArgumentException.class,
        () -> new SessionEndpoints(null, null, "a\r\nb"));
    assertNull(new SessionEndpoints(InetAddress.getLoopbackAddress(), null, null)
        .receivingMxHelo());
  }

  @Test
  void wildcardLocalAddress_isUnknown() throws Exception {
    assertNull(new SessionEndpoints(InetAddress.getByName("0.0.0.0"), null, null).sendingIp());
    assertNull(new SessionEndpoints(InetAddress.getByName("::"), null, null).sendingIp());
  }

  @Test
  void of_connectedSocket_bothEnds() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
          server.getLocalPort()));
      SessionEndpoints e = SessionEndpoints.of(socket, "mx.example.com");
      assertEquals(InetAddress.getLoopbackAddress(), e.sendingIp());
      assertEquals(InetAddress.getLoopbackAddress(), e.receivingIp());
      assertEquals("mx.example.com", e.receivingMxHelo());
    }
    try (Socket unconnected = new Socket()) {
      assertEquals(SessionEndpoints.unknown(), SessionEndpoints.of(unconnected, null));
    }
  }
}
