package org.mtasts.internal.store;

import static org.mtasts.internal.store.PolicyDirectory.SUFFIX;
import static org.mtasts.internal.store.PolicyDirectory.describe;
import static org.mtasts.internal.store.PolicyDirectory.fileName;
import static org.mtasts.internal.store.PolicyDirectory.isEntryFileName;
import static org.mtasts.internal.store.PolicyDirectory.isTempName;
import static org.mtasts.internal.store.PolicyDirectory.quote;
import static org.mtasts.internal.store.PolicyDirectory.readBounded;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.mtasts.PolicyStore;
import org.mtasts.StoredPolicy;
import org.mtasts.internal.store.PolicyFileFormat.CorruptEntryException;
import org.mtasts.policy.DomainNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file store behind {@link PolicyStore#directory(Path)}: one file per domain in {@link
 * PolicyFileFormat}, written crash-safely (temporary file, {@link FileChannel#force(boolean)},
 * atomic rename, directory sync).
 *
 * <p>The file of a domain is {@code <domain>.policy}. A domain so long that this name would
 * pass the common limit of {@value PolicyDirectory#MAX_FILE_NAME_LENGTH} characters (a legal
 * domain has up to 253) is kept in {@code _sha256_<hex of the domain>.policy} instead; {@code _}
 * cannot occur in a normalised domain, so the two kinds of name never collide. On load, an entry
 * counts only if the domain in its header gives exactly its file name.
 *
 * <p>Thread-safe. Within one instance, saves, deletes and removals of a domain are serialised by
 * a lock stripe and {@link #deleteAll()} excludes them; reads take no lock, because the atomic
 * rename already means a reader opens either the old or the new file. Several instances or
 * processes on one directory stay consistent for the same reason; only {@link #remove} can race
 * with a save by another process (it compares, then deletes), which loses that save until the
 * next one.
 *
 * <p>The directory is created {@code rwx------} and entries are written {@code rw-------} where
 * the file system has POSIX permissions: policies say where a sender's mail goes, and a local
 * user who could replace one could lower or redirect it.
 */
public final class DirectoryPolicyStore implements PolicyStore {

  private static final Logger log = LoggerFactory.getLogger(DirectoryPolicyStore.class);

  private static final int STRIPES = 64;

  private final Path dir;
  /** The layout and the safe file operations; this class adds the locking and the contract. */
  private final PolicyDirectory files;
  private final ReadWriteLock allLock = new ReentrantReadWriteLock();
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

  /**
   * Creates a store for {@code dir}; no I/O happens here.
   *
   * @param dir the directory of the entries
   * @throws NullPointerException if {@code dir} is null
   */
  public DirectoryPolicyStore(Path dir) {
    this(dir, Clock.systemUTC());
  }

  /** For tests: {@code clock} decides when a temporary file counts as stale. */
  DirectoryPolicyStore(Path dir, Clock clock) {
    this.dir = Objects.requireNonNull(dir, "dir");
    this.files = new PolicyDirectory(dir, Objects.requireNonNull(clock, "clock"));
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /**
   * Reads every entry; see {@link PolicyStore#loadAll()}. Skipped files are logged at WARN.
   *
   * @return the entries, in file name order
   */
  @Override
  public List<StoredPolicy> loadAll() {
    return load().entries();
  }

  /**
   * Streams the directory and passes each entry to {@code action}; see {@link
   * PolicyStore#forEach}. Holds one entry in memory at a time. Skipped files are logged at WARN;
   * temporary files older than an hour are removed.
   *
   * @param action called with each entry, in directory order
   */
  @Override
  public void forEach(Consumer<? super StoredPolicy> action) {
    Objects.requireNonNull(action, "action");
    walk(action, null);
  }

  /**
   * Reads the file of {@code domain}; a missing file is no entry, a damaged one is logged at WARN
   * and counts as none.
   *
   * @param domain the policy domain, normalised first
   * @return the entry, or empty
   * @throws IOException if the file exists but cannot be read
   * @throws IllegalArgumentException if {@code domain} is not a valid host name
   * @throws NullPointerException if {@code domain} is null
   */
  @Override
  public Optional<StoredPolicy> load(String domain) throws IOException {
    String normalized = DomainNames.normalize(Objects.requireNonNull(domain, "domain"));
    Path file = files.file(normalized);
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    if (!Files.isRegularFile(file)) {
      skip(null, file, "not a regular file");
      return Optional.empty();
    }
    try {
      StoredPolicy entry = PolicyFileFormat.decode(readBounded(file));
      if (!entry.domain().equals(normalized)) {
        skip(null, file, "the header names the domain " + quote(entry.domain(), 300)
            + ", not " + quote(normalized, 300));
        return Optional.empty();
      }
      return Optional.of(entry);
    } catch (NoSuchFileException e) {
      return Optional.empty(); // deleted meanwhile
    } catch (CorruptEntryException e) {
      skip(null, file, e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Deletes the file of {@code entry.domain()} if it still holds exactly {@code entry}; the
   * comparison and the deletion hold the domain's lock, so a save by this instance cannot fall
   * between them.
   *
   * @param entry the entry to remove
   * @return whether it was removed
   * @throws IOException if the file cannot be read or deleted
   */
  @Override
  public boolean remove(StoredPolicy entry) throws IOException {
    Objects.requireNonNull(entry, "entry");
    String domain = entry.domain();
    ReentrantLock stripe = stripe(domain);
    allLock.readLock().lock();
    stripe.lock();
    try {
      if (load(domain).filter(entry::equals).isEmpty()) {
        return false;
      }
      boolean deleted = Files.deleteIfExists(files.file(domain));
      if (deleted) {
        files.sync();
      }
      return deleted;
    } finally {
      stripe.unlock();
      allLock.readLock().unlock();
    }
  }

  /**
   * Stores {@code policy} in {@code <domain>.policy}: writes a temporary file in the same
   * directory, forces it to disk, renames it atomically over the entry and syncs the directory.
   *
   * @param policy the entry to store
   * @throws IOException if the directory cannot be created, the file cannot be written or
   *     forced, or the file system cannot rename atomically; the previous entry, if any, is then
   *     unchanged
   * @throws NullPointerException if {@code policy} is null
   */
  @Override
  public void save(StoredPolicy policy) throws IOException {
    Objects.requireNonNull(policy, "policy");
    String domain = policy.domain();
    Path target = files.file(domain);
    byte[] content = PolicyFileFormat.encode(policy);
    ReentrantLock stripe = stripe(domain);
    allLock.readLock().lock();
    stripe.lock();
    try {
      files.create();
      files.writeAtomically(target, content);
      files.sync();
    } finally {
      stripe.unlock();
      allLock.readLock().unlock();
    }
  }

  /**
   * Deletes the file of {@code domain} if it exists and syncs the directory.
   *
   * @param domain the policy domain, normalised first
   * @throws IOException if the file exists but cannot be deleted
   * @throws IllegalArgumentException if {@code domain} is not a valid host name
   * @throws NullPointerException if {@code domain} is null
   */
  @Override
  public void delete(String domain) throws IOException {
    String normalized = DomainNames.normalize(Objects.requireNonNull(domain, "domain"));
    Path target = files.file(normalized);
    ReentrantLock stripe = stripe(normalized);
    allLock.readLock().lock();
    stripe.lock();
    try {
      if (Files.deleteIfExists(target)) {
        files.sync();
      }
    } finally {
      stripe.unlock();
      allLock.readLock().unlock();
    }
  }

  /**
   * Deletes every file in the directory whose name the store could have given an entry; other
   * files, subdirectories and temporary files are left alone.
   *
   * @throws IOException if the directory cannot be listed or some entry cannot be deleted; the
   *     others are deleted all the same, and their errors are attached as suppressed exceptions
   */
  @Override
  public void deleteAll() throws IOException {
    allLock.writeLock().lock();
    try {
      if (!Files.isDirectory(dir)) {
        return;
      }
      IOException failure = null;
      boolean deleted = false;
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
        for (Path file : files) {
          if (!isEntryFileName(file.getFileName().toString())
              || Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            continue;
          }
          try {
            deleted |= Files.deleteIfExists(file);
          } catch (IOException e) {
            if (failure == null) {
              failure = e;
            } else {
              failure.addSuppressed(e);
            }
          }
        }
      } catch (DirectoryIteratorException e) {
        throw e.getCause();
      }
      if (deleted) {
        files.sync();
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      allLock.writeLock().unlock();
    }
  }

  /** What {@link #load()} found: the entries, and the files it skipped with the reason. */
  record LoadResult(List<StoredPolicy> entries, List<Skipped> skipped) {}

  /** A file that was not loaded, and why. */
  record Skipped(String fileName, String reason) {}

  /** Does the work of {@link #loadAll()} and also tells the tests what was skipped and why. */
  LoadResult load() {
    List<StoredPolicy> entries = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    walk(entries::add, skipped);
    entries.sort(Comparator.comparing(e -> fileName(e.domain())));
    skipped.sort(Comparator.comparing(Skipped::fileName));
    return new LoadResult(List.copyOf(entries), List.copyOf(skipped));
  }

  /**
   * Streams the directory: each entry to {@code entries}, each skipped file to {@code skipped}
   * (if not null) and the log. What {@code entries} throws ends the walk and propagates.
   */
  private void walk(Consumer<? super StoredPolicy> entries, List<Skipped> skipped) {
    try {
      files.create();
    } catch (IOException | RuntimeException e) {
      log.warn("MTA-STS policy store {} cannot be used, no policies loaded: {}",
          quote(dir), describe(e));
      return;
    }
    files.warnIfOthersMayWrite();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      Iterator<Path> files = stream.iterator();
      while (true) {
        Path file;
        try {
          if (!files.hasNext()) {
            break;
          }
          file = files.next();
        } catch (RuntimeException e) {
          // DirectoryIteratorException; keep whatever was listed.
          log.warn("MTA-STS policy store {} cannot be listed completely: {}", quote(dir),
              describe(e));
          break;
        }
        StoredPolicy entry = readEntry(file, skipped);
        if (entry != null) {
          entries.accept(entry);
        }
      }
    } catch (IOException e) {
      log.warn("MTA-STS policy store {} cannot be listed: {}", quote(dir), describe(e));
    }
  }

  /** Reads one directory entry: the entry, or null for a skipped or ignored file. */
  private StoredPolicy readEntry(Path file, List<Skipped> skipped) {
    String name = file.getFileName().toString();
    try {
      if (isTempName(name)) {
        files.removeIfStale(file);
        return null;
      }
      if (!name.endsWith(SUFFIX)) {
        log.debug("MTA-STS policy store {}: ignoring {}", quote(dir), quote(name));
        return null;
      }
      if (!isEntryFileName(name)) {
        skip(skipped, file, "the file name is not a normalised domain name followed by '"
            + SUFFIX + "'");
        return null;
      }
      if (!Files.isRegularFile(file)) {
        skip(skipped, file, "not a regular file");
        return null;
      }
      byte[] content;
      try {
        content = readBounded(file);
      } catch (NoSuchFileException e) {
        return null; // deleted since it was listed
      } catch (IOException e) {
        skip(skipped, file, "cannot be read: " + describe(e));
        return null;
      }
      StoredPolicy entry = PolicyFileFormat.decode(content);
      String expected = fileName(entry.domain());
      if (!expected.equals(name)) {
        skip(skipped, file, "the header names the domain " + quote(entry.domain(), 300)
            + ", whose file would be " + quote(expected, 300) + ", not this one");
        return null;
      }
      return entry;
    } catch (CorruptEntryException e) {
      skip(skipped, file, e.getMessage());
    } catch (RuntimeException e) {
      // Nothing above should throw, but one odd file must not cost all the others.
      skip(skipped, file, "unexpected error: " + describe(e));
    }
    return null;
  }

  private void skip(List<Skipped> skipped, Path file, String reason) {
    String name = file.getFileName().toString();
    if (skipped != null) {
      skipped.add(new Skipped(name, reason));
    }
    log.warn("MTA-STS policy store: skipping {}: {}", quote(file), reason);
  }

  private ReentrantLock stripe(String domain) {
    return stripes[Math.floorMod(domain.hashCode(), STRIPES)];
  }

  @Override
  public String toString() {
    return "PolicyStore.directory(" + dir + ")";
  }
}
