package org.mtasts.internal.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mtasts.MutableClock;
import org.mtasts.dns.DnsAnswer;
import org.mtasts.dns.DnsAnswer.Status;
import org.mtasts.dns.DnsException;
import org.mtasts.dns.DnsServerFailureException;
import org.mtasts.dns.DnsTimeoutException;
import org.mtasts.dns.MxRecord;
import org.mtasts.dns.TxtRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

class DnsjavaClientTest {

  private static final String SOA =
      "example.com. 3600 SOA ns.example.com. admin.example.com. 1 7200 900 1209600 600";

  private final FakeResolver fake = new FakeResolver();

  // ---- TXT, names ------------------------------------------------------------------------

  @Test
  @DisplayName("STS-DISC-01: TXT is asked for at exactly the given name, once")
  void txt_asksForExactlyTheName() {
    fake.add("_mta-sts.example.com. TXT \"v=STSv1; id=1\"");

    DnsAnswer<TxtRecord> answer = answer(fake.client().txt("_mta-sts.example.com"));

    assertEquals(List.of("_mta-sts.example.com. TXT"), fake.queries());
    assertEquals(Status.ANSWER, answer.status());
    assertEquals("_mta-sts.example.com", answer.name());
    assertEquals("_mta-sts.example.com", answer.canonicalName());
    assertEquals(List.of(TxtRecord.of("v=STSv1; id=1")), answer.records());
  }

