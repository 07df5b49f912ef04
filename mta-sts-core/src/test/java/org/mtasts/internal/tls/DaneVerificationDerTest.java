package org.mtasts.internal.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.mtasts.testkit.tls.KeyType;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/**
 * The SubjectPublicKeyInfo that a TLSA record with selector SPKI(1) is computed from is taken from
 * the certificate's own DER (RFC 6698 §2.1.2); for the keys the JDK re-encodes identically it
 * equals {@code getPublicKey().getEncoded()}.
 */
class DaneVerificationDerTest {
  private static final TestCertificateAuthority EC = TestCertificateAuthority.create("DER EC");
  private static final TestCertificateAuthority RSA =
      TestCertificateAuthority.create("DER RSA", KeyType.RSA_2048);

  @Test
  void subjectPublicKeyInfo_isTheCertificatesOwn() throws Exception {
    for (var certificate : new java.security.cert.X509Certificate[] {
        EC.issue("mx1.example.com").certificate(), EC.certificate(),
        RSA.leaf("mx1.example.com").keyType(KeyType.RSA_2048).build().certificate(),
        RSA.certificate()}) {
      assertArrayEquals(certificate.getPublicKey().getEncoded(),
          DaneVerification.Der.subjectPublicKeyInfo(certificate.getEncoded()));
    }
  }

  @Test
  void notACertificate_isRefused_notOverrun() throws Exception {
    byte[] der = EC.issue("mx1.example.com").certificate().getEncoded();
    assertThrows(IllegalArgumentException.class,
        () -> DaneVerification.Der.subjectPublicKeyInfo(new byte[0]));
    assertThrows(IllegalArgumentException.class,
        () -> DaneVerification.Der.subjectPublicKeyInfo(new byte[] {0x30, (byte) 0x84, 0x7f}));
    assertThrows(IllegalArgumentException.class,
        () -> DaneVerification.Der.subjectPublicKeyInfo(Arrays.copyOf(der, der.length / 2)));
    byte[] notSequence = der.clone();
    notSequence[0] = 0x31;
    assertThrows(IllegalArgumentException.class,
        () -> DaneVerification.Der.subjectPublicKeyInfo(notSequence));
  }
}
