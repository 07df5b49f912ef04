package org.mtasts.internal.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mtasts.internal.dns.DnsjavaClientTest.answer;
import static org.mtasts.internal.dns.DnsjavaClientTest.failure;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mtasts.dns.DnsAnswer;
import org.mtasts.dns.DnsAnswer.Status;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.DnsException;
import org.mtasts.dns.DnsServerFailureException;
import org.mtasts.dns.DnsTimeoutException;
import org.mtasts.dns.MxRecord;
import org.mtasts.dns.TxtRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * The client built by the public builder, over real UDP and TCP sockets on 127.0.0.1 against a
 * throw-away server: dnsjava's SimpleResolver and ExtendedResolver, TCP fallback, timeouts, retries
 * and failover. dnsjava checks timeouts about once a second, so the timeout cases take a second or
 * two.
 */
class DnsjavaClientNetworkTest {

  private static final Duration SHORT = Duration.ofMillis(300);

  private final FakeResolver zone =
      new FakeResolver()
          .add(
              "example.com. 3600 SOA ns.example.com. admin.example.com. 1 7200 900 1209600 600",
              "_mta-sts.example.com. 300 TXT \"v=STSv1; \" \"id=20240101\"",
              "example.com. 300 MX 10 mx1.example.com.",
              "example.com. 300 MX 20 mx2.example.com.");
  private LoopbackDnsServer server;
  private LoopbackDnsServer other;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (other != null) {
      other.close();
    }
  }

  @Test
  @DisplayName("Answers arrive over UDP from an explicit server and port; NODATA and NXDOMAIN too")
  void udp() throws Exception {
    server = new LoopbackDnsServer(zone);
    DnsClient client = DnsClient.builder().server(server.address()).build();

    DnsAnswer<TxtRecord> txt = answer(client.txt("_mta-sts.example.com"));
    DnsAnswer<MxRecord> mx = answer(client.mx("example.com"));

    assertEquals("v=STSv1; id=20240101", txt.records().get(0).text());
    assertEquals(
        List.of(new MxRecord(10, "mx1.example.com"), new MxRecord(20, "mx2.example.com")),
        mx.records());
    assertEquals(Status.NODATA, answer(client.txt("example.com")).status());
    assertEquals(Status.NXDOMAIN, answer(client.txt("_mta-sts.nowhere.example.com")).status());
    assertEquals(0, server.tcpQueries());
  }

  @Test
  @DisplayName("A truncated UDP answer is retried over TCP and the full answer is used")
  void tcpFallbackOnTruncation() throws Exception {
    server = new LoopbackDnsServer(zone).truncateUdp();
    DnsClient client = DnsClient.builder().server(server.address()).cacheSize(0).build();

    DnsAnswer<TxtRecord> txt = answer(client.txt("_mta-sts.example.com"));

    assertEquals("v=STSv1; id=20240101", txt.records().get(0).text());
    assertEquals(1, server.udpQueries());
    assertEquals(1, server.tcpQueries());
  }

  @Test
  @DisplayName("A lost UDP query is retried after the timeout")
  void retryAfterLoss() throws Exception {
    server = new LoopbackDnsServer(zone).dropUdp(1);
    DnsClient client =
        DnsClient.builder().server(server.address()).timeout(SHORT).retries(1).build();

    DnsAnswer<TxtRecord> txt = answer(client.txt("_mta-sts.example.com"));

    assertEquals(Status.ANSWER, txt.status());
    assertEquals(2, server.udpQueries());
  }

  @Test
  @DisplayName(
      "STS-DISC-16: a server that never answers gives DnsTimeoutException after every attempt")
  void timeout() throws Exception {
    server = new LoopbackDnsServer(zone).dropUdp(Integer.MAX_VALUE);
    DnsClient client =
        DnsClient.builder().server(server.address()).timeout(SHORT).retries(1).build();

    DnsException e = failure(client.txt("_mta-sts.example.com"));

    assertInstanceOf(DnsTimeoutException.class, e);
    int port = server.address().getPort();
    assertEquals(
        "DNS lookup of _mta-sts.example.com TXT failed: timed out, no answer from 127.0.0.1:"
            + port
            + " (2 attempts, 300 ms each)",
        e.getMessage());
    server.awaitUdpQueries(2, Duration.ofSeconds(5));
  }

  @Test
  @DisplayName("A server that answers REFUSED is skipped for the next one")
  void failoverOnRefused() throws Exception {
    other =
        new LoopbackDnsServer(
            new FakeResolver().rcode("_mta-sts.example.com", Type.TXT, Rcode.REFUSED));
    server = new LoopbackDnsServer(zone);
    DnsClient client =
        DnsClient.builder().server(other.address()).server(server.address()).retries(0).build();

    DnsAnswer<TxtRecord> txt = answer(client.txt("_mta-sts.example.com"));

    assertEquals(Status.ANSWER, txt.status());
    assertEquals(1, other.udpQueries());
    assertEquals(1, server.udpQueries());
  }

  @Test
  @DisplayName(
      "STS-DISC-16: SERVFAIL on every attempt is a DnsServerFailureException naming the server")
  void servfailAfterRetries() throws Exception {
    server =
        new LoopbackDnsServer(
            new FakeResolver().rcode("_mta-sts.example.com", Type.TXT, Rcode.SERVFAIL));
    DnsClient client = DnsClient.builder().server(server.address()).retries(1).build();

    DnsServerFailureException e =
        assertInstanceOf(
            DnsServerFailureException.class, failure(client.txt("_mta-sts.example.com")));

    assertEquals("127.0.0.1:" + server.address().getPort(), e.server());
    assertTrue(e.getMessage().endsWith("SERVFAIL from 127.0.0.1:" + server.address().getPort()));
    assertEquals(2, server.udpQueries());
  }
}
