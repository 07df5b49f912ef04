package org.mtasts.testkit.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made at run time for tests: a self-signed root and the leaf
 * certificates it signs, good ones and every bad kind a TLS client must refuse.
 *
 * <pre>{@code
 * TestCertificateAuthority ca = TestCertificateAuthority.create("Test Root");
 * IssuedCertificate good = ca.issue("mx1.example.com");
 * IssuedCertificate expired = ca.leaf("mx2.example.com").expired().build();
 * X509TrustManager trust = ca.trustManager();   // hand this to the code under test
 * }</pre>
 *
 * <p>Nothing here touches the JVM's default trust store: a client trusts this authority only if
 * it is given {@link #trustManager()}, {@link #trustStore()} or {@link #certificatePem()}.
 *
 * <p>Thread-safe: an authority is immutable apart from its serial number counter.
 */
public final class TestCertificateAuthority {
  private static final Duration DEFAULT_LEAF_VALIDITY = Duration.ofDays(90);

  private final String name;
  private final KeyType keyType;
  private final KeyPair keyPair;
  private final X509Certificate certificate;
  private final Clock clock;
  private final AtomicLong serials = new AtomicLong(1);

  private TestCertificateAuthority(String name, KeyType keyType, KeyPair keyPair,
      X509Certificate certificate, Clock clock) {
    this.name = name;
    this.keyType = keyType;
    this.keyPair = keyPair;
    this.certificate = certificate;
    this.clock = clock;
  }

  /** Makes a new root authority with an EC P-256 key, valid from a day ago for ten years. */
  public static TestCertificateAuthority create(String name) {
    return create(name, Clock.systemUTC());
  }

  /**
   * Makes a new root authority with a key of {@code keyType}, valid from a day ago for ten years.
   * The root and every leaf it issues are signed with that key ({@code SHA256withRSA} for an RSA
   * authority), so an RSA authority with {@link LeafBuilder#keyType RSA leaves} gives an all-RSA
   * chain, as most public CAs serve.
   */
  public static TestCertificateAuthority create(String name, KeyType keyType) {
    return create(name, Clock.systemUTC(), keyType);
  }

  /**
   * Makes a new root authority whose validity periods and those of its leaves are computed from
   * {@code clock}.
   */
  public static TestCertificateAuthority create(String name, Clock clock) {
    return create(name, clock, KeyType.EC_P256);
  }

  /**
   * Makes a new root authority with a key of {@code keyType} whose validity periods and those of
   * its leaves are computed from {@code clock}.
   */
  public static TestCertificateAuthority create(String name, Clock clock, KeyType keyType) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(keyType, "keyType");
    KeyPair keyPair = generate(keyType);
    Instant now = clock.instant();
    X500Name subject = distinguishedName(name);
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              BigInteger.ONE,
              Date.from(now.minus(Duration.ofDays(1))),
              Date.from(now.plus(Duration.ofDays(3650))),
              subject,
              keyPair.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          extensions.createSubjectKeyIdentifier(keyPair.getPublic()));
      X509Certificate root = sign(builder, keyPair, keyType);
      return new TestCertificateAuthority(name, keyType, keyPair, root, clock);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot make test CA " + name, e);
    }
  }

  /** Issues a good leaf certificate for {@code dnsNames} (the first is also the subject CN). */
  public IssuedCertificate issue(String... dnsNames) {
    return leaf(dnsNames).build();
  }

  /** Starts a leaf certificate for {@code dnsNames}; the builder makes the bad kinds too. */
  public LeafBuilder leaf(String... dnsNames) {
    return new LeafBuilder(List.of(dnsNames));
  }

  /** The authority's name, as given to {@link #create}. */
  public String name() {
    return name;
  }

  /** The type of the authority's own key, which signs the root and every leaf. */
  public KeyType keyType() {
    return keyType;
  }

  /** The self-signed root certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The root certificate in PEM form, for clients configured with a PEM bundle. */
  public String certificatePem() {
    return Pem.certificate(certificate);
  }

  /** Writes {@link #certificatePem()} to {@code file} and returns the file. */
  public Path writeCertificatePem(Path file) {
    try {
      return Files.writeString(file, certificatePem(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A fresh in-memory PKCS#12 key store holding only this root as a trusted certificate. */
  public KeyStore trustStore() {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("root", certificate);
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A trust manager that trusts this root and nothing else. */
  public X509TrustManager trustManager() {
    try {
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trustStore());
      return (X509TrustManager) factory.getTrustManagers()[0];
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client-side TLS context that trusts this root and nothing else. */
  public SSLContext clientContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new javax.net.ssl.TrustManager[] {trustManager()}, new SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "TestCertificateAuthority{" + name + "}";
  }

  /**
   * Builds one leaf certificate. By default: signed by this authority, valid from a day ago for
   * 90 days, the DNS names as subject alternative names, the first name as common name, EC P-256
   * key, server-auth extended key usage. Not thread-safe; use one builder per certificate.
   */
  public final class LeafBuilder {
    private final List<String> dnsNames;
    private String commonName;
    private boolean subjectAlternativeNames = true;
    private Instant notBefore;
    private Instant notAfter;
    private boolean selfSigned;
    private KeyType keyType = KeyType.EC_P256;
    private KeyPair givenKeys; // null: generate a key pair

    private LeafBuilder(List<String> dnsNames) {
      this.dnsNames = List.copyOf(dnsNames);
      this.commonName = dnsNames.isEmpty() ? "test leaf" : dnsNames.get(0);
      Instant now = clock.instant();
      this.notBefore = now.minus(Duration.ofDays(1));
      this.notAfter = now.plus(DEFAULT_LEAF_VALIDITY);
    }

    /** Sets the subject common name (by default the first DNS name). */
    public LeafBuilder commonName(String commonName) {
      this.commonName = Objects.requireNonNull(commonName, "commonName");
      return this;
    }

    /**
     * Leaves out the subject alternative name extension, so the names appear only in the common
     * name: a certificate RFC 8461 §4.2 and RFC 6125 clients must refuse.
     */
    public LeafBuilder withoutSubjectAlternativeNames() {
      this.subjectAlternativeNames = false;
      return this;
    }

    /** Sets the validity period. */
    public LeafBuilder validity(Instant notBefore, Instant notAfter) {
      this.notBefore = Objects.requireNonNull(notBefore, "notBefore");
      this.notAfter = Objects.requireNonNull(notAfter, "notAfter");
      return this;
    }

    /** Makes the certificate expired: valid from 30 days ago until yesterday. */
    public LeafBuilder expired() {
      Instant now = clock.instant();
      return validity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
    }

    /** Makes the certificate not yet valid: valid from tomorrow for 90 days. */
    public LeafBuilder notYetValid() {
      Instant now = clock.instant();
      return validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(91)));
    }

    /** Signs the certificate with its own key instead of the authority's. */
    public LeafBuilder selfSigned() {
      this.selfSigned = true;
      return this;
    }

    /** Sets the key type (EC P-256 by default). */
    public LeafBuilder keyType(KeyType keyType) {
      this.keyType = Objects.requireNonNull(keyType, "keyType");
      return this;
    }

    /**
     * Uses {@code keyPair} instead of generating a new key pair. Its algorithm must be that of
     * the {@linkplain #keyType key type}. For issuing thousands of distinct RSA certificates
     * (load tests), where generating RSA keys would take minutes.
     */
    public LeafBuilder keyPair(KeyPair keyPair) {
      this.givenKeys = Objects.requireNonNull(keyPair, "keyPair");
      return this;
    }

    /** Makes the certificate and, unless one was given, its key. */
    public IssuedCertificate build() {
      if (givenKeys != null && !givenKeys.getPublic().getAlgorithm().equals(keyType.algorithm)) {
        throw new IllegalStateException("the key pair is " + givenKeys.getPublic().getAlgorithm()
            + " but the key type is " + keyType);
      }
      KeyPair leafKeys = givenKeys != null ? givenKeys : generate(keyType);
      X500Name subject = distinguishedName(commonName);
      X500Name issuer = selfSigned ? subject : distinguishedName(name);
      BigInteger serial =
          BigInteger.valueOf(serials.incrementAndGet()).shiftLeft(32).or(BigInteger.valueOf(randomBits()));
      try {
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder =
            new JcaX509v3CertificateBuilder(
                issuer,
                serial,
                Date.from(notBefore),
                Date.from(notAfter),
                subject,
                leafKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(
            Extension.keyUsage,
            true,
            new KeyUsage(
                keyType.algorithm.equals("RSA")
                    ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment
                    : KeyUsage.digitalSignature));
        builder.addExtension(
            Extension.extendedKeyUsage,
            false,
            new ExtendedKeyUsage(
                new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        builder.addExtension(
            Extension.subjectKeyIdentifier,
            false,
            extensions.createSubjectKeyIdentifier(leafKeys.getPublic()));
        if (!selfSigned) {
          builder.addExtension(
              Extension.authorityKeyIdentifier,
              false,
              extensions.createAuthorityKeyIdentifier(certificate));
        }
        if (subjectAlternativeNames && !dnsNames.isEmpty()) {
          GeneralName[] names = new GeneralName[dnsNames.size()];
          for (int i = 0; i < names.length; i++) {
            names[i] = new GeneralName(GeneralName.dNSName, dnsNames.get(i));
          }
          builder.addExtension(
              Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        X509Certificate leaf =
            selfSigned
                ? sign(builder, leafKeys, keyType)
                : sign(builder, keyPair, TestCertificateAuthority.this.keyType);
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(leaf);
        if (!selfSigned) {
          chain.add(certificate);
        }
        return new IssuedCertificate(leafKeys.getPrivate(), chain, dnsNames);
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalStateException("cannot issue certificate for " + dnsNames, e);
      }
    }
  }

  private static long randomBits() {
    return new SecureRandom().nextInt() & 0xffffffffL;
  }

  private static X500Name distinguishedName(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "mta-sts-java testkit")
        .addRDN(BCStyle.CN, commonName)
        .build();
  }

  private static KeyPair generate(KeyType type) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(type.algorithm);
      generator.initialize(type.bits);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate " + type + " key", e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer,
      KeyType signerType) throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder(signerType.signatureAlgorithm)
                      .build(signer.getPrivate())));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }
}
