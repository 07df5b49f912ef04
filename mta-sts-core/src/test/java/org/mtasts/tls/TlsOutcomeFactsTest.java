package org.mtasts.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
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
}
