package org.mtasts.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mtasts.dns.DnsAnswer.Status;

/** The public builders, factories and values: eager validation, null checks, set-once seams. */
class DnsApiTest {

  private static final String ROOT_DS =
      ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D";

  @Test
  @DisplayName("Null parameters of public builders and factories throw NullPointerException")
  void nullParameters() {
    DnsClient.Builder b = DnsClient.builder();
    assertThrows(NullPointerException.class, () -> b.server(null));
    assertThrows(NullPointerException.class, () -> b.timeout(null));
    assertThrows(NullPointerException.class, () -> b.dnssecTrustAnchors(null));
    assertThrows(NullPointerException.class, () -> b.executor(null));
    assertThrows(NullPointerException.class, () -> b.clock(null));
    assertThrows(NullPointerException.class, () -> MxResolver.create(null));
    assertThrows(NullPointerException.class, () -> DnsAnswer.of(null, List.of(1), Duration.ZERO));
    assertThrows(NullPointerException.class, () -> DnsAnswer.of("a", null, Duration.ZERO));
    assertThrows(NullPointerException.class, () -> DnsAnswer.of("a", List.of(1), null));
    assertThrows(NullPointerException.class, () -> DnsAnswer.empty("a", null, Duration.ZERO));
    assertThrows(NullPointerException.class, () -> new MxRecord(1, null));
    assertThrows(NullPointerException.class, () -> new TxtRecord(null, ""));
    assertThrows(NullPointerException.class, () -> new TxtRecord(List.of(), null));
    assertThrows(NullPointerException.class, () -> TxtRecord.of((String) null));
    assertThrows(
        NullPointerException.class,
        () -> new MxLookup(null, MxLookup.Status.NULL_MX, List.of(), false));
    assertThrows(NullPointerException.class, () -> new DnsException(null, "TXT", "reason", null));
    assertThrows(
        NullPointerException.class,
        () -> new DnsServerFailureException("a", "TXT", null, "192.0.2.53:53", null));
  }

  @Test
  @DisplayName("DnsClient.Builder checks values at once and names the bad value")
  void builderValidation() {
    DnsClient.Builder b = DnsClient.builder();

    IllegalArgumentException unresolved =
        assertThrows(
            IllegalArgumentException.class,
            () -> b.server(InetSocketAddress.createUnresolved("dns.example", 53)));
    assertTrue(unresolved.getMessage().contains("dns.example"), unresolved.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> b.server(new InetSocketAddress("127.0.0.1", 0)));
    IllegalArgumentException zero =
        assertThrows(IllegalArgumentException.class, () -> b.timeout(Duration.ZERO));
    assertTrue(zero.getMessage().contains("PT0S"), zero.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.timeout(Duration.ofMillis(-1)));
    assertThrows(IllegalArgumentException.class, () -> b.timeout(Duration.ofMinutes(6)));
    assertThrows(IllegalArgumentException.class, () -> b.retries(-1));
    assertThrows(IllegalArgumentException.class, () -> b.retries(11));
    assertThrows(IllegalArgumentException.class, () -> b.maxCnameChain(-1));
    assertThrows(IllegalArgumentException.class, () -> b.maxCnameChain(33));
    IllegalArgumentException cache =
        assertThrows(IllegalArgumentException.class, () -> b.cacheSize(-5));
    assertTrue(cache.getMessage().contains("-5"), cache.getMessage());
  }

  @Test
  @DisplayName("Seams (executor, clock, trust anchors) can be set once")
  void seamsAreSetOnce() {
    DnsClient.Builder b =
        DnsClient.builder()
            .executor(Runnable::run)
            .clock(Clock.systemUTC())
            .dnssecTrustAnchors(ROOT_DS);

    assertThrows(IllegalStateException.class, () -> b.executor(Runnable::run));
    assertThrows(IllegalStateException.class, () -> b.clock(Clock.systemUTC()));
    assertThrows(IllegalStateException.class, () -> b.dnssecTrustAnchors(ROOT_DS));
  }

