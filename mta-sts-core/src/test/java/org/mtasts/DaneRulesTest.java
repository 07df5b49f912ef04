package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mtasts.dns.MxLookup;
import org.mtasts.dns.MxRecord;
import org.mtasts.dns.TlsaRecord;
import org.mtasts.policy.Mode;
import org.mtasts.policy.Policy;
import org.mtasts.tls.DaneRequirement;
import org.mtasts.tls.DaneTlsa;
import org.junit.jupiter.api.Test;

/**
 * DANE in {@link DeliveryRules#plan}: the DANE requirement of each MX candidate, D-23 precedence
 * for hosts outside an enforce policy, DNSSEC failures keeping hosts out (STS-DANE-03). Pure
 * functions, no DNS.
 */
class DaneRulesTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final String EE = "3 1 1 " + "ab".repeat(32);
  static final String PKIX_EE = "1 1 1 " + "ef".repeat(32);

  /** A lookup of example.com under {@code mode}, listing mx1.example.com only; null: no policy. */
  static PolicyLookup lookup(Mode mode) {
    if (mode == null) {
      return PolicyLookup.failed("example.com", PolicyLookup.Status.NO_POLICY, null, false);
    }
    Policy.Builder b = Policy.builder().mode(mode).maxAge(Duration.ofDays(1));
    if (mode != Mode.NONE) {
      b.mx("mx1.example.com");
    }
    CachedPolicy p = new CachedPolicy("example.com", "ID1", b.build(), T0, T0.plusSeconds(86400));
    return PolicyLookup.valid(PolicyLookup.Source.FETCHED, p, List.of(), null);
  }

  static MxLookup mx(String... hosts) {
    MxRecord[] records = new MxRecord[hosts.length];
    for (int i = 0; i < hosts.length; i++) {
      records[i] = new MxRecord(10 * (i + 1), hosts[i]);
    }
    return new MxLookup("example.com", MxLookup.Status.MX, List.of(records), true);
  }

  static DaneRequirement authenticate(String host) {
    return DaneRequirement.of(new DaneTlsa(host, host, List.of(TlsaRecord.parse(EE))));
  }

  static DaneRequirement tlsRequired(String host) {
    return DaneRequirement.of(new DaneTlsa(host, host, List.of(TlsaRecord.parse(PKIX_EE))));
  }

  static DaneRequirement failed(String host) {
    return DaneRequirement.dnssecFailed("TLSA lookup of _25._tcp." + host + " failed: SERVFAIL");
  }

  static Map<String, DaneRequirement> dane(Object... hostsAndRequirements) {
    Map<String, DaneRequirement> m = new LinkedHashMap<>();
    for (int i = 0; i < hostsAndRequirements.length; i += 2) {
      m.put((String) hostsAndRequirements[i], (DaneRequirement) hostsAndRequirements[i + 1]);
    }
    return m;
  }

  @Test
  void candidatesCarryTheirDaneRequirement() {
    DaneRequirement a = authenticate("mx1.example.com");
    DaneRequirement t = tlsRequired("mx2.example.com");
    DeliveryPlan plan = DeliveryRules.plan(lookup(null), mx("mx1.example.com", "mx2.example.com",
        "mx3.example.com"), dane("mx1.example.com", a, "mx2.example.com", t), false);
    assertEquals(DeliveryPlan.Status.DELIVER, plan.status());
    assertEquals(List.of(a, t, DaneRequirement.none()),
        plan.candidates().stream().map(MxCandidate::dane).toList());
  }

  @Test
  void daneOff_planUnchanged() {
    PolicyLookup enforce = lookup(Mode.ENFORCE);
    MxLookup mx = mx("mx1.example.com", "mx.other.example");
    DeliveryPlan off = DeliveryRules.plan(enforce, mx);
    DeliveryPlan empty = DeliveryRules.plan(enforce, mx, Map.of(), true);
    assertEquals(off.candidates(), empty.candidates());
    assertEquals(off.message(), empty.message());
    assertEquals(List.of(true, false),
        off.candidates().stream().map(MxCandidate::allowed).toList());
    assertTrue(off.candidates().stream().allMatch(c -> c.dane() == DaneRequirement.none()));
  }

  @Test
  void dnssecFailedHost_notAllowed_othersDeliverable_messageSaysWhy_STS_DANE_03() {
    DeliveryPlan plan = DeliveryRules.plan(lookup(null), mx("mx1.example.com", "mx2.example.com"),
        dane("mx1.example.com", failed("mx1.example.com")), false);
    assertEquals(DeliveryPlan.Status.DELIVER, plan.status());
    MxCandidate mx1 = plan.candidates().get(0);
    assertFalse(mx1.allowed());
    assertTrue(mx1.matchesPolicy(), "no policy: every host matches as far as MTA-STS goes");
    assertEquals(List.of("mx2.example.com"),
        plan.deliverable().stream().map(MxCandidate::host).toList());
    assertTrue(plan.message().contains("mx1.example.com (TLSA lookup of"), plan.message());
  }

  @Test
  void everyHostDnssecFailed_temporaryFailure_STS_DANE_03() {
    DeliveryPlan plan = DeliveryRules.plan(lookup(Mode.TESTING),
        mx("mx1.example.com", "mx2.example.com"),
        dane("mx1.example.com", failed("mx1.example.com"), "mx2.example.com",
            failed("mx2.example.com")), false);
    assertEquals(DeliveryPlan.Status.TEMPORARY_FAILURE, plan.status());
    assertTrue(plan.status().isTemporary());
    assertTrue(plan.deliverable().isEmpty());
    assertTrue(plan.message().contains("DNSSEC lookups failed"), plan.message());
    assertTrue(plan.message().contains("STS-DANE-03"), plan.message());
  }

  @Test
  void dnssecFailedAndPolicyMismatch_temporaryFailure_namesBoth_STS_DANE_03() {
    DeliveryPlan plan = DeliveryRules.plan(lookup(Mode.ENFORCE),
        mx("mx1.example.com", "mx.other.example"),
        dane("mx1.example.com", failed("mx1.example.com")), false);
    assertEquals(DeliveryPlan.Status.TEMPORARY_FAILURE, plan.status());
    assertTrue(plan.message().contains("DNSSEC lookups failed"), plan.message());
    assertTrue(plan.message().contains("matches none of the MX hosts [mx.other.example]"),
        plan.message());
  }

  @Test
  void daneAuthenticatedHostOutsideEnforcePolicy_allowed_D_23() {
    DeliveryPlan plan = DeliveryRules.plan(lookup(Mode.ENFORCE), mx("mx.other.example"),
        dane("mx.other.example", authenticate("mx.other.example")), false);
    assertEquals(DeliveryPlan.Status.DELIVER, plan.status());
    MxCandidate c = plan.candidates().get(0);
    assertTrue(c.allowed());
    assertFalse(c.matchesPolicy());
    assertTrue(plan.message().contains("D-23"), plan.message());
  }

  @Test
  void daneAuthenticatedHostOutsideEnforcePolicy_strict_notAllowed_D_23() {
    DeliveryPlan plan = DeliveryRules.plan(lookup(Mode.ENFORCE), mx("mx.other.example"),
        dane("mx.other.example", authenticate("mx.other.example")), true);
    assertEquals(DeliveryPlan.Status.NO_MATCHING_MX, plan.status());
    assertFalse(plan.candidates().get(0).allowed());
  }

  @Test
  void tlsRequiredHostOutsideEnforcePolicy_stillRefused_STS_DANE_04() {
    DeliveryPlan plan = DeliveryRules.plan(lookup(Mode.ENFORCE), mx("mx.other.example"),
        dane("mx.other.example", tlsRequired("mx.other.example")), false);
    assertEquals(DeliveryPlan.Status.NO_MATCHING_MX, plan.status(),
        "records DANE cannot use authenticate nothing, so MTA-STS's patterns still apply");
  }

  @Test
  void ownMxList_noDane() {
    DeliveryPlan plan = MtaSts.plan(lookup(null), List.of("mx1.example.com"));
    assertEquals(DaneRequirement.none(), plan.candidates().get(0).dane());
  }
}
