package org.mtasts.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The one conversion of the verifier's {@link TlsOutcome} into the check's {@link TlsFacts}. */
class TlsOutcomeFactsTest {

  @Test
  void completedAndPassed_isVerified_withItsProtocol_STS_TLS_05() {
    TlsFacts facts = TlsOutcome.completed("mx.example.com", true, "TLSv1.3",
        "TLS_AES_128_GCM_SHA256", CertificateCheck.ok(), null, null).facts();
    assertTrue(facts.startTlsOffered());
    assertTrue(facts.tlsNegotiated());
    assertEquals(Optional.of("TLSv1.3"), facts.protocol());
    assertEquals(Optional.empty(), facts.problem());
  }

  @Test
  void completedWithAnExpiredCertificate_isACertificateProblem_STS_TLS_04() {
    TlsFacts facts = TlsOutcome.completed("mx.example.com", false, "TLSv1.2",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        CertificateCheck.refused(RefusalReason.CERTIFICATE_EXPIRED, "expired"), null, null)
        .facts();
    assertTrue(facts.tlsNegotiated());
    assertEquals(Optional.of("TLSv1.2"), facts.protocol());
    assertEquals(Optional.of(RefusalReason.CERTIFICATE_EXPIRED), facts.problem());
  }

  @Test
  void failed_isAFailedHandshake_withItsReason_STS_TLS_03() {
    TlsFacts facts = TlsOutcome.failed("mx.example.com", true, RefusalReason.TLS_VERSION,
        "TLSv1.1 offered", null, null).facts();
    assertTrue(facts.startTlsOffered());
    assertFalse(facts.tlsNegotiated());
    assertEquals(Optional.of(RefusalReason.TLS_VERSION), facts.problem());
  }

  private static final CertificateCheck DANE_OK = CertificateCheck.daneAuthenticated("matched");
  private static final CertificateCheck DANE_BAD = CertificateCheck.daneFailed("no match");
  private static final CertificateCheck UNTRUSTED =
      CertificateCheck.refused(RefusalReason.CERTIFICATE_NOT_TRUSTED, "self-signed");

  @Test
  void nonDane_factsAndOutcome_haveNoDaneVerdict() {
    TlsOutcome completed = TlsOutcome.completed("mx.example.com", true, "TLSv1.3", "S",
        CertificateCheck.ok(), null, null);
    assertEquals(Optional.empty(), completed.dane());
    assertEquals(Optional.of(CertificateCheck.ok()), completed.webPki());
    assertEquals(Optional.empty(), completed.facts().dane());
    assertEquals(Optional.empty(), TlsOutcome.failed("mx.example.com", true,
        RefusalReason.TLS_VERSION, "m", null, null).webPki());
    assertThrows(IllegalArgumentException.class, () -> TlsOutcome.completed("mx.example.com",
        true, "TLSv1.3", "S", DANE_OK, null, null));
  }

  @Test
  @DisplayName("STS-DANE-05 DANE-authenticated, WebPKI refused: facts keep both verdicts")
  void daneCompleted_webPkiRefused_isDaneVerifiedWithTheProblem_STS_DANE_05() {
    TlsOutcome outcome = TlsOutcome.daneCompleted("mx.example.com", false, "TLSv1.3", "S",
        DANE_OK, UNTRUSTED, null, null);
    assertTrue(outcome.handshakeCompleted());
    assertFalse(outcome.passed());
    assertEquals(Optional.of(DaneResult.AUTHENTICATED), outcome.dane());
    assertEquals(Optional.of(UNTRUSTED), outcome.webPki());
    assertTrue(outcome.message().contains("matched") && outcome.message().contains("self-signed"),
        outcome.message());
    assertTrue(outcome.toString().contains("DANE authenticated"), outcome.toString());
    TlsFacts facts = outcome.facts();
    assertTrue(facts.tlsNegotiated());
    assertEquals(Optional.of(DaneResult.AUTHENTICATED), facts.dane());
    assertEquals(Optional.of(RefusalReason.CERTIFICATE_NOT_TRUSTED), facts.failure());
    assertTrue(facts.toString().contains("DANE authenticated"), facts.toString());

    TlsFacts both = TlsOutcome.daneCompleted("mx.example.com", true, "TLSv1.2", "S", DANE_OK,
        CertificateCheck.ok(), null, null).facts();
    assertEquals(Optional.of(DaneResult.AUTHENTICATED), both.dane());
    assertEquals(Optional.empty(), both.failure());
  }

