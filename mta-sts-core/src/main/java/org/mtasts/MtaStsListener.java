package org.mtasts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.mtasts.policy.RecordSelection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives what an {@link MtaSts} client does and sees: policies fetched, changed and expired,
 * downgrade signals, failures, refusals, and what its {@link TlsReporter} did with each report.
 * Extend it and override the methods of interest; each does nothing by default.
 *
 * <p>Methods are called on the thread that made the observation (a DNS, HTTPS, scheduler or caller
 * thread), possibly concurrently. They <b>must be fast and must not throw</b>: anything a listener
 * throws is caught and logged, and never changes a lookup or a decision. Hand slow work (sending a
 * report, writing to a database) to another thread.
 */
public abstract class MtaStsListener {
  private static final Logger log = LoggerFactory.getLogger(MtaStsListener.class);

  /** A listener that ignores everything. */
  public static final MtaStsListener NONE = new MtaStsListener() {
    @Override
    public String toString() {
      return "MtaStsListener.NONE";
    }
  };

  /** For subclasses. */
  protected MtaStsListener() {}

  /**
   * A call of {@link MtaSts#resolve}, {@link MtaSts#resolveAsync} or of a plan method (which
   * resolves) has its result, whether it came from memory, the store, DNS or HTTPS. Called once
   * per call, on the per-message path: keep it cheaper still than the other events (count, do not
   * log).
   *
   * @param lookup the result handed to the caller
   */
  public void lookupCompleted(PolicyLookup lookup) {}

  /**
   * An HTTPS policy fetch (on a lookup or a proactive refresh) ended, successfully or not. A
   * failure is also reported to {@link #fetchFailed}, with the policy still applied.
   *
   * @param domain the policy domain
   * @param elapsed from the start of the fetch until its outcome was known, by the client's
   *     {@linkplain MtaSts#clock() clock} (never negative)
   * @param failure what failed; empty for a fetched policy
   */
  public void fetchEnded(String domain, Duration elapsed, Optional<LookupFailure> failure) {}

  /**
   * A local override rule ({@link MtaSts.Builder#overrides}) shaped the lookup of {@code domain}.
   * Called once per domain, rule and UTC day (the same is logged: INFO, WARN for {@code
   * exempt}), so that every rule in effect is seen without one event per message.
   *
   * @param domain the looked-up domain
   * @param rule the rule in force for it
   */
  public void overrideApplied(String domain, PolicyOverrides.Rule rule) {}

  /**
   * A policy was fetched for a domain that had none cached.
   *
   * @param policy the new policy
   */
  public void policyFetched(CachedPolicy policy) {}

  /**
   * A cached policy was fetched again, and the policy and id are unchanged; its lifetime now counts
   * from the new fetch (STS-CACHE-06).
   *
   * @param policy the refreshed policy
   */
  public void policyRefreshed(CachedPolicy policy) {}

  /**
   * A cached policy was replaced by a different one, because the TXT id changed or a refresh
   * brought a new text.
   *
   * @param previous the policy that was cached
   * @param current the policy now cached
   */
  public void policyChanged(CachedPolicy previous, CachedPolicy current) {}

  /**
   * A policy replaced one with a stronger mode: {@code enforce} to {@code testing} or {@code none},
   * or {@code testing} to {@code none}. Legitimate when a domain withdraws its policy (RFC 8461
   * §8.3), but also what a downgrade attack looks like; worth an alert. Called after {@link
   * #policyChanged}.
   *
   * @param previous the policy that was cached
   * @param current the policy now cached
   */
  public void modeLowered(CachedPolicy previous, CachedPolicy current) {}

  /**
   * The {@code _mta-sts} TXT record is missing, multiple or invalid while a policy is cached; the
   * cached policy keeps being applied (STS-DISC-14). Called once per cached policy.
   *
   * @param domain the policy domain
   * @param status what discovery found
   * @param applied the cached policy still applied
   */
  public void recordVanished(String domain, RecordSelection.Status status, CachedPolicy applied) {}

