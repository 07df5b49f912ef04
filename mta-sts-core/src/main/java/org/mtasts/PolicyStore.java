package org.mtasts;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.mtasts.internal.store.DirectoryPolicyStore;
import org.mtasts.internal.store.NoPolicyStore;

/**
 * Persistent storage for cached MTA-STS policies, so that a restart keeps them.
 *
 * <p>RFC 8461 §10.2 relies on senders remembering policies: an attacker who can block DNS or the
 * HTTPS policy fetch must not be able to downgrade a domain to plain delivery merely because the
 * sender restarted or its in-memory cache was full. The facade writes every policy it accepts to
 * its store; the store only keeps them. The facade reads the store in three ways:
 *
 * <ul>
 *   <li><b>At start-up</b> it walks every entry once ({@link #forEach}), fills its cache with up
 *       to {@link MtaSts.Builder#maximumCachedPolicies} unexpired ones and removes the expired
 *       ones ({@link #remove}); the others stay in the store and are not held in memory.
 *   <li><b>On a cache miss</b> (a domain evicted from the full in-memory cache, or not loaded at
 *       start-up) it reads that one domain ({@link #load(String)}) before it asks DNS, so an
 *       unexpired policy is never lost while the store holds it.
 *   <li><b>Once a day</b> it walks the entries again and removes the expired ones, so the store
 *       does not grow without bound.
 * </ul>
 *
 * <p>Two implementations come with the library: {@link #none()} keeps nothing, and {@link
 * #directory(Path)} keeps one file per domain. Shared stores (Redis, JDBC, …) can be written by
 * implementing this interface: a table or hash keyed by domain, read one key at a time by {@link
 * #load(String)}, scanned by {@link #forEach}.
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
 *   <li><b>Faithfulness.</b> {@link #load(String)} and {@link #forEach} return what was saved,
 *       component for component:
 *       the policy text byte for byte (CR LF stays CR LF), the instant unchanged. The store
 *       neither parses nor judges the policy, and does not compare {@code fetchedAt} with the
 *       clock; the facade parses every loaded entry again (SEC-25) and clamps a {@code fetchedAt}
 *       that lies in the future (SEC-24).
 *   <li><b>Tolerance.</b> {@link #forEach} and {@link #load(String)} never throw because of what
 *       they find: an entry that cannot be read or decoded is skipped (for {@code load}: not
 *       found) and logged at WARN with the reason. A store that is unreachable at start-up makes
 *       {@code forEach} visit what it can (possibly nothing) and log why, so that the sender still
 *       starts; {@code load} throws {@link IOException} instead, and the facade goes on as if
 *       nothing were stored.
 *   <li><b>Speed.</b> {@link #load(String)} runs on the thread of a lookup that missed the cache
 *       (only then: cache hits never reach the store), so it should answer in milliseconds and
 *       bound its own waiting.
 * </ul>
 *
 * <p>Stored data is not trusted beyond that: the facade validates every loaded entry as if it had
 * just been fetched, and drops entries it rejects.
 */
public interface PolicyStore {

  /**
   * Reads the entry of one domain, for a lookup that missed the in-memory cache.
   *
   * <p>An entry that cannot be decoded (truncated, corrupt, unknown format version, or keyed
   * under a different domain than it names) counts as absent and is logged at WARN.
   *
   * <p>Thread-safe; may run concurrently with {@code save} and {@code delete} of the same domain,
   * and then returns the entry as it was before or as it is after the change.
   *
   * @param domain the policy domain, in any form {@link org.mtasts.policy.DomainNames#normalize}
   *     accepts; it is normalised first
   * @return the entry, or empty if there is none
   * @throws IOException if the store cannot be read (not for a missing or damaged entry)
   * @throws IllegalArgumentException if {@code domain} is not a valid host name
   * @throws NullPointerException if {@code domain} is null
   */
  Optional<StoredPolicy> load(String domain) throws IOException;

  /**
   * Passes every stored entry to {@code action}, one at a time, without holding them all in
   * memory: the facade's start-up and its daily removal of expired entries walk big stores with
   * this.
   *
   * <p>Never throws because of what it finds: an entry that cannot be read or decoded is skipped
   * and logged at WARN with the entry's name and the reason. If the store as a whole cannot be
   * read, the reason is logged at WARN and fewer entries (possibly none) are visited. Each domain
   * is visited at most once. {@code action} may call {@link #delete(String)} or {@link
   * #remove(StoredPolicy)} on this store for the entry it was given; entries saved or deleted
   * meanwhile by others may or may not be visited.
   *
   * <p>Thread-safe.
   *
   * @param action called with each entry, in no particular order
   * @throws NullPointerException if {@code action} is null
   * @throws RuntimeException what {@code action} throws, which ends the walk
   */
  void forEach(Consumer<? super StoredPolicy> action);

