package org.mtasts;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An in-memory {@link PolicyStore}; can be told to fail every operation, and counts reads of one
 * domain. Thread-safe.
 */
final class FakePolicyStore implements PolicyStore {
  private final Map<String, StoredPolicy> entries = new LinkedHashMap<>();
  private volatile boolean failing;
  final AtomicInteger loads = new AtomicInteger();

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
  public synchronized Optional<StoredPolicy> load(String domain) throws IOException {
    check();
    loads.incrementAndGet();
    return Optional.ofNullable(entries.get(org.mtasts.policy.DomainNames.normalize(domain)));
  }

  @Override
  public void forEach(Consumer<? super StoredPolicy> action) {
    if (failing) {
      throw new IllegalStateException("disk on fire");
    }
    List<StoredPolicy> copy;
    synchronized (this) {
      copy = new ArrayList<>(entries.values()); // the action may remove entries
    }
    copy.forEach(action);
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
