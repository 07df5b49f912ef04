package org.mtasts.internal.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mtasts.testkit.tls.TestCertificateAuthority;

class DnsIdMatcherTest {

  @ParameterizedTest(name = "{0}: reference ''{1}'' vs SAN ''{2}'' -> {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "STS-TLS-06 exact SAN | mx1.example.com | mx1.example.com | true",
        "STS-TLS-06 other host | mx1.example.com | mx2.example.com | false",
        "STS-TLS-06 wildcard, one label | mx1.example.com | *.example.com | true",
        "EDGE-93 wildcard never matches the parent | example.com | *.example.com | false",
        "STS-TLS-06 wildcard covers one label only | a.b.example.com | *.example.com | false",
        "STS-TLS-07 partial wildcard mx* (D-21) | mx1.example.com | mx*.example.com | false",
        "STS-TLS-07 partial wildcard *x (D-21) | mx.example.com | *x.example.com | false",
        "STS-TLS-07 partial wildcard, middle (D-21) | mx1.example.com | m*1.example.com | false",
        "STS-TLS-07 two wildcards | a.b.example.com | *.*.example.com | false",
        "STS-TLS-07 two wildcards, one label | mx1.example.com | *.*.example.com | false",
        "STS-TLS-07 wildcard not leftmost | mx1.example.com | mx1.*.com | false",
        "wildcard over a TLD is refused | example.com | *.com | false",
        "bare wildcard | com | * | false",
        "case-insensitive SAN | mx1.example.com | MX1.Example.COM | true",
        "case-insensitive wildcard | mx1.example.com | *.EXAMPLE.com | true",
        "trailing dot on the SAN | mx1.example.com | mx1.example.com. | true",
        "trailing dot on a wildcard SAN | mx1.example.com | *.example.com. | true",
        "STS-TLS-12 recipient domain SAN only | mx1.example.com | example.com | false",
        "STS-MATCH-04 A-label SAN | mx.xn--bcher-kva.example | mx.xn--bcher-kva.example | true",
        "STS-MATCH-04 wildcard over an A-label | xn--bcher-kva.example.com | *.example.com | true",
        "suffix is not a label boundary | mx1.badexample.com | *.example.com | false",
        "empty SAN | mx1.example.com | '' | false",
        "SAN with an empty label | mx1.example.com | mx1..example.com | false",
      })
  void matches(String rule, String reference, String presented, boolean expected) {
    assertEquals(expected, DnsIdMatcher.matches(reference, presented), rule);
  }

  @Test
  void nonAsciiSan_neverMatches_evenItsOwnALabel() {
    assertFalse(DnsIdMatcher.matches("mx.xn--bcher-kva.example", "mx.bücher.example"));
    assertFalse(DnsIdMatcher.matches("mx.xn--bcher-kva.example", "*.bücher.example"));
  }

  @Test
  void dnsIds_readsSanDnsNamesOnly_notTheCommonName() throws Exception {
    TestCertificateAuthority ca = TestCertificateAuthority.create("Matcher CA");
    assertEquals(
        List.of("mx1.example.com", "*.example.net"),
        DnsIdMatcher.dnsIds(ca.issue("mx1.example.com", "*.example.net").certificate()));
    assertEquals(
        List.of(),
        DnsIdMatcher.dnsIds(
            ca.leaf("mx1.example.com").withoutSubjectAlternativeNames().build().certificate()));
    assertTrue(DnsIdMatcher.matchesAny("a.example.net", List.of("x.example", "*.example.net")));
    assertFalse(DnsIdMatcher.matchesAny("a.example.net", List.of()));
  }
}
