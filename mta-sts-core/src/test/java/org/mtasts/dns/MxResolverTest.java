package org.mtasts.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mtasts.dns.MxLookup.Status;
import org.mtasts.internal.dns.FakeResolver;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

class MxResolverTest {

  private static final String SOA =
      "example.com. 3600 SOA ns.example.com. admin.example.com. 1 7200 900 1209600 600";

  private final FakeResolver fake = new FakeResolver().add(SOA);

  private MxResolver resolver() {
    return MxResolver.create(fake.client());
  }

  @Test
  @DisplayName("STS-MX-06: hosts are sorted by preference, lowest first")
  void sortsByPreference() {
    fake.add(
        "example.com. MX 30 c.example.com.",
        "example.com. MX 10 a.example.com.",
        "example.com. MX 20 b.example.com.");

    MxLookup lookup = resolve(resolver(), "example.com");

    assertEquals(Status.MX, lookup.status());
    assertEquals(
        List.of(
            new MxRecord(10, "a.example.com"),
            new MxRecord(20, "b.example.com"),
            new MxRecord(30, "c.example.com")),
        lookup.hosts());
  }

  @Test
  @DisplayName(
      "STS-MX-06: hosts of equal preference come in random order; a seeded generator shows both"
          + " orders")
  void randomisesEqualPreferences() {
    fake.add(
        "example.com. MX 5 first.example.com.",
        "example.com. MX 10 a.example.com.",
        "example.com. MX 10 b.example.com.",
        "example.com. MX 20 last.example.com.");
    MxResolver seeded = MxResolver.builder(fake.client()).random(new Random(42)).build();

    Set<List<String>> orders = new HashSet<>();
    for (int i = 0; i < 64; i++) {
      List<String> names = names(resolve(seeded, "example.com"));
      assertEquals("first.example.com", names.get(0));
      assertEquals("last.example.com", names.get(3));
      orders.add(names.subList(1, 3));
    }

    assertEquals(
        Set.of(
            List.of("a.example.com", "b.example.com"), List.of("b.example.com", "a.example.com")),
        orders);
  }

  @Test
  @DisplayName(
      "STS-MX-06: the same seed gives the same sequence of orders (the generator is really used)")
  void seededOrderIsReproducible() {
    fake.add(
        "example.com. MX 10 a.example.com.",
        "example.com. MX 10 b.example.com.",
        "example.com. MX 10 c.example.com.");
    MxResolver one = MxResolver.builder(fake.client()).random(new Random(7)).build();
    MxResolver two = MxResolver.builder(fake.client()).random(new Random(7)).build();

    for (int i = 0; i < 10; i++) {
      assertEquals(names(resolve(one, "example.com")), names(resolve(two, "example.com")));
    }
  }

  @Test
  @DisplayName("STS-MX-09: a lone 'MX 0 .' is a null MX: no hosts, no address lookup")
  void nullMx() {
    fake.add("example.com. MX 0 .", "example.com. A 192.0.2.1");

    MxLookup lookup = resolve(resolver(), "example.com");

    assertEquals(Status.NULL_MX, lookup.status());
    assertTrue(lookup.isNullMx());
    assertEquals(List.of(), lookup.hosts());
    assertEquals(List.of("example.com. MX"), fake.queries());
  }

  @Test
  @DisplayName(
      "STS-MX-09: an MX set made only of '.' entries (other preferences) also means no mail")
  void onlyRootEntries() {
    fake.add("example.com. MX 10 .", "example.com. MX 20 .");

    assertEquals(Status.NULL_MX, resolve(resolver(), "example.com").status());
  }

  @Test
  @DisplayName("STS-MX-10 / D-20: a '.' next to real MX hosts is ignored")
  void rootEntryAmongRealHostsIsIgnored() {
    fake.add("example.com. MX 0 .", "example.com. MX 10 mx.example.com.");

    MxLookup lookup = resolve(resolver(), "example.com");

    assertEquals(Status.MX, lookup.status());
    assertFalse(lookup.isNullMx());
    assertEquals(List.of(new MxRecord(10, "mx.example.com")), lookup.hosts());
  }

