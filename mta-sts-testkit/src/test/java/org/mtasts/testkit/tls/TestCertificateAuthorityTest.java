package org.mtasts.testkit.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks each kind of certificate with a real JDK TLS handshake on loopback. */
class TestCertificateAuthorityTest {
  private static final TestCertificateAuthority CA = TestCertificateAuthority.create("Test Root");

  @Test
  void goodCertificateIsAcceptedWithHostnameVerification() throws Exception {
    assertNull(handshake(CA.issue("mx1.example.com"), CA, "mx1.example.com"));
  }

  @Test
  void wildcardCertificateCoversOneLabel() throws Exception {
    IssuedCertificate wildcard = CA.issue("*.example.com");
    assertNull(handshake(wildcard, CA, "mx1.example.com"));
    assertInstanceOf(SSLHandshakeException.class, handshake(wildcard, CA, "example.com"));
  }

  @Test
  void wrongNameIsRefused() throws Exception {
    Exception failure = handshake(CA.issue("other.example.com"), CA, "mx1.example.com");
    assertInstanceOf(SSLHandshakeException.class, failure);
    assertTrue(failure.getMessage().contains("mx1.example.com"), failure.getMessage());
  }

  @Test
  void expiredCertificateIsRefused() throws Exception {
    IssuedCertificate expired = CA.leaf("mx1.example.com").expired().build();
    assertTrue(expired.certificate().getNotAfter().getTime() < System.currentTimeMillis());
    assertInstanceOf(SSLHandshakeException.class, handshake(expired, CA, "mx1.example.com"));
    try {
      expired.certificate().checkValidity();
    } catch (CertificateExpiredException expected) {
      return;
    }
    throw new AssertionError("certificate should be expired");
  }

  @Test
  void notYetValidCertificateIsRefused() throws Exception {
    IssuedCertificate early = CA.leaf("mx1.example.com").notYetValid().build();
    assertInstanceOf(SSLHandshakeException.class, handshake(early, CA, "mx1.example.com"));
    try {
      early.certificate().checkValidity();
    } catch (CertificateNotYetValidException expected) {
      return;
    }
    throw new AssertionError("certificate should not be valid yet");
  }

  @Test
  void selfSignedCertificateIsRefusedAndHasNoIssuerInChain() throws Exception {
    IssuedCertificate self = CA.leaf("mx1.example.com").selfSigned().build();
    assertEquals(1, self.chain().size());
    assertEquals(
        self.certificate().getSubjectX500Principal(), self.certificate().getIssuerX500Principal());
    assertInstanceOf(SSLHandshakeException.class, handshake(self, CA, "mx1.example.com"));
  }

  @Test
  void certificateFromAnotherAuthorityIsRefused() throws Exception {
    TestCertificateAuthority other = TestCertificateAuthority.create("Untrusted Root");
    IssuedCertificate foreign = other.issue("mx1.example.com");
    assertNull(handshake(foreign, other, "mx1.example.com"));
    assertInstanceOf(SSLHandshakeException.class, handshake(foreign, CA, "mx1.example.com"));
  }

  @Test
  void commonNameOnlyCertificateHasNoSubjectAlternativeNames() throws Exception {
    IssuedCertificate cnOnly =
        CA.leaf("mx1.example.com").withoutSubjectAlternativeNames().build();
    assertNull(cnOnly.certificate().getSubjectAlternativeNames());
    assertTrue(cnOnly.certificate().getSubjectX500Principal().getName().contains("mx1.example.com"));
  }

  @Test
  void rsaKeysWork() throws Exception {
    IssuedCertificate rsa = CA.leaf("mx1.example.com").keyType(KeyType.RSA_2048).build();
    assertEquals("RSA", rsa.certificate().getPublicKey().getAlgorithm());
    assertNull(handshake(rsa, CA, "mx1.example.com"));
  }

