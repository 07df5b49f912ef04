package org.mtasts.jdbc;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.mtasts.NetworkText;
import org.mtasts.PolicyStore;
import org.mtasts.StoredPolicy;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.Policy;
import org.mtasts.policy.PolicySyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PolicyStore} in an SQL table, {@code <prefix>policy}: one row per domain, replaced by an
 * upsert ({@code INSERT … ON CONFLICT DO UPDATE}), with an expiry column, {@code expires_at =
 * fetchedAt + max_age} ({@code max_age} read with core's parser, rounded up; text that does not
 * parse counts the largest {@code max_age} a policy may have, so a row never expires before its
 * policy). Expired rows are deleted when the facade walks the store ({@link #forEach}, at start-up
 * and once a day), never earlier than their expiry.
 *
 * <p>Every node of a fleet that uses the database sees what any of them saved: the facade reads
 * the store on a miss of its in-memory cache. Each statement has the query timeout of the {@link
 * JdbcStores} that made the store; connection waits are the {@code DataSource}'s (configure its
 * connection timeout short). {@link #forEach} reads the table in pages of {@value #PAGE} rows by
 * domain, holding no connection while the action runs. Rows that do not decode are skipped with a
 * WARN. {@link #tryLease} takes a short lease per domain in {@code <prefix>lease} so that the
 * nodes meeting a new policy id fetch it once. Thread-safe.
 */
public final class JdbcPolicyStore implements PolicyStore {
  private static final Logger log = LoggerFactory.getLogger(JdbcPolicyStore.class);

  /** Rows read per page by {@link #forEach}. */
  static final int PAGE = 200;

  private static final String COLUMNS =
      "domain, record_id, policy_text, fetched_second, fetched_nano";

  private final Jdbc jdbc;
  private final String table;

  JdbcPolicyStore(Jdbc jdbc) {
    this.jdbc = jdbc;
    this.table = jdbc.schema().policy;
  }

  @Override
  public Optional<StoredPolicy> load(String domain) throws IOException {
    String d = DomainNames.normalize(Objects.requireNonNull(domain, "domain"));
    return jdbc.call("loading the policy of " + d, c -> {
      try (PreparedStatement s =
          jdbc.prepare(c, "SELECT " + COLUMNS + " FROM " + table + " WHERE domain = ?")) {
        s.setString(1, d);
        try (ResultSet rs = s.executeQuery()) {
          return rs.next() ? Optional.ofNullable(decode(rs)) : Optional.<StoredPolicy>empty();
        }
      }
    });
  }

  /** The entry of the current row, or null (logged) if the row is damaged or foreign. */
  private StoredPolicy decode(ResultSet rs) throws SQLException {
    String d = rs.getString(1);
    try {
      int nano = rs.getInt(5);
      if (nano < 0 || nano > 999_999_999) {
        throw new IllegalArgumentException("fetched_nano out of range: " + nano);
      }
      StoredPolicy p = new StoredPolicy(d, rs.getString(2), Jdbc.untext(rs.getString(3)),
          Instant.ofEpochSecond(rs.getLong(4), nano));
      if (!p.domain().equals(d)) {
        throw new IllegalArgumentException("the domain is not in normalised form");
      }
      return p;
    } catch (RuntimeException e) {
      log.warn("MTA-STS policy store: skipping the row of {} in {}: {}",
          NetworkText.printable(String.valueOf(d)), table,
          NetworkText.printable(String.valueOf(e.getMessage())));
      return null;
    }
  }

  /**
   * Deletes the rows whose policy has expired by the store's clock, then passes every row to
   * {@code action}, a page at a time.
   */
  @Override
  public void forEach(Consumer<? super StoredPolicy> action) {
    Objects.requireNonNull(action, "action");
    int visited = 0;
    try {
      pruneExpired();
      String after = "";
      while (true) {
        String from = after;
        List<StoredPolicy> page = new ArrayList<>();
        String last = jdbc.call("reading " + table, c -> {
          try (PreparedStatement s = jdbc.prepare(c, "SELECT " + COLUMNS + " FROM " + table
              + " WHERE domain > ? ORDER BY domain FETCH FIRST " + PAGE + " ROWS ONLY")) {
            s.setString(1, from);
            String lastDomain = null;
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                lastDomain = rs.getString(1);
                StoredPolicy p = decode(rs);
                if (p != null) {
                  page.add(p);
                }
              }
            }
            return lastDomain;
          }
        });
        for (StoredPolicy p : page) {
          action.accept(p);
          visited++;
        }
        if (last == null) {
          return;
        }
        after = last;
      }
    } catch (IOException e) {
      log.warn("MTA-STS policy store: cannot read {} ({}); {} entries visited", table,
          e.getMessage(), visited);
    }
  }

  /**
   * Deletes the rows whose policy expired by the store's clock, and the expired fetch leases.
   *
   * @return how many rows were deleted
   * @throws IOException if the database cannot be written
   */
  public int pruneExpired() throws IOException {
    Instant now = jdbc.clock().instant();
    return jdbc.call("pruning " + table, c -> {
      try (PreparedStatement s = jdbc.prepare(c, "DELETE FROM " + jdbc.schema().lease
          + " WHERE expires_ms <= ?")) {
        s.setLong(1, now.toEpochMilli());
        s.executeUpdate();
      }
      try (PreparedStatement s =
          jdbc.prepare(c, "DELETE FROM " + table + " WHERE expires_at <= ?")) {
        s.setLong(1, now.getEpochSecond());
        return s.executeUpdate();
      }
    });
  }

  @Override
  public boolean remove(StoredPolicy entry) throws IOException {
    Objects.requireNonNull(entry, "entry");
    return jdbc.call("removing the policy of " + entry.domain(), c -> {
      try (PreparedStatement s = jdbc.prepare(c, "DELETE FROM " + table + " WHERE domain = ? "
          + "AND record_id = ? AND policy_text = ? AND fetched_second = ? AND fetched_nano = ?")) {
        s.setString(1, entry.domain());
        s.setString(2, entry.recordId());
        s.setString(3, Jdbc.text(entry.policyText()));
        s.setLong(4, entry.fetchedAt().getEpochSecond());
        s.setInt(5, entry.fetchedAt().getNano());
        return s.executeUpdate() > 0;
      }
    });
  }

  @Override
  public void save(StoredPolicy policy) throws IOException {
    Objects.requireNonNull(policy, "policy");
    long expires = expiresAt(policy);
    jdbc.call("saving the policy of " + policy.domain(), c -> {
      try (PreparedStatement s = jdbc.prepare(c, "INSERT INTO " + table
          + " (" + COLUMNS + ", expires_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (domain) DO "
          + "UPDATE SET record_id = EXCLUDED.record_id, policy_text = EXCLUDED.policy_text, "
          + "fetched_second = EXCLUDED.fetched_second, fetched_nano = EXCLUDED.fetched_nano, "
          + "expires_at = EXCLUDED.expires_at")) {
        s.setString(1, policy.domain());
        s.setString(2, policy.recordId());
        s.setString(3, Jdbc.text(policy.policyText()));
        s.setLong(4, policy.fetchedAt().getEpochSecond());
        s.setInt(5, policy.fetchedAt().getNano());
        s.setLong(6, expires);
        s.executeUpdate();
        return null;
      }
    });
  }

  /** The epoch second the entry's policy expires, rounded up. */
  static long expiresAt(StoredPolicy p) {
    Duration maxAge;
    try {
      maxAge = Policy.parse(p.policyText()).maxAge();
    } catch (PolicySyntaxException | RuntimeException e) {
      maxAge = Policy.MAX_AGE_LIMIT;
    }
    Instant f = p.fetchedAt();
    long s = f.getEpochSecond() + (f.getNano() > 0 ? 1 : 0);
    return s > Long.MAX_VALUE - maxAge.getSeconds() ? Long.MAX_VALUE : s + maxAge.getSeconds();
  }

  /**
   * Takes the lease on fetching {@code domain}: an upsert of its row in {@code <prefix>lease} that
   * replaces only an expired lease ({@code ON CONFLICT … DO UPDATE … WHERE expires_ms <= now}), so
   * that one of concurrent callers gets it. Expiry by the store's clock.
   */
  @Override
  public boolean tryLease(String domain, Duration lease) throws IOException {
    String d = DomainNames.normalize(Objects.requireNonNull(domain, "domain"));
    Objects.requireNonNull(lease, "lease");
    String leases = jdbc.schema().lease;
    long now = jdbc.clock().millis();
    return jdbc.call("taking the lease on " + d, c -> {
      try (PreparedStatement s = jdbc.prepare(c, "INSERT INTO " + leases
          + " (domain, holder, expires_ms) VALUES (?, ?, ?) ON CONFLICT (domain) DO UPDATE SET "
          + "holder = EXCLUDED.holder, expires_ms = EXCLUDED.expires_ms WHERE " + leases
          + ".expires_ms <= ?")) {
        s.setString(1, d);
        s.setString(2, java.util.UUID.randomUUID().toString());
        s.setLong(3, now + Math.max(1, lease.toMillis()));
        s.setLong(4, now);
        return s.executeUpdate() > 0;
      }
    });
  }

  @Override
  public void delete(String domain) throws IOException {
    String d = DomainNames.normalize(Objects.requireNonNull(domain, "domain"));
    jdbc.call("deleting the policy of " + d, c -> {
      try (PreparedStatement s = jdbc.prepare(c, "DELETE FROM " + table + " WHERE domain = ?")) {
        s.setString(1, d);
        return s.executeUpdate();
      }
    });
  }

  @Override
  public void deleteAll() throws IOException {
    jdbc.call("deleting every policy", c -> {
      try (PreparedStatement s = jdbc.prepare(c, "DELETE FROM " + table)) {
        return s.executeUpdate();
      }
    });
  }

  /**
   * Returns a short description: the table.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "JdbcPolicyStore{" + table + "}";
  }
}
