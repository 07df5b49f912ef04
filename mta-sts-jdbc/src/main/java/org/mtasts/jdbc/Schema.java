package org.mtasts.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tables of the stores and their migrations. A version table, {@code <prefix>schema}, holds
 * one row with the version the tables are at; at start-up each node locks that row ({@code SELECT
 * … FOR UPDATE}), applies the migrations past it in the same transaction and raises the version,
 * so that nodes starting together migrate once. A database at a newer version than this library
 * knows is refused, never changed.
 *
 * <p>Version 1 (types as PostgreSQL names them; {@code TEXT} holds up to a 64 KiB policy):
 *
 * <ul>
 *   <li>{@code <prefix>policy}: one row per domain, the record id, the policy text, the fetch
 *       time in seconds and nanoseconds (exact), and {@code expires_at}, the epoch second the
 *       policy expires ({@code fetchedAt + max_age}, rounded up), indexed for pruning;
 *   <li>{@code <prefix>report_day}: one row per policy domain and UTC day — completed, the number
 *       of policies counted, the claim (token, expiry), the earliest retry, the attempts and the
 *       first attempt;
 *   <li>{@code <prefix>report_policy}: per day and policy (by hash) the encoded policy and the
 *       session counts; {@code <prefix>report_detail}: per policy the encoded failure details and
 *       their counts.
 * </ul>
 *
 * <p>Version 2 adds {@code <prefix>lease}: per domain the node that holds the lease on fetching
 * its policy, and until when (issue 15, one fetch for a fleet).
 */
final class Schema {
  private static final Logger log = LoggerFactory.getLogger(JdbcStores.class);

  /** The version this library writes. */
  static final int VERSION = 2;

  final String prefix;
  final String versionTable;
  final String policy;
  final String day;
  final String reportPolicy;
  final String detail;
  final String lease;

  Schema(String prefix) {
    this.prefix = prefix;
    this.versionTable = prefix + "schema";
    this.policy = prefix + "policy";
    this.day = prefix + "report_day";
    this.reportPolicy = prefix + "report_policy";
    this.detail = prefix + "report_detail";
    this.lease = prefix + "lease";
  }

  /** The statements that take the tables from version {@code v - 1} to {@code v}. */
  List<String> migration(int v) {
    if (v == 1) {
      return List.of(
          "CREATE TABLE " + policy + " ("
              + "domain VARCHAR(253) NOT NULL PRIMARY KEY, "
              + "record_id VARCHAR(32) NOT NULL, "
              + "policy_text TEXT NOT NULL, "
              + "fetched_second BIGINT NOT NULL, "
              + "fetched_nano INTEGER NOT NULL, "
              + "expires_at BIGINT NOT NULL)",
          "CREATE INDEX " + policy + "_expires ON " + policy + " (expires_at)",
          "CREATE TABLE " + day + " ("
              + "domain VARCHAR(253) NOT NULL, "
              + "day DATE NOT NULL, "
              + "completed BOOLEAN NOT NULL, "
              + "policies INTEGER NOT NULL, "
              + "warned BOOLEAN NOT NULL, "
              + "claim_token VARCHAR(64), "
              + "claim_expires BIGINT, "
              + "not_before BIGINT, "
              + "attempts INTEGER NOT NULL, "
              + "first_attempt VARCHAR(64), "
              + "PRIMARY KEY (domain, day))",
          "CREATE TABLE " + reportPolicy + " ("
              + "domain VARCHAR(253) NOT NULL, "
              + "day DATE NOT NULL, "
              + "policy_hash CHAR(32) NOT NULL, "
              + "policy TEXT NOT NULL, "
              + "successes BIGINT NOT NULL, "
              + "failures BIGINT NOT NULL, "
              + "details INTEGER NOT NULL, "
              + "PRIMARY KEY (domain, day, policy_hash))",
          "CREATE TABLE " + detail + " ("
              + "domain VARCHAR(253) NOT NULL, "
              + "day DATE NOT NULL, "
              + "policy_hash CHAR(32) NOT NULL, "
              + "detail_hash CHAR(32) NOT NULL, "
              + "detail TEXT NOT NULL, "
              + "sessions BIGINT NOT NULL, "
              + "PRIMARY KEY (domain, day, policy_hash, detail_hash))");
    }
    if (v == 2) {
      return List.of(
          "CREATE TABLE " + lease + " ("
              + "domain VARCHAR(253) NOT NULL PRIMARY KEY, "
              + "holder VARCHAR(64) NOT NULL, "
              + "expires_ms BIGINT NOT NULL)");
    }
    throw new IllegalArgumentException("no migration to version " + v);
  }

  /**
   * Brings the tables to {@link #VERSION}.
   *
   * @throws SQLException if the database refuses, or is at a newer version
   */
  void migrate(Connection c, Jdbc jdbc) throws SQLException {
    c.setAutoCommit(true);
    createVersionTable(c, jdbc);
    try (var s = jdbc.prepare(c, "INSERT INTO " + versionTable
        + " (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING")) {
      s.executeUpdate();
    }
    c.setAutoCommit(false);
    try {
      int at;
      try (var s = jdbc.prepare(c,
          "SELECT version FROM " + versionTable + " WHERE id = 1 FOR UPDATE");
          ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("the version row of " + versionTable + " is missing");
        }
        at = rs.getInt(1);
      }
      if (at > VERSION) {
        throw new SQLException("the tables " + prefix + "* are at schema version " + at
            + ", newer than this library knows (" + VERSION + "); upgrade mta-sts-jdbc", "MTS01");
      }
      for (int v = at + 1; v <= VERSION; v++) {
        try (Statement s = c.createStatement()) {
          for (String sql : migration(v)) {
            s.execute(sql);
          }
        }
        log.info("MTA-STS store: tables {}* migrated to schema version {}", prefix, v);
      }
      if (at < VERSION) {
        try (var s = jdbc.prepare(c,
            "UPDATE " + versionTable + " SET version = ? WHERE id = 1")) {
          s.setInt(1, VERSION);
          s.executeUpdate();
        }
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  private void createVersionTable(Connection c, Jdbc jdbc) throws SQLException {
    String sql = "CREATE TABLE IF NOT EXISTS " + versionTable
        + " (id INTEGER NOT NULL PRIMARY KEY, version INTEGER NOT NULL)";
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      // Two nodes creating the table at once: PostgreSQL lets one fail on its catalogue's unique
      // index; the table exists now.
      if (!"23505".equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) {
        throw e;
      }
    }
  }
}
