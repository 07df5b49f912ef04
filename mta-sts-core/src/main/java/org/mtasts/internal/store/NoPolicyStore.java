package org.mtasts.internal.store;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.mtasts.PolicyStore;
import org.mtasts.StoredPolicy;
import org.mtasts.policy.DomainNames;

/**
 * The store that keeps nothing ({@link PolicyStore#none()}). Stateless, hence thread-safe; it
 * still rejects the arguments the interface rejects, so code tested against it does not break
 * when a real store is configured.
 */
public enum NoPolicyStore implements PolicyStore {
  /** The only instance. */
  INSTANCE;

  /**
   * Returns an empty list.
   *
   * @return an empty, unmodifiable list
   */
  @Override
  public List<StoredPolicy> loadAll() {
    return List.of();
  }

  /**
   * Finds nothing.
   *
   * @param domain a policy domain
   * @return empty
   * @throws IllegalArgumentException if {@code domain} is not a valid host name
   * @throws NullPointerException if {@code domain} is null
   */
  @Override
  public Optional<StoredPolicy> load(String domain) {
    DomainNames.normalize(Objects.requireNonNull(domain, "domain"));
    return Optional.empty();
  }

  /**
   * Visits nothing.
   *
   * @param action never called, but must not be null
   * @throws NullPointerException if {@code action} is null
   */
  @Override
  public void forEach(Consumer<? super StoredPolicy> action) {
    Objects.requireNonNull(action, "action");
  }

  /**
   * Removes nothing.
   *
   * @param entry ignored, but must not be null
   * @return false
   * @throws NullPointerException if {@code entry} is null
   */
  @Override
  public boolean remove(StoredPolicy entry) {
    Objects.requireNonNull(entry, "entry");
    return false;
  }

  /**
   * Does nothing.
   *
   * @param policy ignored, but must not be null
   * @throws NullPointerException if {@code policy} is null
   */
  @Override
  public void save(StoredPolicy policy) {
    Objects.requireNonNull(policy, "policy");
  }

  /**
   * Does nothing beyond validating {@code domain}.
   *
   * @param domain a policy domain
   * @throws IllegalArgumentException if {@code domain} is not a valid host name
   * @throws NullPointerException if {@code domain} is null
   */
  @Override
  public void delete(String domain) {
    DomainNames.normalize(Objects.requireNonNull(domain, "domain"));
  }

  /** Does nothing. */
  @Override
  public void deleteAll() {}

  @Override
  public String toString() {
    return "PolicyStore.none()";
  }
}
