package org.mtasts;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Keeps fetched policies across restarts, so that a restart does not forget the protection a
 * cached policy gives (RFC 8461 §10.2, STS-CACHE-12).
 *
 * <p>Implementations are thread-safe and never throw on corrupt data: {@link #loadAll()} skips
 * (and logs) entries it cannot read.
 */
public interface PolicyStore {

  /**
   * Returns every readable stored policy.
   *
   * @return the stored policies, possibly empty
   */
  List<StoredPolicy> loadAll();

  /**
   * Stores {@code policy}, replacing any policy stored for its domain.
   *
   * @param policy the policy
   * @throws IOException if it could not be written
   */
  void save(StoredPolicy policy) throws IOException;

  /**
   * Removes the policy of {@code domain}, if any.
   *
   * @param domain the normalised policy domain
   * @throws IOException if it could not be removed
   */
  void delete(String domain) throws IOException;

  /**
   * Removes every stored policy.
   *
   * @throws IOException if they could not be removed
   */
  void deleteAll() throws IOException;

  /**
   * A store that keeps nothing.
   *
   * @return the store
   */
  static PolicyStore none() {
    return NoPolicyStore.INSTANCE;
  }

  /**
   * A file-based, crash-safe store in {@code dir}.
   *
   * @param dir the directory
   * @return the store
   * @throws UnsupportedOperationException in this branch; the file store is built separately
   */
  static PolicyStore directory(Path dir) {
    throw new UnsupportedOperationException("PolicyStore.directory is not available in this build");
  }
}
