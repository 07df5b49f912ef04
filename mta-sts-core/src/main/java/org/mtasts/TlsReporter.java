package org.mtasts;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.mtasts.dns.DnsAnswer;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.DnsException;
import org.mtasts.dns.TxtRecord;
import org.mtasts.internal.report.HttpsReportPoster;
import org.mtasts.internal.text.Texts;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.RecordSelection;
import org.mtasts.report.PolicyTally;
import org.mtasts.report.ReportClaim;
import org.mtasts.report.ReportDay;
import org.mtasts.report.ReportDestination;
import org.mtasts.report.ReportMailer;
import org.mtasts.report.ReportStore;
import org.mtasts.report.ReportSubmitter;
import org.mtasts.report.TlsReport;
import org.mtasts.report.TlsRptRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the TLS reports (RFC 8460) counted in a {@link ReportStore}: once a day after 00:00 UTC
 * plus a random delay (TLSRPT-TIME-02), or now with {@link #sendDue(boolean)}.
 *
 * <p>For each report day that has ended: the report is {@linkplain ReportStore#claim claimed} (so
 * one node of a fleet sends it), the {@code _smtp._tls.<policy-domain>} TXT record is looked up
 * now with the {@link MtaSts} client's DNS client, whose cache honours the record's TTL (the
 * reporter keeps no copy of its own, TLSRPT-REC-01, -08); none, several or an invalid record
 * mean the domain takes no reports and its counts are dropped (TLSRPT-REC-02). Every usable
 * {@code rua} is tried (at most {@value #MAX_DESTINATIONS}, SEC-21): {@code https:} by POST with
 * the client's host resolver, trust anchors, address guard and deadline (TLSRPT-DEL-08, D-29),
 * {@code mailto:} through the {@link ReportMailer}. One acceptance completes the report
 * (TLSRPT-REC-06); otherwise the claim is released for a retry with exponential back-off, and 24
 * hours after the first attempt the report is given up (TLSRPT-DEL-09). The client's {@linkplain
 * MtaSts.Builder#listener listener} hears of every report handled ({@link
 * MtaStsListener#reportHandled}).
 *
 * <p>Thread-safe. {@link #close()} stops the schedule; it does not close the client or the store.
 */
public final class TlsReporter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TlsReporter.class);

  /** Most {@code rua} destinations tried per report (SEC-21). */
  public static final int MAX_DESTINATIONS = 5;

  /** How long a report is retried after its first attempt (TLSRPT-DEL-09). */
  public static final Duration GIVE_UP_AFTER = Duration.ofHours(24);

  static final Duration FIRST_BACKOFF = Duration.ofMinutes(10);
  static final Duration MAX_BACKOFF = Duration.ofHours(4);

  private final Clock clock;
  private final MtaStsListener listener;
  private final DnsClient dns;
  private final HttpsReportPoster poster;
  private final ReportSubmitter submitter;
  private final ReportStore store;
  private final ReportMailer mailer;
  private final Set<String> suppressed;
  private final boolean skipAllSuccessful;
  private final Duration maxRandomDelay;
  private final Duration lease;
  private final RandomGenerator random;
  private ScheduledExecutorService scheduler;
  private final boolean ownScheduler;
  private final Object lock = new Object();
  private ScheduledFuture<?> next;
  private boolean closed;

  private TlsReporter(Builder b) {
    this.clock = b.sts.clock();
    this.listener = b.sts.settings().listener();
    this.dns = b.sts.settings().dnsClient();
    HttpsReportPoster.Builder poster = HttpsReportPoster.builder()
        .hostResolver(b.sts.settings().reportHostResolver())
        .allowPrivateAddresses(b.sts.settings().reportAllowPrivateAddresses())
        .deadline(b.sts.settings().reportDeadline());
    if (b.sts.settings().reportTrustManager() != null) {
      poster.trustManager(b.sts.settings().reportTrustManager());
    }
    this.poster = poster.build();
    this.submitter = b.submitter;
    this.store = b.store;
    this.mailer = b.mailer;
    this.suppressed = Set.copyOf(b.suppressed);
    this.skipAllSuccessful = b.skipAllSuccessful;
    this.maxRandomDelay = b.maxRandomDelay;
    this.lease = b.lease;
    this.random = b.random;
    this.ownScheduler = b.scheduler == null;
    this.scheduler = b.scheduler;
  }

  /**
   * Starts a builder for reports about the sessions of {@code sts}'s users: the DNS client, host
   * resolver, trust anchors, address guard, deadline and clock are {@code sts}'s.
   *
   * @param sts the client
   * @return a builder
   */
  public static Builder builder(MtaSts sts) {
    return new Builder(Objects.requireNonNull(sts, "sts"));
  }

  /** What became of one report. */
  public enum Status {
    /** At least one destination accepted it; its counts are gone. */
    DELIVERED,
    /** No destination accepted it; it will be tried again after a back-off. */
    RETRY,
    /** No destination accepted it within 24 hours of the first attempt; dropped (TLSRPT-DEL-09). */
    GAVE_UP,
    /** The domain publishes no usable {@code _smtp._tls} record; dropped (TLSRPT-REC-02). */
    NO_REPORTING_POLICY,
    /** The {@code _smtp._tls} lookup failed temporarily; tried again after a back-off. */
    DNS_FAILURE,
    /** The domain is on the suppression list; dropped. */
    SUPPRESSED,
    /** Every session succeeded and {@link Builder#skipAllSuccessful} is on; dropped. */
    ALL_SUCCESSFUL
  }

  /**
   * What one destination did with a report.
   *
   * @param uri the {@code rua} URI as written
   * @param delivered whether it accepted the report
   * @param error why not, printable; null when delivered
   */
  public record DestinationResult(String uri, boolean delivered, String error) {}

  /**
   * What became of one report.
   *
   * @param day the policy domain and day
   * @param status the outcome
   * @param destinations what each tried destination did, in order
   * @param detail a printable explanation (empty for a plain delivery)
   * @param nextAttempt when a {@link Status#RETRY} or {@link Status#DNS_FAILURE} is tried again
   */
  public record Outcome(ReportDay day, Status status, List<DestinationResult> destinations,
      String detail, Optional<Instant> nextAttempt) {
    /** Copies the list. */
    public Outcome {
      destinations = List.copyOf(destinations);
    }

    /** Whether a destination accepted the report. */
    public boolean delivered() {
      return status == Status.DELIVERED;
    }
  }

  /**
   * Sends now every report that is due: of each UTC day that has ended ({@code includeToday}:
   * today's as well, as if it had ended; its later sessions are then not reported), not claimed
   * by another sender and not waiting for a retry.
   *
   * @param includeToday whether today's counts are sent too
   * @return one outcome per report handled
   * @throws IOException if the store cannot be read or written
   */
  public List<Outcome> sendDue(boolean includeToday) throws IOException {
    Instant now = clock.instant();
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    List<Outcome> outcomes = new ArrayList<>();
    for (ReportDay day : store.days()) {
      if (day.day().isAfter(today) || (day.day().equals(today) && !includeToday)) {
        continue;
      }
      Optional<ReportClaim> claim = store.claim(day, now, lease);
      if (claim.isEmpty()) {
        continue;
      }
      Outcome outcome = send(claim.get(), now);
      log.info("TLS report {} {}: {}{}", day.policyDomain(), day.day(), outcome.status(),
          outcome.detail().isEmpty() ? "" : " (" + outcome.detail() + ")");
      if (listener != MtaStsListener.NONE) {
        MtaStsListener.fire(listener, l -> l.reportHandled(outcome));
      }
      outcomes.add(outcome);
    }
    return outcomes;
  }

  private Outcome send(ReportClaim claim, Instant now) throws IOException {
    ReportDay day = claim.day();
    if (suppressed.contains(day.policyDomain())) {
      store.complete(claim);
      return done(day, Status.SUPPRESSED, List.of(), "on the suppression list");
    }
    List<PolicyTally> tallies = store.tallies(day);
    if (tallies.isEmpty()) {
      store.complete(claim);
      return done(day, Status.ALL_SUCCESSFUL, List.of(), "no counts");
    }
    if (skipAllSuccessful && tallies.stream().allMatch(t -> t.failedSessions() == 0)) {
      store.complete(claim);
      return done(day, Status.ALL_SUCCESSFUL, List.of(), "every session succeeded");
    }
    List<ReportDestination> destinations;
    try {
      Optional<List<ReportDestination>> found = destinations(day.policyDomain());
      if (found.isEmpty()) {
        store.complete(claim);
        return done(day, Status.NO_REPORTING_POLICY, List.of(),
            "no usable _smtp._tls." + day.policyDomain() + " record");
      }
      destinations = found.get();
    } catch (DnsException e) {
      return retry(claim, now, Status.DNS_FAILURE, List.of(),
          "_smtp._tls lookup failed: " + Texts.printable(String.valueOf(e.getMessage()), 200));
    }
    TlsReport report = report(claim, tallies);
    byte[] gzip = report.gzip();
    List<DestinationResult> results = new ArrayList<>();
    boolean accepted = false;
    for (ReportDestination destination : destinations) {
      try {
        if (destination instanceof ReportDestination.Https https) {
          poster.post(URI.create(https.uri()), gzip);
        } else {
          mailer.send(report, (ReportDestination.Mailto) destination);
        }
        results.add(new DestinationResult(destination.uri(), true, null));
        accepted = true;
      } catch (IOException | RuntimeException e) {
        results.add(new DestinationResult(destination.uri(), false,
            Texts.printable(String.valueOf(e.getMessage()), 300)));
      }
    }
    if (accepted) {
      store.complete(claim);
      return done(day, Status.DELIVERED, results, "");
    }
    return retry(claim, now, Status.RETRY, results, "no destination accepted the report");
  }

  private Outcome retry(ReportClaim claim, Instant now, Status status,
      List<DestinationResult> results, String detail) throws IOException {
    Duration backoff = FIRST_BACKOFF.multipliedBy(1L << Math.min(claim.attempt(), 10));
    if (backoff.compareTo(MAX_BACKOFF) > 0) {
      backoff = MAX_BACKOFF;
    }
    Instant nextAttempt = now.plus(backoff);
    if (nextAttempt.isAfter(claim.firstAttempt().plus(GIVE_UP_AFTER))) {
      store.complete(claim);
      return done(claim.day(), Status.GAVE_UP, results,
          detail + "; given up 24 h after the first attempt (" + claim.firstAttempt() + ")");
    }
    store.release(claim, nextAttempt);
    return new Outcome(claim.day(), status, results, detail, Optional.of(nextAttempt));
  }

  private static Outcome done(ReportDay day, Status status, List<DestinationResult> results,
      String detail) {
    return new Outcome(day, status, results, detail, Optional.empty());
  }

  /** One id per report day for all attempts, so receivers can tell a retry from a new report. */
  private TlsReport report(ReportClaim claim, List<PolicyTally> tallies) {
    ReportDay day = claim.day();
    String id = day.day() + "." + claim.firstAttempt().toEpochMilli() + "." + day.policyDomain()
        + "@" + submitter.domain();
    try {
      return TlsReport.create(submitter, day, tallies, id);
    } catch (IllegalArgumentException tooLong) {
      return TlsReport.create(submitter, day, tallies);
    }
  }

  /** The usable destinations of the domain's record, or empty when it takes no reports. */
  private Optional<List<ReportDestination>> destinations(String domain) throws DnsException {
    String name = "_smtp._tls." + domain;
    if (name.length() > 253) {
      return Optional.empty();
    }
    DnsAnswer<TxtRecord> answer = dns.txtBlocking(name);
    List<String> texts = answer.records().stream().map(TxtRecord::text).toList();
    RecordSelection<TlsRptRecord> selection = TlsRptRecord.select(texts);
    return selection.found().map(r -> {
      List<ReportDestination> all = r.destinations();
      return all.size() > MAX_DESTINATIONS ? all.subList(0, MAX_DESTINATIONS) : all;
    });
  }

  /**
   * Starts the daily schedule: a run after the next 00:00 UTC plus a random delay up to the
   * {@linkplain Builder#maxRandomDelay maximum} (TLSRPT-TIME-02), and runs at the retry times of
   * reports that failed. Does nothing if already started.
   *
   * @return this reporter
   * @throws IllegalStateException if closed
   */
  public TlsReporter start() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("closed");
      }
      if (next == null) {
        scheduleAt(nextDailyRun(clock.instant()));
      }
    }
    return this;
  }

  /**
   * The time of the daily run after {@code now}: the next 00:00 UTC plus a random delay of one
   * second up to the maximum delay (TLSRPT-TIME-02).
   *
   * @param now the current time
   * @return the time
   */
  Instant nextDailyRun(Instant now) {
    Instant midnight = LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(1)
        .atStartOfDay(ZoneOffset.UTC).toInstant();
    long maxMillis = Math.max(1_000, maxRandomDelay.toMillis());
    return midnight.plusMillis(1_000 + random.nextLong(maxMillis - 1_000 + 1));
  }

  private void scheduleAt(Instant when) {
    long delay = Math.max(0, Duration.between(clock.instant(), when).toMillis());
    next = scheduler.schedule(this::run, delay, TimeUnit.MILLISECONDS);
  }

  private void run() {
    Instant following = nextDailyRun(clock.instant());
    try {
      for (Outcome o : sendDue(false)) {
        if (o.nextAttempt().isPresent() && o.nextAttempt().get().isBefore(following)) {
          following = o.nextAttempt().get();
        }
      }
    } catch (IOException | RuntimeException e) {
      log.warn("TLS report run failed; trying again at the next run", e);
    }
    synchronized (lock) {
      if (!closed) {
        scheduleAt(following);
      }
    }
  }

  /** Stops the schedule, and its thread if the reporter made it. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (next != null) {
        next.cancel(false);
      }
      if (ownScheduler) {
        scheduler.shutdownNow();
      }
    }
  }

  @Override
  public String toString() {
    return "TlsReporter{submitter=" + submitter.domain() + ", store=" + store + "}";
  }

  /** Configures a {@link TlsReporter}. Not thread-safe. */
  public static final class Builder {
    private final MtaSts sts;
    private ReportSubmitter submitter;
    private ReportStore store;
    private ReportMailer mailer = ReportMailer.none();
    private final Set<String> suppressed = new TreeSet<>();
    private boolean skipAllSuccessful;
    private Duration maxRandomDelay = Duration.ofHours(4);
    private Duration lease = Duration.ofMinutes(30);
    private RandomGenerator random = new SplittableRandom();
    private ScheduledExecutorService scheduler;

    private Builder(MtaSts sts) {
      this.sts = sts;
    }

    /**
     * Sets who sends the reports (required).
     *
     * @param submitter the submitter
     * @return this builder
     */
    public Builder submitter(ReportSubmitter submitter) {
      this.submitter = Objects.requireNonNull(submitter, "submitter");
      return this;
    }

    /**
     * Sets the store the counts are in (required).
     *
     * @param store the store
     * @return this builder
     */
    public Builder store(ReportStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Sets the mailer for {@code mailto:} destinations; default {@link ReportMailer#none()}
     * (they fail, {@code https:} ones are still tried).
     *
     * @param mailer the mailer
     * @return this builder
     */
    public Builder mailer(ReportMailer mailer) {
      this.mailer = Objects.requireNonNull(mailer, "mailer");
      return this;
    }

    /**
     * Adds domains never reported to (their counts are dropped).
     *
     * @param domains policy domains
     * @return this builder
     * @throws org.mtasts.policy.InvalidDomainException if one is not a host name
     */
    public Builder suppress(String... domains) {
      for (String d : domains) {
        suppressed.add(DomainNames.normalize(d));
      }
      return this;
    }

    /**
     * Whether a report in which every session succeeded is not sent (default false: the
     * heartbeat tells the domain owner that senders see its policy).
     *
     * @param skip whether to skip such reports
     * @return this builder
     */
    public Builder skipAllSuccessful(boolean skip) {
      this.skipAllSuccessful = skip;
      return this;
    }

    /**
     * Sets the longest random delay after 00:00 UTC of the daily run (default 4 hours,
     * TLSRPT-TIME-02).
     *
     * @param delay 1 second to 23 hours
     * @return this builder
     */
    public Builder maxRandomDelay(Duration delay) {
      Objects.requireNonNull(delay, "delay");
      if (delay.compareTo(Duration.ofSeconds(1)) < 0 || delay.compareTo(Duration.ofHours(23)) > 0) {
        throw new IllegalArgumentException("maxRandomDelay must be between 1 s and 23 h: "
            + delay);
      }
      this.maxRandomDelay = delay;
      return this;
    }

    /**
     * Sets how long a claim on a report holds while it is being sent (default 30 minutes).
     *
     * @param lease the lease
     * @return this builder
     */
    public Builder lease(Duration lease) {
      Objects.requireNonNull(lease, "lease");
      if (lease.isNegative() || lease.isZero()) {
        throw new IllegalArgumentException("lease must be positive: " + lease);
      }
      this.lease = lease;
      return this;
    }

    /**
     * Sets the random source of the daily delay (tests).
     *
     * @param random the source
     * @return this builder
     */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Sets the scheduler of {@link #start()}; not shut down by {@link #close()}. Default: one
     * daemon thread of the reporter's own.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Builds the reporter; the schedule starts with {@link TlsReporter#start()}.
     *
     * @return the reporter
     * @throws IllegalStateException if the submitter or the store is missing
     */
    public TlsReporter build() {
      if (submitter == null || store == null) {
        throw new IllegalStateException("submitter and store are required");
      }
      TlsReporter reporter = new TlsReporter(this);
      if (reporter.ownScheduler) {
        reporter.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "mta-sts-tlsrpt");
          t.setDaemon(true);
          return t;
        });
      }
      return reporter;
    }
  }
}
