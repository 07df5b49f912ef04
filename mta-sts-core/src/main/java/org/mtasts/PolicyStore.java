package org.mtasts;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.mtasts.internal.store.DirectoryPolicyStore;
import org.mtasts.internal.store.NoPolicyStore;

/**
 * Persistent storage for cached MTA-STS policies, so that a restart keeps them.
 *
 * <p>RFC 8461 §10.2 relies on senders remembering policies: an attacker who can block DNS or the
 * HTTPS policy fetch must not be able to downgrade a domain to plain delivery merely because the
 * sender restarted and forgot its cache. The facade writes every policy it accepts to its store
 * and reads them all back at start-up ({@link #loadAll()}); the store only keeps them.
 *
 * <p>Two implementations come with the library: {@link #none()} keeps nothing, and {@link
 * #directory(Path)} keeps one file per domain. Shared stores (Redis, JDBC, …) can be written by
 * implementing this interface.
 *
 * <h2>What an implementation must guarantee</h2>
 *
 * <ul>
 *   <li><b>Thread safety.</b> Every method may be called concurrently from any thread, for the
 *       same or for different domains. Concurrent calls must never corrupt an entry.
 *   <li><b>At most one entry per domain.</b> Entries are keyed by {@link StoredPolicy#domain()},
 *       which is always normalised; {@link #save(StoredPolicy)} replaces any earlier entry.
 *   <li><b>Atomic replacement.</b> A reader sees an entry either entirely as it was before a
 *       {@code save} or entirely as saved, never a mixture or a truncated entry, even if the
 *       process crashes half-way through.
 *   <li><b>Durability.</b> When {@code save}, {@code delete} or {@code deleteAll} returns
 *       normally, the change survives a restart of the process (and, as far as the medium allows,
 *       of the machine). If they cannot promise that, they throw {@link IOException}.
 *   <li><b>Faithfulness.</b> {@link #loadAll()} returns what was saved, component for component:
 *       the policy text byte for byte (CR LF stays CR LF), the instant unchanged. The store
 *       neither parses nor judges the policy, and does not compare {@code fetchedAt} with the
 *       clock; the facade parses every loaded entry again (SEC-25) and clamps a {@code fetchedAt}
 *       that lies in the future (SEC-24).
 *   <li><b>Tolerance.</b> {@link #loadAll()} never throws because of what it finds: an entry it
 *       cannot read or decode is skipped and logged at WARN with the reason, and the rest are
 *       returned. A store that is unreachable at start-up returns what it can (possibly nothing)
 *       and logs why, so that the sender still starts.
 * </ul>
 *
 * <p>Stored data is not trusted beyond that: the facade validates every loaded entry as if it had
 * just been fetched, and drops entries it rejects.
 */
public interface PolicyStore {

  /**
   * Reads every stored entry, for the facade to fill its cache at start-up.
   *
   * <p>Never throws: an entry that cannot be read or decoded (truncated, corrupt, unknown format
   * version, unreadable, or keyed under a different domain than it names) is skipped and logged
   * at WARN with the entry's name and the reason. If the store as a whole cannot be read, the
   * result is empty and the reason is logged at WARN. At most one entry per domain is returned.
   *
   * <p>Thread-safe; may run concurrently with {@code save} and {@code delete}, in which case each
   * entry is returned either as it was before or as it is after the concurrent change.
   *
   * @return the stored entries, in no particular order; never null, possibly empty
   */
  List<StoredPolicy> loadAll();

  /**
   * Stores {@code policy}, replacing any entry for the same domain, atomically and durably: when
   * this method returns normally, {@link #loadAll()} in this or a later process returns the new
   * entry; when it throws, the store still holds the previous entry or the new one, complete.
   *
   * <p>Thread-safe; concurrent saves of the same domain leave one of the saved entries, complete.
   *
   * @param policy the entry to store
   * @throws IOException if the entry could not be stored durably
   * @throws NullPointerException if {@code policy} is null
   */
  void save(StoredPolicy policy) throws IOException;

  /**
   * Removes the entry of {@code domain}, if there is one; does nothing otherwise.
   *
   * <p>Thread-safe.
   *
   * @param domain the policy domain, in any form {@link org.mtasts.policy.DomainNames#normalize}
   *     accepts; it is normalised first
   * @throws IOException if the entry exists but could not be removed
   * @throws IllegalArgumentException if {@code domain} is not a valid host name
   * @throws NullPointerException if {@code domain} is null
   */
  void delete(String domain) throws IOException;

  /**
   * Removes every entry of this store (and nothing else that may share its storage).
   *
   * <p>Thread-safe. An entry saved concurrently may survive, as if it had been saved afterwards.
   *
   * @throws IOException if some entry could not be removed; entries already removed stay removed
   */
  void deleteAll() throws IOException;

  /**
   * Returns the store that keeps nothing: {@code save}, {@code delete} and {@code deleteAll} do
   * nothing (they still reject null), and {@code loadAll} returns an empty list. With it, a
   * restart forgets every policy, which RFC 8461 §10.2 warns about; use it only where that risk
   * is accepted (tests, short-lived tools).
   *
   * @return the shared no-op store; thread-safe
   */
  static PolicyStore none() {
    return NoPolicyStore.INSTANCE;
  }

  /**
   * Returns a store that keeps one file per domain in {@code dir}, named {@code
   * <domain>.policy}, in a small versioned text format that a person can read with {@code cat}
   * (a domain too long for that file name, over 248 characters, gets {@code
   * _sha256_<hex>.policy}). The policy text follows a short header verbatim; a checksum and a
   * length in the header make damaged and truncated files recognisable.
   *
   * <p>No I/O happens here. The directory (and its parents) is created when missing by {@code
   * loadAll} and {@code save}; if that fails, {@code loadAll} logs a WARN and returns nothing,
   * and {@code save} throws. Writes go to a temporary file in the same directory which is
   * flushed to disk and then atomically renamed over the entry, so a crash leaves either the old
   * or the new entry; a file system without atomic rename makes {@code save} fail rather than
   * write unsafely. Temporary files left behind by a crash are ignored, and removed by {@code
   * loadAll} once they are an hour old. Files in the directory that are not entries are left
   * alone, also by {@code deleteAll}.
   *
   * <p>The store is thread-safe. Several stores, also in several processes, may share a directory
   * without corrupting entries; the last save of a domain wins.
   *
   * @param dir the directory to keep the entries in; it should not be writable by others
   * @return a new store for {@code dir}
   * @throws NullPointerException if {@code dir} is null
   */
  static PolicyStore directory(Path dir) {
    return new DirectoryPolicyStore(Objects.requireNonNull(dir, "dir"));
  }
}
