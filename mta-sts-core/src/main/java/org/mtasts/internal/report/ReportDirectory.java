package org.mtasts.internal.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.mtasts.internal.report.ReportDayFile.CorruptFileException;
import org.mtasts.internal.text.Texts;
import org.mtasts.policy.DomainNames;
import org.mtasts.report.ReportDay;

/**
 * The directory of a {@link DirectoryReportStore} on disk: where the file of a report day is (the
 * layout: {@code <root>/<yyyy-mm-dd>/<policy-domain>.json}, hashed when too long), the locks that
 * serialise changes of a day across threads and processes, and the file operations done safely —
 * directories created owner-only, a day written crash-safely, a file read with a bound. The store
 * adds the {@link org.mtasts.report.ReportStore} contract (counting, bounds, claims, tolerance);
 * {@link ReportDayFile} what is inside a file. Thread-safe.
 */
final class ReportDirectory {
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

  /** The directory {@code root} ({@code <cache dir>/tlsrpt}); no I/O happens here. */
  ReportDirectory(Path root) {
    this.root = root;
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
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Work done while holding a report day's locks. */
  interface Locked<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code work} holding the locks of {@code day}: its stripe in this JVM and the matching
   * byte of the lock file across processes.
   */
  <T> T locked(ReportDay day, Locked<T> work) throws IOException {
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

  /** Runs {@code work} holding every stripe and the whole lock range (prune). */
  <T> T lockedAll(Locked<T> work) throws IOException {
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

  /** Reads a file with a bound; a missing file throws {@link NoSuchFileException}. */
  static byte[] readBounded(Path file) throws IOException, CorruptFileException {
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

  /**
   * Writes the file of {@code day} whole and crash-safely: a temporary file in the day's
   * directory, forced to disk, renamed atomically over the old one, the directory forced.
   */
  void write(ReportDay day, byte[] content) throws IOException {
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

  /** The file of a report day. */
  Path file(ReportDay day) {
    return root.resolve(day.day().toString()).resolve(fileName(day.policyDomain()));
  }

  /** The day of a day directory, or null for anything else (ignored). */
  static LocalDate dayOf(Path dir) {
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

  /** The entries of {@code dir}, sorted; none when it does not exist. */
  static List<Path> list(Path dir) throws IOException {
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

  /** Whether {@code name} is a file name {@link #fileName} can give. */
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

  /** Whether {@code name} is a temporary file of an interrupted write. */
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

  /**
   * Makes a rename durable; where a directory cannot be opened (Windows) there is nothing to do.
   */
  static void syncDirectory(Path dir) throws IOException {
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

  static String quote(Path path) {
    return Texts.quote(path.toString(), 1024);
  }
}
