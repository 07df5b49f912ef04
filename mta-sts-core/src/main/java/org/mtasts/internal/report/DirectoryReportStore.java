package org.mtasts.internal.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.mtasts.internal.report.ReportDayFile.CorruptFileException;
import org.mtasts.internal.report.ReportDayFile.NewerFormatException;
import org.mtasts.internal.report.ReportDayFile.State;
import org.mtasts.internal.report.ReportDayFile.Tally;
import org.mtasts.internal.text.Texts;
import org.mtasts.policy.DomainNames;
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
 */
public final class DirectoryReportStore implements ReportStore {

  private static final Logger log = LoggerFactory.getLogger(DirectoryReportStore.class);

  /** The subdirectory of the cache directory that holds the report days. */
  public static final String SUBDIRECTORY = "tlsrpt";

  static final String SUFFIX = ".json";
  static final String CORRUPT_SUFFIX = ".corrupt";
  static final String TEMP_PREFIX = ".save-";
  static final String TEMP_SUFFIX = ".tmp";
  static final String LOCK_FILE = ".lock";
  static final String HASHED_PREFIX = "_sha256_";
  static final int MAX_FILE_NAME_LENGTH = 255;
  private static final int STRIPES = 64;

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rwx------");

  /** One per directory and JVM: the lock file's channel and the in-JVM stripes. */
  private static final ConcurrentHashMap<Path, Locks> LOCKS = new ConcurrentHashMap<>();

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
    if (maxPolicies < 1 || maxDetails < 0) {
      throw new IllegalArgumentException("bounds: " + maxPolicies + ", " + maxDetails);
    }
    this.maxPolicies = maxPolicies;
    this.maxDetails = maxDetails;
  }

  /** The lock file's channel, opened once, and the stripes that keep this JVM's threads apart. */
  private static final class Locks {
    final FileChannel channel;
    final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    Locks(FileChannel channel) {
      this.channel = channel;
      for (int i = 0; i < STRIPES; i++) {
        stripes[i] = new ReentrantLock();
      }
    }
  }

  private Locks locks() throws IOException {
    createDirectory(root);
    Path key = root.toRealPath();
    try {
      return LOCKS.computeIfAbsent(key, k -> {
        try {
          return new Locks(FileChannel.open(k.resolve(LOCK_FILE), StandardOpenOption.CREATE,
              StandardOpenOption.WRITE));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Work done while holding a report day's locks. */
  private interface Locked<T> {
    T run() throws IOException;
  }

  private <T> T locked(ReportDay day, Locked<T> work) throws IOException {
    Locks locks = locks();
    int stripe = Math.floorMod((day.day() + "/" + day.policyDomain()).hashCode(), STRIPES);
    ReentrantLock lock = locks.stripes[stripe];
    lock.lock();
    try (FileLock fileLock = locks.channel.lock(stripe, 1, false)) {
      return work.run();
    } finally {
      lock.unlock();
    }
  }

  private <T> T lockedAll(Locked<T> work) throws IOException {
    Locks locks = locks();
    for (ReentrantLock lock : locks.stripes) {
      lock.lock();
    }
    try (FileLock fileLock = locks.channel.lock(0, STRIPES, false)) {
      return work.run();
    } finally {
      for (ReentrantLock lock : locks.stripes) {
        lock.unlock();
      }
    }
  }

  @Override
  public void add(SessionResult result) throws IOException {
    Objects.requireNonNull(result, "result");
    ReportDay key = new ReportDay(
        result.policy().domain(), LocalDate.ofInstant(result.at(), ZoneOffset.UTC));
    locked(key, () -> {
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
      write(key, content);
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
    State s = readQuietly(file(day), day.day(), day.policyDomain());
    return s == null || s.completed ? List.of() : s.tallies();
  }

  @Override
  public Optional<ReportClaim> claim(ReportDay day, Instant now, Duration lease)
      throws IOException {
    Objects.requireNonNull(day, "day");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(lease, "lease");
    return locked(day, () -> {
      State s = readQuietly(file(day), day.day(), day.policyDomain());
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
      write(day, ReportDayFile.encode(s));
      return Optional.of(new ReportClaim(day, s.claimToken, s.claimExpires, s.attempts,
          s.firstAttempt));
    });
  }

  @Override
  public void complete(ReportClaim claim) throws IOException {
    Objects.requireNonNull(claim, "claim");
    locked(claim.day(), () -> {
      State s = held(claim);
      if (s != null) {
        s.completed = true;
        s.policies.clear();
        s.claimToken = null;
        s.claimExpires = null;
        write(claim.day(), ReportDayFile.encode(s));
      }
      return null;
    });
  }

  @Override
  public void release(ReportClaim claim, Instant notBefore) throws IOException {
    Objects.requireNonNull(claim, "claim");
    Objects.requireNonNull(notBefore, "notBefore");
    locked(claim.day(), () -> {
      State s = held(claim);
      if (s != null) {
        s.claimToken = null;
        s.claimExpires = null;
        s.notBefore = notBefore;
        s.attempts = claim.attempt() + 1;
        write(claim.day(), ReportDayFile.encode(s));
      }
      return null;
    });
  }

  private State held(ReportClaim claim) {
    ReportDay day = claim.day();
    State s = readQuietly(file(day), day.day(), day.policyDomain());
    return s != null && claim.token().equals(s.claimToken) ? s : null;
  }

  @Override
  public int prune(LocalDate before) throws IOException {
    Objects.requireNonNull(before, "before");
    if (!Files.isDirectory(root)) {
      return 0;
    }
    return lockedAll(() -> {
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
    Path file = file(day);
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

  private static byte[] readBounded(Path file) throws IOException, CorruptFileException {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      if (Files.notExists(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new NoSuchFileException(file.toString());
      }
      throw new CorruptFileException("not a regular file");
    }
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] content = in.readNBytes(ReportDayFile.MAX_FILE_BYTES + 1);
      if (content.length > ReportDayFile.MAX_FILE_BYTES) {
        throw new CorruptFileException("larger than " + ReportDayFile.MAX_FILE_BYTES + " bytes");
      }
      return content;
    }
  }

  private void write(ReportDay day, byte[] content) throws IOException {
    Path dayDir = root.resolve(day.day().toString());
    createDirectory(dayDir);
    Path temp = Files.createTempFile(dayDir, TEMP_PREFIX, TEMP_SUFFIX);
    boolean moved = false;
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(temp, dayDir.resolve(fileName(day.policyDomain())),
          StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      moved = true;
    } finally {
      if (!moved) {
        Files.deleteIfExists(temp);
      }
    }
    syncDirectory(dayDir);
  }

  private Path file(ReportDay day) {
    return root.resolve(day.day().toString()).resolve(fileName(day.policyDomain()));
  }

  /** The day of a day directory, or null for anything else (ignored). */
  private static LocalDate dayOf(Path dir) {
    String name = dir.getFileName().toString();
    if (name.length() != 10 || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    try {
      LocalDate date = LocalDate.parse(name);
      return date.toString().equals(name) ? date : null;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static List<Path> list(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path p : stream) {
        out.add(p);
      }
    } catch (NoSuchFileException e) {
      return List.of();
    }
    out.sort(null);
    return out;
  }

  /** The file name of a domain's day: {@code <domain>.json}, hashed when too long. */
  static String fileName(String domain) {
    if (!DomainNames.isNormalized(domain)) {
      throw new IllegalArgumentException("not a normalised domain name: " + Texts.quote(domain));
    }
    if (domain.length() + SUFFIX.length() <= MAX_FILE_NAME_LENGTH) {
      return domain + SUFFIX;
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest(domain.getBytes(StandardCharsets.US_ASCII));
      return HASHED_PREFIX + HexFormat.of().formatHex(hash) + SUFFIX;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  static boolean isEntryFileName(String name) {
    if (!name.endsWith(SUFFIX)) {
      return false;
    }
    String stem = name.substring(0, name.length() - SUFFIX.length());
    if (stem.startsWith(HASHED_PREFIX)) {
      String hex = stem.substring(HASHED_PREFIX.length());
      return hex.length() == 64
          && hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }
    return DomainNames.isNormalized(stem) && fileName(stem).equals(name);
  }

  static boolean isTempName(String name) {
    return name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX);
  }

  private static void createDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } else {
        Files.createDirectory(dir);
      }
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    }
  }

  /** Makes a rename durable; where a directory cannot be opened (Windows) there is nothing to do. */
  private static void syncDirectory(Path dir) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException | UnsupportedOperationException e) {
      return;
    }
    try (channel) {
      channel.force(true);
    }
  }

  private static String quote(Path path) {
    return Texts.quote(path.toString(), 1024);
  }

  @Override
  public String toString() {
    return "ReportStore.directory(" + root.getParent() + ")";
  }
}
