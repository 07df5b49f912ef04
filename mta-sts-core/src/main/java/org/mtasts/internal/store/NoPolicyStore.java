package org.mtasts.internal.store;

import java.util.List;
import java.util.Objects;
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
