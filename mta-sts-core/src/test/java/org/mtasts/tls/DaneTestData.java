package org.mtasts.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.mtasts.dns.TlsaRecord;

/**
 * TLSA data computed in the tests themselves (SHA-256/512 of a certificate's DER or of its
 * SubjectPublicKeyInfo), and a three-level chain (root, intermediate, leaf) that the testkit's
 * authority, which signs leaves with its root directly, does not make. BouncyCastle is on the test
 * class path through the testkit.
 */
final class DaneTestData {
  private static final AtomicLong SERIALS = new AtomicLong(1000);

  private DaneTestData() {}

  /** The record {@code usage selector matchingType} whose data is computed from {@code cert}. */
  static TlsaRecord tlsa(int usage, int selector, int matchingType, X509Certificate cert) {
    try {
      byte[] content = selector == TlsaRecord.SELECTOR_CERT
          ? cert.getEncoded()
          : cert.getPublicKey().getEncoded();
      byte[] data = switch (matchingType) {
        case TlsaRecord.MATCH_FULL -> content;
        case TlsaRecord.MATCH_SHA256 -> MessageDigest.getInstance("SHA-256").digest(content);
        case TlsaRecord.MATCH_SHA512 -> MessageDigest.getInstance("SHA-512").digest(content);
        default -> throw new IllegalArgumentException("matching type " + matchingType);
      };
      return TlsaRecord.of(usage, selector, matchingType, data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static DaneTlsa rrset(String host, TlsaRecord... records) {
    return new DaneTlsa(host, host, List.of(records));
  }

  /** A root, an intermediate signed by it, and a leaf for {@code dnsNames} signed by that. */
  record Chain(X509Certificate root, X509Certificate intermediate, X509Certificate leaf) {}

  static Chain threeLevels(String... dnsNames) {
    try {
      Instant now = Instant.now();
      KeyPair rootKeys = ecKeys();
      KeyPair intermediateKeys = ecKeys();
      KeyPair leafKeys = ecKeys();
      X500Name rootName = new X500Name("CN=DANE test root");
      X500Name intermediateName = new X500Name("CN=DANE test intermediate");
      X509Certificate root = certificate(rootName, rootName, rootKeys, rootKeys, true,
          now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(3650)));
      X509Certificate intermediate = certificate(rootName, intermediateName, intermediateKeys,
          rootKeys, true, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)));
      X509Certificate leaf = certificate(intermediateName, new X500Name("CN=" + dnsNames[0]),
          leafKeys, intermediateKeys, false, now.minus(Duration.ofDays(1)),
          now.plus(Duration.ofDays(90)), dnsNames);
      return new Chain(root, intermediate, leaf);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair ecKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509Certificate certificate(X500Name issuer, X500Name subject, KeyPair subjectKeys,
      KeyPair issuerKeys, boolean ca, Instant notBefore, Instant notAfter, String... dnsNames)
      throws Exception {
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
        BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(notBefore), Date.from(notAfter),
        subject, subjectKeys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    builder.addExtension(Extension.keyUsage, true,
        new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
    if (dnsNames.length > 0) {
      GeneralName[] names = new GeneralName[dnsNames.length];
      for (int i = 0; i < names.length; i++) {
        names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
      }
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    }
    return new JcaX509CertificateConverter().getCertificate(builder.build(
        new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
  }
}
