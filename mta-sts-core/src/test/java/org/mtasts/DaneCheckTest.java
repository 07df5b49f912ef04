package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.mtasts.DeliveryDecision.Outcome;
import org.mtasts.policy.Mode;
import org.mtasts.tls.DaneRequirement;
import org.mtasts.tls.DaneResult;
import org.mtasts.tls.RefusalReason;
import org.mtasts.tls.TlsFacts;
import org.mtasts.tls.TlsRequirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DANE in {@link DeliveryRules#check(PolicyLookup, MxCandidate, TlsFacts, boolean)}: D-23
 * precedence, the strict mode, STS-DANE-01 (MTA-STS never overrides a DANE failure), STS-DANE-03
 * and STS-DANE-04; and what the listener hears of DANE refusals.
 */
class DaneCheckTest {
  static final TlsFacts OK = TlsFacts.verified("TLSv1.3");
  static final TlsFacts DANE_OK = TlsFacts.daneVerified("TLSv1.3");
  /** DANE-EE with a self-signed certificate: DANE passes, MTA-STS (WebPKI) fails (STS-DANE-05). */
  static final TlsFacts DANE_OK_WEBPKI_FAILS =
      TlsFacts.daneVerified("TLSv1.3", RefusalReason.CERTIFICATE_NOT_TRUSTED);
  static final TlsFacts DANE_FAILS =
      TlsFacts.handshakeFailed(RefusalReason.TLSA_INVALID, DaneResult.FAILED);
  static final TlsFacts PLAIN = TlsFacts.noStartTls();

  static MxCandidate candidate(String host, DaneRequirement dane) {
    return new MxCandidate(host, 10, true, true, TlsRequirement.OPPORTUNISTIC, dane);
  }

  static DeliveryDecision check(Mode mode, String host, DaneRequirement dane, TlsFacts facts,
      boolean strict) {
    return DeliveryRules.check(DaneRulesTest.lookup(mode), candidate(host, dane), facts, strict);
  }

  static Stream<Arguments> decisions() {
    DaneRequirement auth = DaneRulesTest.authenticate("mx1.example.com");
    DaneRequirement authOther = DaneRulesTest.authenticate("mx.other.example");
    DaneRequirement tlsRequired = DaneRulesTest.tlsRequired("mx1.example.com");
    DaneRequirement failed = DaneRulesTest.failed("mx1.example.com");
    return Stream.of(
        // D-23: DANE decides; MTA-STS's patterns and WebPKI checks are skipped
        Arguments.of("D-23 enforce, DANE ok, WebPKI fails", Mode.ENFORCE, "mx1.example.com", auth,
            DANE_OK_WEBPKI_FAILS, false, Outcome.ALLOWED, null),
        Arguments.of("D-23 enforce, DANE ok, host outside the mx patterns", Mode.ENFORCE,
            "mx.other.example", authOther, DANE_OK, false, Outcome.ALLOWED, null),
        Arguments.of("D-23 no policy, DANE ok", null, "mx1.example.com", auth, DANE_OK, false,
            Outcome.ALLOWED, null),
        // strict: both must pass, MTA-STS in its own mode
        Arguments.of("D-23 strict, enforce, DANE ok, WebPKI fails", Mode.ENFORCE,
            "mx1.example.com", auth, DANE_OK_WEBPKI_FAILS, true, Outcome.REFUSED,
            RefusalReason.CERTIFICATE_NOT_TRUSTED),
        Arguments.of("D-23 strict, enforce, DANE ok, host outside the mx patterns", Mode.ENFORCE,
            "mx.other.example", authOther, DANE_OK, true, Outcome.REFUSED,
            RefusalReason.MX_MISMATCH),
        Arguments.of("D-23 strict, testing, DANE ok, WebPKI fails", Mode.TESTING,
            "mx1.example.com", auth, DANE_OK_WEBPKI_FAILS, true, Outcome.REPORT_ONLY,
            RefusalReason.CERTIFICATE_NOT_TRUSTED),
        Arguments.of("D-23 strict, enforce, both pass", Mode.ENFORCE, "mx1.example.com", auth,
            DANE_OK, true, Outcome.ALLOWED, null),
        // STS-DANE-01: DANE failures refuse whatever MTA-STS says and in every mode
        Arguments.of("STS-DANE-01 enforce, MTA-STS would pass, DANE fails", Mode.ENFORCE,
            "mx1.example.com", auth, DANE_FAILS, false, Outcome.REFUSED,
            RefusalReason.TLSA_INVALID),
        Arguments.of("STS-DANE-01 testing, DANE fails: refused, not report-only", Mode.TESTING,
            "mx1.example.com", auth, DANE_FAILS, false, Outcome.REFUSED,
            RefusalReason.TLSA_INVALID),
        Arguments.of("STS-DANE-01 no policy, DANE fails", null, "mx1.example.com", auth,
            DANE_FAILS, false, Outcome.REFUSED, RefusalReason.TLSA_INVALID),
        Arguments.of("STS-DANE-01 DANE not checked on a WebPKI-valid session", Mode.ENFORCE,
            "mx1.example.com", auth, OK, false, Outcome.REFUSED, RefusalReason.TLSA_INVALID),
        Arguments.of("RFC 7672 §2.2 no STARTTLS under DANE, no policy", null, "mx1.example.com",
            auth, PLAIN, false, Outcome.REFUSED, RefusalReason.STARTTLS_NOT_SUPPORTED),
        Arguments.of("D-04 DANE ok over TLS 1.1", null, "mx1.example.com", auth,
            TlsFacts.daneVerified("TLSv1.1"), false, Outcome.REFUSED, RefusalReason.TLS_VERSION),
        // STS-DANE-04: unusable records still require TLS; MTA-STS judges the rest
        Arguments.of("STS-DANE-04 no STARTTLS, no policy", null, "mx1.example.com", tlsRequired,
            PLAIN, false, Outcome.REFUSED, RefusalReason.STARTTLS_NOT_SUPPORTED),
        Arguments.of("STS-DANE-04 handshake failed, no policy", null, "mx1.example.com",
            tlsRequired, TlsFacts.handshakeFailed(RefusalReason.TLS_HANDSHAKE_FAILED), false,
            Outcome.REFUSED, RefusalReason.TLS_HANDSHAKE_FAILED),
        Arguments.of("STS-DANE-04 TLS with any certificate, no policy", null, "mx1.example.com",
            tlsRequired, TlsFacts.certificateProblem("TLSv1.2", RefusalReason.CERTIFICATE_EXPIRED),
            false, Outcome.ALLOWED, null),
        Arguments.of("STS-DANE-04 enforce judges the certificate", Mode.ENFORCE,
            "mx1.example.com", tlsRequired,
            TlsFacts.certificateProblem("TLSv1.2", RefusalReason.CERTIFICATE_EXPIRED), false,
            Outcome.REFUSED, RefusalReason.CERTIFICATE_EXPIRED),
        Arguments.of("STS-DANE-04 testing reports the certificate", Mode.TESTING,
            "mx1.example.com", tlsRequired,
            TlsFacts.certificateProblem("TLSv1.2", RefusalReason.CERTIFICATE_EXPIRED), false,
            Outcome.REPORT_ONLY, RefusalReason.CERTIFICATE_EXPIRED),
        // STS-DANE-03
        Arguments.of("STS-DANE-03 DNSSEC failed, no policy", null, "mx1.example.com", failed, OK,
            false, Outcome.REFUSED, RefusalReason.DNSSEC_INVALID),
        // DANE does not apply: MTA-STS as before
        Arguments.of("STS-DANE-02 none, enforce, mismatch", Mode.ENFORCE, "mx.other.example",
            DaneRequirement.none("insecure"), OK, false, Outcome.REFUSED,
            RefusalReason.MX_MISMATCH),
        Arguments.of("STS-DANE-02 none, no policy, no STARTTLS", null, "mx1.example.com",
            DaneRequirement.none(), PLAIN, true, Outcome.ALLOWED, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decisions")
  void check_dane(String name, Mode mode, String host, DaneRequirement dane, TlsFacts facts,
      boolean strict, Outcome outcome, RefusalReason reason) {
    DeliveryDecision d = check(mode, host, dane, facts, strict);
    assertEquals(outcome, d.outcome(), d.toString());
    assertEquals(reason, d.reason().orElse(null), d.toString());
    assertEquals(host, d.mxHost());
    assertEquals(mode, d.mode().orElse(null));
  }

  @Test
  void daneOff_checkOfCandidateEqualsCheckOfHost() {
    for (Mode mode : new Mode[] {null, Mode.NONE, Mode.TESTING, Mode.ENFORCE}) {
      for (TlsFacts facts : List.of(OK, PLAIN,
          TlsFacts.certificateProblem("TLSv1.2", RefusalReason.CERTIFICATE_EXPIRED))) {
        for (String host : List.of("mx1.example.com", "mx.other.example")) {
          PolicyLookup lookup = DaneRulesTest.lookup(mode);
          DeliveryDecision byHost = DeliveryRules.check(lookup, host, facts);
          DeliveryDecision byCandidate = DeliveryRules.check(lookup,
              new MxCandidate(host, 10, true, true, TlsRequirement.VERIFIED), facts, true);
          assertEquals(byHost.toString(), byCandidate.toString());
        }
      }
    }
  }

  @Test
  void daneRefusal_messageNamesHostDomainRecordsAndStatus_STS_DANE_01() {
    DeliveryDecision d = check(Mode.ENFORCE, "mx1.example.com",
        DaneRulesTest.authenticate("mx1.example.com"), DANE_FAILS, false);
    assertTrue(d.message().contains("mx1.example.com fails DANE for example.com"), d.message());
    assertTrue(d.message().contains("_25._tcp.mx1.example.com"), d.message());
    assertTrue(d.message().contains("4.7.5"), d.message());
  }

  @Test
  void daneRefusalWithoutPolicy_toListenerAsRefusal_notAsTestingViolation_STS_DANE_01() {
    RecordingListener events = new RecordingListener();
    OperatorWarnings warnings =
        new OperatorWarnings(new MutableClock(Instant.EPOCH), 100, events);
    warnings.decided(check(null, "mx1.example.com",
        DaneRulesTest.authenticate("mx1.example.com"), DANE_FAILS, false));
    warnings.decided(check(Mode.TESTING, "mx1.example.com",
        DaneRulesTest.authenticate("mx1.example.com"), DANE_FAILS, false));
    assertEquals(List.of("refused mx1.example.com tlsa-invalid",
        "refused mx1.example.com tlsa-invalid"), events.events());
  }

  @Test
  void daneAuthenticated_allowedMessageSaysMtaStsSkipped_D_23() {
    DeliveryDecision d = check(Mode.ENFORCE, "mx1.example.com",
        DaneRulesTest.authenticate("mx1.example.com"), DANE_OK_WEBPKI_FAILS, false);
    assertTrue(d.isAllowed());
    assertFalse(d.reason().isPresent());
    assertTrue(d.message().contains("D-23"), d.message());
  }
}