  @Test
  @DisplayName(
      "STS-MX-04: no MX records but an A record: the domain itself, preference 0 (implicit MX)")
  void implicitMxFromA() {
    fake.add("example.com. A 192.0.2.1");

    MxLookup lookup = resolve(resolver(), "example.com");

    assertEquals(Status.IMPLICIT_MX, lookup.status());
    assertTrue(lookup.isImplicit());
    assertEquals(List.of(new MxRecord(0, "example.com")), lookup.hosts());
  }

  @Test
  @DisplayName("STS-MX-04: no MX records, only an AAAA record: implicit MX")
  void implicitMxFromAaaa() {
    fake.add("example.com. AAAA 2001:db8::1");

    assertEquals(Status.IMPLICIT_MX, resolve(resolver(), "example.com").status());
  }

  @Test
  @DisplayName("STS-MX-04: no MX records and no address: no mail host (permanent)")
  void noMxNoAddress() {
    fake.add("example.com. TXT \"hello\"");

    MxLookup lookup = resolve(resolver(), "example.com");

    assertEquals(Status.NO_MAIL_HOST, lookup.status());
    assertEquals(List.of(), lookup.hosts());
  }

  @Test
  @DisplayName(
      "STS-MX-03: no MX records and the address lookup fails: temporary failure, not 'no mail"
          + " host'")
  void noMxAddressFailure() {
    fake.add("example.com. TXT \"hello\"")
        .rcode("example.com", Type.A, Rcode.SERVFAIL)
        .rcode("example.com", Type.AAAA, Rcode.SERVFAIL);

    assertInstanceOf(DnsServerFailureException.class, failure(resolver().resolve("example.com")));
  }

  @Test
  @DisplayName("STS-MX-05: when MX records exist the domain's own addresses are not looked up")
  void mxPresentAddressesNotUsed() {
    fake.add("example.com. MX 10 mx.example.com.", "example.com. A 192.0.2.1");

    MxLookup lookup = resolve(resolver(), "example.com");

    assertEquals(List.of(new MxRecord(10, "mx.example.com")), lookup.hosts());
    assertEquals(List.of("example.com. MX"), fake.queries());
  }

  @Test
  @DisplayName("STS-MX-02: NXDOMAIN is a permanent 'no such domain'")
  void nxdomain() {
    MxLookup lookup = resolve(resolver(), "nowhere.example.com");

    assertEquals(Status.NO_SUCH_DOMAIN, lookup.status());
    assertEquals("nowhere.example.com", lookup.domain());
    assertEquals(List.of("nowhere.example.com. MX"), fake.queries());
  }

  @Test
  @DisplayName("STS-MX-03: SERVFAIL on the MX lookup is a temporary failure")
  void servfail() {
    fake.rcode("example.com", Type.MX, Rcode.SERVFAIL);

    DnsException e = failure(resolver().resolve("example.com"));

    assertInstanceOf(DnsServerFailureException.class, e);
    assertEquals(
        "DNS lookup of example.com MX failed: SERVFAIL from 192.0.2.53:53", e.getMessage());
  }

  @Test
  @DisplayName("STS-MX-03: a timeout on the MX lookup is a temporary failure")
  void timeout() {
    fake.timeout("example.com", Type.MX);

    assertInstanceOf(DnsTimeoutException.class, failure(resolver().resolve("example.com")));
  }

  @Test
  @DisplayName(
      "STS-MX-01: a domain that is a CNAME is resolved through it; the result keeps the original"
          + " domain")
  void domainIsCname() {
    fake.add("example.com. CNAME alias.example.net.", "alias.example.net. MX 10 mx.example.net.");

    MxLookup lookup = resolve(resolver(), "example.com");

    assertEquals("example.com", lookup.domain());
    assertEquals(List.of(new MxRecord(10, "mx.example.net")), lookup.hosts());
  }

  @Test
  @DisplayName(
      "STS-MX-01 / STS-MX-04: a CNAME domain without MX but with an address is its own implicit MX,"
          + " under its original name")
  void cnameDomainImplicitMx() {
    fake.add("example.com. CNAME alias.example.net.", "alias.example.net. A 192.0.2.1");

    MxLookup lookup = resolve(resolver(), "example.com");

    assertEquals(Status.IMPLICIT_MX, lookup.status());
    assertEquals(List.of(new MxRecord(0, "example.com")), lookup.hosts());
  }

