package org.mtasts.internal.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.DnsException;
import org.mtasts.internal.discovery.PolicyDiscovery.Discovery;
import org.mtasts.policy.PolicyRecord;
import org.mtasts.policy.RecordSelection;
import org.mtasts.testkit.dns.TestDnsServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Discovery of the {@code _mta-sts} record against the testkit's DNS server on loopback. */
class PolicyDiscoveryTest {
  private static TestDnsServer dns;
  private static DnsClient client;

  @BeforeAll
  static void start() throws IOException {
    dns = new TestDnsServer().start();
    client =
        DnsClient.builder().server(dns.address()).timeout(Duration.ofMillis(500)).retries(0)
            .cacheSize(0).build();
  }

  @AfterAll
  static void stop() {
    dns.close();
  }

  @BeforeEach
  void reset() {
    dns.reset();
  }

  private static Discovery discover(String domain) throws Exception {
    try {
      return new PolicyDiscovery(client).discover(domain).toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  @Test
  void stsDisc15_domainTooLongForTheUnderscoreNameMeansNoRecord() throws Exception {
    // A legal 250-character domain: "_mta-sts." makes it longer than a DNS name can be, so no
    // record can exist; the stage completes, nothing is thrown at the caller.
    String domain = "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "."
        + "d".repeat(50) + ".example";
    assertEquals(250, domain.length());
    Discovery discovery = discover(domain);
    assertEquals(RecordSelection.Status.NO_RECORD, discovery.selection().status());
    assertEquals(domain, discovery.domain());
  }

  private static String id(Discovery discovery) {
    return discovery.selection().found().map(PolicyRecord::id).orElse(null);
  }

  @Test
  void stsDisc01_looksUpTheUnderscoreNameOnce() throws Exception {
    dns.txt("_mta-sts.example.com", "v=STSv1; id=20160831085700Z;");
    assertEquals("20160831085700Z", id(discover("example.com")));
    assertEquals(1, dns.queryCount("_mta-sts.example.com", "TXT"));
  }

  @Test
  void stsDisc02_followsACnameChain() throws Exception {
    dns.cname("_mta-sts.user.example", "_mta-sts.hop.example");
    dns.cname("_mta-sts.hop.example", "_mta-sts.provider.example");
    dns.txt("_mta-sts.provider.example", "v=STSv1; id=P1");
    assertEquals("P1", id(discover("user.example")));
  }

  @Test
  void stsDisc03_joinsCharacterStringsWithoutSeparator() throws Exception {
    dns.txt("_mta-sts.example.com", List.of("v=STSv1; id=", "abc123"));
    assertEquals("abc123", id(discover("example.com")));
  }

  @Test
  void stsDisc04_ignoresOtherTxtRecords() throws Exception {
    dns.txt("_mta-sts.example.com", "v=spf1 -all");
    dns.txt("_mta-sts.example.com", "google-site-verification=x");
    dns.txt("_mta-sts.example.com", "v=STSv1; id=1");
    assertEquals("1", id(discover("example.com")));
  }

  @Test
  void stsDisc05_twoStsRecordsMeanNoPolicy() throws Exception {
    dns.txt("_mta-sts.example.com", "v=STSv1; id=1");
    dns.txt("_mta-sts.example.com", "v=STSv1; id=2");
    assertEquals(
        RecordSelection.Status.MULTIPLE_RECORDS, discover("example.com").selection().status());
  }

  @Test
  void stsDisc06_invalidRecordMeansNoPolicy() throws Exception {
    dns.txt("_mta-sts.example.com", "v=STSv1; id=");
    assertEquals(RecordSelection.Status.INVALID, discover("example.com").selection().status());
  }

  @Test
  void stsDisc15_nxdomainAndNodataMeanNoRecord() throws Exception {
    assertEquals(
        RecordSelection.Status.NO_RECORD, discover("nothing.example").selection().status());
    dns.a("_mta-sts.nodata.example", "192.0.2.1");
    assertEquals(
        RecordSelection.Status.NO_RECORD, discover("nodata.example").selection().status());
  }

  @Test
  void d16_cnameLoopMeansNoRecord() throws Exception {
    dns.cname("_mta-sts.loop.example", "_mta-sts.loop2.example");
    dns.cname("_mta-sts.loop2.example", "_mta-sts.loop.example");
    assertEquals(RecordSelection.Status.NO_RECORD, discover("loop.example").selection().status());
  }

  @Test
  void stsDisc16_servfailIsATemporaryFailureNotNoRecord() {
    dns.fault("_mta-sts.broken.example", TestDnsServer.Fault.SERVFAIL);
    Exception e = assertThrows(Exception.class, () -> discover("broken.example"));
    assertInstanceOf(DnsException.class, e);
    assertTrue(e.getMessage().contains("SERVFAIL"), e.getMessage());
  }

  @Test
  void stsDisc16_timeoutIsATemporaryFailure() {
    dns.fault("_mta-sts.silent.example", TestDnsServer.Fault.DROP);
    assertInstanceOf(DnsException.class, assertThrows(Exception.class,
        () -> discover("silent.example")));
  }

  @Test
  void discoveryReportsTtlAndUnauthenticatedAnswer() throws Exception {
    dns.txt("_mta-sts.example.com", "v=STSv1; id=1");
    dns.ttl("_mta-sts.example.com", "TXT", Duration.ofSeconds(120));
    Discovery discovery = discover("example.com");
    assertEquals(Duration.ofSeconds(120), discovery.ttl());
    assertFalse(discovery.authenticated());
  }
}
