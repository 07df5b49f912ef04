package org.mtasts;

import org.mtasts.tls.RefusalReason;
import java.util.Objects;
import java.util.Optional;
import org.mtasts.policy.Mode;

/**
 * Whether a message may go to one MX host over one SMTP session (RFC 8461 §5): allowed, refused
 * with a reason ({@code enforce}), or allowed but reported ({@code testing}). A value: the caller
 * decides what to do with a refusal (try the next MX, defer); the Jakarta Mail layer turns it into
 * an exception. Immutable.
 */
public final class DeliveryDecision {

  /** The three outcomes. */
  public enum Outcome {
    /** Deliver: the policy is satisfied, or no policy applies, or its mode is {@code none}. */
    ALLOWED,
    /** Do not deliver to this host: an {@code enforce} policy is not satisfied. */
    REFUSED,
    /** Deliver, but report: a {@code testing} policy is not satisfied. */
    REPORT_ONLY
  }

  private final String domain;
  private final String mxHost;
  private final Outcome outcome;
  private final RefusalReason reason;
  private final Mode mode;
  private final String message;

  private DeliveryDecision(String domain, String mxHost, Outcome outcome, RefusalReason reason,
      Mode mode, String message) {
    this.domain = Objects.requireNonNull(domain, "domain");
    this.mxHost = Objects.requireNonNull(mxHost, "mxHost");
    this.outcome = outcome;
    this.reason = reason;
    this.mode = mode;
    this.message = message;
  }

  static DeliveryDecision allowed(String domain, String mxHost, Mode mode, String message) {
    return new DeliveryDecision(domain, mxHost, Outcome.ALLOWED, null, mode, message);
  }

  static DeliveryDecision violated(String domain, String mxHost, Mode mode, RefusalReason reason,
      String message) {
    Outcome outcome = mode == Mode.ENFORCE ? Outcome.REFUSED : Outcome.REPORT_ONLY;
    return new DeliveryDecision(domain, mxHost, outcome, Objects.requireNonNull(reason), mode,
        message);
  }

  /**
   * A refusal by a local rule rather than by the policy's mode: a {@code require-tls} override
   * (issue 17) refuses under a {@code testing} policy or none.
   */
  static DeliveryDecision refused(String domain, String mxHost, Mode mode, RefusalReason reason,
      String message) {
    return new DeliveryDecision(domain, mxHost, Outcome.REFUSED, Objects.requireNonNull(reason),
        mode, message);
  }

  /** The policy domain. */
  public String domain() {
    return domain;
  }

  /** The MX host the decision is about. */
  public String mxHost() {
    return mxHost;
  }

  /** The outcome. */
  public Outcome outcome() {
    return outcome;
  }

  /** Whether the message may be delivered over this session (also true for report-only). */
  public boolean isAllowed() {
    return outcome != Outcome.REFUSED;
  }

  /** Why the policy is not satisfied; present for {@code REFUSED} and {@code REPORT_ONLY}. */
  public Optional<RefusalReason> reason() {
    return Optional.ofNullable(reason);
  }

  /** The mode of the applied policy; empty when no policy applies. */
  public Optional<Mode> mode() {
    return Optional.ofNullable(mode);
  }

  /** A sentence for logs and bounce messages naming the domain, host, mode and reason. */
  public String message() {
    return message;
  }

  @Override
  public String toString() {
    return "DeliveryDecision{" + outcome + (reason == null ? "" : " " + reason.code()) + ", "
        + message + "}";
  }
}
