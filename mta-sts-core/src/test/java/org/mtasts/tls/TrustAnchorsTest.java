package org.mtasts.tls;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.testkit.tls.IssuedCertificate;
import org.mtasts.testkit.tls.TestCertificateAuthority;

class TrustAnchorsTest {
  private static final TestCertificateAuthority CA = TestCertificateAuthority.create("Anchor Root");
  private static final TestCertificateAuthority OTHER = TestCertificateAuthority.create("Other");

  private static X509Certificate[] chain(IssuedCertificate certificate) {
    return certificate.chain().toArray(new X509Certificate[0]);
  }

  private static void assertTrustsOnlyCa(X509TrustManager trust) {
    assertDoesNotThrow(() -> trust.checkServerTrusted(chain(CA.issue("a.example")), "ECDHE_ECDSA"));
    assertThrows(
        CertificateException.class,
        () -> trust.checkServerTrusted(chain(OTHER.issue("a.example")), "ECDHE_ECDSA"));
    assertEquals(1, trust.getAcceptedIssuers().length);
  }

  @Test
  void pemBundleReplacesTheDefaultAnchors(@TempDir Path dir) throws Exception {
    Path pem = CA.writeCertificatePem(dir.resolve("ca.pem"));
    assertTrustsOnlyCa(TrustAnchors.load(pem));
  }

  @Test
  void pkcs12AndJksKeyStoresAreRead(@TempDir Path dir) throws Exception {
    for (String type : List.of("PKCS12", "JKS")) {
      KeyStore store = KeyStore.getInstance(type);
      store.load(null, null);
      store.setCertificateEntry("root", CA.certificate());
      Path file = dir.resolve("trust." + type.toLowerCase());
      try (OutputStream out = Files.newOutputStream(file)) {
        store.store(out, "changeit".toCharArray());
      }
      assertTrustsOnlyCa(TrustAnchors.load(file, "changeit".toCharArray()));
      if (type.equals("JKS")) {
        assertTrustsOnlyCa(TrustAnchors.load(file)); // JKS certificates are not encrypted
      } else {
        IOException e = assertThrows(IOException.class, () -> TrustAnchors.load(file));
        assertTrue(e.getMessage().contains("password"), e.getMessage());
      }
    }
  }

  @Test
  void unreadableFilesGiveAMessageNamingTheFile(@TempDir Path dir) throws Exception {
    assertThrows(NoSuchFileException.class, () -> TrustAnchors.load(dir.resolve("missing.pem")));
    Path garbage = Files.writeString(dir.resolve("garbage.bin"), "not a trust store");
    IOException e = assertThrows(IOException.class, () -> TrustAnchors.load(garbage));
    assertTrue(e.getMessage().contains("garbage.bin"), e.getMessage());
    assertTrue(e.getMessage().contains("neither a PEM bundle"), e.getMessage());
    Path badPem =
        Files.writeString(dir.resolve("bad.pem"), "-----BEGIN CERTIFICATE-----\nxx\n");
    e = assertThrows(IOException.class, () -> TrustAnchors.load(badPem));
    assertTrue(e.getMessage().contains("bad.pem"), e.getMessage());
  }

  @Test
  void systemAnchorsAreTheJdksAndDoNotTrustTheTestCa() {
    X509TrustManager system = TrustAnchors.system();
    assertTrue(system.getAcceptedIssuers().length > 10, "JDK cacerts has many roots");
    assertThrows(
        CertificateException.class,
        () -> system.checkServerTrusted(chain(CA.issue("a.example")), "ECDHE_ECDSA"));
  }
}
