package org.mtasts.internal.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.Principal;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * A certificate of a peer's chain whose signature, when the JDK's PKIX validation checks it, is
 * verified by Conscrypt (BoringSSL) instead of the JDK's Java code; everything else is the
 * original certificate's.
 *
 * <p>Why: with Conscrypt as the TLS provider the handshake's own signature runs natively, but the
 * JDK's PKIX validation, which stays (trust anchors, validity, constraints, algorithm checks),
 * verifies the CA's signature on the leaf with the JVM's first {@code SHA256withECDSA}: Java's
 * P-256 arithmetic, about 1 ms, over half of a cold fetch's CPU under Conscrypt (issue 16, JFR
 * profile). Installing Conscrypt as the JVM's first provider would change that for the whole
 * application, which the library must not do; the JDK's validator calls {@link
 * #verify(PublicKey, String)} on the certificate object it is given, so the native verification is
 * confined to the chains this library checks.
 *
 * <p>The signature is verified all the same: same algorithm, same key, same signed bytes (the
 * original's {@code TBSCertificate}), only by another implementation. Algorithms with parameters
 * (RSASSA-PSS), a named provider, or anything Conscrypt cannot take (an algorithm or key it does
 * not support) are verified by the original certificate, as before.
 *
 * <p>Immutable and thread-safe if the original is (the JDK's is).
 */
final class NativeSignatureCertificate extends X509Certificate {
  private static final long serialVersionUID = 1L;

  private final X509Certificate original;
  private final transient Provider provider;

  private NativeSignatureCertificate(X509Certificate original, Provider provider) {
    this.original = original;
    this.provider = provider;
  }

  /** The chain with each certificate wrapped; {@code chain} itself when it is null or empty. */
  static X509Certificate[] wrap(X509Certificate[] chain, Provider provider) {
    if (chain == null || chain.length == 0) {
      return chain;
    }
    X509Certificate[] wrapped = new X509Certificate[chain.length];
    for (int i = 0; i < chain.length; i++) {
      X509Certificate c = chain[i];
      wrapped[i] =
          c == null || c instanceof NativeSignatureCertificate
              ? c
              : new NativeSignatureCertificate(c, provider);
    }
    return wrapped;
  }

  @Override
  public void verify(PublicKey key) throws CertificateException, NoSuchAlgorithmException,
      InvalidKeyException, NoSuchProviderException, SignatureException {
    verify(key, (String) null);
  }

  @Override
  public void verify(PublicKey key, String sigProvider) throws CertificateException,
      NoSuchAlgorithmException, InvalidKeyException, NoSuchProviderException,
      SignatureException {
    if ((sigProvider != null && !sigProvider.isEmpty()) || original.getSigAlgParams() != null) {
      original.verify(key, sigProvider);
      return;
    }
    Signature signature;
    try {
      signature = Signature.getInstance(original.getSigAlgName(), provider);
      signature.initVerify(key);
    } catch (GeneralSecurityException | RuntimeException e) {
      // Not an algorithm or key Conscrypt takes: the JDK verifies, as without Conscrypt.
      original.verify(key, sigProvider);
      return;
    }
    signature.update(original.getTBSCertificate());
    if (!signature.verify(original.getSignature())) {
      throw new SignatureException("Signature does not match.");
    }
  }

  @Override
  public void verify(PublicKey key, Provider sigProvider) throws CertificateException,
      NoSuchAlgorithmException, InvalidKeyException, SignatureException {
    original.verify(key, sigProvider);
  }

  // Everything below is the original's.

  @Override
  public byte[] getEncoded() throws CertificateEncodingException {
    return original.getEncoded();
  }

  @Override
  public PublicKey getPublicKey() {
    return original.getPublicKey();
  }

  @Override
  public String toString() {
    return original.toString();
  }

  @Override
  public void checkValidity() throws CertificateExpiredException, CertificateNotYetValidException {
    original.checkValidity();
  }

  @Override
  public void checkValidity(Date date)
      throws CertificateExpiredException, CertificateNotYetValidException {
    original.checkValidity(date);
  }

  @Override
  public int getVersion() {
    return original.getVersion();
  }

  @Override
  public BigInteger getSerialNumber() {
    return original.getSerialNumber();
  }

  @Override
  @SuppressWarnings("deprecation")
  public Principal getIssuerDN() {
    return original.getIssuerDN();
  }

  @Override
  @SuppressWarnings("deprecation")
  public Principal getSubjectDN() {
    return original.getSubjectDN();
  }

  @Override
  public X500Principal getIssuerX500Principal() {
    return original.getIssuerX500Principal();
  }

  @Override
  public X500Principal getSubjectX500Principal() {
    return original.getSubjectX500Principal();
  }

  @Override
  public Date getNotBefore() {
    return original.getNotBefore();
  }

  @Override
  public Date getNotAfter() {
    return original.getNotAfter();
  }

  @Override
  public byte[] getTBSCertificate() throws CertificateEncodingException {
    return original.getTBSCertificate();
  }

  @Override
  public byte[] getSignature() {
    return original.getSignature();
  }

  @Override
  public String getSigAlgName() {
    return original.getSigAlgName();
  }

  @Override
  public String getSigAlgOID() {
    return original.getSigAlgOID();
  }

  @Override
  public byte[] getSigAlgParams() {
    return original.getSigAlgParams();
  }

  @Override
  public boolean[] getIssuerUniqueID() {
    return original.getIssuerUniqueID();
  }

  @Override
  public boolean[] getSubjectUniqueID() {
    return original.getSubjectUniqueID();
  }

  @Override
  public boolean[] getKeyUsage() {
    return original.getKeyUsage();
  }

  @Override
  public List<String> getExtendedKeyUsage() throws CertificateParsingException {
    return original.getExtendedKeyUsage();
  }

  @Override
  public int getBasicConstraints() {
    return original.getBasicConstraints();
  }

  @Override
  public Collection<List<?>> getSubjectAlternativeNames() throws CertificateParsingException {
    return original.getSubjectAlternativeNames();
  }

  @Override
  public Collection<List<?>> getIssuerAlternativeNames() throws CertificateParsingException {
    return original.getIssuerAlternativeNames();
  }

  @Override
  public boolean hasUnsupportedCriticalExtension() {
    return original.hasUnsupportedCriticalExtension();
  }

  @Override
  public Set<String> getCriticalExtensionOIDs() {
    return original.getCriticalExtensionOIDs();
  }

  @Override
  public Set<String> getNonCriticalExtensionOIDs() {
    return original.getNonCriticalExtensionOIDs();
  }

  @Override
  public byte[] getExtensionValue(String oid) {
    return original.getExtensionValue(oid);
  }
}
