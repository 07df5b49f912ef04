package org.mtasts.testkit.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509KeyManager;

/**
 * A leaf certificate with its private key and chain (leaf first, then the issuing root unless
 * self-signed), in the forms a test server needs. Immutable and thread-safe.
 */
public final class IssuedCertificate {
  static final char[] PASSWORD = "testkit".toCharArray();

  private final PrivateKey privateKey;
  private final List<X509Certificate> chain;
  private final List<String> dnsNames;

  IssuedCertificate(PrivateKey privateKey, List<X509Certificate> chain, List<String> dnsNames) {
    this.privateKey = privateKey;
    this.chain = List.copyOf(chain);
    this.dnsNames = List.copyOf(dnsNames);
  }

  /** The leaf certificate. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** Leaf first, then the root that signed it (absent for self-signed leaves). */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** The leaf's private key. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  /** The DNS names the certificate was made for (whether or not they are in a SAN). */
  public List<String> dnsNames() {
    return dnsNames;
  }

  /** A fresh PKCS#12 key store with the key and chain under alias {@code "server"}. */
  public KeyStore keyStore(char[] password) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(
          "server", privateKey, password, chain.toArray(new X509Certificate[0]));
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A key manager that presents this certificate. */
  public X509KeyManager keyManager() {
    try {
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(keyStore(PASSWORD), PASSWORD);
      for (KeyManager manager : factory.getKeyManagers()) {
        if (manager instanceof X509KeyManager) {
          return (X509KeyManager) manager;
        }
      }
      throw new IllegalStateException("no X509KeyManager");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A server-side TLS context that presents this certificate and trusts nothing. */
  public SSLContext serverContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {keyManager()}, null, new SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The leaf certificate in PEM form. */
  public String certificatePem() {
    return Pem.certificate(certificate());
  }

  /** The private key in PKCS#8 PEM form. */
  public String privateKeyPem() {
    return Pem.privateKey(privateKey);
  }

  @Override
  public String toString() {
    return "IssuedCertificate{" + dnsNames + ", notAfter=" + certificate().getNotAfter() + "}";
  }
}
