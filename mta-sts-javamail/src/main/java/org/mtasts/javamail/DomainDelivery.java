package org.mtasts.javamail;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.mtasts.policy.Mode;

/**
 * What happened to the recipients of one domain in one {@link MtaStsTransport#sendMessage} call:
 * who was sent, unsent (temporary) or invalid (permanent), the policy mode that applied, and every
 * MX host tried or deliberately skipped. Read it with {@link MtaStsTransport#lastDeliveries()}.
 * Immutable.
 */
public final class DomainDelivery {
  private final String domain;
  private final Mode mode;
  private final List<Address> sent;
  private final List<Address> unsent;
  private final List<Address> invalid;
  private final List<MxAttempt> attempts;
  private final MessagingException failure;

  DomainDelivery(String domain, Mode mode, List<Address> sent, List<Address> unsent,
      List<Address> invalid, List<MxAttempt> attempts, MessagingException failure) {
    this.domain = Objects.requireNonNull(domain, "domain");
    this.mode = mode;
    this.sent = List.copyOf(sent);
    this.unsent = List.copyOf(unsent);
    this.invalid = List.copyOf(invalid);
    this.attempts = List.copyOf(attempts);
    this.failure = failure;
  }

  /** The recipient domain (A-labels, lower case). */
  public String domain() {
    return domain;
  }

  /** The mode of the MTA-STS policy that applied; empty when no policy applied. */
  public Optional<Mode> mode() {
    return Optional.ofNullable(mode);
  }

  /** Recipients the MX accepted. */
  public List<Address> sent() {
    return sent;
  }

  /** Recipients not delivered for a temporary reason (retry later). */
  public List<Address> unsent() {
    return unsent;
  }

  /** Recipients not delivered for a permanent reason. */
  public List<Address> invalid() {
    return invalid;
  }

  /** Every MX host tried or deliberately not contacted, in order. */
  public List<MxAttempt> attempts() {
    return attempts;
  }

  /** The attempt that delivered the message, if one did. */
  public Optional<MxAttempt> deliveredBy() {
    for (int i = attempts.size() - 1; i >= 0; i--) {
      if (attempts.get(i).result() == MxAttempt.Result.DELIVERED) {
        return Optional.of(attempts.get(i));
      }
    }
    return Optional.empty();
  }

  /**
   * Why some recipients were not delivered: an {@link MtaStsDeliveryException} for MTA-STS and
   * routing outcomes, or the SMTP server's exception.
   */
  public Optional<MessagingException> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public String toString() {
    return "DomainDelivery{" + domain + ", mode=" + (mode == null ? "none" : mode.token())
        + ", sent=" + sent.size() + ", unsent=" + unsent.size() + ", invalid=" + invalid.size()
        + ", attempts=" + attempts + "}";
  }
}