  @Test
  @DisplayName("Names are normalised: any case and a trailing dot give the same lower-case name")
  void txt_normalisesTheName() {
    fake.add("_mta-sts.example.com. TXT \"v=STSv1; id=1\"");

    DnsAnswer<TxtRecord> answer = answer(fake.client().txt("_MTA-STS.Example.COM."));

    assertEquals("_mta-sts.example.com", answer.name());
    assertEquals(Status.ANSWER, answer.status());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "exa mple.com", "bücher.example", "a..b", ".example.com", "a/b.example"})
  @DisplayName("Names that are not ASCII DNS names are refused before any query")
  void txt_refusesInvalidNames(String name) {
    DnsjavaClient client = fake.client();
    assertThrows(IllegalArgumentException.class, () -> client.txt(name));
    assertThrows(NullPointerException.class, () -> client.txt(null));
    assertEquals(List.of(), fake.queries());
  }

  @Test
  @DisplayName(
      "STS-DISC-03: the character-strings of one TXT record are joined with nothing in between")
  void txt_joinsStrings() {
    fake.add(
        "_mta-sts.a.example. TXT \"v=STSv1; id=\" \"abc123\"",
        "_mta-sts.b.example. TXT \"v=STSv1;\" \"id=1\"");
    DnsjavaClient client = fake.client();

    TxtRecord a = answer(client.txt("_mta-sts.a.example")).records().get(0);
    TxtRecord b = answer(client.txt("_mta-sts.b.example")).records().get(0);

    assertEquals("v=STSv1; id=abc123", a.text());
    assertEquals(List.of("v=STSv1; id=", "abc123"), a.strings());
    assertEquals("v=STSv1;id=1", b.text());
  }

  @Test
  @DisplayName("STS-DISC-04: every TXT record of the RRset is returned, each joined on its own")
  void txt_returnsEveryRecord() {
    fake.add(
        "example.com. TXT \"v=spf1 -all\"",
        "example.com. TXT \"v=STSv1; id=1\"",
        "example.com. TXT \"a\" \"b\"");

    List<String> texts =
        answer(fake.client().txt("example.com")).records().stream().map(TxtRecord::text).toList();

    assertEquals(List.of("v=spf1 -all", "v=STSv1; id=1", "ab"), texts);
  }

  @Test
  @DisplayName(
      "STS-DISC-12: non-ASCII bytes stay visible as non-ASCII characters; a UTF-8 sequence split"
          + " across strings survives the join")
  void txt_keepsNonAsciiVisible() {
    fake.add(
        "a.example. TXT \"x=caf\\195\\169\"", // "café" in UTF-8
        "b.example. TXT \"x=\\255\"", // not UTF-8 at all
        "c.example. TXT \"x=caf\\195\" \"\\169\""); // é split in two strings

    DnsjavaClient client = fake.client();
    assertEquals("x=café", answer(client.txt("a.example")).records().get(0).text());
    assertEquals("x=\uFFFD", answer(client.txt("b.example")).records().get(0).text());
    TxtRecord c = answer(client.txt("c.example")).records().get(0);
    assertEquals("x=café", c.text());
    assertTrue(c.strings().get(0).chars().anyMatch(ch -> ch > 0x7F));
  }

  // ---- CNAME chains (STS-DISC-02, D-16) ---------------------------------------------------

  @ParameterizedTest(name = "whole chain in one response: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("STS-DISC-02: a CNAME chain from _mta-sts.<domain> to the TXT record is followed")
  void txt_followsCnameChain(boolean chase) {
    fake.chaseCnames(chase)
        .add(
            "_mta-sts.user.example. 600 CNAME _mta-sts.provider.example.",
            "_mta-sts.provider.example. 300 CNAME sts.provider.example.",
            "sts.provider.example. 900 TXT \"v=STSv1; id=P1\"");

    DnsAnswer<TxtRecord> answer = answer(fake.client().txt("_mta-sts.user.example"));

    assertEquals(Status.ANSWER, answer.status());
    assertEquals("v=STSv1; id=P1", answer.records().get(0).text());
    assertEquals("_mta-sts.user.example", answer.name());
    assertEquals("sts.provider.example", answer.canonicalName());
    assertEquals(Duration.ofSeconds(300), answer.ttl(), "smallest TTL along the chain");
  }

  @ParameterizedTest(name = "whole chain in one response: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("D-16: a chain of 8 CNAME links is followed")
  void txt_followsEightLinks(boolean chase) {
    fake.chaseCnames(chase).add(chain(8));

    DnsAnswer<TxtRecord> answer = answer(fake.client().txt("c0.example"));

    assertEquals(Status.ANSWER, answer.status());
    assertEquals("c8.example", answer.canonicalName());
  }

  @ParameterizedTest(name = "whole chain in one response: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("D-16: a chain of 9 CNAME links is 'no record' (CNAME_CHAIN_TOO_LONG), not an error")
  void txt_stopsAtNineLinks(boolean chase) {
    fake.chaseCnames(chase).add(chain(9));

    DnsAnswer<TxtRecord> answer = answer(fake.client().txt("c0.example"));

    assertEquals(Status.CNAME_CHAIN_TOO_LONG, answer.status());
    assertFalse(answer.hasRecords());
    assertEquals(Duration.ZERO, answer.ttl());
  }

  @ParameterizedTest(name = "whole chain in one response: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("D-16: a CNAME loop is 'no record' (CNAME_CHAIN_TOO_LONG), not an error")
  void txt_cnameLoopIsNoRecord(boolean chase) {
    fake.chaseCnames(chase)
        .add(
            "_mta-sts.loop.example. CNAME a.loop.example.",
            "a.loop.example. CNAME b.loop.example.",
            "b.loop.example. CNAME a.loop.example.",
            "self.loop.example. CNAME self.loop.example.");
    DnsjavaClient client = fake.client();

    assertEquals(Status.CNAME_CHAIN_TOO_LONG, answer(client.txt("_mta-sts.loop.example")).status());
    assertEquals(Status.CNAME_CHAIN_TOO_LONG, answer(client.txt("self.loop.example")).status());
  }

  @Test
  @DisplayName("D-16: the chain limit is configurable; 0 follows no CNAME at all")
  void txt_chainLimitIsConfigurable() {
    fake.add(chain(2));

    DnsjavaClient none = fake.client(FakeResolver.settings(0, 0, null, clock()));
    DnsjavaClient two = fake.client(FakeResolver.settings(0, 2, null, clock()));
    DnsjavaClient one = fake.client(FakeResolver.settings(0, 1, null, clock()));

    assertEquals(Status.CNAME_CHAIN_TOO_LONG, answer(none.txt("c0.example")).status());
    assertEquals(Status.CNAME_CHAIN_TOO_LONG, answer(one.txt("c0.example")).status());
    assertEquals(Status.ANSWER, answer(two.txt("c0.example")).status());
  }

  @ParameterizedTest(name = "whole chain in one response: {0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("A CNAME to a name that does not exist is NXDOMAIN at the target")
  void txt_danglingCnameIsNxdomain(boolean chase) {
    fake.chaseCnames(chase).add(SOA, "_mta-sts.example.com. CNAME gone.example.com.");

    DnsAnswer<TxtRecord> answer = answer(fake.client().txt("_mta-sts.example.com"));

    assertEquals(Status.NXDOMAIN, answer.status());
    assertEquals("_mta-sts.example.com", answer.name());
    assertEquals("gone.example.com", answer.canonicalName());
  }

  // ---- negative answers (STS-DISC-15) -----------------------------------------------------

  @Test
  @DisplayName(
      "STS-DISC-15: NODATA is 'no record', with the SOA's negative TTL (RFC 2308: min of TTL and"
          + " MINIMUM)")
  void txt_nodataIsNoRecord() {
    fake.add(SOA, "_mta-sts.example.com. A 192.0.2.1");

    DnsAnswer<TxtRecord> answer = answer(fake.client().txt("_mta-sts.example.com"));

    assertEquals(Status.NODATA, answer.status());
    assertEquals(List.of(), answer.records());
    assertEquals(Duration.ofSeconds(600), answer.ttl());
    assertFalse(answer.authenticated());
  }

  @Test
  @DisplayName(
      "STS-DISC-15: NODATA served from the cache is still 'no record' (asked twice, sent once)")
  void txt_cachedNodataIsNoRecord() {
    fake.add(SOA, "_mta-sts.example.com. A 192.0.2.1");
    DnsjavaClient client = fake.client();

    DnsAnswer<TxtRecord> fresh = answer(client.txt("_mta-sts.example.com"));
    DnsAnswer<TxtRecord> cached = answer(client.txt("_mta-sts.example.com"));

    assertEquals(Status.NODATA, fresh.status());
    assertEquals(Status.NODATA, cached.status());
    assertEquals(List.of(), cached.records());
    assertEquals(1, fake.count("_mta-sts.example.com", Type.TXT), "second answer from the cache");
  }

  @Test
  @DisplayName("STS-DISC-15: NXDOMAIN, fresh and from the cache, is 'no record'")
  void txt_nxdomainIsNoRecord() {
    fake.add(SOA);
    DnsjavaClient client = fake.client();

    DnsAnswer<TxtRecord> fresh = answer(client.txt("_mta-sts.example.com"));
    DnsAnswer<TxtRecord> cached = answer(client.txt("_mta-sts.example.com"));

    assertEquals(Status.NXDOMAIN, fresh.status());
    assertEquals(Duration.ofSeconds(600), fresh.ttl());
    assertEquals(Status.NXDOMAIN, cached.status());
    assertEquals(1, fake.count("_mta-sts.example.com", Type.TXT));
  }

  @Test
  @DisplayName("A negative answer without SOA has TTL 0 and is not cached (RFC 2308 §5)")
  void txt_negativeWithoutSoaIsNotCached() {
    fake.add("_mta-sts.example.com. A 192.0.2.1");
    DnsjavaClient client = fake.client();

    DnsAnswer<TxtRecord> first = answer(client.txt("_mta-sts.example.com"));
    answer(client.txt("_mta-sts.example.com"));

    assertEquals(Status.NODATA, first.status());
    assertEquals(Duration.ZERO, first.ttl());
    assertEquals(2, fake.count("_mta-sts.example.com", Type.TXT));
  }

  // ---- temporary failures (STS-DISC-16, SEC-28) -------------------------------------------

  @Test
  @DisplayName("STS-DISC-16: SERVFAIL is a temporary failure that names the lookup and the server")
  void txt_servfailIsTemporaryFailure() {
    fake.rcode("_mta-sts.example.com", Type.TXT, Rcode.SERVFAIL);

    DnsServerFailureException e =
        assertInstanceOf(
            DnsServerFailureException.class, failure(fake.client().txt("_mta-sts.example.com")));

    assertEquals(
        "DNS lookup of _mta-sts.example.com TXT failed: SERVFAIL from 192.0.2.53:53",
        e.getMessage());
    assertEquals("SERVFAIL", e.rcode());
    assertEquals("192.0.2.53:53", e.server());
    assertEquals("_mta-sts.example.com", e.queryName());
    assertEquals("TXT", e.queryType());
  }

  @Test
  @DisplayName("STS-DISC-16: REFUSED is a temporary failure with its own response code")
  void txt_refusedIsTemporaryFailure() {
    fake.rcode("_mta-sts.example.com", Type.TXT, Rcode.REFUSED);

    DnsServerFailureException e =
        assertInstanceOf(
            DnsServerFailureException.class, failure(fake.client().txt("_mta-sts.example.com")));

    assertEquals("REFUSED", e.rcode());
  }

  @Test
  @DisplayName("STS-DISC-16: SERVFAIL behind a CNAME names the original lookup and the target")
  void txt_servfailBehindCname() {
    fake.add("_mta-sts.user.example. CNAME _mta-sts.provider.example.")
        .rcode("_mta-sts.provider.example", Type.TXT, Rcode.SERVFAIL);

    DnsException e = failure(fake.client().txt("_mta-sts.user.example"));

    assertEquals(
        "DNS lookup of _mta-sts.user.example TXT failed: SERVFAIL from 192.0.2.53:53"
            + " (asking for _mta-sts.provider.example TXT)",
        e.getMessage());
  }

  @Test
  @DisplayName("STS-DISC-16: a timeout is a temporary DnsTimeoutException")
  void txt_timeoutIsTemporaryFailure() {
    fake.timeout("_mta-sts.example.com", Type.TXT);

    DnsException e = failure(fake.client().txt("_mta-sts.example.com"));

    assertInstanceOf(DnsTimeoutException.class, e);
    assertEquals(
        "DNS lookup of _mta-sts.example.com TXT failed: timed out, no answer from 192.0.2.53:53",
        e.getMessage());
  }

  @Test
  @DisplayName(
      "A truncated answer that was not retried over TCP is a failure, never a partial answer")
  void txt_truncatedIsFailure() {
    fake.add("_mta-sts.example.com. TXT \"v=STSv1; id=1\"")
        .truncate("_mta-sts.example.com", Type.TXT);

    DnsException e = failure(fake.client().txt("_mta-sts.example.com"));

    assertEquals(DnsException.class, e.getClass());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  @DisplayName("A referral from a server that does not recurse is a failure, not 'no record'")
  void txt_referralIsFailure() {
    fake.referral("_mta-sts.example.com", Type.TXT);

    DnsException e = failure(fake.client().txt("_mta-sts.example.com"));

    assertEquals(DnsException.class, e.getClass());
    assertTrue(e.getMessage().contains("referral instead of an answer"), e.getMessage());
  }

  @Test
  @DisplayName("The cache is keyed case-insensitively, like DNS names")
  void cache_isCaseInsensitive() {
    fake.add("example.com. TXT \"a\"");
    DnsjavaClient client = fake.client();

    answer(client.txt("Example.COM"));
    answer(client.txt("example.com"));

    assertEquals(1, fake.count("example.com", Type.TXT));
  }

  @Test
  @DisplayName("SEC-28: a failure is never cached as 'no record'; the next lookup asks again")
  void txt_failuresAreNotCached() {
    fake.rcode("_mta-sts.example.com", Type.TXT, Rcode.SERVFAIL);
    DnsjavaClient client = fake.client();

    failure(client.txt("_mta-sts.example.com"));
    failure(client.txt("_mta-sts.example.com"));

    assertEquals(2, fake.count("_mta-sts.example.com", Type.TXT));
  }

  // ---- TTL and cache ----------------------------------------------------------------------

  @Test
  @DisplayName(
      "TTL is the smallest of the RRset; from the cache it counts down; expired entries are asked"
          + " again")
  void cache_countsDownAndExpires() {
    fake.add("example.com. 300 TXT \"a\"", "example.com. 100 TXT \"b\"");
    MutableClock clock = new MutableClock(FakeResolver.NOW);
    DnsjavaClient client = fake.client(FakeResolver.settings(10, 8, null, clock));

    assertEquals(Duration.ofSeconds(100), answer(client.txt("example.com")).ttl());
    clock.advance(Duration.ofSeconds(40));
    assertEquals(Duration.ofSeconds(60), answer(client.txt("example.com")).ttl());
    assertEquals(1, fake.count("example.com", Type.TXT));

    clock.advance(Duration.ofSeconds(60));
    assertEquals(Duration.ofSeconds(100), answer(client.txt("example.com")).ttl());
    assertEquals(2, fake.count("example.com", Type.TXT));
  }

  @Test
  @DisplayName("cacheSize(0) turns the cache off")
  void cache_canBeTurnedOff() {
    fake.add("example.com. TXT \"a\"");
    DnsjavaClient client = fake.client(FakeResolver.settings(0, 8, null, clock()));

    answer(client.txt("example.com"));
    answer(client.txt("example.com"));

    assertEquals(2, fake.count("example.com", Type.TXT));
  }

  @Test
  @DisplayName("The cache is bounded: the least recently used response is dropped")
  void cache_isBounded() {
    fake.add("a.example. TXT \"a\"", "b.example. TXT \"b\"");
    DnsjavaClient client = fake.client(FakeResolver.settings(1, 8, null, clock()));

    answer(client.txt("a.example"));
    answer(client.txt("b.example"));
    answer(client.txt("a.example"));

    assertEquals(2, fake.count("a.example", Type.TXT));
  }

  @Test
  @DisplayName("Without DNSSEC validation, an AD flag from the upstream resolver is not trusted")
  void authenticated_upstreamAdFlagIsNotTrusted() {
    fake.add("example.com. TXT \"a\"").setAdFlag(true);

    assertFalse(answer(fake.client().txt("example.com")).authenticated());
  }

  // ---- MX ---------------------------------------------------------------------------------

  @Test
  @DisplayName("MX records come as published, exchange names normalised, the root as \".\"")
  void mx_recordsAsPublished() {
    fake.add(
        "example.com. MX 10 MX1.Example.COM.",
        "example.com. MX 20 mx2.example.com.",
        "example.com. MX 0 .");

    DnsAnswer<MxRecord> answer = answer(fake.client().mx("example.com"));

    assertEquals(
        List.of(
            new MxRecord(10, "mx1.example.com"),
            new MxRecord(20, "mx2.example.com"),
            new MxRecord(0, ".")),
        answer.records());
    assertTrue(answer.records().get(2).isRootExchange());
  }

  // ---- addresses --------------------------------------------------------------------------

  @Test
  @DisplayName("Addresses: A and AAAA are both asked; A addresses come first")
  void addresses_bothFamilies() throws Exception {
    fake.add(
        "mx.example.com. 300 AAAA 2001:db8::1",
        "mx.example.com. 200 A 192.0.2.1",
        "mx.example.com. 200 A 192.0.2.2");

    DnsAnswer<InetAddress> answer = answer(fake.client().addresses("mx.example.com"));

    assertEquals(
        List.of(
            InetAddress.getByName("192.0.2.1"),
            InetAddress.getByName("192.0.2.2"),
            InetAddress.getByName("2001:db8::1")),
        answer.records());
    assertEquals(Duration.ofSeconds(200), answer.ttl());
    assertEquals(1, fake.count("mx.example.com", Type.A));
    assertEquals(1, fake.count("mx.example.com", Type.AAAA));
  }

  @Test
  @DisplayName("Addresses: only one family published is an answer with that family")
  void addresses_oneFamily() throws Exception {
    fake.add(SOA, "mx.example.com. A 192.0.2.1");

    DnsAnswer<InetAddress> answer = answer(fake.client().addresses("mx.example.com"));

    assertEquals(Status.ANSWER, answer.status());
    assertEquals(List.of(InetAddress.getByName("192.0.2.1")), answer.records());
  }

  @Test
  @DisplayName("Addresses: A fails, AAAA answers: the AAAA addresses are the answer")
  void addresses_partialFailureWithRecords() throws Exception {
    fake.add("mx.example.com. AAAA 2001:db8::1").rcode("mx.example.com", Type.A, Rcode.SERVFAIL);

    DnsAnswer<InetAddress> answer = answer(fake.client().addresses("mx.example.com"));

    assertEquals(List.of(InetAddress.getByName("2001:db8::1")), answer.records());
  }

  @Test
  @DisplayName("Addresses: A fails, AAAA has none: a failure, not 'no address'")
  void addresses_partialFailureWithoutRecords() {
    fake.add(SOA, "mx.example.com. MX 10 other.example.com.")
        .rcode("mx.example.com", Type.A, Rcode.SERVFAIL);

    DnsServerFailureException e =
        assertInstanceOf(
            DnsServerFailureException.class, failure(fake.client().addresses("mx.example.com")));

    assertEquals(
        "DNS lookup of mx.example.com A failed: SERVFAIL from 192.0.2.53:53", e.getMessage());
  }

  @Test
  @DisplayName("Addresses: both fail: the A failure, with the AAAA failure suppressed")
  void addresses_bothFail() {
    fake.rcode("mx.example.com", Type.A, Rcode.SERVFAIL).timeout("mx.example.com", Type.AAAA);

    DnsException e = failure(fake.client().addresses("mx.example.com"));

    assertInstanceOf(DnsServerFailureException.class, e);
    assertEquals(1, e.getSuppressed().length);
    assertInstanceOf(DnsTimeoutException.class, e.getSuppressed()[0]);
  }

  @Test
  @DisplayName("Addresses: both NXDOMAIN is NXDOMAIN; NODATA and NXDOMAIN mixed is NODATA")
  void addresses_negative() {
    fake.add(SOA, "mx.example.com. MX 10 other.example.com.");
    DnsjavaClient client = fake.client();

    assertEquals(Status.NXDOMAIN, answer(client.addresses("gone.example.com")).status());
    assertEquals(Status.NODATA, answer(client.addresses("mx.example.com")).status());
  }

  // ---- thread safety ----------------------------------------------------------------------

  @Test
  @DisplayName("One client serves many concurrent lookups, sharing its cache")
  void concurrentLookups() throws Exception {
    for (int i = 0; i < 20; i++) {
      fake.add("h" + i + ".example. TXT \"t" + i + "\"");
    }
    DnsjavaClient client = fake.client();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<String>> results = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        int n = i % 20;
        results.add(
            CompletableFuture.supplyAsync(
                    () -> client.txt("h" + n + ".example").toCompletableFuture().join(), pool)
                .thenApply(a -> a.name() + "=" + a.records().get(0).text()));
      }
      for (int i = 0; i < results.size(); i++) {
        int n = i % 20;
        assertEquals("h" + n + ".example=t" + n, results.get(i).join());
      }
    } finally {
      pool.shutdownNow();
    }
    for (int i = 0; i < 20; i++) {
      long asked = fake.count("h" + i + ".example", Type.TXT);
      assertTrue(asked >= 1 && asked <= 8, "h" + i + " asked " + asked + " times");
    }
  }

  // ---- blocking view ----------------------------------------------------------------------

  @Test
  @DisplayName("Blocking view returns the answer and throws the typed failure unwrapped")
  void blocking_unwraps() throws Exception {
    fake.add("ok.example. TXT \"a\"").rcode("bad.example", Type.TXT, Rcode.SERVFAIL);
    DnsjavaClient client = fake.client();

    assertEquals("a", client.txtBlocking("ok.example").records().get(0).text());
    assertThrows(DnsServerFailureException.class, () -> client.txtBlocking("bad.example"));
    assertThrows(IllegalArgumentException.class, () -> client.mxBlocking("bad name"));
  }

  @Test
  @DisplayName(
      "Blocking view: an interrupted wait throws DnsException and keeps the interrupt flag")
  void blocking_restoresInterruptFlag() {
    CompletionStage<String> never = new CompletableFuture<>();
    Thread.currentThread().interrupt();
    try {
      DnsException e =
          assertThrows(DnsException.class, () -> Await.await(never, "example.com", "TXT"));
      assertTrue(Thread.currentThread().isInterrupted());
      assertInstanceOf(InterruptedException.class, e.getCause());
      assertEquals(
          "DNS lookup of example.com TXT failed: interrupted while waiting for the answer",
          e.getMessage());
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  @DisplayName("Blocking view rethrows unchecked failures as they are")
  void blocking_rethrowsUnchecked() {
    IllegalStateException boom = new IllegalStateException("boom");
    CompletionStage<String> failed = CompletableFuture.failedFuture(boom);

    assertSame(
        boom, assertThrows(IllegalStateException.class, () -> Await.await(failed, "x", "TXT")));
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** {@code c0.example CNAME c1.example ... c<links>.example TXT "end"}. */
  static String[] chain(int links) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < links; i++) {
      lines.add("c" + i + ".example. CNAME c" + (i + 1) + ".example.");
    }
    lines.add("c" + links + ".example. TXT \"end\"");
    return lines.toArray(String[]::new);
  }

  static Clock clock() {
    return Clock.fixed(FakeResolver.NOW, ZoneOffset.UTC);
  }

  static <T> T answer(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  static DnsException failure(CompletionStage<?> stage) {
    CompletionException e =
        assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join());
    return assertInstanceOf(DnsException.class, e.getCause());
  }
}