  @Test
  @DisplayName("STS-DANE-01 DANE failed although WebPKI passed: the facts fail as tlsa-invalid")
  void daneFailed_webPkiPassed_isTlsaInvalid_STS_DANE_01() {
    TlsOutcome outcome = TlsOutcome.daneFailed("mx.example.com", false, DANE_BAD,
        CertificateCheck.ok(), null, null);
    assertFalse(outcome.handshakeCompleted());
    assertEquals(Optional.of(RefusalReason.TLSA_INVALID), outcome.refusal());
    assertEquals(Optional.of(DaneResult.FAILED), outcome.dane());
    assertEquals(Optional.of(CertificateCheck.ok()), outcome.webPki());
    TlsFacts facts = outcome.facts();
    assertFalse(facts.tlsNegotiated());
    assertEquals(Optional.of(RefusalReason.TLSA_INVALID), facts.failure());
    assertEquals(Optional.of(DaneResult.FAILED), facts.dane());
  }

  @Test
  void daneFailed_requiredWebPki_keepsTheWebPkiReason() {
    TlsOutcome outcome = TlsOutcome.daneFailed("mx.example.com", true, DANE_OK, UNTRUSTED, null,
        null);
    assertEquals(Optional.of(RefusalReason.CERTIFICATE_NOT_TRUSTED), outcome.refusal());
    assertEquals(Optional.of(DaneResult.AUTHENTICATED), outcome.facts().dane());
    assertEquals(Optional.of(RefusalReason.CERTIFICATE_NOT_TRUSTED), outcome.facts().failure());
  }

  @Test
  void impossibleDaneOutcomes_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> TlsOutcome.daneCompleted("mx", false,
        "TLSv1.3", "S", DANE_BAD, CertificateCheck.ok(), null, null));
    assertThrows(IllegalArgumentException.class, () -> TlsOutcome.daneCompleted("mx", true,
        "TLSv1.3", "S", DANE_OK, UNTRUSTED, null, null));
    assertThrows(IllegalArgumentException.class, () -> TlsOutcome.daneCompleted("mx", false,
        "TLSv1.3", "S", CertificateCheck.ok(), CertificateCheck.ok(), null, null));
    assertThrows(IllegalArgumentException.class, () -> TlsOutcome.daneCompleted("mx", false,
        "TLSv1.3", "S", DANE_OK, DANE_OK, null, null));
    assertThrows(IllegalArgumentException.class, () -> TlsOutcome.daneFailed("mx", false,
        DANE_OK, UNTRUSTED, null, null));
    assertThrows(IllegalArgumentException.class,
        () -> TlsFacts.handshakeFailed(RefusalReason.CERTIFICATE_EXPIRED, DaneResult.FAILED));
    assertThrows(IllegalArgumentException.class,
        () -> TlsFacts.handshakeFailed(RefusalReason.TLSA_INVALID, DaneResult.AUTHENTICATED));
    assertThrows(IllegalArgumentException.class,
        () -> TlsFacts.daneVerified("TLSv1.3", RefusalReason.TLSA_INVALID));
  }

  @Test
  void daneOutcomes_nullParameters() {
    assertThrows(NullPointerException.class, () -> TlsOutcome.daneCompleted(null, false,
        "TLSv1.3", "S", DANE_OK, UNTRUSTED, null, null));
    assertThrows(NullPointerException.class, () -> TlsOutcome.daneCompleted("mx", false,
        null, "S", DANE_OK, UNTRUSTED, null, null));
    assertThrows(NullPointerException.class, () -> TlsOutcome.daneCompleted("mx", false,
        "TLSv1.3", null, DANE_OK, UNTRUSTED, null, null));
    assertThrows(NullPointerException.class, () -> TlsOutcome.daneCompleted("mx", false,
        "TLSv1.3", "S", null, UNTRUSTED, null, null));
    assertThrows(NullPointerException.class, () -> TlsOutcome.daneCompleted("mx", false,
        "TLSv1.3", "S", DANE_OK, null, null, null));
    assertThrows(NullPointerException.class,
        () -> TlsOutcome.daneFailed(null, false, DANE_BAD, UNTRUSTED, null, null));
    assertThrows(NullPointerException.class,
        () -> TlsOutcome.daneFailed("mx", false, null, UNTRUSTED, null, null));
    assertThrows(NullPointerException.class,
        () -> TlsOutcome.daneFailed("mx", false, DANE_BAD, null, null, null));
  }
}