  @Test
  @DisplayName(
      "STS-MX-12: MX names are kept as published even when they are CNAMEs; they are not looked up")
  void mxNamesNotCnameExpanded() {
    fake.add("example.com. MX 10 mx.example.com.", "mx.example.com. CNAME host.cloud.example.");

    MxLookup lookup = resolve(resolver(), "example.com");

    assertEquals(List.of(new MxRecord(10, "mx.example.com")), lookup.hosts());
    assertEquals(List.of("example.com. MX"), fake.queries());
  }

  @Test
  @DisplayName("D-16: a CNAME loop at the domain: no MX and no address, so no mail host")
  void cnameLoopAtDomain() {
    fake.add("example.com. CNAME loop.example.com.", "loop.example.com. CNAME example.com.");

    assertEquals(Status.NO_MAIL_HOST, resolve(resolver(), "example.com").status());
  }

  @Test
  @DisplayName(
      "STS-MX-07: at most 10 hosts by default, the most preferred; the bound is configurable")
  void boundsTheNumberOfHosts() {
    for (int i = 15; i >= 1; i--) {
      fake.add("example.com. MX " + i + " mx" + i + ".example.com.");
    }

    MxLookup byDefault = resolve(resolver(), "example.com");
    MxLookup two = resolve(MxResolver.builder(fake.client()).maxHosts(2).build(), "example.com");

    assertEquals(10, byDefault.hosts().size());
    assertEquals(new MxRecord(1, "mx1.example.com"), byDefault.hosts().get(0));
    assertEquals(new MxRecord(10, "mx10.example.com"), byDefault.hosts().get(9));
    assertEquals(
        List.of(new MxRecord(1, "mx1.example.com"), new MxRecord(2, "mx2.example.com")),
        two.hosts());
  }

  @Test
  @DisplayName("A host listed twice is kept once, at its lowest preference")
  void duplicateHostsKeptOnce() {
    fake.add(
        "example.com. MX 20 mx.example.com.",
        "example.com. MX 10 MX.example.com.",
        "example.com. MX 15 backup.example.com.");

    assertEquals(
        List.of(new MxRecord(10, "mx.example.com"), new MxRecord(15, "backup.example.com")),
        resolve(resolver(), "example.com").hosts());
  }

  @Test
  @DisplayName("Domain and host names are normalised: lower case, no trailing dot")
  void normalisesNames() {
    fake.add("example.com. MX 10 MX1.Example.COM.");

    MxLookup lookup = resolve(resolver(), "Example.COM.");

    assertEquals("example.com", lookup.domain());
    assertEquals(List.of(new MxRecord(10, "mx1.example.com")), lookup.hosts());
    assertFalse(lookup.authenticated());
  }

  @Test
  @DisplayName("resolveBlocking returns the outcome or throws the typed failure")
  void blocking() throws Exception {
    fake.add("example.com. MX 10 mx.example.com.").rcode("bad.example.com", Type.MX, Rcode.REFUSED);
    MxResolver resolver = resolver();

    assertEquals(Status.MX, resolver.resolveBlocking("example.com").status());
    DnsServerFailureException e =
        assertThrows(
            DnsServerFailureException.class, () -> resolver.resolveBlocking("bad.example.com"));
    assertEquals("REFUSED", e.rcode());
  }

  @Test
  @DisplayName("issue 13 item 4: the domain is normalised by DomainNames, as everywhere: U-labels"
      + " become A-labels, and a name that is no domain (an underscore) is refused before any"
      + " query")
  void item04_domainNormalisedByTheOneNormaliser() {
    fake.add("xn--bcher-kva.example. MX 10 mx.xn--bcher-kva.example.");
    MxLookup lookup = resolve(resolver(), "Bücher.Example.");
    assertEquals(Status.MX, lookup.status());
    assertEquals(List.of(new MxRecord(10, "mx.xn--bcher-kva.example")), lookup.hosts());
    int asked = fake.queries().size();
    assertThrows(org.mtasts.policy.InvalidDomainException.class,
        () -> resolver().resolve("under_score.example"));
    assertEquals(asked, fake.queries().size());
  }

