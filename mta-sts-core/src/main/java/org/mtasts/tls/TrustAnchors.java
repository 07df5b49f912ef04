package org.mtasts.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Trust anchors for the policy fetch and the MX certificate checks: the JDK's trust store by
 * default, or roots from a file (a PEM bundle, a PKCS#12 or a JKS key store) that replace it.
 *
 * <p>The trust managers returned are the JDK's PKIX trust managers over the given roots; nothing
 * here ever trusts a certificate that does not chain to one of them. Thread-safe.
 */
public final class TrustAnchors {
  private static final long MAX_FILE_BYTES = 16L << 20;

  private TrustAnchors() {}

  /** The JDK's default trust store ({@code cacerts}, or what {@code javax.net.ssl.*} names). */
  public static X509TrustManager system() {
    return trustManager(null);
  }

  /** A trust manager that trusts exactly {@code roots}. */
  public static X509TrustManager of(Collection<X509Certificate> roots) {
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("no trust anchors given");
    }
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int i = 0;
      for (X509Certificate root : roots) {
        store.setCertificateEntry("anchor-" + i++, Objects.requireNonNull(root, "root"));
      }
      return trustManager(store);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build an in-memory trust store", e);
    }
  }

  /**
   * Loads trust anchors from {@code file}: a PEM bundle ({@code -----BEGIN CERTIFICATE-----}
   * blocks), or a PKCS#12 or JKS key store whose trusted certificates become the anchors (key
   * entries are ignored). The anchors replace the JDK's default ones. Key stores are read without
   * a password, which works for JKS and for PKCS#12 files whose certificates are not encrypted;
   * use {@link #load(Path, char[])} for the others.
   *
   * @throws IOException if the file cannot be read, or holds no certificate in a known format;
   *     the message names the file and the problem
   */
  public static X509TrustManager load(Path file) throws IOException {
    return load(file, null);
  }

  /**
   * Like {@link #load(Path)}, with the password of a PKCS#12 or JKS key store (ignored for PEM).
   *
   * @throws IOException if the file cannot be read, the password is wrong, or the file holds no
   *     certificate in a known format; the message names the file and the problem
   */
  public static X509TrustManager load(Path file, char[] password) throws IOException {
    Objects.requireNonNull(file, "file");
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new IOException(file + " is " + size + " bytes; not a trust store");
    }
    byte[] bytes = Files.readAllBytes(file);
    String start = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.US_ASCII);
    List<X509Certificate> roots =
        start.contains("-----BEGIN") ? pem(file, bytes) : keyStore(file, bytes, password);
    if (roots.isEmpty()) {
      throw new IOException(file + " holds no trusted certificate"
          + (password == null ? " readable without a password; is it password-protected?" : ""));
    }
    return of(roots);
  }

  private static List<X509Certificate> pem(Path file, byte[] bytes) throws IOException {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      List<X509Certificate> roots = new ArrayList<>();
      for (Certificate certificate :
          factory.generateCertificates(new ByteArrayInputStream(bytes))) {
        roots.add((X509Certificate) certificate);
      }
      return roots;
    } catch (GeneralSecurityException e) {
      throw new IOException(file + " is not a readable PEM certificate bundle: "
          + e.getMessage(), e);
    }
  }

  private static List<X509Certificate> keyStore(Path file, byte[] bytes, char[] password)
      throws IOException {
    List<String> problems = new ArrayList<>();
    for (String type : List.of("PKCS12", "JKS")) {
      try (InputStream in = new ByteArrayInputStream(bytes)) {
        KeyStore store = KeyStore.getInstance(type);
        store.load(in, password);
        List<X509Certificate> roots = new ArrayList<>();
        for (String alias : Collections.list(store.aliases())) {
          if (store.isCertificateEntry(alias)
              && store.getCertificate(alias) instanceof X509Certificate) {
            roots.add((X509Certificate) store.getCertificate(alias));
          }
        }
        return roots;
      } catch (GeneralSecurityException | IOException e) {
        problems.add(type + ": " + e.getMessage());
      }
    }
    throw new IOException(
        file + " is neither a PEM bundle nor a PKCS#12 or JKS key store (" + problems + ")");
  }

  private static X509TrustManager trustManager(KeyStore store) {
    try {
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509TrustManager) {
          return (X509TrustManager) manager;
        }
      }
      throw new IllegalStateException("the JDK offers no X509TrustManager");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot initialise a trust manager", e);
    }
  }
}
