package org.mtasts.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.mtasts.NetworkText;
import org.mtasts.PolicyStore;
import org.mtasts.StoredPolicy;
import org.mtasts.policy.DomainNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PolicyStore} on Redis: one string key per domain, {@code <prefix>policy:<domain>},
 * whose value is a small versioned text (a header and the policy text verbatim) and whose key
 * expires with the policy, at {@code fetchedAt + max_age} ({@code max_age} read with core's
 * parser; an entry is never expired earlier). An entry whose policy has already expired when it is
 * saved replaces the domain's entry by nothing: it is deleted.
 *
 * <p>Every node of a fleet that shares the server sees what any of them saved: the facade reads
 * the store on a miss of its in-memory cache, so a policy fetched by one node is used by the
 * others without their fetching it.
 *
 * <p>{@link #load} and each command wait at most the command timeout of the {@link RedisStores}
 * that made the store; while Redis is down they fail at once with {@link IOException}, and the
 * facade goes on from memory. A value that is not an entry (written by something else, or of
 * another Redis type) is skipped with a WARN. {@link #forEach} scans the keys with {@code SCAN},
 * a batch at a time; it remembers the names of the keys it visited (Redis may return a key twice)
 * but holds no more than one batch of entries. {@link #remove} compares and deletes in one Lua
 * script. {@link #tryLease} takes a short lease per domain ({@code <prefix>lease:<domain>}, {@code
 * SET NX PX}) so that the nodes meeting a new policy id fetch it once. Thread-safe.
 */
public final class RedisPolicyStore implements PolicyStore {
  private static final Logger log = LoggerFactory.getLogger(RedisPolicyStore.class);

  /** Keys read per {@code SCAN} call and values per batch of {@code GET}s. */
  static final int SCAN_BATCH = 200;

  private static final String REMOVE_IF_EQUAL =
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
          + "return 0";

  private final RedisLink link;
  private final String prefix;
  private final String leasePrefix;

  RedisPolicyStore(RedisLink link, String keyPrefix) {
    this.link = link;
    this.prefix = keyPrefix + "policy:";
    this.leasePrefix = keyPrefix + "lease:";
  }

  String key(String normalisedDomain) {
    return prefix + normalisedDomain;
  }

  @Override
  public Optional<StoredPolicy> load(String domain) throws IOException {
    String d = DomainNames.normalize(Objects.requireNonNull(domain, "domain"));
    String key = key(d);
    String value;
    try {
      value = link.await(link.commands().get(key), "GET " + key);
    } catch (IOException e) {
      if (wrongType(e)) {
        skip(key, "the key holds another Redis type");
        return Optional.empty();
      }
      throw e;
    }
    if (value == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(decode(key, d, value));
  }

  private StoredPolicy decode(String key, String expectedDomain, String value) {
    StoredPolicy p;
    try {
      p = PolicyValue.decode(value);
    } catch (IllegalArgumentException e) {
      skip(key, e.getMessage());
      return null;
    }
    if (!p.domain().equals(expectedDomain)) {
      skip(key, "the entry names another domain, " + p.domain());
      return null;
    }
    return p;
  }

  private static void skip(String key, String reason) {
    log.warn("MTA-STS policy store: skipping Redis key {}: {}", NetworkText.printable(key),
        NetworkText.printable(reason));
  }

  private static boolean wrongType(IOException e) {
    return e.getCause() instanceof RedisCommandExecutionException r
        && r.getMessage() != null && r.getMessage().startsWith("WRONGTYPE");
  }

  @Override
  public void forEach(Consumer<? super StoredPolicy> action) {
    Objects.requireNonNull(action, "action");
    Set<String> visited = new HashSet<>();
    ScanArgs args = ScanArgs.Builder.matches(prefix + "*").limit(SCAN_BATCH);
    ScanCursor cursor = ScanCursor.INITIAL;
    try {
      do {
        RedisClusterAsyncCommands<String, String> c = link.commands();
        KeyScanCursor<String> page = link.await(c.scan(cursor, args), "SCAN " + prefix + "*");
        List<String> keys = new ArrayList<>();
        for (String k : page.getKeys()) {
          if (visited.add(k)) {
            keys.add(k);
          }
        }
        visit(c, keys, action);
        cursor = page;
      } while (!cursor.isFinished());
    } catch (IOException e) {
      log.warn("MTA-STS policy store: cannot walk {} ({}); {} entries visited", link.description(),
          e.getMessage(), visited.size());
    }
  }

  /** Reads one batch with pipelined GETs, then passes the entries on. */
  private void visit(RedisClusterAsyncCommands<String, String> c, List<String> keys,
      Consumer<? super StoredPolicy> action) throws IOException {
    List<CompletionStage<String>> values = new ArrayList<>(keys.size());
    for (String k : keys) {
      values.add(c.get(k));
    }
    List<StoredPolicy> entries = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      String value;
      try {
        value = link.await(values.get(i), "GET " + key);
      } catch (IOException e) {
        if (wrongType(e)) {
          skip(key, "the key holds another Redis type");
          continue;
        }
        throw e;
      }
      if (value == null) {
        continue; // deleted or expired since the scan
      }
      String d = key.substring(prefix.length());
      String normal;
      try {
        normal = DomainNames.normalize(d);
      } catch (IllegalArgumentException e) {
        skip(key, "the key does not name a domain");
        continue;
      }
      if (!normal.equals(d)) {
        skip(key, "the key does not name a normalised domain");
        continue;
      }
      StoredPolicy p = decode(key, d, value);
      if (p != null) {
        entries.add(p);
      }
    }
    entries.forEach(action);
  }

  @Override
  public boolean remove(StoredPolicy entry) throws IOException {
    Objects.requireNonNull(entry, "entry");
    String key = key(entry.domain());
    Long removed = link.await(
        link.commands().eval(REMOVE_IF_EQUAL, ScriptOutputType.INTEGER, new String[] {key},
            PolicyValue.encode(entry)),
        "remove " + key);
    return removed != null && removed > 0;
  }

  @Override
  public void save(StoredPolicy policy) throws IOException {
    Objects.requireNonNull(policy, "policy");
    String key = key(policy.domain());
    Instant expires = PolicyValue.expiresAt(policy);
    Instant now = link.clock().instant();
    if (!now.isBefore(expires)) {
      // Expired already: a key cannot be set with a TTL of zero, and the facade would delete the
      // entry on sight; the previous entry of the domain is replaced by nothing.
      delete(policy.domain());
      return;
    }
    // Relative TTL, rounded up: the key outlives the policy by less than a millisecond, never
    // the other way round, and the Redis server's own clock does not matter.
    Duration ttl = Duration.between(now, expires);
    long millis = ttl.getSeconds() > Long.MAX_VALUE / 2000 ? Long.MAX_VALUE / 2
        : ttl.toMillis() + (ttl.toNanosPart() % 1_000_000 == 0 ? 0 : 1);
    String ok = link.await(
        link.commands().set(key, PolicyValue.encode(policy), SetArgs.Builder.px(millis)),
        "SET " + key);
    if (!"OK".equals(ok)) {
      throw new IOException(link.description() + ": SET " + key + " answered " + ok);
    }
  }

  /**
   * Takes the lease on fetching {@code domain} with {@code SET <prefix>lease:<domain> <token> NX
   * PX <lease>}: at most one node holds it until it expires (Redis's own clock). Never released
   * early: a node that fetched saves the policy, which is what the others wait for.
   */
  @Override
  public boolean tryLease(String domain, Duration lease) throws IOException {
    String d = DomainNames.normalize(Objects.requireNonNull(domain, "domain"));
    Objects.requireNonNull(lease, "lease");
    String key = leasePrefix + d;
    String ok = link.await(link.commands().set(key, UUID.randomUUID().toString(),
        SetArgs.Builder.nx().px(Math.max(1, lease.toMillis()))), "SET NX " + key);
    return "OK".equals(ok);
  }

  @Override
  public void delete(String domain) throws IOException {
    String d = DomainNames.normalize(Objects.requireNonNull(domain, "domain"));
    link.await(link.commands().del(key(d)), "DEL " + key(d));
  }

  @Override
  public void deleteAll() throws IOException {
    ScanArgs args = ScanArgs.Builder.matches(prefix + "*").limit(SCAN_BATCH);
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      RedisClusterAsyncCommands<String, String> c = link.commands();
      KeyScanCursor<String> page = link.await(c.scan(cursor, args), "SCAN " + prefix + "*");
      List<CompletionStage<Long>> deletes = new ArrayList<>();
      for (String k : page.getKeys()) {
        deletes.add(c.del(k)); // one key a command: keys of a cluster lie in different slots
      }
      for (CompletionStage<Long> d : deletes) {
        link.await(d, "DEL");
      }
      cursor = page;
    } while (!cursor.isFinished());
  }

  /**
   * Returns a short description: the server (without password) and the key prefix.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "RedisPolicyStore{" + link.description() + ", keys " + prefix + "*}";
  }
}
