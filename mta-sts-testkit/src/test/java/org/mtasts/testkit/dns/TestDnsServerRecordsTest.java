package org.mtasts.testkit.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mtasts.testkit.dns.DnsClient.answers;
import static org.mtasts.testkit.dns.DnsClient.send;
import static org.mtasts.testkit.dns.DnsClient.txtStrings;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mtasts.testkit.dns.TestDnsServer.Transport;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.LookupResult;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.RedirectLoopException;

/** Record data as seen on the wire by an independent client (dnsjava), over UDP and TCP. */
class TestDnsServerRecordsTest {
  private TestDnsServer dns;

  @BeforeEach
  void start() throws Exception {
    dns = new TestDnsServer().start();
  }

  @AfterEach
  void stop() {
    dns.close();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  void aAndAaaa_areAnswered_withIdQuestionAndFlags(Transport transport) throws Exception {
    dns.a("mx1.example.com", "127.0.0.1").a("mx1.example.com", "127.0.0.2");
    dns.aaaa("mx1.example.com", "::1");

    Message query = DnsClient.query("MX1.Example.COM", "A");
    Message a = DnsClient.resolver(dns.address(), transport).send(query);
    assertEquals(Rcode.NOERROR, a.getRcode());
    assertEquals(query.getHeader().getID(), a.getHeader().getID());
    assertEquals(query.getQuestion(), a.getQuestion());
    assertEquals("MX1.Example.COM.", a.getQuestion().getName().toString(), "question echoed");
    assertTrue(a.getHeader().getFlag(Flags.QR));
    assertTrue(a.getHeader().getFlag(Flags.AA));
    assertTrue(a.getHeader().getFlag(Flags.RA));
    assertTrue(a.getHeader().getFlag(Flags.RD), "RD copied from the query");
    assertFalse(a.getHeader().getFlag(Flags.TC));
    assertEquals(
        List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2")),
        answers(a).stream().map(r -> ((ARecord) r).getAddress()).collect(Collectors.toList()));

    Message aaaa = send(dns, "mx1.example.com.", "AAAA", transport);
    assertEquals(1, answers(aaaa).size());
    assertEquals(InetAddress.getByName("::1"), ((AAAARecord) answers(aaaa).get(0)).getAddress());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Transport.class)
  void mx_isAnsweredWithPreferences(Transport transport) throws Exception {
    dns.mx("example.com", 20, "mx2.example.com").mx("example.com", 10, "MX1.example.com.");

    Message response = send(dns, "example.com", "MX", transport);

    List<String> mx =
        answers(response).stream()
            .map(r -> ((MXRecord) r).getPriority() + " " + ((MXRecord) r).getTarget())
            .collect(Collectors.toList());
    assertEquals(List.of("20 mx2.example.com.", "10 mx1.example.com."), mx);
  }

  @ParameterizedTest(name = "STS-MX-09 null MX over {0}")
  @EnumSource(Transport.class)
  void nullMx_arrivesAsPreferenceZeroAndRootTarget(Transport transport) throws Exception {
    dns.mx("nomail.example", 0, ".");

    Message response = send(dns, "nomail.example", "MX", transport);

    assertEquals(1, answers(response).size());
    MXRecord mx = (MXRecord) answers(response).get(0);
    assertEquals(0, mx.getPriority());
    assertEquals(Name.root, mx.getTarget());
  }

  @ParameterizedTest(name = "STS-DISC-03 over {0}")
  @EnumSource(Transport.class)
  void txtWithSeveralStrings_arrivesAsOneRecordWithSeveralStrings(Transport transport)
      throws Exception {
    dns.txt("_mta-sts.example.com", List.of("v=STSv1; id=", "abc123"));

    Message response = send(dns, "_mta-sts.example.com", "TXT", transport);

    assertEquals(List.of(List.of("v=STSv1; id=", "abc123")), txtStrings(response));
  }

  @ParameterizedTest(name = "STS-DISC-04 over {0}")
  @EnumSource(Transport.class)
  void severalTxtRecords_allArrive(Transport transport) throws Exception {
    dns.txt("_mta-sts.example.com", "v=spf1 -all")
        .txt("_mta-sts.example.com", "google-site-verification=x")
        .txt("_mta-sts.example.com", "v=STSv1; id=1")
        .txt("_mta-sts.example.com", "v=STSv1; id=1"); // duplicate RDATA: an RRset is a set

    Message response = send(dns, "_mta-sts.example.com", "TXT", transport);

    assertEquals(
        List.of(
            List.of("v=spf1 -all"),
            List.of("google-site-verification=x"),
            List.of("v=STSv1; id=1")),
        txtStrings(response));
  }

  @Test
  void txt_isSentAsUtf8BytesWithoutEscapeProcessing() throws Exception {
    dns.txt("_mta-sts.example.com", "v=STSv1; id=1; x=\u00e9; y=a\\059b\"").txt("e.example", "");

    Message response = send(dns, "_mta-sts.example.com", "TXT", Transport.UDP);

    @SuppressWarnings("unchecked")
    List<byte[]> raw = ((TXTRecord) answers(response).get(0)).getStringsAsByteArrays();
    assertArrayEquals(
        "v=STSv1; id=1; x=\u00e9; y=a\\059b\"".getBytes(StandardCharsets.UTF_8), raw.get(0));
    assertEquals(List.of(List.of("")), txtStrings(send(dns, "e.example", "TXT", Transport.UDP)));
  }

  @ParameterizedTest(name = "STS-DISC-02 over {0}")
  @EnumSource(Transport.class)
  void cnameChain_isInTheAnswerBeforeTheTarget(Transport transport) throws Exception {
    dns.cname("_mta-sts.user.example", "_mta-sts.provider.example")
        .cname("_mta-sts.provider.example", "sts.hosting.example")
        .txt("sts.hosting.example", "v=STSv1; id=P1");

    Message response = send(dns, "_mta-sts.user.example", "TXT", transport);

    assertEquals(Rcode.NOERROR, response.getRcode());
    List<Record> answer = answers(response);
    assertEquals(3, answer.size(), answer::toString);
    assertEquals("_mta-sts.user.example.", answer.get(0).getName().toString());
    assertEquals(
        "_mta-sts.provider.example.", ((CNAMERecord) answer.get(0)).getTarget().toString());
    assertEquals("sts.hosting.example.", ((CNAMERecord) answer.get(1)).getTarget().toString());
    assertEquals("sts.hosting.example.", answer.get(2).getName().toString());
    assertEquals(List.of("v=STSv1; id=P1"), ((TXTRecord) answer.get(2)).getStrings());
    assertEquals(1, dns.queryCount("_mta-sts.user.example", "TXT"));
    assertEquals(0, dns.queryCount("sts.hosting.example", "TXT"), "chain followed inside");
  }

  @Test
  void cnameChain_isResolvedByLookupSession() throws Exception {
    dns.cname("_mta-sts.user.example", "_mta-sts.provider.example")
        .txt("_mta-sts.provider.example", "v=STSv1; id=P1");
    LookupSession session =
        LookupSession.builder().resolver(DnsClient.resolver(dns.address(), Transport.UDP)).build();

    LookupResult result =
        session
            .lookupAsync(Name.fromString("_mta-sts.user.example."), Type.TXT)
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS);

    assertEquals(List.of(Name.fromString("_mta-sts.user.example.")), result.getAliases());
    assertEquals(List.of("v=STSv1; id=P1"), ((TXTRecord) result.getRecords().get(0)).getStrings());
  }

