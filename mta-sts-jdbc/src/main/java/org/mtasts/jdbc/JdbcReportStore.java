package org.mtasts.jdbc;

import java.io.IOException;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.mtasts.NetworkText;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.PolicyTally;
import org.mtasts.report.ReportClaim;
import org.mtasts.report.ReportDay;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ReportStore;
import org.mtasts.report.SessionResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ReportStore} in SQL tables, shared by the nodes of a fleet: every node counts into it,
 * and one node sends each day's report.
 *
 * <p>Counting is one short transaction per session result. The usual case, a policy and failure
 * details already counted that day, is an {@code UPDATE … SET n = n + 1} of their rows (row locks
 * make concurrent increments exact). A policy or detail new for the day takes the lock of the
 * day's row (of the policy's row for a detail) to check the completed flag and the bound, then
 * inserts with {@code INSERT … ON CONFLICT DO UPDATE}. Locks are taken in one order (day, policy,
 * details by hash), and a transaction the database aborts to break a deadlock is run again.
 *
 * <p>A claim is a conditional {@code UPDATE} of the day's row (not completed, no unexpired claim,
 * past the earliest retry, something counted), so exactly one of concurrent claimers wins;
 * completing and releasing are {@code UPDATE}s conditional on the claim's token. Claims are judged
 * by the callers' clocks ({@code now}), so the nodes need synchronised clocks.
 *
 * <p>Bounds as in {@link ReportStore#memory()}: {@value #MAX_POLICIES_PER_DAY} policies per day,
 * {@value #MAX_DETAILS_PER_POLICY} failure details per policy; one WARN per day and fleet when a
 * bound is hit. Rows that cannot be decoded are skipped with a WARN. Thread-safe.
 */
public final class JdbcReportStore implements ReportStore {
  private static final Logger log = LoggerFactory.getLogger(JdbcReportStore.class);

  /** Distinct policies kept per report day, as the memory store. */
  public static final int MAX_POLICIES_PER_DAY = 64;

  /** Distinct failure details kept per policy and day, as the memory store. */
  public static final int MAX_DETAILS_PER_POLICY = 1_000;

  private final Jdbc jdbc;
  private final Schema t;
  private final int maxPolicies;
  private final int maxDetails;

  JdbcReportStore(Jdbc jdbc, int maxPolicies, int maxDetails) {
    this.jdbc = jdbc;
    this.t = jdbc.schema();
    this.maxPolicies = maxPolicies;
    this.maxDetails = maxDetails;
  }

  private record Detail(String hash, String encoded) {}

  /** What one count did: counted, dropped because the day is completed, or hit a bound. */
  private enum Outcome { COUNTED, COMPLETED, FULL_FIRST, FULL_AGAIN }

  @Override
  public void add(SessionResult result) throws IOException {
    Objects.requireNonNull(result, "result");
    ReportDay day =
        new ReportDay(result.policy().domain(), LocalDate.ofInstant(result.at(), ZoneOffset.UTC));
    String policy = ReportCodec.encode(result.policy());
    String ph = ReportCodec.hash(policy);
    TreeMap<String, Detail> details = new TreeMap<>(); // by hash: one lock order for all nodes
    for (FailureDetail d : result.failures()) {
      String e = ReportCodec.encode(d);
      details.put(ReportCodec.hash(e), new Detail(ReportCodec.hash(e), e));
    }
    Outcome outcome = jdbc.transaction("counting a session of " + day,
        c -> count(c, day, ph, policy, result.isSuccess(), details));
    if (outcome == Outcome.COMPLETED) {
      log.debug("TLS-RPT: report for {} already sent; a late result is dropped", day);
    } else if (outcome == Outcome.FULL_FIRST) {
      log.warn("TLS-RPT: the report of {} for {} holds as many distinct policies or failure "
          + "details as it may; further ones are not kept (session counts stay exact)",
          day.policyDomain(), day.day());
    }
  }

  private Outcome count(Connection c, ReportDay day, String ph, String policy, boolean success,
      TreeMap<String, Detail> details) throws SQLException {
    boolean full = false;
    if (!increment(c, day, ph, success)) {
      // A policy new for the day (or the day completed): decide under the day's lock.
      insertDay(c, day);
      int policies;
      try (PreparedStatement s = jdbc.prepare(c, "SELECT completed, policies FROM " + t.day
          + " WHERE domain = ? AND day = ? FOR UPDATE")) {
        bindDay(s, 1, day);
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          if (rs.getBoolean(1)) {
            return Outcome.COMPLETED;
          }
          policies = rs.getInt(2);
        }
      }
      if (!increment(c, day, ph, success)) { // another node may have added it meanwhile
        if (policies >= maxPolicies) {
          return warned(c, day);
        }
        try (PreparedStatement s = jdbc.prepare(c, "INSERT INTO " + t.reportPolicy
            + " (domain, day, policy_hash, policy, successes, failures, details) "
            + "VALUES (?, ?, ?, ?, ?, ?, 0)")) {
          bindDay(s, 1, day);
          s.setString(3, ph);
          s.setString(4, Jdbc.text(policy));
          s.setLong(5, success ? 1 : 0);
          s.setLong(6, success ? 0 : 1);
          s.executeUpdate();
        }
        try (PreparedStatement s = jdbc.prepare(c, "UPDATE " + t.day
            + " SET policies = policies + 1 WHERE domain = ? AND day = ?")) {
          bindDay(s, 1, day);
          s.executeUpdate();
        }
      }
    }
    for (Detail d : details.values()) {
      if (incrementDetail(c, day, ph, d)) {
        continue;
      }
      int counted;
      try (PreparedStatement s = jdbc.prepare(c, "SELECT details FROM " + t.reportPolicy
          + " WHERE domain = ? AND day = ? AND policy_hash = ? FOR UPDATE")) {
        bindDay(s, 1, day);
        s.setString(3, ph);
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          counted = rs.getInt(1);
        }
      }
      if (incrementDetail(c, day, ph, d)) {
        continue;
      }
      if (counted >= maxDetails) {
        full = true;
        continue;
      }
      try (PreparedStatement s = jdbc.prepare(c, "INSERT INTO " + t.detail
          + " (domain, day, policy_hash, detail_hash, detail, sessions) VALUES (?, ?, ?, ?, ?, 1)"
          + " ON CONFLICT (domain, day, policy_hash, detail_hash) DO UPDATE SET sessions = "
          + t.detail + ".sessions + 1")) {
        bindDay(s, 1, day);
        s.setString(3, ph);
        s.setString(4, d.hash());
        s.setString(5, Jdbc.text(d.encoded()));
        s.executeUpdate();
      }
      try (PreparedStatement s = jdbc.prepare(c, "UPDATE " + t.reportPolicy
          + " SET details = details + 1 WHERE domain = ? AND day = ? AND policy_hash = ?")) {
        bindDay(s, 1, day);
        s.setString(3, ph);
        s.executeUpdate();
      }
    }
    return full ? warned(c, day) : Outcome.COUNTED;
  }

  /** Counts the session under an existing policy row; false if there is none. */
  private boolean increment(Connection c, ReportDay day, String ph, boolean success)
      throws SQLException {
    try (PreparedStatement s = jdbc.prepare(c, "UPDATE " + t.reportPolicy + " SET "
        + (success ? "successes = successes + 1" : "failures = failures + 1")
        + " WHERE domain = ? AND day = ? AND policy_hash = ?")) {
      bindDay(s, 1, day);
      s.setString(3, ph);
      return s.executeUpdate() > 0;
    }
  }

  private boolean incrementDetail(Connection c, ReportDay day, String ph, Detail d)
      throws SQLException {
    try (PreparedStatement s = jdbc.prepare(c, "UPDATE " + t.detail
        + " SET sessions = sessions + 1 WHERE domain = ? AND day = ? AND policy_hash = ? "
        + "AND detail_hash = ?")) {
      bindDay(s, 1, day);
      s.setString(3, ph);
      s.setString(4, d.hash());
      return s.executeUpdate() > 0;
    }
  }

  private void insertDay(Connection c, ReportDay day) throws SQLException {
    try (PreparedStatement s = jdbc.prepare(c, "INSERT INTO " + t.day
        + " (domain, day, completed, policies, warned, attempts) VALUES (?, ?, FALSE, 0, FALSE, 0)"
        + " ON CONFLICT (domain, day) DO NOTHING")) {
      bindDay(s, 1, day);
      s.executeUpdate();
    }
  }

  /** Marks the day as warned about its bound; says whether this call was the first. */
  private Outcome warned(Connection c, ReportDay day) throws SQLException {
    try (PreparedStatement s = jdbc.prepare(c, "UPDATE " + t.day
        + " SET warned = TRUE WHERE domain = ? AND day = ? AND warned = FALSE")) {
      bindDay(s, 1, day);
      return s.executeUpdate() > 0 ? Outcome.FULL_FIRST : Outcome.FULL_AGAIN;
    }
  }

  private static void bindDay(PreparedStatement s, int at, ReportDay day) throws SQLException {
    s.setString(at, day.policyDomain());
    s.setDate(at + 1, Date.valueOf(day.day()));
  }

  @Override
  public List<ReportDay> days() throws IOException {
    return jdbc.call("listing the report days", c -> {
      List<ReportDay> out = new ArrayList<>();
      try (PreparedStatement s = jdbc.prepare(c, "SELECT domain, day FROM " + t.day
          + " WHERE completed = FALSE AND policies > 0 ORDER BY day, domain");
          ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          String domain = rs.getString(1);
          try {
            out.add(new ReportDay(domain, rs.getDate(2).toLocalDate()));
          } catch (RuntimeException e) {
            log.warn("TLS-RPT store: skipping the report day of {} in {}: {}",
                NetworkText.printable(String.valueOf(domain)), t.day,
                NetworkText.printable(String.valueOf(e.getMessage())));
          }
        }
      }
      out.sort(null); // the database's collation may order domains otherwise
      return out;
    });
  }

  @Override
  public List<PolicyTally> tallies(ReportDay day) throws IOException {
    Objects.requireNonNull(day, "day");
    return jdbc.transaction("reading the counts of " + day, c -> {
      try (PreparedStatement s = jdbc.prepare(c, "SELECT completed FROM " + t.day
          + " WHERE domain = ? AND day = ?")) {
        bindDay(s, 1, day);
        try (ResultSet rs = s.executeQuery()) {
          if (!rs.next() || rs.getBoolean(1)) {
            return List.<PolicyTally>of();
          }
        }
      }
      record Counts(ReportPolicy policy, long successes, long failures) {}
      Map<String, Counts> policies = new LinkedHashMap<>();
      try (PreparedStatement s = jdbc.prepare(c, "SELECT policy_hash, policy, successes, "
          + "failures FROM " + t.reportPolicy + " WHERE domain = ? AND day = ? "
          + "ORDER BY policy_hash")) {
        bindDay(s, 1, day);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            try {
              policies.put(rs.getString(1), new Counts(
                  ReportCodec.decodePolicy(Jdbc.untext(rs.getString(2))), rs.getLong(3),
                  rs.getLong(4)));
            } catch (RuntimeException e) {
              damaged(day, t.reportPolicy, e);
            }
          }
        }
      }
      Map<String, Map<FailureDetail, Long>> details = new HashMap<>();
      try (PreparedStatement s = jdbc.prepare(c, "SELECT policy_hash, detail, sessions FROM "
          + t.detail + " WHERE domain = ? AND day = ?")) {
        bindDay(s, 1, day);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            try {
              FailureDetail d = ReportCodec.decodeDetail(Jdbc.untext(rs.getString(2)));
              long n = rs.getLong(3);
              if (n > 0) {
                details.computeIfAbsent(rs.getString(1), k -> new HashMap<>())
                    .merge(d, n, Long::sum);
              }
            } catch (RuntimeException e) {
              damaged(day, t.detail, e);
            }
          }
        }
      }
      List<PolicyTally> out = new ArrayList<>();
      for (Map.Entry<String, Counts> e : policies.entrySet()) {
        try {
          Counts n = e.getValue();
          out.add(new PolicyTally(n.policy(), n.successes(), n.failures(),
              details.getOrDefault(e.getKey(), Map.of())));
        } catch (RuntimeException ex) {
          damaged(day, t.reportPolicy, ex);
        }
      }
      return out;
    });
  }

  private static void damaged(ReportDay day, String table, RuntimeException e) {
    log.warn("TLS-RPT store: skipping a damaged row of {} in {}: {}", day, table,
        NetworkText.printable(String.valueOf(e.getMessage())));
  }

  @Override
  public Optional<ReportClaim> claim(ReportDay day, Instant now, Duration lease)
      throws IOException {
    Objects.requireNonNull(day, "day");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(lease, "lease");
    Instant expires = now.plus(lease);
    String token = UUID.randomUUID().toString();
    long nowMs = now.toEpochMilli();
    return jdbc.transaction("claiming the report of " + day, c -> {
      try (PreparedStatement s = jdbc.prepare(c, "UPDATE " + t.day + " SET claim_token = ?, "
          + "claim_expires = ?, first_attempt = COALESCE(first_attempt, ?) "
          + "WHERE domain = ? AND day = ? AND completed = FALSE AND policies > 0 "
          + "AND (claim_token IS NULL OR claim_expires <= ?) "
          + "AND (not_before IS NULL OR not_before <= ?)")) {
        s.setString(1, token);
        s.setLong(2, ceilMillis(expires));
        s.setString(3, now.toString());
        bindDay(s, 4, day);
        s.setLong(6, nowMs);
        s.setLong(7, nowMs);
        if (s.executeUpdate() == 0) {
          return Optional.<ReportClaim>empty();
        }
      }
      try (PreparedStatement s = jdbc.prepare(c, "SELECT attempts, first_attempt FROM " + t.day
          + " WHERE domain = ? AND day = ? AND claim_token = ?")) {
        bindDay(s, 1, day);
        s.setString(3, token);
        try (ResultSet rs = s.executeQuery()) {
          if (!rs.next()) {
            throw new SQLException("the claim just made on " + day + " is not there");
          }
          Instant first;
          try {
            first = Instant.parse(rs.getString(2));
          } catch (RuntimeException e) {
            throw new SQLException("damaged first attempt of " + day, e);
          }
          return Optional.of(new ReportClaim(day, token, expires, rs.getInt(1), first));
        }
      }
    });
  }

  private static long ceilMillis(Instant t) {
    long ms = t.toEpochMilli();
    return t.getNano() % 1_000_000 == 0 ? ms : ms + 1;
  }

  @Override
  public void complete(ReportClaim claim) throws IOException {
    Objects.requireNonNull(claim, "claim");
    ReportDay day = claim.day();
    jdbc.transaction("completing the report of " + day, c -> {
      try (PreparedStatement s = jdbc.prepare(c, "UPDATE " + t.day + " SET completed = TRUE, "
          + "claim_token = NULL, policies = 0 WHERE domain = ? AND day = ? AND claim_token = ?")) {
        bindDay(s, 1, day);
        s.setString(3, claim.token());
        if (s.executeUpdate() == 0) {
          return null;
        }
      }
      // Policies before details: the order in which counting locks them.
      for (String table : List.of(t.reportPolicy, t.detail)) {
        try (PreparedStatement s = jdbc.prepare(c, "DELETE FROM " + table
            + " WHERE domain = ? AND day = ?")) {
          bindDay(s, 1, day);
          s.executeUpdate();
        }
      }
      return null;
    });
  }

  @Override
  public void release(ReportClaim claim, Instant notBefore) throws IOException {
    Objects.requireNonNull(claim, "claim");
    Objects.requireNonNull(notBefore, "notBefore");
    jdbc.call("releasing the report of " + claim.day(), c -> {
      try (PreparedStatement s = jdbc.prepare(c, "UPDATE " + t.day + " SET claim_token = NULL, "
          + "claim_expires = NULL, not_before = ?, attempts = ? "
          + "WHERE domain = ? AND day = ? AND claim_token = ?")) {
        s.setLong(1, ceilMillis(notBefore));
        s.setInt(2, claim.attempt() + 1);
        bindDay(s, 3, claim.day());
        s.setString(5, claim.token());
        return s.executeUpdate();
      }
    });
  }

  @Override
  public int prune(LocalDate before) throws IOException {
    Objects.requireNonNull(before, "before");
    return jdbc.transaction("pruning report days before " + before, c -> {
      int days = -1;
      // Days, policies, details: the order in which counting locks them.
      for (String table : List.of(t.day, t.reportPolicy, t.detail)) {
        try (PreparedStatement s =
            jdbc.prepare(c, "DELETE FROM " + table + " WHERE day < ?")) {
          s.setDate(1, Date.valueOf(before));
          int n = s.executeUpdate();
          days = days < 0 ? n : days;
        }
      }
      return days;
    });
  }

  /**
   * Returns a short description: the tables.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "JdbcReportStore{" + t.prefix + "report_*}";
  }
}
