package org.mtasts.testkit.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mtasts.testkit.dns.DnsClient.answers;
import static org.mtasts.testkit.dns.DnsClient.await;
import static org.mtasts.testkit.dns.DnsClient.send;
import static org.mtasts.testkit.dns.DnsClient.sendAsync;
import static org.mtasts.testkit.dns.DnsClient.txtStrings;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.mtasts.testkit.dns.TestDnsServer.Fault;
import org.mtasts.testkit.dns.TestDnsServer.Transport;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;

/** Every fault mode, observed on the wire by dnsjava's resolver. */
class TestDnsServerFaultTest {
  private static final String NAME = "_mta-sts.example.com";

  private TestDnsServer dns;

  @BeforeEach
  void start() throws Exception {
    dns = new TestDnsServer().start();
    dns.txt(NAME, "v=STSv1; id=1").a(NAME, "192.0.2.1");
  }

  @AfterEach
  void stop() {
    dns.close();
  }

  @ParameterizedTest(name = "{0} over {1}")
  @CsvSource({
    "SERVFAIL, UDP", "SERVFAIL, TCP",
    "REFUSED, UDP", "REFUSED, TCP",
    "NXDOMAIN, UDP", "NXDOMAIN, TCP",
  })
  void rcodeFault_isAnsweredWithThatRcode_untilCleared(Fault fault, Transport transport)
      throws Exception {
    dns.fault(NAME, fault);

    Message response = send(dns, NAME, "TXT", transport);

    assertEquals(Rcode.value(fault.name()), response.getRcode());
    assertTrue(answers(response).isEmpty());
    if (fault == Fault.NXDOMAIN) {
      assertInstanceOf(SOARecord.class, response.getSection(Section.AUTHORITY).get(0));
    }

    dns.clearFaults(NAME);
    Message healed = send(dns, NAME, "TXT", transport);
    assertEquals(Rcode.NOERROR, healed.getRcode());
    assertEquals(List.of(List.of("v=STSv1; id=1")), txtStrings(healed));
  }

  @Test
  void faultForOneType_leavesOtherTypesAlone() throws Exception {
    dns.fault(NAME, "TXT", Fault.SERVFAIL).fault("other.example", Fault.REFUSED);

    assertEquals(Rcode.SERVFAIL, send(dns, NAME, "TXT", Transport.UDP).getRcode());
    Message a = send(dns, NAME, "A", Transport.UDP);
    assertEquals(Rcode.NOERROR, a.getRcode());
    assertEquals(1, answers(a).size());

    dns.fault(NAME, Fault.REFUSED); // a type-specific fault wins over a name-wide one
    assertEquals(Rcode.SERVFAIL, send(dns, NAME, "TXT", Transport.UDP).getRcode());
    assertEquals(Rcode.REFUSED, send(dns, NAME, "A", Transport.UDP).getRcode());

    dns.clearFaults();
    assertEquals(Rcode.NOERROR, send(dns, NAME, "TXT", Transport.UDP).getRcode());
    assertEquals(Rcode.NXDOMAIN, send(dns, "other.example", "A", Transport.UDP).getRcode());
  }

  @Test
  void faultOnACnameTarget_appliesToTheAlias() throws Exception {
    dns.cname("_mta-sts.user.example", NAME).fault(NAME, "TXT", Fault.SERVFAIL);

    assertEquals(
        Rcode.SERVFAIL, send(dns, "_mta-sts.user.example", "TXT", Transport.UDP).getRcode());

    dns.fault(NAME, Fault.NXDOMAIN);
    Message response = send(dns, "_mta-sts.user.example", "A", Transport.UDP);
    assertEquals(Rcode.NXDOMAIN, response.getRcode());
    assertEquals(1, answers(response).size(), "the CNAME up to the failing name");
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  void drop_sendsNothing_soTheClientTimesOut(Transport transport) throws Exception {
    dns.fault(NAME, Fault.DROP);
    SimpleResolver resolver = DnsClient.resolver(dns.address(), transport);
    resolver.setTimeout(Duration.ofMillis(300));

    long start = System.nanoTime();
    IOException e =
        assertThrows(IOException.class, () -> resolver.send(DnsClient.query(NAME, "TXT")));

    long elapsed = System.nanoTime() - start;
    assertTrue(e.getMessage().contains("Timed out"), e::toString);
    assertTrue(elapsed >= Duration.ofMillis(300).toNanos(), "gave up after " + elapsed + " ns");
    assertEquals(1, dns.queryCount(NAME, "TXT", transport), "the query did arrive");

    dns.clearFaults(NAME);
    assertEquals(Rcode.NOERROR, resolver.send(DnsClient.query(NAME, "TXT")).getRcode());
  }

  @Test
  void drop_asyncClient_failsWithSocketTimeout() throws Exception {
    dns.fault(NAME, Fault.DROP);
    SimpleResolver resolver = DnsClient.resolver(dns.address(), Transport.UDP);
    resolver.setTimeout(Duration.ofMillis(300));

    CompletableFuture<Message> response = sendAsync(resolver, NAME, "TXT");
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> response.get(5, TimeUnit.SECONDS));

    assertInstanceOf(SocketTimeoutException.class, e.getCause(), e::toString);
  }

