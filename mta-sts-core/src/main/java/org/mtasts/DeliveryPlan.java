package org.mtasts;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where to deliver mail for one domain: the MX hosts in delivery order, each with what the policy
 * says about it, all judged against one policy snapshot (STS-APPLY-09); or why there is nowhere to
 * deliver. Made by {@link MtaSts#plan(String)} or {@link MtaSts#plan(PolicyLookup, List)}.
 * Immutable.
 */
public final class DeliveryPlan {

  /** The outcome of planning. */
  public enum Status {
    /** Deliver to {@link #deliverable()} in order; at least one host is allowed. */
    DELIVER,
    /**
     * An {@code enforce} policy matches none of the MX hosts: make no connection; a temporary
     * failure that retries may cure (the policy or the MX records may change; STS-APPLY-10).
     */
    NO_MATCHING_MX,
    /** The domain publishes a null MX (RFC 7505): it accepts no mail. Permanent. */
    NULL_MX,
    /** The domain does not exist (NXDOMAIN). Permanent. */
    NO_SUCH_DOMAIN,
    /**
     * The domain has neither MX records nor an address, or none of its MX records names a valid
     * host (STS-MX-08). Permanent.
     */
    NO_MAIL_HOST,
    /**
     * A DNS lookup failed temporarily: the MX lookup, or the policy's TXT lookup with nothing cached
     * when the client defers on DNS failures (D-01). Retry later.
     */
    TEMPORARY_FAILURE;

    /** Whether retrying cannot help. */
    public boolean isPermanent() {
      return this == NULL_MX || this == NO_SUCH_DOMAIN || this == NO_MAIL_HOST;
    }

    /** Whether the attempt should be retried later. */
    public boolean isTemporary() {
      return this == NO_MATCHING_MX || this == TEMPORARY_FAILURE;
    }
  }

  private final String domain;
  private final PolicyLookup lookup;
  private final Status status;
  private final List<MxCandidate> candidates;
  private final String message;

  DeliveryPlan(String domain, PolicyLookup lookup, Status status, List<MxCandidate> candidates,
      String message) {
    this.domain = Objects.requireNonNull(domain, "domain");
    this.lookup = Objects.requireNonNull(lookup, "lookup");
    this.status = Objects.requireNonNull(status, "status");
    this.candidates = List.copyOf(candidates);
    this.message = Objects.requireNonNull(message, "message");
  }

  /** The recipient (policy) domain, normalised. */
  public String domain() {
    return domain;
  }

  /** The policy lookup the plan rests on; pass it to {@link MtaSts#check} for each session. */
  public PolicyLookup lookup() {
    return lookup;
  }

  /** The outcome. */
  public Status status() {
    return status;
  }

  /** All MX hosts in delivery order, allowed or not. */
  public List<MxCandidate> candidates() {
    return candidates;
  }

  /** The MX hosts the sender may connect to, in delivery order. */
  public List<MxCandidate> deliverable() {
    return candidates.stream().filter(MxCandidate::allowed).toList();
  }

  /** A sentence describing the outcome, for logs and bounce messages. */
  public String message() {
    return message;
  }

  /** The policy lookup's failure, if any (for reporting). */
  public Optional<LookupFailure> policyFailure() {
    return lookup.failure();
  }

  @Override
  public String toString() {
    return "DeliveryPlan{" + domain + " " + status + ", " + candidates + ", " + lookup + "}";
  }
}