  /**
   * A policy fetch (on lookup or proactive refresh) failed, or was postponed by the back-off.
   *
   * @param domain the policy domain
   * @param failure what failed
   * @param stillApplied the cached policy that is still applied, if any
   */
  public void fetchFailed(String domain, LookupFailure failure, Optional<CachedPolicy> stillApplied) {}

  /**
   * A lookup applied a cached policy that could not be confirmed (source {@link
   * PolicyLookup.Source#STALE_CACHE}).
   *
   * @param lookup the lookup
   */
  public void staleServed(PolicyLookup lookup) {}

  /**
   * A cached policy reached {@code fetchedAt + max_age} and was dropped (STS-CACHE-02).
   *
   * @param policy the expired policy
   */
  public void policyExpired(CachedPolicy policy) {}

  /**
   * An {@code enforce} policy refused an MX host.
   *
   * @param decision the refusal
   */
  public void deliveryRefused(DeliveryDecision decision) {}

  /**
   * A {@code testing} policy would have refused an MX host; delivery proceeds (RFC 8461 §5).
   *
   * @param decision the report-only decision
   */
  public void testingViolation(DeliveryDecision decision) {}

  /**
   * A cached policy was removed by {@link PolicyCache#invalidate(String)} or {@link
   * PolicyCache#invalidateAll()}.
   *
   * @param policy the removed policy
   */
  public void invalidated(CachedPolicy policy) {}

  /**
   * The client cannot apply the policy of {@code domain} because of its own configuration, not
   * because of the domain: mail to it goes as without a policy (issue 12 item 11). Called each
   * time it happens; the WARN line logged with it is written once a day per domain and cause.
   *
   * @param domain the policy domain
   * @param cause what local decision stands in the way
   * @param message what happened and what to change, for a person
   */
  public void protectionLost(String domain, ProtectionLoss cause, String message) {}

  /**
   * The {@link PolicyStore} failed, and the lookup went on without it; or the {@linkplain
   * MtaSts.Builder#reportStore report store} failed to count a TLS-RPT result, and the delivery
   * went on.
   *
   * @param operation {@code load} (at start-up, or of one domain after a cache miss), {@code
   *     save}, {@code delete}, {@code remove} (of an expired entry), {@code prune} (the daily walk
   *     that removes expired entries) or {@code deleteAll}; {@code record} for the report store
   * @param domain the domain concerned, or empty
   * @param error the failure
   */
  public void storeFailed(String operation, Optional<String> domain, Exception error) {}

  /**
   * A {@link TlsReporter} built on this client has handled the TLS report (RFC 8460) of one policy
   * domain and day: delivered to a {@code rua} destination, to be retried after a back-off, given
   * up 24 hours after its first attempt (TLSRPT-DEL-09), or dropped without a delivery attempt
   * (no reporting policy, suppressed, every session successful). Called once per report and run,
   * on the thread that runs the reporter; the outcome says what each destination did.
   *
   * @param outcome what became of the report
   */
  public void reportHandled(TlsReporter.Outcome outcome) {}

  /**
   * Whether the client applies DANE (RFC 7672) changed: learned when the first delivery is
   * planned (active, inactive because the DNS client does not validate DNSSEC, or unavailable
   * because it cannot here), and again when it changes, e.g. a resolver that stripped DNSSEC
   * records now passes them. Logged as well (WARN for unavailable). See {@link
   * MtaSts#daneStatus()}.
   *
   * @param status the new status
   */
  public void daneStatusChanged(DaneStatus status) {}

  /**
   * Returns a listener that passes every event to this listener, then to {@code other}. Each is
   * called even if the other throws.
   *
   * @param other the second listener
   * @return the combined listener
   * @throws NullPointerException if {@code other} is null
   */
  public MtaStsListener plus(MtaStsListener other) {
    Objects.requireNonNull(other, "other");
    List<MtaStsListener> all = new ArrayList<>();
    add(all, this);
    add(all, other);
    return all.size() == 1 ? all.get(0) : new Composite(List.copyOf(all));
  }