  @Test
  void truncate_setsTcOverUdp_andServesTheFullAnswerOverTcp() throws Exception {
    dns.fault(NAME, "TXT", Fault.TRUNCATE);

    SimpleResolver udpOnly = DnsClient.resolver(dns.address(), Transport.UDP);
    udpOnly.setIgnoreTruncation(true);
    Message truncated = udpOnly.send(DnsClient.query(NAME, "TXT"));
    assertTrue(truncated.getHeader().getFlag(Flags.TC));
    assertEquals(Rcode.NOERROR, truncated.getRcode());
    assertTrue(answers(truncated).isEmpty());
    assertEquals(1, dns.queryCount(NAME, "TXT", Transport.UDP));
    assertEquals(0, dns.queryCount(NAME, "TXT", Transport.TCP));

    dns.resetCounts();
    Message full = send(dns, NAME, "TXT", Transport.UDP); // falls back to TCP on TC
    assertFalse(full.getHeader().getFlag(Flags.TC));
    assertEquals(List.of(List.of("v=STSv1; id=1")), txtStrings(full));
    assertEquals(1, dns.queryCount(NAME, "TXT", Transport.UDP));
    assertEquals(1, dns.queryCount(NAME, "TXT", Transport.TCP));
  }

  @Test
  void answerLargerThanTheUdpLimit_isTruncatedOverUdp_andCompleteOverTcp() throws Exception {
    String filler = "x".repeat(200);
    for (int i = 0; i < 10; i++) {
      dns.txt("big.example", i + filler); // ~2 KB, more than the 1232-byte EDNS limit
    }

    SimpleResolver udpOnly = DnsClient.resolver(dns.address(), Transport.UDP);
    udpOnly.setIgnoreTruncation(true);
    Message truncated = udpOnly.send(DnsClient.query("big.example", "TXT"));
    assertTrue(truncated.getHeader().getFlag(Flags.TC));
    assertTrue(answers(truncated).size() < 10);

    Message viaFallback = send(dns, "big.example", "TXT", Transport.UDP);
    assertFalse(viaFallback.getHeader().getFlag(Flags.TC));
    assertEquals(10, answers(viaFallback).size());
    assertEquals(2, dns.queryCount("big.example", "TXT", Transport.UDP));
    assertEquals(1, dns.queryCount("big.example", "TXT", Transport.TCP));
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Transport.class)
  void slowAnswer_arrivesAfterTheDelay_whileOtherQueriesAreAnsweredAtOnce(Transport transport)
      throws Exception {
    Duration delay = Duration.ofMillis(750);
    dns.txt("fast.example", "fast").delay(NAME, delay);
    // One resolver: over TCP dnsjava sends both queries on the same connection.
    SimpleResolver resolver = DnsClient.resolver(dns.address(), transport);

    long start = System.nanoTime();
    CompletableFuture<Message> slow = sendAsync(resolver, NAME, "TXT");
    await("the slow query reached the server", () -> dns.queryCount(NAME, "TXT") == 1);
    Message fast = sendAsync(resolver, "fast.example", "TXT").get(5, TimeUnit.SECONDS);

    assertEquals(List.of(List.of("fast")), txtStrings(fast));
    assertFalse(slow.isDone(), "the slow answer must not have arrived before the fast one");
    Message slowAnswer = slow.get(5, TimeUnit.SECONDS);
    long elapsed = System.nanoTime() - start;
    assertEquals(List.of(List.of("v=STSv1; id=1")), txtStrings(slowAnswer));
    assertTrue(elapsed >= delay.toNanos(), "answered after " + elapsed / 1_000_000 + " ms");
  }

  @Test
  void slowAnswer_onOneTcpConnection_doesNotHoldBackLaterAnswers() throws Exception {
    dns.txt("fast.example", "fast").delay(NAME, Duration.ofMillis(300));
    Message slow = DnsClient.query(NAME, "TXT");
    Message fast = DnsClient.query("fast.example", "TXT");

    try (RawDns.TcpConnection tcp = new RawDns.TcpConnection(dns.address())) {
      tcp.write(slow.toWire(), fast.toWire()); // slow first, in one write
      long start = System.nanoTime();
      Message first = tcp.read();
      Message second = tcp.read();
      long elapsed = System.nanoTime() - start;

      assertEquals(fast.getHeader().getID(), first.getHeader().getID(), "fast answer first");
      assertEquals(slow.getHeader().getID(), second.getHeader().getID());
      assertEquals(List.of(List.of("v=STSv1; id=1")), txtStrings(second));
      assertTrue(elapsed >= Duration.ofMillis(250).toNanos(), "slow after " + elapsed + " ns");
    }
  }

  @Test
  void delayCombinesWithAFault_andZeroRemovesIt() throws Exception {
    dns.fault(NAME, Fault.SERVFAIL).delay(NAME, "TXT", Duration.ofMillis(200));

    long start = System.nanoTime();
    assertEquals(Rcode.SERVFAIL, send(dns, NAME, "TXT", Transport.UDP).getRcode());
    assertTrue(System.nanoTime() - start >= Duration.ofMillis(200).toNanos());

    dns.delay(NAME, "TXT", Duration.ZERO).clearFaults(NAME);
    assertEquals(Rcode.NOERROR, send(dns, NAME, "TXT", Transport.UDP).getRcode());
  }
}
