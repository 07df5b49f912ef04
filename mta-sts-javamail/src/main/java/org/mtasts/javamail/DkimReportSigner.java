package org.mtasts.javamail;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.jcajce.interfaces.EdDSAPrivateKey;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;
import org.simplejavamail.utils.mail.dkim.Canonicalization;
import org.simplejavamail.utils.mail.dkim.DkimException;
import org.simplejavamail.utils.mail.dkim.DkimMessage;
import org.simplejavamail.utils.mail.dkim.DkimSigner;

/**
 * {@link ReportSigner#dkim}: DKIM over utils-mail-dkim. A {@link DkimSigner} holds a digest and a
 * signature engine, so each message gets its own; the signature is computed when the transport
 * writes the message.
 */
final class DkimReportSigner implements ReportSigner {
  /** Headers signed beyond the library's defaults (From, To, Subject, Date, MIME headers...). */
  static final List<String> REPORT_HEADERS =
      List.of("TLS-Report-Domain", "TLS-Report-Submitter", "TLS-Required");

  static {
    // utils-mail-dkim has no legal module name, so it can only live on the class path; when this
    // module is on the module path it must read the class path to call it.
    Module self = DkimReportSigner.class.getModule();
    if (self.isNamed()) {
      self.addReads(DkimReportSigner.class.getClassLoader().getUnnamedModule());
    }
  }

  private final String domain;
  private final String selector;
  private final PrivateKey key;

  DkimReportSigner(String domain, String selector, PrivateKey key) {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(key, "key");
    try {
      this.domain = DomainNames.normalize(domain);
    } catch (InvalidDomainException e) {
      throw new IllegalArgumentException("DKIM domain: " + e.getMessage(), e);
    }
    if (!selector.matches("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
        + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")) {
      throw new IllegalArgumentException("DKIM selector '" + selector.replaceAll("[^ -~]", "?")
          + "' is not a DNS label sequence (RFC 6376 §3.1)");
    }
    this.selector = selector;
    this.key = DkimKeys.forSigning(key);
    if (this.key instanceof EdDSAPrivateKey) {
      DkimEd25519Provider.install();
    }
    if (this.key instanceof RSAPrivateKey rsa && rsa.getModulus().bitLength() < 1024) {
      throw new IllegalArgumentException("an RSA DKIM key needs at least 1024 bits (RFC 8301 §3.2),"
          + " this one has " + rsa.getModulus().bitLength());
    }
    newSigner(); // a bad domain or key fails here, not at the first report
  }

  @Override
  public MimeMessage sign(MimeMessage message) throws MessagingException {
    return new DkimMessage(message, newSigner());
  }

  private DkimSigner newSigner() {
    DkimSigner signer;
    try {
      signer = key instanceof EdDSAPrivateKey ed
          ? new Ed25519Signer(domain, selector, ed)
          : new DkimSigner(domain, selector, (RSAPrivateKey) key);
    } catch (DkimException e) {
      throw new IllegalArgumentException("cannot sign for " + domain + ": " + e.getMessage(), e);
    }
    signer.setHeaderCanonicalization(Canonicalization.RELAXED);
    signer.setBodyCanonicalization(Canonicalization.RELAXED);
    signer.setLengthParam(false); // no l= (RFC 8460 §3, TLSRPT-DEL-06)
    signer.setCheckDomainKey(false); // would ask the JVM's resolver (JNDI) for the key record
    for (String header : REPORT_HEADERS) {
      signer.addHeaderToSign(header);
    }
    return signer;
  }

  /** Signs as RFC 8463 says: Ed25519 over the SHA-256 of the canonical headers. */
  private static final class Ed25519Signer extends DkimSigner {
    Ed25519Signer(String domain, String selector, EdDSAPrivateKey key) throws DkimException {
      super(domain, selector, key);
    }

    @Override
    protected String sign(DkimMessage message) throws MessagingException {
      try {
        return DkimEd25519Provider.rfc8463(() -> super.sign(message));
      } catch (MessagingException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new MessagingException("Ed25519 DKIM signing failed: " + e.getMessage(), e);
      }
    }
  }

  @Override
  public String toString() {
    return "DKIM d=" + domain + " s=" + selector + " (" + key.getAlgorithm() + ")";
  }
}
