package org.mtasts.javamail;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;

/**
 * Signs a TLS report message before it is sent. RFC 8460 §3 says receivers MUST ignore mail
 * reports that are not DKIM-signed by the reporting domain (TLSRPT-DEL-06), so a {@link
 * TlsReportMailer} should have {@link #dkim} signing; {@link #none()} is for relays that sign
 * themselves and for tests.
 *
 * <p>Implementations are thread-safe.
 */
@FunctionalInterface
public interface ReportSigner {

  /**
   * Returns the message to send: {@code message} signed, or a signing copy of it. The message's
   * headers and content are final when this is called.
   *
   * @param message the report message, with its changes saved
   * @return the message to hand to the transport
   * @throws MessagingException if it cannot be signed
   */
  MimeMessage sign(MimeMessage message) throws MessagingException;

  /**
   * Returns a signer that leaves messages unsigned.
   *
   * @return the signer
   */
  static ReportSigner none() {
    return message -> message;
  }

  /**
   * Returns a DKIM signer (RFC 6376; RSA-SHA256 or Ed25519-SHA256, RFC 8463) for {@code domain}
   * with the key published at {@code <selector>._domainkey.<domain>}: relaxed/relaxed
   * canonicalisation, no {@code l=} tag (TLSRPT-DEL-06), and {@code h=} covering {@code From},
   * {@code To}, {@code Subject}, {@code Date}, {@code Message-ID}, the MIME headers, {@code
   * TLS-Report-Domain}, {@code TLS-Report-Submitter} and {@code TLS-Required} (TLSRPT-DEL-04).
   * Signing uses the library utils-mail-dkim. An Ed25519 key registers two security providers
   * with the JVM, once, at the lowest priority: Bouncy Castle (utils-mail-dkim does that) and
   * {@code mta-sts-dkim-ed25519}, which offers only the signature name {@code NONEwithEdDSA} that
   * utils-mail-dkim asks for and no installed provider has.
   *
   * @param domain the signing domain ({@code d=}), normally the submitter domain
   * @param selector the selector ({@code s=})
   * @param key an RSA key of at least 1024 bits or an Ed25519 key
   * @return the signer
   * @throws IllegalArgumentException if the domain or selector is not a DNS name, or the key is of
   *     another type or too short
   */
  static ReportSigner dkim(String domain, String selector, PrivateKey key) {
    return new DkimReportSigner(domain, selector, key);
  }

  /**
   * Reads a private key for {@link #dkim}: RSA or Ed25519, PKCS#8, PEM ({@code -----BEGIN PRIVATE
   * KEY-----}) or DER, unencrypted, as {@code openssl genpkey -algorithm ed25519} (or {@code
   * -algorithm rsa}) writes it.
   *
   * @param file the key file
   * @return the key
   * @throws IOException if the file cannot be read, or holds no such key (the message says what
   *     it holds instead, e.g. a PKCS#1 {@code RSA PRIVATE KEY} and how to convert it)
   */
  static PrivateKey readKey(Path file) throws IOException {
    return DkimKeys.read(file);
  }
}
