package org.mtasts.internal.cache;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.mtasts.LookupFailure;

/**
 * Decides whether a lookup may fetch a policy now (RFC 8461 §3.3, SEC-14).
 *
 * <ul>
 *   <li>After a failed fetch for id X, no fetch for X until the back-off has passed (STS-FETCH-14,
 *       five minutes by default).
 *   <li>A fetch for an id other than the one last tried waits until the per-domain interval has
 *       passed since the last attempt, so rotating ids cannot cause more than about one fetch per
 *       interval (SEC-14, EDGE-87). A domain's first fetch is never held back.
 * </ul>
 *
 * <p>Concurrent lookups of one domain are already coalesced by the caller; this class only keeps
 * the per-domain state, bounded, for as long as it matters. Thread-safe.
 */
public final class FetchGate {

  /**
   * A fetch that may not happen yet.
   *
   * @param until when it may
   * @param reason why not, for a person
   * @param lastFailure the last failure for this id, or null
   */
  public record Blocked(Instant until, String reason, LookupFailure lastFailure) {}

  private record State(String lastId, Instant lastAttempt, String failedId, Instant failedAt,
      LookupFailure failure, Instant expiresAt) {}

  private final Duration backoff;
  private final Duration interval;
  private final TimedCache<State> states;

  /**
   * Creates a gate.
   *
   * @param clock the time source
   * @param maximumDomains how many domains' state to keep at most
   * @param backoff the wait after a failed fetch for the same id
   * @param interval the least time between fetches of different ids of one domain
   */
  public FetchGate(Clock clock, long maximumDomains, Duration backoff, Duration interval) {
    this.backoff = Objects.requireNonNull(backoff, "backoff");
    this.interval = Objects.requireNonNull(interval, "interval");
    this.states = new TimedCache<>(clock, maximumDomains, State::expiresAt, null);
  }

  /**
   * Records an attempt to fetch {@code id} for {@code domain} at {@code now} and returns null, or
   * returns why it must wait (and records nothing).
   */
  public Blocked tryAcquire(String domain, String id, Instant now) {
    Blocked[] blocked = new Blocked[1];
    states.compute(
        domain,
        (d, s) -> {
          if (s != null && !now.isBefore(s.expiresAt())) {
            s = null;
          }
          if (s != null && id.equals(s.failedId()) && now.isBefore(s.failedAt().plus(backoff))) {
            blocked[0] =
                new Blocked(
                    s.failedAt().plus(backoff),
                    "the fetch of policy id " + id + " failed at " + s.failedAt()
                        + "; not retried before " + s.failedAt().plus(backoff)
                        + " (RFC 8461 §3.3)",
                    s.failure());
            return s;
          }
          if (s != null && !id.equals(s.lastId()) && now.isBefore(s.lastAttempt().plus(interval))) {
            blocked[0] =
                new Blocked(
                    s.lastAttempt().plus(interval),
                    "policy id changed to " + id + " within " + interval.toSeconds()
                        + " s of the last fetch (at " + s.lastAttempt()
                        + "); fetch postponed to " + s.lastAttempt().plus(interval),
                    id.equals(s.failedId()) ? s.failure() : null);
            return s;
          }
          return new State(id, now, s == null ? null : s.failedId(),
              s == null ? null : s.failedAt(), s == null ? null : s.failure(),
              expiry(now, s == null ? null : s.failedAt()));
        });
    return blocked[0];
  }

  /** Records that the fetch of {@code id} for {@code domain} failed at {@code now}. */
  public void failed(String domain, String id, Instant now, LookupFailure failure) {
    states.compute(
        domain,
        (d, s) -> new State(
            s == null ? id : s.lastId(), s == null ? now : s.lastAttempt(), id, now, failure,
            expiry(s == null ? now : s.lastAttempt(), now)));
  }

  /** Forgets the state of {@code domain}. */
  public void clear(String domain) {
    states.remove(domain);
  }

  /** Forgets every domain's state. */
  public void clearAll() {
    states.clear();
  }

  private Instant expiry(Instant lastAttempt, Instant failedAt) {
    Instant a = lastAttempt.plus(interval);
    Instant b = failedAt == null ? a : failedAt.plus(backoff);
    return a.isAfter(b) ? a : b;
  }
}
