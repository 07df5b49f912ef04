package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mtasts.tls.CertificateCheck;
import org.mtasts.tls.RefusalReason;
import org.mtasts.tls.TlsFacts;
import org.mtasts.tls.TlsOutcome;

/**
 * The transport's one conversion of the core verifier's {@link TlsOutcome} into the {@link
 * TlsFacts} of {@code MtaSts.check} (issue 13 item 2).
 */
class SessionRecorderTest {

  @Test
  @DisplayName("STS-TLS-01: no handshake seen: no STARTTLS")
  void noHandshake_noStartTls() {
    TlsFacts f = new SessionRecorder().facts();
    assertFalse(f.startTlsOffered());
    assertFalse(f.tlsNegotiated());
  }

  @Test
  @DisplayName("STS-TLS-03: a completed, verified handshake: verified with its protocol")
  void completedAndPassed_verified() {
    SessionRecorder r = new SessionRecorder();
    r.handshake(TlsOutcome.completed("mx.example", true, "TLSv1.3", "TLS_AES_128_GCM_SHA256",
        CertificateCheck.ok(), null, null));
    TlsFacts f = r.facts();
    assertTrue(f.tlsNegotiated());
    assertEquals(Optional.of("TLSv1.3"), f.protocol());
    assertEquals(Optional.empty(), f.problem());
    assertEquals(Optional.of("TLSv1.3"), r.tlsProtocol());
    assertEquals(Optional.empty(), r.handshakeFailure());
  }

  @Test
  @DisplayName("STS-TLS-11: a completed handshake with a certificate problem keeps the problem")
  void completedWithProblem_certificateProblem() {
    TlsFacts f = SessionRecorder.facts(TlsOutcome.completed("mx.example", false, "TLSv1.2",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        CertificateCheck.refused(RefusalReason.CERTIFICATE_EXPIRED, "expired"), null, null));
    assertTrue(f.tlsNegotiated());
    assertEquals(Optional.of(RefusalReason.CERTIFICATE_EXPIRED), f.problem());
  }

  @Test
  @DisplayName("STS-TLS-10: an aborted handshake: handshake failed with the verifier's reason")
  void aborted_handshakeFailed() {
    SessionRecorder r = new SessionRecorder();
    r.handshake(TlsOutcome.failed("mx.example", true, RefusalReason.CERTIFICATE_HOST_MISMATCH,
        "name", null, null));
    r.handshake(TlsOutcome.completed("mx.example", true, "TLSv1.3", "TLS_AES_128_GCM_SHA256",
        CertificateCheck.ok(), null, null)); // the first outcome counts
    TlsFacts f = r.facts();
    assertTrue(f.startTlsOffered());
    assertFalse(f.tlsNegotiated());
    assertEquals(Optional.of(RefusalReason.CERTIFICATE_HOST_MISMATCH), f.problem());
    assertEquals(Optional.of(RefusalReason.CERTIFICATE_HOST_MISMATCH), r.handshakeFailure());
    assertEquals(Optional.empty(), r.tlsProtocol());
  }
}
