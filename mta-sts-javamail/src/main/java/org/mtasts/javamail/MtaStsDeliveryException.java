package org.mtasts.javamail;

import jakarta.mail.Address;
import jakarta.mail.SendFailedException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.mtasts.policy.Mode;

/**
 * The message could not be delivered to the recipients of one domain, for a reason found by the
 * MTA-STS transport rather than reported by an SMTP server: every MX host failed MTA-STS or
 * DANE validation, none could be reached, or DNS says the domain takes no mail. It appears in the
 * chain of the {@link SendFailedException} that {@link MtaStsTransport#sendMessage} throws (see
 * {@link jakarta.mail.MessagingException#getNextException()}), and carries the affected
 * addresses: {@link #getValidUnsentAddresses()} when the failure is temporary, {@link
 * #getInvalidAddresses()} when it is permanent.
 *
 * <p>A failure under an {@code enforce} policy is temporary (STS-APPLY-05): queue the message and
 * retry later; the policy, the MX records or the MX certificates may be fixed by then. Each retry
 * looks the policy up again, so a changed TXT id is fetched and applied before a final bounce
 * (STS-APPLY-04). For the bounce itself use the permanent form of the status code ({@code 5.7.5}
 * or {@code 5.7.10}, {@link org.mtasts.tls.RefusalReason#permanentStatusCode()}).
 *
 * <p>The message is printable US-ASCII: text that came from the network (an SMTP reply, a DNS
 * name) is escaped by {@code NetworkText.printable} (SEC-20), so it cannot forge log lines.
 */
public final class MtaStsDeliveryException extends SendFailedException {
  private static final long serialVersionUID = 1L;

  /** Why nothing was delivered to the domain. */
  public enum Kind {
    /**
     * Every MX host that could be reached failed MTA-STS validation under {@code enforce}, or DANE
     * validation (RFC 7672, in any mode), or was not tried for a reason of either.
     */
    POLICY_REFUSED(false),
    /** The {@code enforce} policy matches none of the MX hosts; none was contacted. */
    NO_MATCHING_MX(false),
    /**
     * No MX host was contacted, and for at least one of them the DNSSEC lookups DANE (RFC 7672)
     * depends on failed (bogus, indeterminate, SERVFAIL or a timeout; {@code 4.7.5},
     * STS-DANE-03); the others, if any, were outside an {@code enforce} policy. The next attempt
     * looks again.
     */
    DNSSEC_FAILED(false),
    /**
     * No MX host could be reached, or each failed before accepting mail: refused the transaction,
     * broke the connection, or sent a reply line or reply longer, or a reply slower, than the
     * transport reads ({@code 4.4.2}, SEC-08/SEC-09 class).
     */
    NO_REACHABLE_MX(false),
    /**
     * The delivery deadline ({@code mail.mtasts.deliveryDeadline}) passed before an MX host
     * accepted the message; MX hosts not tried by then are named in the message ({@code 4.4.2}).
     */
    DEADLINE_EXCEEDED(false),
    /** A DNS lookup failed temporarily. */
    DNS_TEMPORARY_FAILURE(false),
    /** The domain publishes a null MX (RFC 7505): it accepts no mail. */
    NULL_MX(true),
    /** The domain does not exist. */
    NO_SUCH_DOMAIN(true),
    /** The domain has neither MX records nor an address. */
    NO_MAIL_HOST(true);

    private final boolean permanent;

    Kind(boolean permanent) {
      this.permanent = permanent;
    }

    /** Whether retrying cannot help. */
    public boolean isPermanent() {
      return permanent;
    }
  }

  /** Longest message kept; the rest is cut (it lists every MX attempt). */
  static final int MAX_MESSAGE = 4000;

  private final String domain;
  private final Kind kind;
  private final transient Mode mode;
  private final String statusCode;
  private final transient List<MxAttempt> attempts;

  MtaStsDeliveryException(String domain, Kind kind, Mode mode, String statusCode,
      List<MxAttempt> attempts, Address[] recipients, String message) {
    super(MxAttempt.printable(message, MAX_MESSAGE), null, null,
        kind.isPermanent() ? null : recipients,
        kind.isPermanent() ? recipients : null);
    this.domain = Objects.requireNonNull(domain, "domain");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.mode = mode;
    this.statusCode = Objects.requireNonNull(statusCode, "statusCode");
    this.attempts = List.copyOf(attempts);
  }

  /** The recipient domain. */
  public String domain() {
    return domain;
  }

  /** Why nothing was delivered. */
  public Kind kind() {
    return kind;
  }

  /** Whether retrying cannot help (null MX, no such domain). */
  public boolean isPermanent() {
    return kind.isPermanent();
  }

  /** The mode of the applied MTA-STS policy; empty when none applied. */
  public Optional<Mode> mode() {
    return Optional.ofNullable(mode);
  }

  /**
   * The enhanced status code: {@code 4.7.5} or {@code 4.7.10} for MTA-STS refusals (D-22), {@code
   * 5.1.10} for a null MX, {@code 5.1.2} for a domain that does not exist or has no mail host,
   * {@code 4.4.3} for a DNS failure, {@code 4.4.1} when no MX could be reached, {@code 4.4.2}
   * when the delivery deadline passed or an MX crossed a bound on its replies after the message
   * data was sent.
   */
  public String statusCode() {
    return statusCode;
  }

  /** Each MX host tried or skipped, in order, with its result and reason. */
  public List<MxAttempt> attempts() {
    return attempts == null ? List.of() : attempts;
  }
}
