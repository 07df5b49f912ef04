package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mtasts.DaneActivationTest.ProbedDns;
import org.mtasts.DaneStatus.State;
import org.mtasts.dns.DnssecSupport;
import org.mtasts.tls.DaneRequirement;

/**
 * {@link MtaSts.Builder#daneDnsClient}: DANE's lookups on a validating client of their own, beside
 * the plain client of MTA-STS's, for callers that give their own DNS servers (the Jakarta Mail
 * transport's {@code mail.mtasts.dns.servers}): a resolver that strips DNSSEC then only turns DANE
 * off.
 */
class DaneDnsClientTest {
  final List<MtaSts> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(MtaSts::close);
  }

  MtaSts client(MtaSts.Builder b) {
    MtaSts sts = b.build();
    clients.add(sts);
    return sts;
  }

  @Test
  void daneLookupsOnTheDaneClient_policyLookupsOnThePlainOne_STS_DANE_02() {
    FakeDaneDns plain = new FakeDaneDns(); // does not validate: OFF
    plain.mx("example.com", false, "mx1.example.com", "mx2.example.com");
    ProbedDns dane = DaneActivationTest.signedWorld(new ProbedDns());
    MtaSts sts = client(MtaSts.builder().dnsClient(plain).daneDnsClient(dane));

    DeliveryPlan plan = sts.plan("example.com");

    assertEquals(State.ACTIVE, sts.daneStatus().state());
    assertEquals(DaneRequirement.Status.AUTHENTICATE, plan.candidates().get(0).dane().status());
    assertEquals(List.of("TXT _mta-sts.example.com"), plain.asked, "MTA-STS's TXT lookup only");
    assertTrue(dane.asked.contains("TLSA _25._tcp.mx1.example.com"), dane.asked.toString());
    assertTrue(dane.asked.stream().noneMatch(q -> q.startsWith("TXT")), dane.asked.toString());
    assertSame(dane, client(sts.newBuilder()).settings().daneDnsClient(), "kept by newBuilder");
    assertNull(client(sts.newBuilder().dane(false)).settings().daneDnsClient());
  }

  @Test
  void strippingResolver_daneUnavailable_mxFromThePlainClient_STS_DANE_02() {
    FakeDaneDns plain = new FakeDaneDns();
    plain.mx("example.com", false, "mx1.example.com");
    ProbedDns dane = DaneActivationTest.signedWorld(new ProbedDns());
    dane.support.set(DnssecSupport.unavailable("resolver does not return DNSSEC records"));
    MtaSts sts = client(MtaSts.builder().dnsClient(plain).daneDnsClient(dane));

    DeliveryPlan plan = sts.plan("example.com");

    assertEquals(State.UNAVAILABLE, sts.daneStatus().state());
    assertEquals(DeliveryPlan.Status.DELIVER, plan.status(), plan.message());
    assertEquals(List.of("mx1.example.com"), plan.candidates().stream().map(MxCandidate::host)
        .toList());
    assertTrue(dane.asked.isEmpty(), dane.asked.toString());
  }

  @Test
  void daneDnsClient_nullAndTwice_refused() {
    MtaSts.Builder b = MtaSts.builder();
    assertThrows(NullPointerException.class, () -> b.daneDnsClient(null));
    b.daneDnsClient(new FakeDaneDns());
    assertThrows(IllegalStateException.class, () -> b.daneDnsClient(new FakeDaneDns()));
  }
}
