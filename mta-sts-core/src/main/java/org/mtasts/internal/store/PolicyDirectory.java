package org.mtasts.internal.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import org.mtasts.internal.store.PolicyFileFormat.CorruptEntryException;
import org.mtasts.policy.DomainNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory of a {@link DirectoryPolicyStore} on disk: which file holds the entry of a domain
 * (the layout), and the file operations done safely — the directory created owner-only, an
 * entry written crash-safely (temporary file, {@link FileChannel#force(boolean)}, atomic rename,
 * directory sync), a file read with a bound, temporaries of an interrupted save removed. The store
 * adds the locking and the {@link org.mtasts.PolicyStore} contract; {@link PolicyFileFormat}
 * what is inside a file. Thread-safe (no state but the path and the clock).
 */
final class PolicyDirectory {
  // Logged under the store's name: one logger for everything the store says.
  private static final Logger log = LoggerFactory.getLogger(DirectoryPolicyStore.class);

  /** The suffix of entry files. */
  static final String SUFFIX = ".policy";

  /** The suffix of temporary files; their names also start with a dot. */
  static final String TEMP_SUFFIX = ".tmp";

  /** The prefix of temporary files. */
  static final String TEMP_PREFIX = ".save-";

  /** The prefix of the file names of very long domains. */
  static final String HASHED_PREFIX = "_sha256_";

  /** The longest file name written (NAME_MAX of ext4, XFS, Btrfs, APFS, NTFS). */
  static final int MAX_FILE_NAME_LENGTH = 255;

  /** Temporary files older than this are leftovers of a crash, removed when the store is read. */
  static final Duration STALE_TEMP_AGE = Duration.ofHours(1);

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rwx------");

  private final Path dir;
  private final Clock clock;

  /** {@code clock} decides when a temporary file counts as stale. */
  PolicyDirectory(Path dir, Clock clock) {
    this.dir = dir;
    this.clock = clock;
  }

  /** The file that holds (or would hold) the entry of {@code domain}, a normalised name. */
  Path file(String domain) {
    return dir.resolve(fileName(domain));
  }

  /**
   * Writes {@code content} to {@code target} so that a crash leaves either the old file or the
   * new one: a fresh temporary file in the directory, forced to disk, renamed atomically over
   * {@code target}. The caller syncs the directory ({@link #sync()}) to make the rename durable.
   *
   * @throws IOException if the temporary file cannot be written or forced, or the file system
   *     cannot rename atomically; {@code target} is then unchanged and the temporary file gone
   */
  void writeAtomically(Path target, byte[] content) throws IOException {
    // createTempFile gives a fresh name and, on POSIX, permissions rw-------.
    Path temp = Files.createTempFile(dir, TEMP_PREFIX, TEMP_SUFFIX);
    boolean moved = false;
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      moved = true;
    } finally {
      if (!moved) {
        deleteQuietly(temp);
      }
    }
  }

  /**
   * Creates the directory, owner-only where the file system has POSIX permissions (its missing
   * parents get the usual permissions: they may be shared, such as {@code /var/lib}).
   */
  void create() throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      if (isPosix()) {
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

  private boolean isPosix() {
    return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  void warnIfOthersMayWrite() {
    if (!isPosix()) {
      return;
    }
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir);
      if (p.contains(PosixFilePermission.GROUP_WRITE)
          || p.contains(PosixFilePermission.OTHERS_WRITE)) {
        log.warn("MTA-STS policy store {} may be written by others ({}); whoever can write there "
            + "can change where mail goes: make it rwx------", quote(dir),
            PosixFilePermissions.toString(p));
      }
    } catch (IOException | RuntimeException e) {
      log.debug("MTA-STS policy store {}: cannot read its permissions: {}", quote(dir),
          describe(e));
    }
  }

  /** Removes {@code temp}, a temporary file, if an interrupted save left it over an hour ago. */
  void removeIfStale(Path temp) {
    try {
      Instant modified = Files.getLastModifiedTime(temp, LinkOption.NOFOLLOW_LINKS).toInstant();
      if (modified.isBefore(clock.instant().minus(STALE_TEMP_AGE))
          && Files.isRegularFile(temp, LinkOption.NOFOLLOW_LINKS)) {
        Files.deleteIfExists(temp);
        log.info("MTA-STS policy store: removed {}, a temporary file left by an interrupted save",
            quote(temp));
      }
    } catch (IOException e) {
      log.debug("MTA-STS policy store: cannot remove temporary file {}: {}", quote(temp),
          describe(e));
    }
  }

  /** Reads {@code file}, refusing one larger than an entry can be. */
  static byte[] readBounded(Path file) throws IOException, CorruptEntryException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] content = in.readNBytes(PolicyFileFormat.MAX_FILE_BYTES + 1);
      if (content.length > PolicyFileFormat.MAX_FILE_BYTES) {
        throw new CorruptEntryException("the file is larger than "
            + PolicyFileFormat.MAX_FILE_BYTES + " bytes, the most an entry can take");
      }
      return content;
    }
  }

  /**
   * The file name of the entry of {@code domain}.
   *
   * @throws IllegalArgumentException if {@code domain} is not normalised, or (belt and braces)
   *     contains anything that could leave the directory or hide the file
   */
  static String fileName(String domain) {
    if (domain.isEmpty()
        || domain.indexOf('/') >= 0
        || domain.indexOf('\\') >= 0
        || domain.contains("..")
        || domain.charAt(0) == '.'
        || !DomainNames.isNormalized(domain)) {
      throw new IllegalArgumentException(
          "not a normalised domain name: " + PolicyFileFormat.quote(domain));
    }
    if (domain.length() + SUFFIX.length() <= MAX_FILE_NAME_LENGTH) {
      return domain + SUFFIX;
    }
    return HASHED_PREFIX + sha256Hex(domain) + SUFFIX;
  }

  /** Whether the store could have given an entry this file name. */
  static boolean isEntryFileName(String name) {
    if (!name.endsWith(SUFFIX)) {
      return false;
    }
    String stem = name.substring(0, name.length() - SUFFIX.length());
    if (stem.startsWith(HASHED_PREFIX)) {
      String hex = stem.substring(HASHED_PREFIX.length());
      return hex.length() == 64 && hex.chars().allMatch(c -> (c >= '0' && c <= '9')
          || (c >= 'a' && c <= 'f'));
    }
    try {
      return fileName(stem).equals(name);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String sha256Hex(String s) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  static boolean isTempName(String fileName) {
    return fileName.startsWith(".") && fileName.endsWith(TEMP_SUFFIX);
  }

  /**
   * Makes a rename or delete durable by forcing the directory. Where a directory cannot be
   * opened (Windows), there is nothing to force; a failing force where it can is an error.
   */
  void sync() throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException | UnsupportedOperationException e) {
      log.debug("MTA-STS policy store {}: directory cannot be opened for sync: {}", quote(dir),
          describe(e));
      return;
    }
    try (channel) {
      channel.force(true);
    }
  }

  private static void deleteQuietly(Path temp) {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      log.debug("MTA-STS policy store: cannot remove temporary file {}: {}", quote(temp),
          describe(e));
    }
  }

  static String quote(Path path) {
    return PolicyFileFormat.quote(path.toString(), 1024);
  }

  static String quote(String s, int max) {
    return PolicyFileFormat.quote(s, max);
  }

  static String describe(Exception e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : " " + quote(message, 1024));
  }

  static String quote(String s) {
    return PolicyFileFormat.quote(s);
  }
}