  @Test
  @DisplayName("Invalid domains are refused before any query; builder values are checked at once")
  void validation() {
    MxResolver resolver = resolver();
    assertThrows(IllegalArgumentException.class, () -> resolver.resolve("not a domain"));
    assertThrows(NullPointerException.class, () -> resolver.resolve(null));
    assertEquals(List.of(), fake.queries());

    assertThrows(NullPointerException.class, () -> MxResolver.create(null));
    assertThrows(NullPointerException.class, () -> MxResolver.builder(null));
    MxResolver.Builder builder = MxResolver.builder(fake.client());
    assertThrows(IllegalArgumentException.class, () -> builder.maxHosts(0));
    assertThrows(IllegalArgumentException.class, () -> builder.maxHosts(1001));
    assertThrows(NullPointerException.class, () -> builder.random(null));
    builder.random(new Random(1));
    assertThrows(IllegalStateException.class, () -> builder.random(new Random(2)));
  }

  private static List<String> names(MxLookup lookup) {
    List<String> names = new ArrayList<>();
    lookup.hosts().forEach(h -> names.add(h.exchange()));
    return names;
  }

  @Test
  @DisplayName(
      "STS-MX-08: an MX exchange that is not a host name is skipped, so every host returned can"
          + " be looked up")
  void exchangesThatAreNotHostNamesAreSkipped() {
    fake.add(
        "example.com. MX 5 mx\\032evil.example.com.",
        "example.com. MX 6 mx\\040x\\041.example.com.",
        "example.com. MX 10 mx.example.com.");

    MxLookup lookup = resolve(resolver(), "example.com");

    assertEquals(List.of(new MxRecord(10, "mx.example.com")), lookup.hosts());
    for (MxRecord host : lookup.hosts()) {
      fake.client().addresses(host.exchange()); // does not throw IllegalArgumentException
    }
  }

  @Test
  @DisplayName(
      "STS-MX-08: an MX exchange written as an IPv4 address (all-numeric top label) is skipped,"
          + " so no layer can mistake it for an address literal")
  void exchangesThatLookLikeIpv4AddressesAreSkipped() {
    fake.add(
        "example.com. MX 5 10.0.0.1.",
        "example.com. MX 6 169.254.169.254.",
        "example.com. MX 10 mx.example.com.");

    MxLookup lookup = resolve(resolver(), "example.com");

    assertEquals(List.of(new MxRecord(10, "mx.example.com")), lookup.hosts());
  }

  @Test
  @DisplayName(
      "item03, STS-MX-08: an exchange DomainNames refuses (underscore, edge hyphen) is skipped,"
          + " so every host returned can be planned")
  void item03_exchangesDomainNamesRefusesAreSkipped() {
    fake.add(
        "example.com. MX 5 mx_1.example.com.",
        "example.com. MX 6 -mx.example.com.",
        "example.com. MX 7 mx-.example.com.",
        "example.com. MX 10 mx.example.com.");

    MxLookup lookup = resolve(resolver(), "example.com");

    assertEquals(List.of(new MxRecord(10, "mx.example.com")), lookup.hosts());
    for (MxRecord host : lookup.hosts()) {
      org.mtasts.policy.DomainNames.normalize(host.exchange()); // does not throw
    }
  }

  @Test
  @DisplayName("STS-MX-08: MX records present but none is a usable host name: no mail host")
  void onlyUnusableExchangesMeanNoMailHost() {
    fake.add("example.com. MX 10 mx\\032evil.example.com.", "example.com. A 192.0.2.1");

    MxLookup lookup = resolve(resolver(), "example.com");

    assertEquals(Status.NO_MAIL_HOST, lookup.status());
    assertEquals(List.of("example.com. MX"), fake.queries(), "STS-MX-05: no implicit MX");
  }

  private static MxLookup resolve(MxResolver resolver, String domain) {
    return resolver.resolve(domain).toCompletableFuture().join();
  }

  private static DnsException failure(CompletionStage<?> stage) {
    CompletionException e =
        assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join());
    return assertInstanceOf(DnsException.class, e.getCause());
  }
}