  /**
   * Reads every stored entry into one list: {@link #forEach} collected. Fine for tools and tests;
   * the facade never calls it, because a big store would not fit in memory.
   *
   * @return the stored entries, in no particular order; never null, possibly empty
   */
  default List<StoredPolicy> loadAll() {
    List<StoredPolicy> all = new ArrayList<>();
    forEach(all::add);
    return all;
  }

  /**
   * Removes the entry of {@code entry.domain()} if the store still holds exactly {@code entry}
   * (same record id, text and fetch time), and leaves any other entry of that domain alone: a
   * newer policy saved meanwhile, by this process or another one sharing the store, must survive
   * the removal of an expired one.
   *
   * <p>The default reads the entry with {@link #load(String)} and then calls {@link
   * #delete(String)}, which leaves a short window in which a concurrent save is lost;
   * implementations should make the comparison and the removal one atomic step where they can
   * (a conditional {@code DELETE}, a transaction, a lock).
   *
   * @param entry the entry to remove
   * @return whether it was removed
   * @throws IOException if the store cannot be read, or the entry cannot be removed
   * @throws NullPointerException if {@code entry} is null
   */
  default boolean remove(StoredPolicy entry) throws IOException {
    Objects.requireNonNull(entry, "entry");
    if (load(entry.domain()).filter(entry::equals).isEmpty()) {
      return false;
    }
    delete(entry.domain());
    return true;
  }

  /**
   * Stores {@code policy}, replacing any entry for the same domain, atomically and durably: when
   * this method returns normally, {@link #load(String)} in this or a later process returns the new
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
   * Asks for the right to fetch the policy of {@code domain} now, for {@code lease}, so that the
   * nodes of a fleet sharing this store fetch a new policy once rather than each (issue 15).
   *
   * <p>The facade asks before a fetch of a new policy id. With {@code true} it fetches and saves
   * as usual. With {@code false} another node holds an unexpired lease and is fetching: the facade
   * waits briefly for that node's entry to appear in {@link #load(String)} and uses it, and
   * fetches itself if it does not appear in time. A lease is only an optimisation: a lost, expired
   * or failed lease never blocks delivery, and a store that throws counts as {@code true}.
   *
   * <p>The default returns {@code true}: a store private to one process has no one to share a
   * fetch with. Shared stores grant at most one unexpired lease per domain (Redis {@code SET NX
   * PX}, a conditional SQL upsert). Thread-safe.
   *
   * @param domain the normalised policy domain
   * @param lease how long the lease holds; the facade passes a few seconds
   * @return whether this caller should fetch
   * @throws IOException if the store cannot be reached
   * @throws NullPointerException if an argument is null
   */
  default boolean tryLease(String domain, Duration lease) throws IOException {
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(lease, "lease");
    return true;
  }

  /**
   * Returns the store that keeps nothing: {@code save}, {@code delete}, {@code remove} and {@code
   * deleteAll} do nothing (they still reject null), {@code load} finds nothing and {@code
   * forEach} visits nothing. With it, a restart forgets every policy, and so does a full
   * in-memory cache that evicts one, which RFC 8461 §10.2 warns about; use it only where that
   * risk is accepted (tests, short-lived tools), or with a {@linkplain
   * MtaSts.Builder#maximumCachedPolicies cache} larger than the number of domains mailed.
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
   * <p>No I/O happens here. The directory (and its missing parents) is created when missing by
   * {@code forEach} and {@code save}, where the file system has POSIX permissions with {@code
   * rwx------} (entries are written {@code rw-------}); an existing directory that others may
   * write to is used, with a WARN. If creating it fails, {@code forEach} logs a WARN and visits
   * nothing, and {@code save} throws. Writes go to a temporary file in the same directory which is
   * flushed to disk and then atomically renamed over the entry, so a crash leaves either the old
   * or the new entry; a file system without atomic rename makes {@code save} fail rather than
   * write unsafely. Temporary files left behind by a crash are ignored, and removed by {@code
   * forEach} once they are an hour old. {@code forEach} streams the directory: memory does not
   * grow with the number of entries. Files in the directory that are not entries are left alone,
   * also by {@code deleteAll}. Expired entries are removed by the facade that uses the store
   * ({@link #remove}), since only it parses policies.
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
