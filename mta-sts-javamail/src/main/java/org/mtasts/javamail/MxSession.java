package org.mtasts.javamail;

import java.util.Objects;
import org.mtasts.DeliveryPlan;
import org.mtasts.MxCandidate;
import org.mtasts.tls.DaneRequirement;
import org.mtasts.tls.TlsRequirement;

/**
 * One SMTP session with one MX host, as the {@link MxWalk} asks {@link Courier} to open it: the
 * core's plan and MX candidate, which pass of the walk it belongs to, the TLS the session must
 * use, and the delivery's one deadline. Immutable.
 *
 * @param plan the core's plan of the domain (one policy snapshot for the whole walk)
 * @param mx the MX host, in the plan's order
 * @param pass the compliant pass, or the {@code TLS-Required: No} pass after it (RFC 8689)
 * @param tls the TLS the session needs: the candidate's, made report-only by {@code
 *     mail.mtasts.enforce=false} and opportunistic in the {@code TLS-Required: No} pass
 * @param startTls false only for the plaintext retry after a failed opportunistic handshake;
 *     never when TLS is {@linkplain #tlsMandatory() mandatory}
 * @param deadline the delivery deadline of the domain
 */
record MxSession(DeliveryPlan plan, MxCandidate mx, Pass pass, TlsRequirement tls,
    boolean startTls, Deadline deadline) {

  /** Which pass of the MX walk a session belongs to. */
  enum Pass {
    /** RFC 8461 §5: the session is judged by the core's {@code check} against the plan. */
    COMPLIANT,
    /**
     * RFC 8689 §4.2.2: the sender asked for delivery regardless of recipient policies, MTA-STS
     * and DANE alike (§3, §8.4: "as if it does not support DANE or MTA-STS"); the session is not
     * judged (the compliant pass before it was, and reported).
     */
    TLS_REQUIRED_NO
  }

  MxSession {
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(mx, "mx");
    Objects.requireNonNull(pass, "pass");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(deadline, "deadline");
    if (!startTls && (tls == TlsRequirement.VERIFIED
        || (pass == Pass.COMPLIANT && mx.dane().requiresTls()))) {
      throw new IllegalArgumentException(
          "no plaintext session under enforce or DANE (STS-TLS-10, STS-DANE-04)");
    }
  }

  String host() {
    return mx.host();
  }

  /**
   * What DANE (RFC 7672) requires of this session: the candidate's requirement in the compliant
   * pass, {@link DaneRequirement#none()} in the {@code TLS-Required: No} pass, which behaves as if
   * the sender did not support DANE (RFC 8689 §8.4).
   */
  DaneRequirement dane() {
    return pass == Pass.COMPLIANT ? mx.dane() : DaneRequirement.none();
  }

  /**
   * Whether STARTTLS is mandatory: under an enforce policy (or a require-tls override), and for a
   * host with secure TLSA records whatever the policy (RFC 7672 §2.2, STS-DANE-04). Then a failed
   * handshake is never retried in plaintext.
   */
  boolean tlsMandatory() {
    return tls == TlsRequirement.VERIFIED || dane().requiresTls();
  }

  /**
   * Whether the core judges this session. Not in the {@code TLS-Required: No} pass, and not the
   * plaintext retry, whose TLS failure was judged (and, under testing, reported) already.
   */
  boolean judged() {
    return pass == Pass.COMPLIANT && startTls;
  }

  /** The retry of this session without STARTTLS (never when TLS is mandatory, STS-TLS-10). */
  MxSession plaintext() {
    return new MxSession(plan, mx, pass, tls, false, deadline);
  }
}