  @Test
  @DisplayName(
      "DNSSEC trust anchors are parsed in the builder; no DS/DNSKEY, bad syntax and $INCLUDE are"
          + " refused")
  void trustAnchors() {
    DnsClient.builder().dnssecTrustAnchors(ROOT_DS + "\n");

    assertThrows(
        IllegalArgumentException.class,
        () -> DnsClient.builder().dnssecTrustAnchors("example. IN A 192.0.2.1"));
    assertThrows(
        IllegalArgumentException.class,
        () -> DnsClient.builder().dnssecTrustAnchors(". IN DS not-a-number"));
    assertThrows(
        IllegalArgumentException.class,
        () -> DnsClient.builder().dnssecTrustAnchors("$INCLUDE /etc/hostname\n" + ROOT_DS));
    assertThrows(IllegalArgumentException.class, () -> DnsClient.builder().dnssecTrustAnchors(""));
  }

  @Test
  @DisplayName(
      "STS-DANE-02: the DNSSEC settings (root anchors, given anchors, trusting the resolver's AD"
          + " flag) exclude each other, and the message names both")
  void dnssecSettings_excludeEachOther_STS_DANE_02() {
    assertExclusive(
        () -> DnsClient.builder().dnssecRootTrustAnchors(),
        b -> b.dnssecTrustAnchors(ROOT_DS),
        "dnssecRootTrustAnchors()",
        "dnssecTrustAnchors(String)");
    assertExclusive(
        () -> DnsClient.builder().dnssecTrustAnchors(ROOT_DS),
        DnsClient.Builder::dnssecRootTrustAnchors,
        "dnssecTrustAnchors(String)",
        "dnssecRootTrustAnchors()");
    assertExclusive(
        () -> DnsClient.builder().trustResolverAd(),
        DnsClient.Builder::dnssecRootTrustAnchors,
        "trustResolverAd()",
        "dnssecRootTrustAnchors()");
    assertExclusive(
        () -> DnsClient.builder().dnssecRootTrustAnchors(),
        DnsClient.Builder::trustResolverAd,
        "dnssecRootTrustAnchors()",
        "trustResolverAd()");
    assertExclusive(
        () -> DnsClient.builder().trustResolverAd(),
        b -> b.dnssecTrustAnchors(ROOT_DS),
        "trustResolverAd()",
        "dnssecTrustAnchors(String)");
    assertExclusive(
        () -> DnsClient.builder().dnssecTrustAnchors(ROOT_DS),
        DnsClient.Builder::trustResolverAd,
        "dnssecTrustAnchors(String)",
        "trustResolverAd()");

    IllegalStateException twice =
        assertThrows(
            IllegalStateException.class,
            () -> DnsClient.builder().trustResolverAd().trustResolverAd());
    assertEquals("trustResolverAd() was already set", twice.getMessage());
    assertThrows(
        IllegalStateException.class,
        () -> DnsClient.builder().dnssecRootTrustAnchors().dnssecRootTrustAnchors());
    // A refused setting leaves the first one in place: the builder still builds.
    DnsClient.Builder b = DnsClient.builder().trustResolverAd();
    assertThrows(IllegalStateException.class, () -> b.dnssecTrustAnchors(ROOT_DS));
    assertNotNull(b.build());
  }

