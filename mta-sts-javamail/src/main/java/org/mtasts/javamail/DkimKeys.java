package org.mtasts.javamail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Locale;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.jcajce.interfaces.EdDSAPrivateKey;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** Reads and converts DKIM private keys (PKCS#8, PEM or DER; RSA or Ed25519). */
final class DkimKeys {
  /** Largest key file read: a 16384-bit RSA key in PEM is about 13 KB. */
  private static final int MAX_FILE_BYTES = 64 * 1024;

  /**
   * A provider instance, never registered with the JVM: utils-mail-dkim takes Ed25519 keys only as
   * Bouncy Castle keys.
   */
  static final BouncyCastleProvider BC = new BouncyCastleProvider();

  private DkimKeys() {}

  static PrivateKey read(Path file) throws IOException {
    if (Files.size(file) > MAX_FILE_BYTES) {
      throw new IOException(file + " is larger than " + MAX_FILE_BYTES + " bytes: not a key file");
    }
    byte[] bytes = Files.readAllBytes(file);
    String text = new String(bytes, StandardCharsets.US_ASCII);
    byte[] der = bytes;
    int begin = text.indexOf("-----BEGIN ");
    boolean pkcs1 = false;
    if (begin >= 0) {
      int labelEnd = text.indexOf("-----", begin + 11);
      String label = labelEnd < 0 ? "" : text.substring(begin + 11, labelEnd);
      pkcs1 = label.equals("RSA PRIVATE KEY");
      if (!label.equals("PRIVATE KEY") && !pkcs1) {
        throw new IOException(file + " holds a PEM '" + label.replaceAll("[^ -~]", "?")
            + "', not an unencrypted 'PRIVATE KEY' (PKCS#8) or 'RSA PRIVATE KEY' (PKCS#1)"
            + (label.equals("ENCRYPTED PRIVATE KEY")
                ? "; decrypt it with: openssl pkcs8 -in KEY -out KEY.pem" : ""));
      }
      int end = text.indexOf("-----END " + label + "-----", labelEnd);
      if (end < 0) {
        throw new IOException(file + ": no -----END " + label + "----- line");
      }
      try {
        der = Base64.getMimeDecoder().decode(text.substring(labelEnd + 5, end));
      } catch (IllegalArgumentException e) {
        throw new IOException(file + ": the PEM body is not base64", e);
      }
    }
    try {
      return pkcs1 ? parse(pkcs8FromPkcs1(der)) : parse(der);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      // OpenSSL 3.0's genpkey writes RSA keys in DER as PKCS#1: try that before giving up.
      try {
        return parse(pkcs8FromPkcs1(der));
      } catch (GeneralSecurityException | IllegalArgumentException notPkcs1) {
        throw new IOException(file + " holds no unencrypted RSA or Ed25519 private key"
            + " (PKCS#8 or, for RSA, PKCS#1; PEM or DER)", e);
      }
    }
  }

  /** PKCS#1 RSAPrivateKey DER wrapped into a PKCS#8 PrivateKeyInfo. */
  private static byte[] pkcs8FromPkcs1(byte[] der) {
    try {
      return new PrivateKeyInfo(
              new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
              RSAPrivateKey.getInstance(der))
          .getEncoded();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a PKCS#1 RSA key", e);
    }
  }

  /** An RSA key (JDK) or an Ed25519 key (Bouncy Castle) from PKCS#8 DER. */
  static PrivateKey parse(byte[] pkcs8) throws GeneralSecurityException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(pkcs8);
    try {
      return KeyFactory.getInstance("RSA").generatePrivate(spec);
    } catch (GeneralSecurityException notRsa) {
      return KeyFactory.getInstance("Ed25519", BC).generatePrivate(spec);
    }
  }

  /** {@code key} as utils-mail-dkim takes it: an RSA key as is, an Ed25519 key as BC's. */
  static PrivateKey forSigning(PrivateKey key) {
    if (key instanceof java.security.interfaces.RSAPrivateKey || key instanceof EdDSAPrivateKey) {
      return key;
    }
    String algorithm = key.getAlgorithm().toUpperCase(Locale.ROOT);
    if ((algorithm.equals("ED25519") || algorithm.equals("EDDSA")) && key.getEncoded() != null) {
      try {
        return KeyFactory.getInstance("Ed25519", BC)
            .generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("cannot use this Ed25519 key: " + e.getMessage(), e);
      }
    }
    throw new IllegalArgumentException(
        "a DKIM key must be RSA or Ed25519, not " + key.getAlgorithm());
  }
}
