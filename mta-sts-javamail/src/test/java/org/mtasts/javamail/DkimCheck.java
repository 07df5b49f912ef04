package org.mtasts.javamail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.apache.james.jdkim.DKIMCommon;
import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.SignatureRecord;
import org.apache.james.jdkim.exceptions.TempFailException;
import org.apache.james.jdkim.impl.BodyHasherImpl;
import org.apache.james.jdkim.impl.Message;
import org.apache.james.jdkim.tagvalue.PublicKeyRecordImpl;
import org.apache.james.jdkim.tagvalue.SignatureRecordImpl;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.DnsException;
import org.mtasts.dns.TxtRecord;

/**
 * Verifies DKIM signatures with Apache jDKIM, independent of the signing library
 * (utils-mail-dkim), with the public key looked up in DNS (the testkit's server). jDKIM 0.5 knows
 * only RSA; for Ed25519-SHA256 (RFC 8463) its canonicalisation and body hash are used with the
 * JDK's Ed25519, applied to the SHA-256 of the canonical headers as RFC 8463 §3 says.
 */
final class DkimCheck extends DKIMCommon {
  private DkimCheck() {}

  /** The DKIM key record {@code v=DKIM1; k=…; s=tlsrpt; p=…} split into TXT strings. */
  static List<String> keyRecord(PublicKey key) {
    String k = key.getAlgorithm().equals("RSA") ? "rsa" : "ed25519";
    byte[] p = k.equals("rsa") ? key.getEncoded()
        // RFC 8463 §4.2: the bare 32-byte key, not the SubjectPublicKeyInfo around it
        : Arrays.copyOfRange(key.getEncoded(), key.getEncoded().length - 32,
            key.getEncoded().length);
    String text = "v=DKIM1; k=" + k + "; s=email:tlsrpt; p=" + Base64.getEncoder().encodeToString(p);
    List<String> strings = new ArrayList<>();
    for (int i = 0; i < text.length(); i += 255) {
      strings.add(text.substring(i, Math.min(text.length(), i + 255)));
    }
    return strings;
  }

  /** The key records at {@code <selector>._domainkey.<domain>}, through {@code dns}. */
  static List<String> lookup(DnsClient dns, CharSequence selector, CharSequence domain)
      throws TempFailException {
    try {
      return dns.txtBlocking(selector + "._domainkey." + domain).records().stream()
          .map(TxtRecord::text).toList();
    } catch (DnsException e) {
      throw new TempFailException(e.getMessage());
    }
  }

  /** RSA: jDKIM end to end (DNS lookup, key record, body hash, header signature). */
  static List<SignatureRecord> verifyRsa(byte[] message, DnsClient dns) throws Exception {
    DKIMVerifier verifier = new DKIMVerifier((method, selector, domain) ->
        lookup(dns, selector, domain));
    List<SignatureRecord> valid = verifier.verify(new ByteArrayInputStream(message));
    if (valid == null || valid.isEmpty()) {
      throw new AssertionError("no valid DKIM signature: " + verifier.getResults());
    }
    return valid;
  }

  /** Ed25519-SHA256: jDKIM's canonicalisation, the key from DNS, the JDK's Ed25519. */
  static SignatureRecord verifyEd25519(byte[] raw, DnsClient dns) throws Exception {
    Message message = new Message(new ByteArrayInputStream(raw));
    List<String> fields = message.getFields("DKIM-Signature");
    if (fields == null || fields.size() != 1) {
      throw new AssertionError("expected one DKIM-Signature, got " + fields);
    }
    String field = fields.get(0);
    SignatureRecord record = new SignatureRecordImpl(field.substring(field.indexOf(':') + 1));
    record.validate();
    if (!"ed25519".contentEquals(record.getHashKeyType())) {
      throw new AssertionError("a=" + record.getHashKeyType() + "-" + record.getHashMethod());
    }
    String keyRecord = String.join("", lookup(dns, record.getSelector(), record.getDToken()));
    new PublicKeyRecordImpl(keyRecord).validate(); // jDKIM's reading of the record's grammar
    String p = null;
    for (String tag : keyRecord.split(";")) {
      if (tag.strip().startsWith("p=")) {
        p = tag.strip().substring(2);
      }
    }
    byte[] rawKey = Base64.getDecoder().decode(p.replaceAll("\\s", ""));
    byte[] spki = new byte[44];
    byte[] prefix = Base64.getDecoder().decode("MCowBQYDK2VwAyEA");
    System.arraycopy(prefix, 0, spki, 0, 12);
    System.arraycopy(rawKey, 0, spki, 12, 32);
    PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));

    BodyHasherImpl body = new BodyHasherImpl(record);
    try (InputStream in = message.getBodyInputStream(); OutputStream out = body.getOutputStream()) {
      in.transferTo(out);
    }
    if (!Arrays.equals(body.getDigest(), record.getBodyHash())) {
      throw new AssertionError("body hash mismatch");
    }
    Sha256ThenEd25519 signature = new Sha256ThenEd25519(key);
    signatureCheck(message, record, record.getHeaders(), signature);
    if (!signature.verify(record.getSignature())) {
      throw new AssertionError("Ed25519 header signature does not verify");
    }
    return record;
  }

  /** A {@link Signature} that hashes what jDKIM feeds it and verifies Ed25519 over the hash. */
  private static final class Sha256ThenEd25519 extends Signature {
    private final PublicKey key;
    private final MessageDigest sha256;

    Sha256ThenEd25519(PublicKey key) throws Exception {
      super("SHA256thenEd25519");
      this.key = key;
      this.sha256 = MessageDigest.getInstance("SHA-256");
      initVerify(key);
    }

    @Override
    protected void engineInitVerify(PublicKey publicKey) {}

    @Override
    protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
      throw new InvalidKeyException("verify only");
    }

    @Override
    protected void engineUpdate(byte b) {
      sha256.update(b);
    }

    @Override
    protected void engineUpdate(byte[] b, int off, int len) {
      sha256.update(b, off, len);
    }

    @Override
    protected byte[] engineSign() throws SignatureException {
      throw new SignatureException("verify only");
    }

    @Override
    protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
      try {
        Signature ed = Signature.getInstance("Ed25519");
        ed.initVerify(key);
        ed.update(sha256.digest());
        return ed.verify(sigBytes);
      } catch (java.security.GeneralSecurityException e) {
        throw new SignatureException(e);
      }
    }

    @Override
    @Deprecated
    protected void engineSetParameter(String param, Object value) {}

    @Override
    @Deprecated
    protected Object engineGetParameter(String param) {
      return null;
    }
  }

}
