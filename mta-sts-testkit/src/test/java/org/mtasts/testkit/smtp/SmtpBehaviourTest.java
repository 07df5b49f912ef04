package org.mtasts.testkit.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.mtasts.testkit.tls.IssuedCertificate;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/** Eager validation of the public builders and values, and null arguments. */
class SmtpBehaviourTest {
  private static final IssuedCertificate CERTIFICATE =
      TestCertificateAuthority.create("SMTP Test Root").issue("mx1.example.com");

  @Test
  void nullArguments_areRefused() {
    SmtpBehaviour.Builder builder = SmtpBehaviour.builder();
    SmtpReply reply = SmtpReply.of(550, "5.1.1 No");
    Executable[] calls = {
      () -> SmtpBehaviour.startTls(null),
      () -> builder.startTls(null),
      () -> builder.startTlsRefused(null),
      () -> builder.legacyTlsOnly(null),
      () -> builder.tlsProtocols((String[]) null),
      () -> builder.tlsProtocols("TLSv1.2", null),
      () -> builder.injectAfterStartTls(null),
      () -> builder.rcptReply(null, reply),
      () -> builder.rcptReply("a@example.com", null),
      () -> SmtpReply.of(250, null),
      () -> SmtpReceiver.builder(null),
      () -> SmtpReceiver.builder("mx1.example.com").behaviour(null),
      () -> SmtpReceiver.builder("mx1.example.com").readTimeout(null),
      () -> SmtpReceiver.builder("mx1.example.com").bindAddress(null),
      () -> SmtpReceiver.builder("mx1.example.com").build().setBehaviour(null),
    };
    for (Executable call : calls) {
      assertThrows(NullPointerException.class, call);
    }
  }

  @Test
  void badValues_areRefusedWithTheValueInTheMessage() {
    assertMessageNames("600", () -> SmtpReply.of(600, "x"));
    assertMessageNames("two", () -> SmtpReply.of(550, "one\r\ntwo"));
    assertMessageNames(
        "250", () -> SmtpBehaviour.builder().startTlsRefused(SmtpReply.of(250, "ok")));
    assertMessageNames("TLSv1.2", () -> SmtpBehaviour.builder().legacyTlsOnly("TLSv1.2"));
    assertMessageNames("TLSv1.1", () -> SmtpBehaviour.builder().tlsProtocols("TLSv1.1"));
    assertMessageNames("x", () -> SmtpBehaviour.builder().injectAfterStartTls("x\r\n"));
    assertMessageNames("bad host", () -> SmtpReceiver.builder("bad host"));
    assertMessageNames(
        "PT0S", () -> SmtpReceiver.builder("mx1.example.com").readTimeout(Duration.ZERO));
  }

  @Test
  void inconsistentCombinations_areRefusedAtBuild() {
    SmtpBehaviour.Builder protocolsWithoutTls =
        SmtpBehaviour.builder().startTls(CERTIFICATE).tlsProtocols("TLSv1.2").noStartTls();
    assertThrows(IllegalStateException.class, protocolsWithoutTls::build);
    SmtpBehaviour.Builder injectionWithout220 =
        SmtpBehaviour.builder().startTlsRefused().injectAfterStartTls();
    assertThrows(IllegalStateException.class, injectionWithout220::build);
  }

  @Test
  void lastStartTlsModeWins_andToBuilderKeepsTheRest() {
    SmtpBehaviour behaviour =
        SmtpBehaviour.builder()
            .startTls(CERTIFICATE)
            .requireTls(true)
            .rcptReply("A@Example.com", SmtpReply.of(550, "5.1.1 No"))
            .startTlsThenClose()
            .build();
    assertEquals(SmtpBehaviour.StartTlsMode.THEN_CLOSE, behaviour.mode);
    assertNull(behaviour.certificate);
    SmtpBehaviour copy = behaviour.toBuilder().startTls(CERTIFICATE).build();
    assertEquals(SmtpBehaviour.StartTlsMode.OFFERED, copy.mode);
    assertTrue(copy.requireTls);
    assertEquals(550, copy.rcptReplyFor("a@example.COM").code());
    assertNull(copy.rcptReplyFor("b@example.com"));
    assertTrue(copy.toString().contains("mx1.example.com"), copy.toString());
  }

  @Test
  void reply_rendersAsOnTheWire() {
    assertEquals(
        "454 4.7.0 TLS not available", SmtpReply.of(454, "4.7.0 TLS not available").toString());
    assertTrue(SmtpReply.of(251, "ok").isPositive());
  }

  private static void assertMessageNames(String value, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(value), e.getMessage());
  }
}