  @Test
  void cnameQuery_returnsOnlyTheCname() throws Exception {
    dns.cname("alias.example", "target.example").a("target.example", "192.0.2.1");

    Message response = send(dns, "alias.example", "CNAME", Transport.UDP);

    assertEquals(1, answers(response).size());
    assertInstanceOf(CNAMERecord.class, answers(response).get(0));
  }

  @Test
  void cnameLoop_isAnsweredWithEachLinkOnce_andLookupSessionGivesUp() throws Exception {
    dns.cname("a.loop.example", "b.loop.example").cname("b.loop.example", "a.loop.example");

    Message response = send(dns, "a.loop.example", "TXT", Transport.UDP);
    assertEquals(Rcode.NOERROR, response.getRcode());
    assertEquals(2, answers(response).size(), () -> answers(response).toString());

    LookupSession session =
        LookupSession.builder().resolver(DnsClient.resolver(dns.address(), Transport.UDP)).build();
    CompletableFuture<LookupResult> lookup =
        session.lookupAsync(Name.fromString("a.loop.example."), Type.TXT).toCompletableFuture();
    Exception failure =
        org.junit.jupiter.api.Assertions.assertThrows(
            Exception.class, () -> lookup.get(5, TimeUnit.SECONDS));
    assertInstanceOf(RedirectLoopException.class, failure.getCause(), failure::toString);
  }

  @Test
  void longCnameChain_isCutAtSixteenLinks() throws Exception {
    for (int i = 0; i < 20; i++) {
      dns.cname("c" + i + ".example", "c" + (i + 1) + ".example");
    }

    Message response = send(dns, "c0.example", "A", Transport.UDP);

    assertEquals(16, answers(response).size());
  }

  @Test
  void cnameToMissingName_isNxdomainWithTheChain_rfc6604() throws Exception {
    dns.cname("dangling.example", "missing.example");

    Message response = send(dns, "dangling.example", "A", Transport.UDP);

    assertEquals(Rcode.NXDOMAIN, response.getRcode());
    assertEquals(1, answers(response).size());
    assertInstanceOf(SOARecord.class, response.getSection(Section.AUTHORITY).get(0));
  }

