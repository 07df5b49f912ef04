package org.mtasts;

import java.util.List;

/** The store that keeps nothing. */
enum NoPolicyStore implements PolicyStore {
  INSTANCE;

  @Override
  public List<StoredPolicy> loadAll() {
    return List.of();
  }

  @Override
  public void save(StoredPolicy policy) {}

  @Override
  public void delete(String domain) {}

  @Override
  public void deleteAll() {}

  @Override
  public String toString() {
    return "PolicyStore.none()";
  }
}
