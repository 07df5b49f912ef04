package org.mtasts.testkit.tls;

/** The kind of key pair a test certificate is made with. */
public enum KeyType {
  /** ECDSA on P-256: fast to generate, the default. */
  EC_P256("EC", 256, "SHA256withECDSA"),
  /** RSA 2048, for peers that need RSA. */
  RSA_2048("RSA", 2048, "SHA256withRSA"),
  /** RSA 1024: too weak for the JDK's default constraints; for "weak key" tests. */
  RSA_1024("RSA", 1024, "SHA256withRSA");

  final String algorithm;
  final int bits;
  final String signatureAlgorithm;

  KeyType(String algorithm, int bits, String signatureAlgorithm) {
    this.algorithm = algorithm;
    this.bits = bits;
    this.signatureAlgorithm = signatureAlgorithm;
  }
}
