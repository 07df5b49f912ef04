package org.mtasts.javamail;

import java.util.Objects;
import java.util.Optional;
import org.mtasts.NetworkText;
import org.mtasts.tls.DaneResult;
import org.mtasts.tls.RefusalReason;

/**
 * One MX host tried (or deliberately not contacted) during the delivery of a message to one
 * domain, in the order tried. Immutable.
 */
public final class MxAttempt {
  /** Longest message kept; the rest is cut. */
  static final int MAX_MESSAGE = 1000;

  /** What came of the attempt. */
  public enum Result {
    /** The MX accepted the message for at least one recipient. */
    DELIVERED,
    /**
     * MTA-STS validation failed under {@code enforce}, or DANE (RFC 7672) failed in any mode: no
     * mail was sent to this host (STS-APPLY-01, STS-DANE-01). A host that matches no {@code mx}
     * pattern, and one whose DNSSEC lookups failed ({@link RefusalReason#DNSSEC_INVALID},
     * STS-DANE-03), is not even contacted.
     */
    REFUSED,
    /** No TCP connection could be made; not an MTA-STS failure (STS-APPLY-07). */
    CONNECTION_FAILED,
    /** The SMTP session failed for a reason other than MTA-STS (greeting, EHLO, transaction). */
    SMTP_FAILED
  }

  private final String host;
  private final Result result;
  private final boolean connected;
  private final RefusalReason reason;
  private final String statusCode;
  private final String message;
  private final String tlsProtocol;
  private final DaneResult dane;

  MxAttempt(String host, Result result, boolean connected, RefusalReason reason, String statusCode,
      String message) {
    this(host, result, connected, reason, statusCode, message, null, null);
  }

  MxAttempt(String host, Result result, boolean connected, RefusalReason reason, String statusCode,
      String message, String tlsProtocol) {
    this(host, result, connected, reason, statusCode, message, tlsProtocol, null);
  }

  MxAttempt(String host, Result result, boolean connected, RefusalReason reason, String statusCode,
      String message, String tlsProtocol, DaneResult dane) {
    this.host = Objects.requireNonNull(host, "host");
    this.result = Objects.requireNonNull(result, "result");
    this.connected = connected;
    this.reason = reason;
    this.statusCode = statusCode;
    // SEC-20: the message quotes SMTP replies and other network text; this is the one place it
    // is made printable before it reaches the application, its logs and the CLI.
    this.message = printable(Objects.requireNonNull(message, "message"), MAX_MESSAGE);
    this.tlsProtocol = tlsProtocol;
    this.dane = dane;
  }

  /**
   * {@code text} made printable by {@link NetworkText#printable(CharSequence, int)} (SEC-20),
   * cut after {@code max}
   * characters: the transport's one way to print network text (its log lines, {@link
   * #message()}, {@link MtaStsDeliveryException} and {@code SendFailedException} messages). Text
   * that is printable US-ASCII already (including the escapes of an earlier pass, whose
   * backslashes {@code NetworkText} would escape again) is only cut.
   */
  static String printable(String text, int max) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c >= 0x7f) {
        return NetworkText.printable(text, max);
      }
    }
    return text.length() <= max ? text : text.substring(0, max) + "...";
  }

  /** The MX host name (never an address). */
  public String host() {
    return host;
  }

  /** What came of the attempt. */
  public Result result() {
    return result;
  }

  /** Whether a TCP connection to the host was made. */
  public boolean connected() {
    return connected;
  }

  /**
   * The MTA-STS or DANE validation failure on this host: why it was refused under {@code enforce}
   * or by DANE ({@link RefusalReason#TLSA_INVALID}: no usable TLSA record matched; {@link
   * RefusalReason#DNSSEC_INVALID}: the DNSSEC lookups DANE rests on failed, so the host was not
   * contacted), or the violation reported under {@code testing} (its {@link
   * RefusalReason#resultType()} is the TLS-RPT result type). Empty when the host passed or no
   * policy applied.
   */
  public Optional<RefusalReason> reason() {
    return Optional.ofNullable(reason);
  }

  /**
   * A status code for this attempt: for MTA-STS refusals the enhanced code {@code 4.7.5}
   * (certificate or MX-pattern failure) or {@code 4.7.10} (STARTTLS missing or TLS failed) of
   * D-22; {@code 4.4.1} when no connection was made; {@code 4.4.2} when the session broke, or the
   * MX sent a reply line or reply longer or slower than the transport reads, or the delivery
   * deadline passed; the
   * SMTP server's three-digit reply code (e.g. {@code 451}) when it refused; {@code 2.0.0} when
   * delivered.
   */
  public Optional<String> statusCode() {
    return Optional.ofNullable(statusCode);
  }

  /**
   * The TLS protocol of the SMTP transaction (e.g. {@code TLSv1.3}) for an attempt that reached
   * the transaction; empty when the message went in plaintext or no transaction took place.
   */
  public Optional<String> tlsProtocol() {
    return Optional.ofNullable(tlsProtocol);
  }

  /**
   * The DANE verdict (RFC 7672) on the certificate this host presented: {@link
   * DaneResult#AUTHENTICATED} when it matched a usable TLSA record of the host, {@link
   * DaneResult#FAILED} when the host has secure usable TLSA records and the certificate matched
   * none (the host is then {@linkplain Result#REFUSED refused}, {@link
   * RefusalReason#TLSA_INVALID}, STS-DANE-01). Empty when DANE was not checked: DANE does not apply
   * to the host (no secure TLSA records, DANE off or unavailable), the session ended before a
   * certificate was seen, or the host was not contacted. A host not contacted because the DNSSEC
   * lookups DANE rests on failed has no verdict here; its {@link #reason()} is {@link
   * RefusalReason#DNSSEC_INVALID}.
   */
  public Optional<DaneResult> dane() {
    return Optional.ofNullable(dane);
  }

  /**
   * A sentence naming the host, what happened and why: printable US-ASCII, any text the server
   * sent escaped (CR, LF and other control characters as {@code \}{@code uXXXX}, SEC-20).
   */
  public String message() {
    return message;
  }

  @Override
  public String toString() {
    return host + ": " + result + (reason == null ? "" : " " + reason.code())
        + (dane == null ? "" : " dane " + dane.code())
        + (statusCode == null ? "" : " (" + statusCode + ")") + " - " + message;
  }
}