  @Test
  void rsaAuthorityMakesAnAllRsaChain() throws Exception {
    TestCertificateAuthority rsaCa = TestCertificateAuthority.create("RSA Root", KeyType.RSA_2048);
    assertEquals(KeyType.RSA_2048, rsaCa.keyType());
    assertEquals(KeyType.EC_P256, CA.keyType());
    assertEquals("RSA", rsaCa.certificate().getPublicKey().getAlgorithm());
    assertEquals("SHA256withRSA", rsaCa.certificate().getSigAlgName());
    rsaCa.certificate().verify(rsaCa.certificate().getPublicKey());

    IssuedCertificate rsaLeaf = rsaCa.leaf("mx1.example.com").keyType(KeyType.RSA_2048).build();
    assertEquals("RSA", rsaLeaf.certificate().getPublicKey().getAlgorithm());
    assertEquals("SHA256withRSA", rsaLeaf.certificate().getSigAlgName());
    rsaLeaf.certificate().verify(rsaCa.certificate().getPublicKey());
    assertNull(handshake(rsaLeaf, rsaCa, "mx1.example.com"));

    // An EC leaf under the RSA root: signed with RSA all the same.
    IssuedCertificate ecLeaf = rsaCa.issue("mx2.example.com");
    assertEquals("EC", ecLeaf.certificate().getPublicKey().getAlgorithm());
    assertEquals("SHA256withRSA", ecLeaf.certificate().getSigAlgName());
    assertNull(handshake(ecLeaf, rsaCa, "mx2.example.com"));
    assertInstanceOf(SSLHandshakeException.class, handshake(rsaLeaf, CA, "mx1.example.com"));
  }

  @Test
  void leavesCanShareOneKeyPair() throws Exception {
    IssuedCertificate first = CA.leaf("a.example.com").keyType(KeyType.RSA_2048).build();
    java.security.KeyPair keys =
        new java.security.KeyPair(first.certificate().getPublicKey(), first.privateKey());
    IssuedCertificate second =
        CA.leaf("b.example.com").keyType(KeyType.RSA_2048).keyPair(keys).build();
    assertEquals(first.certificate().getPublicKey(), second.certificate().getPublicKey());
    assertFalse(first.certificate().equals(second.certificate()));
    assertNull(handshake(second, CA, "b.example.com"));
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalStateException.class, () -> CA.leaf("c.example.com").keyPair(keys).build());
  }

  @Test
  void subjectAlternativeNamesListEveryName() throws Exception {
    IssuedCertificate multi = CA.issue("a.example.com", "*.b.example.com");
    List<String> names =
        multi.certificate().getSubjectAlternativeNames().stream()
            .map(entry -> (String) entry.get(1))
            .toList();
    assertEquals(List.of("a.example.com", "*.b.example.com"), names);
    assertFalse(multi.certificate().getBasicConstraints() >= 0, "leaf must not be a CA");
  }

  @Test
  void pemRoundTrips(@TempDir Path dir) throws Exception {
    Path file = CA.writeCertificatePem(dir.resolve("ca.pem"));
    X509Certificate parsed =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(
                    new ByteArrayInputStream(
                        java.nio.file.Files.readString(file).getBytes(StandardCharsets.US_ASCII)));
    assertEquals(CA.certificate(), parsed);
    assertTrue(CA.issue("x.example").privateKeyPem().startsWith("-----BEGIN PRIVATE KEY-----\n"));
  }

  /** Runs one TLS handshake; returns the client's failure, or null on success. */
  private static Exception handshake(IssuedCertificate serverCert, TestCertificateAuthority trusted,
      String host) throws Exception {
    try (SSLServerSocket server =
        (SSLServerSocket)
            serverCert.serverContext().getServerSocketFactory().createServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> accepted =
          CompletableFuture.runAsync(
              () -> {
                try (SSLSocket socket = (SSLSocket) server.accept()) {
                  socket.setSoTimeout(5_000);
                  socket.startHandshake();
                  socket.getOutputStream().write(1);
                  socket.getOutputStream().flush();
                } catch (Exception ignored) {
                  // the client's view is what the test asserts
                }
              });
      // Layered over a plain socket so that the TLS peer host is the name, not "localhost".
      java.net.Socket plain = new java.net.Socket(server.getInetAddress(), server.getLocalPort());
      try (SSLSocket client =
          (SSLSocket)
              trusted.clientContext().getSocketFactory()
                  .createSocket(plain, host, server.getLocalPort(), true)) {
        client.setSoTimeout(5_000);
        SSLParameters parameters = client.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setServerNames(List.of(new SNIHostName(host)));
        client.setSSLParameters(parameters);
        client.startHandshake();
        client.getInputStream().read();
        return null;
      } catch (Exception e) {
        return e;
      } finally {
        accepted.get(10, TimeUnit.SECONDS);
      }
    }
  }
}
