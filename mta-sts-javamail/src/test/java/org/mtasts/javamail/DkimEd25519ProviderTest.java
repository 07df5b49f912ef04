package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import org.junit.jupiter.api.Test;

/**
 * {@code NONEwithEdDSA} as registered for utils-mail-dkim: pure Ed25519 over the data for anyone
 * else in the JVM, Ed25519 over SHA-256 of the data (RFC 8463 §3) only while our signer signs.
 */
class DkimEd25519ProviderTest {
  @Test
  void pureEd25519_outsideOurSigner_rfc8463Prehash_inside() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    PrivateKey bcKey = DkimKeys.forSigning(pair.getPrivate());
    DkimEd25519Provider.install();
    byte[] data = "headers".getBytes(StandardCharsets.US_ASCII);

    Signature none = Signature.getInstance(DkimEd25519Provider.ALGORITHM);
    none.initSign(bcKey);
    none.update(data);
    byte[] pure = none.sign();
    assertTrue(jdkVerify(pair, data, pure));

    byte[] prehashed = DkimEd25519Provider.rfc8463(() -> {
      Signature s = Signature.getInstance(DkimEd25519Provider.ALGORITHM);
      s.initSign(bcKey);
      s.update(data);
      return s.sign();
    });
    byte[] sha256 = MessageDigest.getInstance("SHA-256").digest(data);
    assertTrue(jdkVerify(pair, sha256, prehashed));
    assertFalse(jdkVerify(pair, data, prehashed));
  }

  private static boolean jdkVerify(KeyPair pair, byte[] message, byte[] signature)
      throws Exception {
    Signature ed = Signature.getInstance("Ed25519", "SunEC");
    ed.initVerify(pair.getPublic());
    ed.update(message);
    return ed.verify(signature);
  }

}
