package org.mtasts;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An in-memory {@link PolicyStore}; can be told to fail every operation. Thread-safe. */
final class FakePolicyStore implements PolicyStore {
  private final Map<String, StoredPolicy> entries = new LinkedHashMap<>();
  private volatile boolean failing;

  FakePolicyStore failing(boolean failing) {
    this.failing = failing;
    return this;
  }

  synchronized Map<String, StoredPolicy> entries() {
    return Map.copyOf(entries);
  }

  synchronized void put(StoredPolicy policy) {
    entries.put(policy.domain(), policy);
  }

  private void check() throws IOException {
    if (failing) {
      throw new IOException("disk on fire");
    }
  }

  @Override
  public synchronized List<StoredPolicy> loadAll() {
    if (failing) {
      throw new IllegalStateException("disk on fire");
    }
    return new ArrayList<>(entries.values());
  }

  @Override
  public synchronized void save(StoredPolicy policy) throws IOException {
    check();
    entries.put(policy.domain(), policy);
  }

  @Override
  public synchronized void delete(String domain) throws IOException {
    check();
    entries.remove(domain);
  }

  @Override
  public synchronized void deleteAll() throws IOException {
    check();
    entries.clear();
  }
}
