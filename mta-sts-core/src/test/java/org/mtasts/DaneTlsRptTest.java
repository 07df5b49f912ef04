package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.mtasts.dns.TlsaRecord;
import org.mtasts.policy.Mode;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.PolicyType;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ResultType;
import org.mtasts.report.SessionEndpoints;
import org.mtasts.report.SessionResult;
import org.mtasts.tls.DaneRequirement;
import org.mtasts.tls.DaneResult;
import org.mtasts.tls.DaneTlsa;
import org.mtasts.tls.RefusalReason;
import org.mtasts.tls.TlsFacts;
import org.mtasts.tls.TlsRequirement;
import org.junit.jupiter.api.Test;

/**
 * What a session under DANE counts for TLS-RPT (STS-DANE-08): policy type {@code tlsa}, the TLSA
 * records as policy string, the TLSA base domain as policy domain, result types {@code
 * tlsa-invalid} and {@code dnssec-invalid}.
 */
class DaneTlsRptTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final SessionEndpoints ENDPOINTS = TlsRptRecordingTest.ENDPOINTS;
  static final String EE = DaneRulesTest.EE;

  /** mx1.example.com, a CNAME to mail.provider.example, whose TLSA records DANE found there. */
  static final DaneRequirement VIA_CNAME = DaneRequirement.of(new DaneTlsa("mx1.example.com",
      "mail.provider.example", List.of(TlsaRecord.parse(EE), TlsaRecord.parse("2 0 1 " + "cd"
          .repeat(32)))));

  static MxCandidate mx(DaneRequirement dane) {
    return new MxCandidate("mx1.example.com", 10, true, true, TlsRequirement.VERIFIED, dane);
  }

  static SessionResult dane(Mode mode, DaneRequirement dane, TlsFacts facts) {
    return TlsRptRecording.dane(T0, DaneRulesTest.lookup(mode), mx(dane), facts, ENDPOINTS);
  }

  @Test
  void authenticated_success_tlsaPolicy_baseDomain_records_STS_DANE_08() {
    SessionResult r = dane(Mode.ENFORCE, VIA_CNAME, TlsFacts.daneVerified("TLSv1.3",
        RefusalReason.CERTIFICATE_NOT_TRUSTED));
    assertTrue(r.isSuccess(), r.toString());
    assertEquals(ReportPolicy.tlsa("mail.provider.example",
        List.of(EE, "2 0 1 " + "cd".repeat(32))), r.policy());
    assertEquals(PolicyType.TLSA, r.policy().type());
    assertEquals("mail.provider.example", r.policy().domain());
    assertEquals(List.of(), r.policy().mxHost());
  }

  @Test
  void daneFailure_tlsaInvalid_withSessionDetails_STS_DANE_08() {
    SessionResult r = dane(null, VIA_CNAME,
        TlsFacts.handshakeFailed(RefusalReason.TLSA_INVALID, DaneResult.FAILED));
    FailureDetail f = r.failures().get(0);
    assertEquals(ResultType.TLSA_INVALID, f.resultType());
    assertEquals("mx1.example.com", f.receivingMxHostname());
    assertEquals("edge1.example.com", f.receivingMxHelo());
    assertEquals("mail.provider.example", r.policy().domain());
  }

  @Test
  void daneNotChecked_tlsaInvalid_STS_DANE_08() {
    SessionResult r = dane(Mode.ENFORCE, VIA_CNAME, TlsFacts.verified("TLSv1.3"));
    assertEquals(ResultType.TLSA_INVALID, r.failures().get(0).resultType());
  }

  @Test
  void noStartTlsUnderDane_starttlsNotSupported_STS_DANE_08() {
    SessionResult r = dane(null, VIA_CNAME, TlsFacts.noStartTls());
    assertEquals(ResultType.STARTTLS_NOT_SUPPORTED, r.failures().get(0).resultType());
    assertEquals(PolicyType.TLSA, r.policy().type());
  }

  @Test
  void dnssecFailed_dnssecInvalid_underTheMxHost_noSessionDetails_STS_DANE_08() {
    SessionResult r = dane(Mode.ENFORCE, DaneRulesTest.failed("mx1.example.com"),
        TlsFacts.noStartTls());
    assertEquals(ReportPolicy.tlsa("mx1.example.com", List.of()), r.policy());
    FailureDetail f = r.failures().get(0);
    assertEquals(ResultType.DNSSEC_INVALID, f.resultType());
    assertEquals("mx1.example.com", f.receivingMxHostname());
    assertEquals(null, f.receivingIp());
    assertEquals(null, f.sendingMtaIp());
  }

  @Test
  void tlsRequiredWithoutPolicy_tlsaPolicy_successOnAnyTls_STS_DANE_04() {
    DaneRequirement unusable = DaneRulesTest.tlsRequired("mx1.example.com");
    SessionResult ok = dane(null, unusable,
        TlsFacts.certificateProblem("TLSv1.2", RefusalReason.CERTIFICATE_EXPIRED));
    assertTrue(ok.isSuccess(), ok.toString());
    assertEquals(PolicyType.TLSA, ok.policy().type());
    assertEquals(List.of(DaneRulesTest.PKIX_EE), ok.policy().policyString());
    SessionResult plain = dane(null, unusable, TlsFacts.noStartTls());
    assertEquals(ResultType.STARTTLS_NOT_SUPPORTED, plain.failures().get(0).resultType());
  }

  @Test
  void tlsRequiredUnderStsPolicy_notDanes_mtaStsJudges_STS_DANE_04() {
    assertEquals(null, dane(Mode.TESTING, DaneRulesTest.tlsRequired("mx1.example.com"),
        TlsFacts.verified("TLSv1.3")));
    assertEquals(null, dane(Mode.ENFORCE, DaneRequirement.none("insecure"),
        TlsFacts.verified("TLSv1.3")));
  }

  @Test
  void recording_daneSessionCountedUnderTlsa_strictAlsoUnderSts_D_23() {
    RecordingTlsRptRecorder recorder = new RecordingTlsRptRecorder();
    TlsRptRecording recording =
        new TlsRptRecording(new MutableClock(T0), null, recorder, MtaStsListener.NONE);
    PolicyLookup enforce = DaneRulesTest.lookup(Mode.ENFORCE);
    TlsFacts selfSigned =
        TlsFacts.daneVerified("TLSv1.3", RefusalReason.CERTIFICATE_NOT_TRUSTED);
    SessionResult r = recording.session(enforce, mx(VIA_CNAME), selfSigned, ENDPOINTS, false);
    assertEquals(List.of(r), recorder.results());
    assertTrue(r.isSuccess());
    recorder.clear();
    recording.session(enforce, mx(VIA_CNAME), selfSigned, ENDPOINTS, true);
    List<SessionResult> both = recorder.results();
    assertEquals(List.of(PolicyType.TLSA, PolicyType.STS),
        both.stream().map(s -> s.policy().type()).toList());
    assertEquals(ResultType.CERTIFICATE_NOT_TRUSTED,
        both.get(1).failures().get(0).resultType());
  }

  @Test
  void recording_withoutDane_asBefore() {
    RecordingTlsRptRecorder recorder = new RecordingTlsRptRecorder();
    TlsRptRecording recording =
        new TlsRptRecording(new MutableClock(T0), null, recorder, MtaStsListener.NONE);
    PolicyLookup enforce = DaneRulesTest.lookup(Mode.ENFORCE);
    SessionResult byCandidate = recording.session(enforce, mx(DaneRequirement.none()),
        TlsFacts.noStartTls(), ENDPOINTS, true);
    SessionResult byHost =
        recording.session(enforce, "mx1.example.com", TlsFacts.noStartTls(), ENDPOINTS);
    assertEquals(byHost, byCandidate);
    assertEquals(2, recorder.results().size());
  }
}
