package org.mtasts.internal.report;

import static org.mtasts.internal.report.ReportDirectory.CORRUPT_SUFFIX;
import static org.mtasts.internal.report.ReportDirectory.dayOf;
import static org.mtasts.internal.report.ReportDirectory.fileName;
import static org.mtasts.internal.report.ReportDirectory.isEntryFileName;
import static org.mtasts.internal.report.ReportDirectory.isTempName;
import static org.mtasts.internal.report.ReportDirectory.list;
import static org.mtasts.internal.report.ReportDirectory.quote;
import static org.mtasts.internal.report.ReportDirectory.readBounded;
import static org.mtasts.internal.report.ReportDirectory.syncDirectory;

import java.io.IOException;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.mtasts.internal.report.ReportDayFile.CorruptFileException;
import org.mtasts.internal.report.ReportDayFile.NewerFormatException;
import org.mtasts.internal.report.ReportDayFile.State;
import org.mtasts.internal.report.ReportDayFile.Tally;
import org.mtasts.internal.text.Texts;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.PolicyTally;
import org.mtasts.report.ReportClaim;
import org.mtasts.report.ReportDay;
import org.mtasts.report.ReportStore;
import org.mtasts.report.SessionResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ReportStore#directory(Path)}: one file per report day, {@code
 * <dir>/tlsrpt/<yyyy-mm-dd>/<policy-domain>.json} in {@link ReportDayFile}'s format, beside the
 * policy store's files in {@code <dir>}.
 *
 * <p><b>Crash safety.</b> Every change reads the day's file, changes it in memory and writes it
 * whole: to a temporary file in the same directory, forced to disk, renamed atomically over the
 * old one, the directory forced — so a crash leaves the old or the new file, never a mix. A
 * reader takes no lock for the same reason.
 *
 * <p><b>Several processes.</b> Changes of one report day are serialised across threads by a lock
 * stripe and across processes by a {@link FileLock} on the matching byte of {@code
 * <dir>/tlsrpt/.lock}, so two processes sharing a cache directory count into the same files
 * without losing counts, and only one of them holds a claim. The lock file is opened once per
 * directory and JVM and stays open: on POSIX systems closing any channel of a file drops every
 * lock the process holds on it.
 *
 * <p><b>Tolerance.</b> A file that cannot be read (truncated, garbage) is skipped with a WARN and,
 * when the day is next written, moved aside to {@code <name>.corrupt} and started afresh; a file
 * of a newer format version is skipped and never overwritten (results for that day are dropped
 * with a WARN); names the store does not write are ignored.
 *
 * <p><b>Bounds.</b> Per report day at most {@code maxPolicies} policies, {@code maxDetails}
 * failure details per policy, and {@value ReportDayFile#MAX_FILE_BYTES} bytes of file; past them
 * session counts stay exact and new keys are dropped, with one WARN per day.
 *
 * <p>The directories are created {@code rwx------} and files written {@code rw-------} where the
 * file system has POSIX permissions: counts say which MX hosts a sender reached.
 *
 * <p>This class keeps the {@link ReportStore} contract; {@link ReportDirectory} the layout, the
 * locks and the safe file operations.
 */
public final class DirectoryReportStore implements ReportStore {

  private static final Logger log = LoggerFactory.getLogger(DirectoryReportStore.class);

  /** The subdirectory of the cache directory that holds the report days. */
  public static final String SUBDIRECTORY = "tlsrpt";

  /** Layout, locks and safe file operations. */
  private final ReportDirectory directory;
  private final Path root;
  private final int maxPolicies;
  private final int maxDetails;
  /** Files already reported as unreadable, so that each is warned about once per change. */
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  /**
   * A store in {@code <dir>/tlsrpt} with the default bounds; no I/O happens here.
   *
   * @param dir the cache directory
   */
  public DirectoryReportStore(Path dir) {
    this(dir, MemoryReportStore.MAX_POLICIES_PER_DAY, MemoryReportStore.MAX_DETAILS_PER_POLICY);
  }

  /**
   * A store with other bounds, for tests of the bounds.
   *
   * @param dir the cache directory
   * @param maxPolicies distinct policies per report day
   * @param maxDetails distinct failure details per policy and day
   */
  public DirectoryReportStore(Path dir, int maxPolicies, int maxDetails) {
    this.root = Objects.requireNonNull(dir, "dir").resolve(SUBDIRECTORY);
    this.directory = new ReportDirectory(root);
    if (maxPolicies < 1 || maxDetails < 0) {
      throw new IllegalArgumentException("bounds: " + maxPolicies + ", " + maxDetails);
    }
    this.maxPolicies = maxPolicies;
    this.maxDetails = maxDetails;
  }

  @Override
  public void add(SessionResult result) throws IOException {
    Objects.requireNonNull(result, "result");
    ReportDay key = new ReportDay(
        result.policy().domain(), LocalDate.ofInstant(result.at(), ZoneOffset.UTC));
    directory.locked(key, () -> {
      State state = readForUpdate(key);
      if (state == null) {
        return null; // a newer version's file: never overwritten
      }
      if (state.completed) {
        log.debug("TLS-RPT: report for {} already sent; a late result is dropped", key);
        return null;
      }
      State before = copyCounts(state);
      boolean newKey = count(state, result, key);
      byte[] content = ReportDayFile.encode(state);
      if (content.length > ReportDayFile.MAX_FILE_BYTES && newKey) {
        // The new key does not fit: count the session without it.
        state = before;
        countWithoutNewKeys(state, result);
        warnFull(key, state, "bytes");
        content = ReportDayFile.encode(state);
      }
      directory.write(key, content);
      return null;
    });
  }

  /** Counts {@code result}; tells whether a policy or detail was added. */
  private boolean count(State state, SessionResult result, ReportDay key) {
    Tally tally = state.policies.get(result.policy());
    boolean added = false;
    if (tally == null) {
      if (state.policies.size() >= maxPolicies) {
        warnFull(key, state, "policies");
        return false;
      }
      tally = new Tally();
      state.policies.put(result.policy(), tally);
      added = true;
    }
    if (result.isSuccess()) {
      tally.successes++;
      return added;
    }
    tally.failures++;
    for (FailureDetail d : result.failures()) {
      Long n = tally.details.get(d);
      if (n == null && tally.details.size() >= maxDetails) {
        warnFull(key, state, "failure details");
        continue;
      }
      added |= n == null;
      tally.details.put(d, n == null ? 1 : n + 1);
    }
    return added;
  }

  private static void countWithoutNewKeys(State state, SessionResult result) {
    Tally tally = state.policies.get(result.policy());
    if (tally == null) {
      return;
    }
    if (result.isSuccess()) {
      tally.successes++;
      return;
    }
    tally.failures++;
    for (FailureDetail d : result.failures()) {
      tally.details.computeIfPresent(d, (k, n) -> n + 1);
    }
  }

  private static State copyCounts(State s) {
    State c = new State(s.day);
    c.completed = s.completed;
    c.warnedFull = s.warnedFull;
    c.attempts = s.attempts;
    c.firstAttempt = s.firstAttempt;
    c.notBefore = s.notBefore;
    c.claimToken = s.claimToken;
    c.claimExpires = s.claimExpires;
    s.policies.forEach((p, t) -> {
      Tally u = new Tally();
      u.successes = t.successes;
      u.failures = t.failures;
      u.details.putAll(t.details);
      c.policies.put(p, u);
    });
    return c;
  }

  private static void warnFull(ReportDay key, State state, String what) {
    if (!state.warnedFull) {
      state.warnedFull = true;
      log.warn("TLS-RPT: the report of {} for {} holds as many distinct {} as it may; further "
          + "ones are not kept (session counts stay exact)", key.policyDomain(), key.day(), what);
    }
  }

  @Override
  public List<ReportDay> days() throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<ReportDay> out = new ArrayList<>();
    for (Path dayDir : list(root)) {
      LocalDate date = dayOf(dayDir);
      if (date == null) {
        continue;
      }
      for (Path file : list(dayDir)) {
        String name = file.getFileName().toString();
        if (!isEntryFileName(name)) {
          continue;
        }
        State s = readQuietly(file, date, null);
        if (s != null && !fileName(s.day.policyDomain()).equals(name)) {
          warnOnce(file, "TLS-RPT store: skipping {}: {}", "it holds the day of "
              + s.day.policyDomain() + ", whose file would be " + fileName(s.day.policyDomain()));
          continue;
        }
        if (s != null && !s.completed && !s.policies.isEmpty()) {
          out.add(s.day);
        }
      }
    }
    Collections.sort(out);
    return out;
  }

  @Override
  public List<PolicyTally> tallies(ReportDay day) throws IOException {
    Objects.requireNonNull(day, "day");
    State s = readQuietly(directory.file(day), day.day(), day.policyDomain());
    return s == null || s.completed ? List.of() : s.tallies();
  }

  @Override
  public Optional<ReportClaim> claim(ReportDay day, Instant now, Duration lease)
      throws IOException {
    Objects.requireNonNull(day, "day");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(lease, "lease");
    return directory.locked(day, () -> {
      State s = readQuietly(directory.file(day), day.day(), day.policyDomain());
      if (s == null || s.completed || s.policies.isEmpty()
          || (s.claimToken != null && now.isBefore(s.claimExpires))
          || (s.notBefore != null && now.isBefore(s.notBefore))) {
        return Optional.empty();
      }
      s.claimToken = UUID.randomUUID().toString();
      s.claimExpires = now.plus(lease);
      if (s.firstAttempt == null) {
        s.firstAttempt = now;
      }
      directory.write(day, ReportDayFile.encode(s));
      return Optional.of(new ReportClaim(day, s.claimToken, s.claimExpires, s.attempts,
          s.firstAttempt));
    });
  }

  @Override
  public void complete(ReportClaim claim) throws IOException {
    Objects.requireNonNull(claim, "claim");
    directory.locked(claim.day(), () -> {
      State s = held(claim);
      if (s != null) {
        s.completed = true;
        s.policies.clear();
        s.claimToken = null;
        s.claimExpires = null;
        directory.write(claim.day(), ReportDayFile.encode(s));
      }
      return null;
    });
  }

  @Override
  public void release(ReportClaim claim, Instant notBefore) throws IOException {
    Objects.requireNonNull(claim, "claim");
    Objects.requireNonNull(notBefore, "notBefore");
    directory.locked(claim.day(), () -> {
      State s = held(claim);
      if (s != null) {
        s.claimToken = null;
        s.claimExpires = null;
        s.notBefore = notBefore;
        s.attempts = claim.attempt() + 1;
        directory.write(claim.day(), ReportDayFile.encode(s));
      }
      return null;
    });
  }

  private State held(ReportClaim claim) {
    ReportDay day = claim.day();
    State s = readQuietly(directory.file(day), day.day(), day.policyDomain());
    return s != null && claim.token().equals(s.claimToken) ? s : null;
  }

  @Override
  public int prune(LocalDate before) throws IOException {
    Objects.requireNonNull(before, "before");
    if (!Files.isDirectory(root)) {
      return 0;
    }
    return directory.lockedAll(() -> {
      int days = 0;
      for (Path dayDir : list(root)) {
        LocalDate date = dayOf(dayDir);
        if (date == null || !date.isBefore(before)) {
          continue;
        }
        for (Path file : list(dayDir)) {
          String name = file.getFileName().toString();
          boolean entry = isEntryFileName(name);
          if (entry || isTempName(name) || name.endsWith(CORRUPT_SUFFIX)) {
            if (Files.deleteIfExists(file) && entry) {
              days++;
            }
          }
        }
        try {
          Files.deleteIfExists(dayDir);
        } catch (java.nio.file.DirectoryNotEmptyException e) {
          log.debug("TLS-RPT store: {} holds files it did not write; left in place",
              Texts.quote(dayDir.toString(), 1024));
        }
      }
      syncDirectory(root);
      return days;
    });
  }

  /**
   * Reads a day for a change: a missing file is a new day; an unreadable one is moved aside and
   * the day starts afresh; a newer version's file gives null (leave it alone).
   */
  private State readForUpdate(ReportDay day) throws IOException {
    Path file = directory.file(day);
    try {
      return check(ReportDayFile.decode(readBounded(file)), day.day(), day.policyDomain());
    } catch (NoSuchFileException e) {
      return new State(day);
    } catch (NewerFormatException e) {
      warnOnce(file, "TLS-RPT store: {} was written by a newer version ({}); results for its "
          + "day are not counted here and the file is left as it is", e.getMessage());
      return null;
    } catch (CorruptFileException e) {
      Path aside = file.resolveSibling(file.getFileName() + CORRUPT_SUFFIX);
      Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
      log.warn("TLS-RPT store: {} cannot be read ({}); moved aside to {}, the day's counts "
          + "start afresh", quote(file), e.getMessage(), quote(aside));
      return new State(day);
    }
  }

  /** Reads a file for a reader: null when missing or unreadable (logged at WARN once). */
  private State readQuietly(Path file, LocalDate date, String domain) {
    try {
      return check(ReportDayFile.decode(readBounded(file)), date, domain);
    } catch (NoSuchFileException e) {
      return null;
    } catch (CorruptFileException e) {
      warnOnce(file, "TLS-RPT store: skipping {}: {}", e.getMessage());
      return null;
    } catch (IOException e) {
      warnOnce(file, "TLS-RPT store: skipping {}: cannot be read: {}", e.toString());
      return null;
    }
  }

  /** Checks that a file holds the day its name and directory say. */
  private State check(State s, LocalDate date, String domain) throws CorruptFileException {
    if (!s.day.day().equals(date) || (domain != null && !s.day.policyDomain().equals(domain))) {
      throw new CorruptFileException("it holds " + s.day + ", not the day its name says");
    }
    return s;
  }

  private void warnOnce(Path file, String message, String detail) {
    String key = file.toString();
    try {
      key += "@" + Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      // no time: warn by name only
    }
    if (warned.add(key)) {
      log.warn(message, quote(file), Texts.printable(detail, 300));
    }
  }

  @Override
  public String toString() {
    return "ReportStore.directory(" + root.getParent() + ")";
  }
}
