package org.mtasts;

import org.mtasts.tls.RefusalReason;
import java.time.Clock;
import java.time.Duration;
import org.mtasts.internal.cache.Throttle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WARN lines an operator must see without writing a listener (issue 12 item 11), paced so
 * that a busy sender writes a handful, not one per message: protection lost to a local decision,
 * once a day per domain and cause; testing-mode violations, once a minute per domain and reason,
 * with the count of lines held back. Logged under {@code org.mtasts.MtaSts}. Thread-safe.
 */
final class OperatorWarnings {
  private static final Logger log = LoggerFactory.getLogger(MtaSts.class);

  /** One WARN per domain and cause this often at most. */
  static final Duration PROTECTION_LOSS_PERIOD = Duration.ofDays(1);

  /** One WARN per domain and reason this often at most. */
  static final Duration VIOLATION_PERIOD = Duration.ofMinutes(1);

  private final Throttle protectionLosses;
  private final Throttle violations;
  private final MtaStsListener listener;

  OperatorWarnings(Clock clock, long maximumKeys, MtaStsListener listener) {
    this.protectionLosses = new Throttle(clock, PROTECTION_LOSS_PERIOD, maximumKeys);
    this.violations = new Throttle(clock, VIOLATION_PERIOD, maximumKeys);
    this.listener = listener;
  }

  /** Logs (paced) and reports (every time) that the policy of {@code domain} cannot apply. */
  void protectionLost(String domain, ProtectionLoss cause, String message) {
    long held = protectionLosses.pass(cause + " " + domain);
    if (held >= 0) {
      log.warn("MTA-STS protection of {} lost to a local decision ({}): {}{}", domain, cause,
          message, held > 0 ? " [" + held + " more in the last day]" : "");
    }
    MtaStsListener.fire(listener, l -> l.protectionLost(domain, cause, message));
  }

  /**
   * Reports what {@link MtaSts#check} found wrong, if anything: a refusal (under {@code enforce},
   * or by DANE or a local require-tls rule in any mode) to the listener; a violation under {@code
   * testing} to the listener and (paced) to the log.
   */
  void decided(DeliveryDecision decision) {
    if (decision.reason().isEmpty()) {
      return; // allowed without a violation: nothing to report
    }
    if (decision.outcome() == DeliveryDecision.Outcome.REFUSED) {
      MtaStsListener.fire(listener, l -> l.deliveryRefused(decision));
    } else {
      // Testing mode: RFC 8461 §5 says deliver as without a policy; the violation is reported,
      // to the listener and (paced) to the log, so that it is seen without a listener.
      MtaStsListener.fire(listener, l -> l.testingViolation(decision));
      testingViolation(decision);
    }
  }

  /**
   * Logs (paced) a testing-mode violation: RFC 8461 §5 delivers anyway, and without a listener
   * nobody would know that enforcing would have refused this host.
   */
  private void testingViolation(DeliveryDecision decision) {
    String reason = decision.reason().map(RefusalReason::code).orElse("?");
    long held = violations.pass(decision.domain() + " " + reason);
    if (held >= 0) {
      log.warn("{}{}", decision.message(),
          held > 0 ? " [" + held + " more like it for " + decision.domain()
              + " in the last minute]" : "");
    }
  }
}