  private static void add(List<MtaStsListener> all, MtaStsListener l) {
    if (l instanceof Composite c) {
      all.addAll(c.listeners);
    } else if (l != NONE) {
      all.add(l);
    }
  }

  /** Calls {@code event} on {@code listener}, logging anything it throws. */
  static void fire(MtaStsListener listener, Consumer<MtaStsListener> event) {
    try {
      event.accept(listener);
    } catch (RuntimeException | LinkageError e) {
      threw(listener, e);
    }
  }

  /** Logs what {@code listener} threw; for callers that call it without {@link #fire}. */
  static void threw(MtaStsListener listener, Throwable e) {
    log.warn("MTA-STS listener {} threw; ignored", listener, e);
  }

  private static final class Composite extends MtaStsListener {
    private final List<MtaStsListener> listeners;

    Composite(List<MtaStsListener> listeners) {
      this.listeners = listeners;
    }

    private void each(Consumer<MtaStsListener> event) {
      for (MtaStsListener l : listeners) {
        fire(l, event);
      }
    }

    @Override
    public void lookupCompleted(PolicyLookup lookup) {
      each(l -> l.lookupCompleted(lookup));
    }

    @Override
    public void fetchEnded(String domain, Duration elapsed, Optional<LookupFailure> failure) {
      each(l -> l.fetchEnded(domain, elapsed, failure));
    }

    @Override
    public void overrideApplied(String domain, PolicyOverrides.Rule rule) {
      each(l -> l.overrideApplied(domain, rule));
    }

    @Override
    public void policyFetched(CachedPolicy policy) {
      each(l -> l.policyFetched(policy));
    }

    @Override
    public void policyRefreshed(CachedPolicy policy) {
      each(l -> l.policyRefreshed(policy));
    }

    @Override
    public void policyChanged(CachedPolicy previous, CachedPolicy current) {
      each(l -> l.policyChanged(previous, current));
    }

    @Override
    public void modeLowered(CachedPolicy previous, CachedPolicy current) {
      each(l -> l.modeLowered(previous, current));
    }

    @Override
    public void recordVanished(String domain, RecordSelection.Status status,
        CachedPolicy applied) {
      each(l -> l.recordVanished(domain, status, applied));
    }

    @Override
    public void fetchFailed(String domain, LookupFailure failure,
        Optional<CachedPolicy> stillApplied) {
      each(l -> l.fetchFailed(domain, failure, stillApplied));
    }

    @Override
    public void staleServed(PolicyLookup lookup) {
      each(l -> l.staleServed(lookup));
    }

    @Override
    public void policyExpired(CachedPolicy policy) {
      each(l -> l.policyExpired(policy));
    }

    @Override
    public void deliveryRefused(DeliveryDecision decision) {
      each(l -> l.deliveryRefused(decision));
    }

    @Override
    public void testingViolation(DeliveryDecision decision) {
      each(l -> l.testingViolation(decision));
    }

    @Override
    public void invalidated(CachedPolicy policy) {
      each(l -> l.invalidated(policy));
    }

    @Override
    public void protectionLost(String domain, ProtectionLoss cause, String message) {
      each(l -> l.protectionLost(domain, cause, message));
    }

    @Override
    public void storeFailed(String operation, Optional<String> domain, Exception error) {
      each(l -> l.storeFailed(operation, domain, error));
    }

    @Override
    public void reportHandled(TlsReporter.Outcome outcome) {
      each(l -> l.reportHandled(outcome));
    }

    @Override
    public void daneStatusChanged(DaneStatus status) {
      each(l -> l.daneStatusChanged(status));
    }

    @Override
    public String toString() {
      return "MtaStsListener" + listeners;
    }
  }
}
