package org.mtasts.testkit.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.mtasts.testkit.dns.TestDnsServer.Fault;
import org.mtasts.testkit.dns.TestDnsServer.Transport;

/** Bad input is rejected when it is given, with a message naming it; nothing is half-applied. */
class TestDnsServerArgumentsTest {
  private final TestDnsServer dns = new TestDnsServer(); // never started: no sockets needed

  @Test
  void nullArguments_throwNullPointerException() {
    Duration d = Duration.ofSeconds(1);
    List<Executable> calls =
        List.of(
            () -> dns.a(null, "192.0.2.1"),
            () -> dns.a("x.example", null),
            () -> dns.aaaa(null, "::1"),
            () -> dns.aaaa("x.example", null),
            () -> dns.mx(null, 10, "mx.example"),
            () -> dns.mx("x.example", 10, null),
            () -> dns.txt(null, "t"),
            () -> dns.txt("x.example", (String) null),
            () -> dns.txt("x.example", (List<String>) null),
            () -> dns.txt("x.example", Arrays.asList("a", null)),
            () -> dns.cname(null, "t.example"),
            () -> dns.cname("x.example", null),
            () -> dns.defaultTtl(null),
            () -> dns.ttl(null, "TXT", d),
            () -> dns.ttl("x.example", null, d),
            () -> dns.ttl("x.example", "TXT", null),
            () -> dns.remove(null),
            () -> dns.remove("x.example", null),
            () -> dns.fault(null, Fault.DROP),
            () -> dns.fault("x.example", null),
            () -> dns.fault("x.example", null, Fault.DROP),
            () -> dns.fault("x.example", "TXT", null),
            () -> dns.delay(null, d),
            () -> dns.delay("x.example", null),
            () -> dns.delay("x.example", null, d),
            () -> dns.delay("x.example", "TXT", null),
            () -> dns.clearFaults(null),
            () -> dns.queryCount(null, "TXT"),
            () -> dns.queryCount("x.example", null),
            () -> dns.queryCount("x.example", "TXT", null),
            () -> dns.tlsa(null, 3, 1, 1, new byte[32]),
            () -> dns.tlsa("_25._tcp.x.example", 3, 1, 1, null),
            () -> dns.signZone(null),
            () -> dns.insecureZone(null),
            () -> dns.clock(null),
            () -> dns.dnssecFault(null, "A", DnssecFault.BAD_SIGNATURE),
            () -> dns.dnssecFault("x.example", null, DnssecFault.BAD_SIGNATURE),
            () -> dns.dnssecFault("x.example", "A", null),
            () -> dns.dnssecFault(null, DnssecFault.BAD_SIGNATURE),
            () -> dns.dnssecFault("x.example", (DnssecFault) null),
            () -> Tlsa.data(null, 1, 1),
            () -> new RecordedQuery(null, "TXT", Transport.UDP));
    for (int i = 0; i < calls.size(); i++) {
      assertThrows(NullPointerException.class, calls.get(i), "call #" + i);
    }
    assertEquals(0, dns.queries().size());
    assertEquals("TestDnsServer[not started, 0 records]", dns.toString());
  }

  @Test
  void malformedArguments_throwIllegalArgumentException() {
    List<Executable> calls =
        List.of(
            () -> dns.a("x.example", "256.1.1.1"),
            () -> dns.a("x.example", "::1"),
            () -> dns.a("x.example", "localhost"), // never looked up
            () -> dns.aaaa("x.example", "192.0.2.1"),
            () -> dns.aaaa("x.example", "fe80::1::2"),
            () -> dns.a("", "192.0.2.1"),
            () -> dns.a("b\u00fccher.example", "192.0.2.1"),
            () -> dns.a("two words.example", "192.0.2.1"),
            () -> dns.a("a..example", "192.0.2.1"),
            () -> dns.a("x".repeat(64) + ".example", "192.0.2.1"),
            () -> dns.mx("x.example", -1, "mx.example"),
            () -> dns.mx("x.example", 65_536, "mx.example"),
            () -> dns.txt("x.example", "\u00e9".repeat(128)), // 256 bytes in UTF-8
            () -> dns.txt("x.example", List.of()),
            () -> dns.defaultTtl(Duration.ofSeconds(-1)),
            () -> dns.defaultTtl(Duration.ofSeconds(1L << 31)),
            () -> dns.delay("x.example", Duration.ofMillis(-1)),
            () -> dns.fault("x.example", "NOSUCHTYPE", Fault.DROP),
            () -> dns.queryCount("x.example", "NOSUCHTYPE"),
            () -> dns.tlsa("_25._tcp.x.example", 256, 1, 1, new byte[32]),
            () -> dns.tlsa("_25._tcp.x.example", 3, -1, 1, new byte[32]),
            () -> dns.tlsa("_25._tcp.x.example", 3, 1, 256, new byte[32]),
            () -> dns.insecureZone("."),
            () -> dns.dnssecFault("x.example", "NOSUCHTYPE", DnssecFault.BAD_SIGNATURE));
    for (int i = 0; i < calls.size(); i++) {
      assertThrows(IllegalArgumentException.class, calls.get(i), "call #" + i);
    }
    assertEquals("TestDnsServer[not started, 0 records]", dns.toString());
  }

  @Test
  void cnameAndOtherData_cannotShareAName() {
    dns.txt("both.example", "t").cname("alias.example", "one.example");

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> dns.cname("both.example", "t.example"));
    assertEquals(
        "both.example. already has TXT records; a CNAME cannot coexist with other data"
            + " (RFC 1034 §3.6.2), remove(name) first",
        e.getMessage());
    assertThrows(IllegalStateException.class, () -> dns.a("alias.example", "192.0.2.1"));
    assertThrows(IllegalStateException.class, () -> dns.ttl("none.example", "A", Duration.ZERO));

    dns.cname("alias.example", "two.example"); // replacing a CNAME is fine
    dns.remove("both.example").cname("both.example", "t.example");
    assertEquals("TestDnsServer[not started, 2 records]", dns.toString()); // two CNAMEs
  }

  @Test
  void txtAtTheLimit_isAccepted() {
    dns.txt("x.example", "a".repeat(255)).txt("x.example", List.of("", "b".repeat(255)));
    assertEquals("TestDnsServer[not started, 2 records]", dns.toString());
  }
}
