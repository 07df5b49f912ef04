package org.mtasts.internal.report;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.PolicyTally;
import org.mtasts.report.ReportClaim;
import org.mtasts.report.ReportDay;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ReportStore;
import org.mtasts.report.SessionResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ReportStore#memory()}: one lock over a map of report days. Reports are few (one per
 * policy domain and day) and a count is a few map operations, so a single monitor is enough.
 */
public final class MemoryReportStore implements ReportStore {
  private static final Logger log = LoggerFactory.getLogger(MemoryReportStore.class);

  /** Distinct policies kept per report day: a domain changes its policy a few times a day at most. */
  public static final int MAX_POLICIES_PER_DAY = 64;

  /** Distinct failure details kept per policy and day (one per MX address and reason, mostly). */
  public static final int MAX_DETAILS_PER_POLICY = 1_000;

  private final int maxPolicies;
  private final int maxDetails;
  private final Map<ReportDay, Day> days = new TreeMap<>();

  /** A store with the default bounds. */
  public MemoryReportStore() {
    this(MAX_POLICIES_PER_DAY, MAX_DETAILS_PER_POLICY);
  }

  /**
   * A store with other bounds, for tests of the bounds.
   *
   * @param maxPolicies distinct policies per report day
   * @param maxDetails distinct failure details per policy and day
   */
  public MemoryReportStore(int maxPolicies, int maxDetails) {
    if (maxPolicies < 1 || maxDetails < 0) {
      throw new IllegalArgumentException("bounds: " + maxPolicies + ", " + maxDetails);
    }
    this.maxPolicies = maxPolicies;
    this.maxDetails = maxDetails;
  }

  private static final class Tally {
    long successes;
    long failures;
    final Map<FailureDetail, Long> details = new LinkedHashMap<>();
  }

  private static final class Day {
    final Map<ReportPolicy, Tally> tallies = new LinkedHashMap<>();
    boolean completed;
    boolean warnedFull;
    String claimToken;
    Instant claimExpires = Instant.MIN;
    Instant notBefore = Instant.MIN;
    Instant firstAttempt;
    int attempts;
  }

  @Override
  public synchronized void add(SessionResult result) {
    ReportDay key = new ReportDay(
        result.policy().domain(), LocalDate.ofInstant(result.at(), ZoneOffset.UTC));
    Day day = days.computeIfAbsent(key, k -> new Day());
    if (day.completed) {
      log.debug("TLS-RPT: report for {} already sent; a late result is dropped", key);
      return;
    }
    Tally tally = day.tallies.get(result.policy());
    if (tally == null) {
      if (day.tallies.size() >= maxPolicies) {
        warnFull(key, day, "policies");
        return;
      }
      tally = new Tally();
      day.tallies.put(result.policy(), tally);
    }
    if (result.isSuccess()) {
      tally.successes++;
      return;
    }
    tally.failures++;
    for (FailureDetail d : result.failures()) {
      Long n = tally.details.get(d);
      if (n == null && tally.details.size() >= maxDetails) {
        warnFull(key, day, "failure details");
        continue;
      }
      tally.details.put(d, n == null ? 1 : n + 1);
    }
  }

  private static void warnFull(ReportDay key, Day day, String what) {
    if (!day.warnedFull) {
      day.warnedFull = true;
      log.warn("TLS-RPT: the report of {} for {} holds as many distinct {} as it may; further "
          + "ones are not kept (session counts stay exact)", key.policyDomain(), key.day(), what);
    }
  }

  @Override
  public synchronized List<ReportDay> days() {
    List<ReportDay> out = new ArrayList<>();
    days.forEach((k, d) -> {
      if (!d.completed && !d.tallies.isEmpty()) {
        out.add(k);
      }
    });
    return out;
  }

  @Override
  public synchronized List<PolicyTally> tallies(ReportDay key) {
    Day day = days.get(key);
    if (day == null || day.completed) {
      return List.of();
    }
    List<PolicyTally> out = new ArrayList<>();
    day.tallies.forEach((p, t) ->
        out.add(new PolicyTally(p, t.successes, t.failures, new HashMap<>(t.details))));
    return out;
  }

  @Override
  public synchronized Optional<ReportClaim> claim(ReportDay key, Instant now, Duration lease) {
    Day day = days.get(key);
    if (day == null || day.completed || day.tallies.isEmpty()
        || (day.claimToken != null && now.isBefore(day.claimExpires))
        || now.isBefore(day.notBefore)) {
      return Optional.empty();
    }
    day.claimToken = UUID.randomUUID().toString();
    day.claimExpires = now.plus(lease);
    if (day.firstAttempt == null) {
      day.firstAttempt = now;
    }
    return Optional.of(
        new ReportClaim(key, day.claimToken, day.claimExpires, day.attempts, day.firstAttempt));
  }

  @Override
  public synchronized void complete(ReportClaim claim) {
    Day day = held(claim);
    if (day != null) {
      day.completed = true;
      day.tallies.clear();
      day.claimToken = null;
    }
  }

  @Override
  public synchronized void release(ReportClaim claim, Instant notBefore) {
    Day day = held(claim);
    if (day != null) {
      day.claimToken = null;
      day.notBefore = notBefore;
      day.attempts = claim.attempt() + 1;
    }
  }

  private Day held(ReportClaim claim) {
    Day day = days.get(claim.day());
    return day != null && claim.token().equals(day.claimToken) ? day : null;
  }

  @Override
  public synchronized int prune(LocalDate before) {
    int n = 0;
    for (var it = days.keySet().iterator(); it.hasNext(); ) {
      if (it.next().day().isBefore(before)) {
        it.remove();
        n++;
      }
    }
    return n;
  }
}
