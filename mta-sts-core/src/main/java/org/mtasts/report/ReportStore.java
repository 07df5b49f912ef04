package org.mtasts.report;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.mtasts.internal.report.DirectoryReportStore;
import org.mtasts.internal.report.MemoryReportStore;

/**
 * Where TLS-RPT counts are kept until their report is sent (RFC 8460 §4): per {@link ReportDay},
 * per {@link ReportPolicy}, the session counts and the count of each {@link FailureDetail}.
 *
 * <p>A store may be private to one sender or shared by a fleet (Redis, SQL): the contract is written
 * so that many processes can count into one store and exactly one of them sends each report.
 *
 * <h2>What an implementation must guarantee</h2>
 *
 * <ul>
 *   <li><b>Thread and process safety.</b> Every method may be called concurrently, from any thread
 *       and, for a shared store, from any process.
 *   <li><b>Atomic counts.</b> {@link #add} increments; concurrent adds are never lost (a shared
 *       store uses its engine's atomic increment).
 *   <li><b>Bounded.</b> Per report day the store keeps at most a fixed number of distinct policies
 *       and of distinct failure details per policy (a flood of distinct failures cannot fill the
 *       disk or the memory); past the bound, session counts stay exact, and the details that do not
 *       fit are dropped with one WARN per day.
 *   <li><b>One sender per report.</b> {@link #claim} hands out at most one unexpired claim per
 *       report day; {@link #complete} and {@link #release} act only for the claim's holder (its
 *       token). A completed day is never offered again, and results recorded for it later are
 *       dropped.
 *   <li><b>Durability and tolerance.</b> Counts survive a restart of the process when the store
 *       says it is persistent. Entries that cannot be read are skipped and logged at WARN, never
 *       thrown as anything but {@link IOException}.
 * </ul>
 *
 * <p>{@link #memory()} keeps counts in memory only (lost on restart); {@link #directory(Path)}
 * keeps them in files.
 */
public interface ReportStore {

  /**
   * Counts one session result under its policy and UTC day.
   *
   * @param result the result
   * @throws IOException if the store cannot be written
   */
  void add(SessionResult result) throws IOException;

  /**
   * Returns the report days that have counts and are not completed, oldest first.
   *
   * @return the days
   * @throws IOException if the store cannot be read
   */
  List<ReportDay> days() throws IOException;

  /**
   * Returns the counts of one report day, one tally per policy.
   *
   * @param day the report day
   * @return the tallies, empty if the day has no counts
   * @throws IOException if the store cannot be read
   */
  List<PolicyTally> tallies(ReportDay day) throws IOException;

  /**
   * Claims the report of one day for sending, unless another claim on it is unexpired, the day is
   * completed, or a {@link #release} asked not to try before a later instant.
   *
   * @param day the report day
   * @param now the current time
   * @param lease how long the claim holds
   * @return the claim, or empty if the report is not to be sent by this caller now
   * @throws IOException if the store cannot be written
   */
  Optional<ReportClaim> claim(ReportDay day, Instant now, Duration lease) throws IOException;

  /**
   * Ends a report day: delivered, or given up. Its counts are deleted and it is never offered
   * again. Does nothing if the claim is no longer held.
   *
   * @param claim the claim
   * @throws IOException if the store cannot be written
   */
  void complete(ReportClaim claim) throws IOException;

  /**
   * Gives a claim back after a failed attempt; the day may be claimed again from {@code notBefore}
   * on, with its attempt count one higher. Does nothing if the claim is no longer held.
   *
   * @param claim the claim
   * @param notBefore the earliest next attempt
   * @throws IOException if the store cannot be written
   */
  void release(ReportClaim claim, Instant notBefore) throws IOException;

  /**
   * Deletes everything about report days before {@code before}: counts never sent, claims and
   * the memory of completed days.
   *
   * @param before the first day to keep
   * @return how many report days were deleted
   * @throws IOException if the store cannot be written
   */
  int prune(LocalDate before) throws IOException;

  /**
   * Returns a store in memory, bounded as described above; its counts are lost when the process
   * ends.
   *
   * @return a new store
   */
  static ReportStore memory() {
    return new MemoryReportStore();
  }

  /**
   * Returns the persistent store of one sender (or of several processes on one machine) in
   * {@code <dir>/tlsrpt/}, beside the files of {@code PolicyStore.directory(dir)}: one file per
   * policy domain and day, {@code tlsrpt/<yyyy-mm-dd>/<policy-domain>.json}.
   *
   * <p>Crash-safe: each change writes a temporary file, forces it to disk and renames it over the
   * old one, so a crash loses at most the change under way. Processes sharing the directory count
   * into the same files and claim each report once: changes take a file lock on {@code
   * tlsrpt/.lock}. A file that cannot be read is skipped with a WARN (and moved aside to {@code
   * .corrupt} when its day is next written); a file of a newer format version is left untouched;
   * other file names are ignored. Bounded as described above, and by 8 MiB per file. Directories
   * are created {@code rwx------}, files written {@code rw-------} where the file system has POSIX
   * permissions. Each change costs a file read, write and sync: fine for a sender's own sessions,
   * use a shared store for a large fleet.
   *
   * <p>No I/O happens here; the directory is created on first use.
   *
   * @param dir the cache directory, usually the policy store's
   * @return the store
   * @throws NullPointerException if {@code dir} is null
   */
  static ReportStore directory(Path dir) {
    return new DirectoryReportStore(dir);
  }
}
