package org.mtasts.testkit.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mtasts.testkit.dns.DnsClient.answers;
import static org.mtasts.testkit.dns.DnsClient.send;
import static org.mtasts.testkit.dns.DnsClient.sendAsync;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.mtasts.testkit.dns.RawDns.TcpConnection;
import org.mtasts.testkit.dns.TestDnsServer.Transport;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** Start, close, counters and robustness against bad input. */
class TestDnsServerLifecycleTest {

  private static List<String> liveThreads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith(prefix))
        .collect(Collectors.toList());
  }

  @Test
  void start_bindsUdpAndTcpOnOneLoopbackPort_quickly() throws Exception {
    TestDnsServer dns =
        assertTimeoutPreemptively(Duration.ofSeconds(1), () -> new TestDnsServer().start());
    try (dns) {
      InetSocketAddress address = dns.address();
      assertEquals(InetAddress.getByName("127.0.0.1"), address.getAddress());
      assertTrue(address.getPort() > 0);
      dns.a("example.com", "192.0.2.1");
      assertEquals(1, answers(send(dns, "example.com", "A", Transport.UDP)).size());
      assertEquals(1, answers(send(dns, "example.com", "A", Transport.TCP)).size());
    }
  }

  @Test
  void close_releasesThePortAndEveryThread() throws Exception {
    TestDnsServer dns = new TestDnsServer().start();
    int port = dns.address().getPort();
    String prefix = "TestDnsServer-" + port + "-";
    dns.a("example.com", "192.0.2.1").delay("slow.example", Duration.ofSeconds(30));
    send(dns, "example.com", "A", Transport.TCP); // opens a connection thread
    send(dns, "example.com", "A", Transport.UDP);
    TcpConnection idle = new TcpConnection(dns.address()); // a connection left open
    SimpleResolver resolver = DnsClient.resolver(dns.address(), Transport.UDP);
    CompletableFuture<Message> pending = sendAsync(resolver, "slow.example", "A");
    DnsClient.await("the slow query arrived", () -> dns.queryCount("slow.example", "A") == 1);
    // udp, accept, delay (the scheduler), tcp (dnsjava's connection), tcp-1 (the idle one)
    DnsClient.await("five server threads run", () -> liveThreads(prefix).size() == 5);

    dns.close();

    assertEquals(List.of(), liveThreads(prefix));
    assertEquals(-1, idle.readByte(), "open connections are closed");
    idle.close();
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, port));
        ServerSocket tcp = new ServerSocket()) {
      tcp.bind(new InetSocketAddress(loopback, port));
    }
    assertEquals(port, dns.address().getPort(), "address() still tells where it was");
    dns.close(); // idempotent
    pending.cancel(true);
  }

  @Test
  void lifecycleMisuse_isRejected() throws Exception {
    TestDnsServer dns = new TestDnsServer();
    assertThrows(IllegalStateException.class, dns::address);
    dns.txt("before.start", "records may be set before start()");
    dns.start();
    try {
      assertThrows(IllegalStateException.class, dns::start);
      assertEquals(1, answers(send(dns, "before.start", "TXT", Transport.UDP)).size());
    } finally {
      dns.close();
    }
    assertThrows(IllegalStateException.class, dns::start);
    new TestDnsServer().close(); // closing a server never started is fine
  }

  @Test
  void manyServers_runSideBySide() throws Exception {
    List<TestDnsServer> servers = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        servers.add(new TestDnsServer().start().txt("who.example", "server " + i));
      }
      for (int i = 0; i < servers.size(); i++) {
        assertEquals(
            List.of(List.of("server " + i)),
            DnsClient.txtStrings(send(servers.get(i), "who.example", "TXT", Transport.UDP)));
      }
    } finally {
      servers.forEach(TestDnsServer::close);
    }
  }

  @Test
  void counters_countPerNameTypeAndTransport_andLogTheQueries() throws Exception {
    try (TestDnsServer dns = new TestDnsServer().start()) {
      dns.txt("_mta-sts.example.com", "v=STSv1; id=1");
      send(dns, "_mta-sts.example.com", "TXT", Transport.UDP);
      send(dns, "_MTA-STS.Example.COM.", "TXT", Transport.UDP);
      send(dns, "_mta-sts.example.com", "TXT", Transport.TCP);
      send(dns, "example.com", "MX", Transport.UDP);

      assertEquals(3, dns.queryCount("_mta-sts.example.com", "TXT"));
      assertEquals(3, dns.queryCount("_mta-sts.EXAMPLE.com.", "txt"));
      assertEquals(2, dns.queryCount("_mta-sts.example.com", "TXT", Transport.UDP));
      assertEquals(1, dns.queryCount("_mta-sts.example.com", "TXT", Transport.TCP));
      assertEquals(0, dns.queryCount("_mta-sts.example.com", "A"));
      assertEquals(1, dns.queryCount("example.com", "MX"));
      assertEquals(
          List.of(
              new RecordedQuery("_mta-sts.example.com.", "TXT", Transport.UDP),
              new RecordedQuery("_mta-sts.example.com.", "TXT", Transport.UDP),
              new RecordedQuery("_mta-sts.example.com.", "TXT", Transport.TCP),
              new RecordedQuery("example.com.", "MX", Transport.UDP)),
          dns.queries());

      dns.resetCounts();
      assertEquals(0, dns.queryCount("_mta-sts.example.com", "TXT"));
      assertEquals(List.of(), dns.queries());
    }
  }

  @Test
  void burstOfConcurrentQueries_isAllAnswered() throws Exception {
    try (TestDnsServer dns = new TestDnsServer().start()) {
      dns.a("example.com", "192.0.2.1");
      SimpleResolver udp = DnsClient.resolver(dns.address(), Transport.UDP);
      SimpleResolver tcp = DnsClient.resolver(dns.address(), Transport.TCP);
      List<CompletableFuture<Message>> answers = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        answers.add(sendAsync(i % 2 == 0 ? udp : tcp, "example.com", "A"));
        if (i == 25) {
          dns.a("example.com", "192.0.2.2"); // data changed while queries are in flight
        }
      }
      for (CompletableFuture<Message> answer : answers) {
        assertEquals(Rcode.NOERROR, answer.get(5, TimeUnit.SECONDS).getRcode());
      }
      assertEquals(25, dns.queryCount("example.com", "A", Transport.UDP));
      assertEquals(25, dns.queryCount("example.com", "A", Transport.TCP));
    }
  }

  @Test
  void malformedUdpPackets_areIgnoredOrFormerr_andTheServerKeepsAnswering() throws Exception {
    try (TestDnsServer dns = new TestDnsServer().start();
        DatagramSocket socket = new DatagramSocket()) {
      dns.a("example.com", "192.0.2.1");
      socket.setSoTimeout(RawDns.TIMEOUT_MILLIS);
      InetSocketAddress server = dns.address();

      sendRaw(socket, server, new byte[] {1, 2, 3}); // shorter than a header: ignored
      Header response = new Header(0x1234);
      response.setFlag(Flags.QR);
      sendRaw(socket, server, response.toWire()); // a response: never answered
      // id 0x4321, RD, QDCOUNT 1, but no question follows
      sendRaw(socket, server, new byte[] {0x43, 0x21, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0});

      Message formerr = new Message(RawDns.receive(socket));
      assertEquals(0x4321, formerr.getHeader().getID(), "the first reply is the FORMERR");
      assertEquals(Rcode.FORMERR, formerr.getRcode());
      assertTrue(formerr.getHeader().getFlag(Flags.QR));

      Message query = DnsClient.query("example.com", "A");
      sendRaw(socket, server, query.toWire());
      Message answer = new Message(RawDns.receive(socket));
      assertEquals(query.getHeader().getID(), answer.getHeader().getID());
      assertEquals(1, answers(answer).size());
    }
  }

  @Test
  void unsupportedQueries_getNotimpOrRefused() throws Exception {
    try (TestDnsServer dns = new TestDnsServer().start()) {
      dns.a("example.com", "192.0.2.1");

      Message notify = DnsClient.query("example.com", "SOA");
      notify.getHeader().setOpcode(Opcode.NOTIFY);
      assertEquals(Rcode.NOTIMP, RawDns.udpExchange(dns.address(), notify).getRcode());

      Message chaos =
          Message.newQuery(Record.newRecord(Name.fromString("version.bind."), Type.TXT, DClass.CH));
      assertEquals(Rcode.REFUSED, RawDns.udpExchange(dns.address(), chaos).getRcode());

      try (TcpConnection tcp = new TcpConnection(dns.address())) {
        tcp.write(DnsClient.query("example.com", "AXFR").toWire());
        assertEquals(Rcode.REFUSED, tcp.read().getRcode());
      }
    }
  }

  @Test
  void tcp_servesSeveralMessagesPerConnection_andSurvivesGarbage() throws Exception {
    try (TestDnsServer dns = new TestDnsServer().start();
        TcpConnection tcp = new TcpConnection(dns.address())) {
      dns.a("one.example", "192.0.2.1").a("two.example", "192.0.2.2");
      Message one = DnsClient.query("one.example", "A");
      Message two = DnsClient.query("two.example", "A");

      tcp.write(new byte[] {9, 9, 9}, one.toWire(), two.toWire()); // pipelined in one write

      Message first = tcp.read();
      Message second = tcp.read();
      assertEquals(one.getHeader().getID(), first.getHeader().getID());
      assertEquals("192.0.2.1", answers(first).get(0).rdataToString());
      assertEquals(two.getHeader().getID(), second.getHeader().getID());
      assertEquals("192.0.2.2", answers(second).get(0).rdataToString());

      tcp.write(new byte[0], one.toWire());
      assertEquals(one.getHeader().getID(), tcp.read().getHeader().getID());
    }
  }

  @Test
  void tcpConnectionsBeyondTheLimit_areClosed() throws Exception {
    try (TestDnsServer dns = new TestDnsServer().start()) {
      dns.a("example.com", "192.0.2.1");
      List<TcpConnection> open = new ArrayList<>();
      try {
        for (int i = 0; i < TestDnsServer.MAX_TCP_CONNECTIONS; i++) {
          TcpConnection c = new TcpConnection(dns.address());
          open.add(c);
          c.write(DnsClient.query("example.com", "A").toWire());
          assertEquals(1, answers(c.read()).size()); // served by its own thread
        }
        try (TcpConnection extra = new TcpConnection(dns.address())) {
          assertEquals(-1, extra.readByte());
        }
        open.get(0).write(DnsClient.query("example.com", "A").toWire());
        assertEquals(1, answers(open.get(0).read()).size(), "existing connections still work");
      } finally {
        for (TcpConnection c : open) {
          c.close();
        }
      }
    }
  }

  private static void sendRaw(DatagramSocket socket, InetSocketAddress server, byte[] data)
      throws Exception {
    socket.send(new DatagramPacket(data, data.length, server));
  }
}