  private static void assertExclusive(
      java.util.function.Supplier<DnsClient.Builder> first,
      java.util.function.Consumer<DnsClient.Builder> second,
      String firstName,
      String secondName) {
    DnsClient.Builder b = first.get();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> second.accept(b));
    assertTrue(e.getMessage().contains(firstName), e.getMessage());
    assertTrue(e.getMessage().contains(secondName), e.getMessage());
    assertTrue(e.getMessage().contains("exclude each other"), e.getMessage());
  }

  @Test
  @DisplayName(
      "DnssecSupport needs a status and a reason; a client without DNSSEC (or a fake) says OFF")
  void dnssecSupportValues() {
    assertThrows(NullPointerException.class, () -> new DnssecSupport(null, "why"));
    assertThrows(NullPointerException.class, () -> DnssecSupport.off(null));
    assertThrows(IllegalArgumentException.class, () -> DnssecSupport.unavailable(" "));
    assertTrue(DnssecSupport.available("ok").isAvailable());
    assertEquals("UNAVAILABLE: no", DnssecSupport.unavailable("no").toString());

    DnssecSupport system =
        DnsClient.builder()
            .server(new InetSocketAddress("127.0.0.1", 5353))
            .build()
            .dnssecSupport()
            .toCompletableFuture()
            .join();
    assertEquals(DnssecSupport.Status.OFF, system.status());
    DnsClient fake =
        new DnsClient() {
          @Override
          public java.util.concurrent.CompletionStage<DnsAnswer<TxtRecord>> txt(String name) {
            throw new UnsupportedOperationException();
          }

          @Override
          public java.util.concurrent.CompletionStage<DnsAnswer<MxRecord>> mx(String name) {
            throw new UnsupportedOperationException();
          }

          @Override
          public java.util.concurrent.CompletionStage<DnsAnswer<java.net.InetAddress>> addresses(
              String name) {
            throw new UnsupportedOperationException();
          }
        };
    assertEquals(
        DnssecSupport.Status.OFF, fake.dnssecSupport().toCompletableFuture().join().status());
  }

  @Test
  @DisplayName("Clients build without touching the network, with explicit or system servers")
  void builds() {
    assertNotNull(
        DnsClient.builder()
            .server(new InetSocketAddress("127.0.0.1", 5353))
            .server(new InetSocketAddress("::1", 53))
            .timeout(Duration.ofMillis(300))
            .retries(0)
            .maxCnameChain(4)
            .cacheSize(0)
            .dnssecTrustAnchors(ROOT_DS)
            .build());
    assertNotNull(DnsClient.builder().dnssecRootTrustAnchors().build());
    assertNotNull(
        DnsClient.builder()
            .server(new InetSocketAddress("127.0.0.1", 53))
            .trustResolverAd()
            .build());
    assertNotNull(DnsClient.system());
  }

  @Test
  @DisplayName("DnsAnswer: ANSWER needs records and other statuses have none; records are copied")
  void dnsAnswerValidation() {
    assertThrows(
        IllegalArgumentException.class, () -> DnsAnswer.of("a.example", List.of(), Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () -> new DnsAnswer<>("a", Status.NODATA, List.of(1), Duration.ZERO, false, "a"));
    assertThrows(
        IllegalArgumentException.class,
        () -> DnsAnswer.empty("a", Status.NXDOMAIN, Duration.ofSeconds(-1)));

    List<String> source = new ArrayList<>(List.of("x"));
    DnsAnswer<String> answer = DnsAnswer.of("a.example", source, Duration.ofSeconds(60));
    source.add("y");
    assertEquals(List.of("x"), answer.records());
    assertThrows(UnsupportedOperationException.class, () -> answer.records().add("z"));
    assertTrue(answer.hasRecords());
    assertEquals("a.example", answer.canonicalName());
  }

  @Test
  @DisplayName("MX values check ranges; MxLookup ties hosts to its status")
  void mxValues() {
    assertThrows(IllegalArgumentException.class, () -> new MxRecord(-1, "mx.example"));
    assertThrows(IllegalArgumentException.class, () -> new MxRecord(65536, "mx.example"));
    assertThrows(IllegalArgumentException.class, () -> new MxRecord(10, ""));
    assertTrue(new MxRecord(0, ".").isRootExchange());
    // The root "." is an MX record (RFC 7505) but never a host to deliver to (STS-MX-09).
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new MxLookup("example.com", MxLookup.Status.MX, List.of(new MxRecord(0, ".")), false));
    assertThrows(
        IllegalArgumentException.class,
        () -> new MxLookup("example.com", MxLookup.Status.MX, List.of(), false));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new MxLookup(
                "example.com",
                MxLookup.Status.NULL_MX,
                List.of(new MxRecord(0, "mx.example.com")),
                false));
  }

  @Test
  @DisplayName("Exception messages say which lookup failed and why")
  void exceptionMessages() {
    assertEquals(
        "DNS lookup of _mta-sts.example.com TXT failed: SERVFAIL from 192.0.2.53:53",
        new DnsServerFailureException(
                "_mta-sts.example.com", "TXT", "SERVFAIL", "192.0.2.53:53", null)
            .getMessage());
    assertEquals(
        "DNS lookup of example.com MX failed: DNSSEC validation failed: signature expired",
        new DnssecValidationException("example.com", "MX", "signature expired").getMessage());
    assertEquals("v=STSv1; id=1", TxtRecord.of("v=STSv1; ", "id=1").text());
  }
}
