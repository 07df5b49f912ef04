package org.mtasts;

import java.util.Objects;
import org.mtasts.dns.DnssecSupport;

/**
 * Whether an {@link MtaSts} client applies DANE for SMTP (RFC 7672) when it plans deliveries, and
 * why: see {@link MtaSts#daneStatus()}. DANE needs DNSSEC-secure answers, so it is active only when
 * it is {@linkplain MtaSts.Builder#dane(boolean) turned on} (the default) and the client's DNS
 * client can give such answers ({@link org.mtasts.dns.DnsClient#dnssecSupport()}); otherwise
 * MTA-STS alone governs.
 *
 * <p>Immutable and thread-safe.
 *
 * @param state the state
 * @param reason why, for a person to read; never blank
 */
public record DaneStatus(State state, String reason) {

  /** Whether DANE applies, and if not, whose choice that is. */
  public enum State {
    /** Turned off by configuration ({@link MtaSts.Builder#dane(boolean) dane(false)}). */
    DISABLED,
    /**
     * The DNS client does not validate DNSSEC (nor trust a validating resolver), so no answer is
     * secure: give the client trust anchors to turn DANE on.
     */
    INACTIVE,
    /**
     * The DNS client should validate DNSSEC but cannot here (a resolver that strips DNSSEC
     * records, anchors that do not validate, a probe that failed): DANE is off so that signed
     * domains do not look bogus and stop all mail.
     */
    UNAVAILABLE,
    /** DANE applies to every MX host with secure TLSA records. */
    ACTIVE
  }

  /**
   * Checks the components.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code reason} is blank
   */
  public DaneStatus {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
    if (reason.isBlank()) {
      throw new IllegalArgumentException("a DaneStatus needs a reason");
    }
  }

  /** DANE turned off by configuration. */
  static DaneStatus disabled() {
    return new DaneStatus(State.DISABLED, "turned off by configuration (MtaSts.Builder.dane)");
  }

  /** What a DNS client's DNSSEC probe means for DANE. */
  static DaneStatus of(DnssecSupport support) {
    return switch (support.status()) {
      case OFF -> new DaneStatus(State.INACTIVE, support.reason());
      case UNAVAILABLE -> new DaneStatus(State.UNAVAILABLE, support.reason());
      case AVAILABLE -> new DaneStatus(State.ACTIVE, support.reason());
    };
  }

  /**
   * Tells whether DANE applies.
   *
   * @return {@code true} exactly for {@link State#ACTIVE}
   */
  public boolean isActive() {
    return state == State.ACTIVE;
  }

  /** {@code "ACTIVE: <reason>"} and the like. */
  @Override
  public String toString() {
    return state + ": " + reason;
  }
}