  @ParameterizedTest(name = "STS-DISC-15 over {0}")
  @EnumSource(Transport.class)
  void nxdomainAndNodata_areToldApart(Transport transport) throws Exception {
    dns.txt("_mta-sts.example.com", "v=STSv1; id=1");

    Message otherType = send(dns, "_mta-sts.example.com", "A", transport);
    assertEquals(Rcode.NOERROR, otherType.getRcode(), "NODATA: the name has other types");
    assertTrue(answers(otherType).isEmpty());
    assertInstanceOf(SOARecord.class, otherType.getSection(Section.AUTHORITY).get(0));

    Message emptyNonTerminal = send(dns, "example.com", "MX", transport);
    assertEquals(Rcode.NOERROR, emptyNonTerminal.getRcode(), "NODATA: a name below exists");
    assertTrue(answers(emptyNonTerminal).isEmpty());

    Message missing = send(dns, "_mta-sts.other.example", "TXT", transport);
    assertEquals(Rcode.NXDOMAIN, missing.getRcode());
    assertTrue(answers(missing).isEmpty());
    assertTrue(missing.getHeader().getFlag(Flags.AA));
    SOARecord soa = (SOARecord) missing.getSection(Section.AUTHORITY).get(0);
    assertEquals(300, soa.getMinimum());

    Message below = send(dns, "x._mta-sts.example.com", "TXT", transport);
    assertEquals(Rcode.NXDOMAIN, below.getRcode());
  }

  @Test
  void anyQuery_returnsEveryRecordOfTheName() throws Exception {
    dns.a("example.com", "192.0.2.1")
        .mx("example.com", 10, "mx.example.com")
        .txt("example.com", "t");

    Message response = send(dns, "example.com", "ANY", Transport.TCP);

    assertEquals(3, answers(response).size());
  }

  @Test
  void recordsChangedWhileRunning_areServedToTheNextQuery() throws Exception {
    dns.txt("_mta-sts.example.com", "v=STSv1; id=1");
    assertEquals(
        List.of(List.of("v=STSv1; id=1")),
        txtStrings(send(dns, "_mta-sts.example.com", "TXT", Transport.UDP)));

    dns.remove("_mta-sts.example.com", "TXT").txt("_mta-sts.example.com", "v=STSv1; id=2");
    assertEquals(
        List.of(List.of("v=STSv1; id=2")),
        txtStrings(send(dns, "_mta-sts.example.com", "TXT", Transport.UDP)));

    dns.remove("_mta-sts.example.com");
    assertEquals(
        Rcode.NXDOMAIN, send(dns, "_mta-sts.example.com", "TXT", Transport.UDP).getRcode());

    dns.txt("_mta-sts.example.com", "v=STSv1; id=3").reset();
    assertEquals(
        Rcode.NXDOMAIN, send(dns, "_mta-sts.example.com", "TXT", Transport.UDP).getRcode());
    assertEquals(1, dns.queries().size(), "reset() also cleared the log");
  }

  @Test
  void ttls_defaultToFiveMinutes_andCanBeSet() throws Exception {
    dns.txt("a.example", "one");
    assertEquals(300, answers(send(dns, "a.example", "TXT", Transport.UDP)).get(0).getTTL());

    dns.defaultTtl(Duration.ofSeconds(60)).txt("b.example", "two");
    assertEquals(60, answers(send(dns, "b.example", "TXT", Transport.UDP)).get(0).getTTL());
    SOARecord soa =
        (SOARecord)
            send(dns, "nothing.example", "TXT", Transport.UDP).getSection(Section.AUTHORITY).get(0);
    assertEquals(60, soa.getTTL());
    assertEquals(60, soa.getMinimum());

    dns.ttl("a.example", "TXT", Duration.ofSeconds(7)).txt("a.example", "three");
    List<Record> a = answers(send(dns, "a.example", "TXT", Transport.UDP));
    assertEquals(2, a.size());
    assertEquals(List.of(7L, 7L), a.stream().map(Record::getTTL).collect(Collectors.toList()));

    dns.defaultTtl(Duration.ZERO).a("c.example", "192.0.2.1");
    assertEquals(0, answers(send(dns, "c.example", "A", Transport.UDP)).get(0).getTTL());
  }

  @Test
  void response_carriesOpt_onlyWhenTheQueryDoes() throws Exception {
    dns.a("example.com", "192.0.2.1");

    Message withEdns = send(dns, "example.com", "A", Transport.UDP); // dnsjava sends EDNS
    assertNotNull(withEdns.getOPT());
    assertEquals(Responder.EDNS_PAYLOAD_SIZE, withEdns.getOPT().getPayloadSize());

    Message plain = RawDns.udpExchange(dns.address(), DnsClient.query("example.com", "A"));
    assertNull(plain.getOPT());
    assertEquals(1, answers(plain).size());
  }
}
