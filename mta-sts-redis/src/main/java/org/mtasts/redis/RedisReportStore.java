package org.mtasts.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
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
 * A {@link ReportStore} on Redis, shared by the nodes of a fleet: every node counts into it, and
 * one node sends each day's report.
 *
 * <p>Each report day has three keys in one hash slot (the hash tag is {@code {domain|day}}, so the
 * scripts also run on Redis Cluster): {@code <prefix>report:{domain|day}:counts}, a hash of the
 * counts incremented with {@code HINCRBY}; {@code …:state}, the claim (token, expiry, attempts,
 * first attempt, earliest retry); and {@code …:done}, the marker of a completed day. Counting,
 * claiming, completing and releasing are each one Lua script, so they are atomic across the fleet
 * and check the bounds, the completed marker and the claim token in the same step. Claims are
 * judged by the callers' clocks ({@code now}, as the contract passes it), so the nodes of a fleet
 * need synchronised clocks; keys are given an expiry of the store's retention after the end of
 * their day or their last change, whichever is later, as a safety net behind {@link #prune}.
 *
 * <p>Bounds as in {@link ReportStore#memory()}: {@value #MAX_POLICIES_PER_DAY} policies per day,
 * {@value #MAX_DETAILS_PER_POLICY} distinct failure details per policy; one WARN per day and
 * fleet when a bound is hit. Values that cannot be decoded are skipped with a WARN. Every command
 * waits at most the command timeout and fails with {@link IOException}. Thread-safe.
 */
public final class RedisReportStore implements ReportStore {
  private static final Logger log = LoggerFactory.getLogger(RedisReportStore.class);

  /** Distinct policies kept per report day, as the memory store. */
  public static final int MAX_POLICIES_PER_DAY = 64;

  /** Distinct failure details kept per policy and day, as the memory store. */
  public static final int MAX_DETAILS_PER_POLICY = 1_000;

  // KEYS: counts, done. ARGV: policy hash, encoded policy, 1 for a success, max policies, max
  // details, key TTL ms, then (detail hash, encoded detail) pairs.
  // Returns -1 completed (dropped), 0 counted, 1/2 a bound hit first on this day (warn), 3 a bound
  // hit again.
  private static final String ADD =
      "if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end\n"
          + "local c, h, full = KEYS[1], ARGV[1], 0\n"
          + "if redis.call('HEXISTS', c, 'p:'..h) == 0 then\n"
          + "  if tonumber(redis.call('HGET', c, 'np') or '0') >= tonumber(ARGV[4]) then\n"
          + "    full = 1\n"
          + "  else\n"
          + "    redis.call('HSET', c, 'p:'..h, ARGV[2])\n"
          + "    redis.call('HINCRBY', c, 'np', 1)\n"
          + "  end\n"
          + "end\n"
          + "if full == 0 then\n"
          + "  if ARGV[3] == '1' then\n"
          + "    redis.call('HINCRBY', c, 's:'..h, 1)\n"
          + "  else\n"
          + "    redis.call('HINCRBY', c, 'f:'..h, 1)\n"
          + "    for i = 7, #ARGV, 2 do\n"
          + "      local k = h..':'..ARGV[i]\n"
          + "      if redis.call('HEXISTS', c, 'd:'..k) == 1 then\n"
          + "        redis.call('HINCRBY', c, 'c:'..k, 1)\n"
          + "      elseif tonumber(redis.call('HGET', c, 'nd:'..h) or '0') >= tonumber(ARGV[5]) then\n"
          + "        full = 2\n"
          + "      else\n"
          + "        redis.call('HSET', c, 'd:'..k, ARGV[i + 1])\n"
          + "        redis.call('HINCRBY', c, 'nd:'..h, 1)\n"
          + "        redis.call('HINCRBY', c, 'c:'..k, 1)\n"
          + "      end\n"
          + "    end\n"
          + "  end\n"
          + "end\n"
          + "redis.call('PEXPIRE', c, ARGV[6])\n"
          + "if full > 0 then\n"
          + "  if redis.call('HSETNX', c, 'warned', '1') == 1 then return full end\n"
          + "  return 3\n"
          + "end\n"
          + "return 0\n";

  // KEYS: counts, state, done. ARGV: now ms, expiry ms, token, first attempt (text), key TTL ms.
  // Returns nil, or {attempts, first attempt}.
  private static final String CLAIM =
      "if redis.call('EXISTS', KEYS[3]) == 1 then return false end\n"
          + "if tonumber(redis.call('HGET', KEYS[1], 'np') or '0') == 0 then return false end\n"
          + "local now = tonumber(ARGV[1])\n"
          + "local s = KEYS[2]\n"
          + "if redis.call('HEXISTS', s, 'token') == 1\n"
          + "    and now < tonumber(redis.call('HGET', s, 'expires')) then return false end\n"
          + "local nb = redis.call('HGET', s, 'notBefore')\n"
          + "if nb and now < tonumber(nb) then return false end\n"
          + "local first = redis.call('HGET', s, 'first')\n"
          + "if not first then first = ARGV[4]; redis.call('HSET', s, 'first', first) end\n"
          + "redis.call('HSET', s, 'token', ARGV[3], 'expires', ARGV[2])\n"
          + "redis.call('PEXPIRE', s, ARGV[5])\n"
          + "return {redis.call('HGET', s, 'attempts') or '0', first}\n";

  // KEYS: counts, state, done. ARGV: token, key TTL ms.
  private static final String COMPLETE =
      "if redis.call('HGET', KEYS[2], 'token') ~= ARGV[1] then return 0 end\n"
          + "redis.call('DEL', KEYS[1], KEYS[2])\n"
          + "redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])\n"
          + "return 1\n";

  // KEYS: state. ARGV: token, not before ms, attempts.
  private static final String RELEASE =
      "if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end\n"
          + "redis.call('HDEL', KEYS[1], 'token', 'expires')\n"
          + "redis.call('HSET', KEYS[1], 'notBefore', ARGV[2], 'attempts', ARGV[3])\n"
          + "return 1\n";

  private final RedisLink link;
  private final String prefix;
  private final Duration retention;
  private final int maxPolicies;
  private final int maxDetails;

  RedisReportStore(RedisLink link, String keyPrefix, Duration retention, int maxPolicies,
      int maxDetails) {
    this.link = link;
    this.prefix = keyPrefix + "report:";
    this.retention = retention;
    this.maxPolicies = maxPolicies;
    this.maxDetails = maxDetails;
  }

  private String base(ReportDay day) {
    return prefix + "{" + day.policyDomain() + "|" + day.day() + "}";
  }

  /** Expiry of a day's keys: the retention after the end of the day, or after now if later. */
  private String ttlMillis(LocalDate day) {
    Instant end = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant from = end.isAfter(link.clock().instant()) ? end : link.clock().instant();
    return Long.toString(Duration.between(link.clock().instant(), from).plus(retention).toMillis());
  }

  @Override
  public void add(SessionResult result) throws IOException {
    Objects.requireNonNull(result, "result");
    ReportDay day =
        new ReportDay(result.policy().domain(), LocalDate.ofInstant(result.at(), ZoneOffset.UTC));
    String b = base(day);
    String policy = ReportCodec.encode(result.policy());
    List<String> args = new ArrayList<>();
    args.add(ReportCodec.hash(policy));
    args.add(policy);
    args.add(result.isSuccess() ? "1" : "0");
    args.add(Integer.toString(maxPolicies));
    args.add(Integer.toString(maxDetails));
    args.add(ttlMillis(day.day()));
    for (FailureDetail d : result.failures()) {
      String detail = ReportCodec.encode(d);
      args.add(ReportCodec.hash(detail));
      args.add(detail);
    }
    Long outcome = link.await(link.commands().eval(ADD, ScriptOutputType.INTEGER,
        new String[] {b + ":counts", b + ":done"}, args.toArray(String[]::new)), "count " + b);
    if (outcome == null) {
      throw new IOException(link.description() + ": no answer to the count of " + b);
    }
    if (outcome == -1) {
      log.debug("TLS-RPT: report for {} already sent; a late result is dropped", day);
    } else if (outcome == 1 || outcome == 2) {
      log.warn("TLS-RPT: the report of {} for {} holds as many distinct {} as it may; further "
          + "ones are not kept (session counts stay exact)", day.policyDomain(), day.day(),
          outcome == 1 ? "policies" : "failure details");
    }
  }

  @Override
  public List<ReportDay> days() throws IOException {
    RedisClusterAsyncCommands<String, String> c = link.commands();
    Set<ReportDay> found = new HashSet<>();
    scan(prefix + "{*}:counts", key -> {
      ReportDay day = parse(key, ":counts");
      if (day != null) {
        found.add(day);
      }
    });
    List<ReportDay> candidates = new ArrayList<>(found);
    List<CompletionStage<Long>> done = new ArrayList<>();
    List<CompletionStage<String>> policies = new ArrayList<>();
    for (ReportDay d : candidates) {
      done.add(c.exists(base(d) + ":done"));
      policies.add(c.hget(base(d) + ":counts", "np"));
    }
    TreeSet<ReportDay> out = new TreeSet<>();
    for (int i = 0; i < candidates.size(); i++) {
      Long isDone = link.await(done.get(i), "EXISTS");
      String np = link.await(policies.get(i), "HGET");
      if ((isDone == null || isDone == 0) && np != null && !"0".equals(np)) {
        out.add(candidates.get(i));
      }
    }
    return List.copyOf(out);
  }

  /** The report day a key names, or null (logged) if it names none. */
  private ReportDay parse(String key, String suffix) {
    if (!key.startsWith(prefix + "{") || !key.endsWith("}" + suffix)) {
      return null;
    }
    String tag = key.substring(prefix.length() + 1, key.length() - suffix.length() - 1);
    int bar = tag.indexOf('|');
    try {
      if (bar < 0) {
        throw new IllegalArgumentException("no day");
      }
      ReportDay day = new ReportDay(tag.substring(0, bar), LocalDate.parse(tag.substring(bar + 1)));
      if (!day.policyDomain().equals(tag.substring(0, bar))) {
        throw new IllegalArgumentException("domain not normalised");
      }
      return day;
    } catch (IllegalArgumentException | DateTimeParseException e) {
      log.warn("TLS-RPT store: skipping Redis key {}: it names no report day ({})",
          NetworkText.printable(key), e.getMessage());
      return null;
    }
  }

  private interface KeyAction {
    void accept(String key) throws IOException;
  }

  private void scan(String pattern, KeyAction action) throws IOException {
    ScanArgs args = ScanArgs.Builder.matches(pattern).limit(RedisPolicyStore.SCAN_BATCH);
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page =
          link.await(link.commands().scan(cursor, args), "SCAN " + pattern);
      for (String k : page.getKeys()) {
        action.accept(k);
      }
      cursor = page;
    } while (!cursor.isFinished());
  }

  @Override
  public List<PolicyTally> tallies(ReportDay day) throws IOException {
    Objects.requireNonNull(day, "day");
    RedisClusterAsyncCommands<String, String> c = link.commands();
    String b = base(day);
    CompletionStage<Long> doneF = c.exists(b + ":done");
    CompletionStage<Map<String, String>> countsF = c.hgetall(b + ":counts");
    Long done = link.await(doneF, "EXISTS " + b + ":done");
    Map<String, String> counts = link.await(countsF, "HGETALL " + b + ":counts");
    if ((done != null && done > 0) || counts == null || counts.isEmpty()) {
      return List.of();
    }
    Map<String, ReportPolicy> policies = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : counts.entrySet()) {
      if (e.getKey().startsWith("p:")) {
        try {
          policies.put(e.getKey().substring(2), ReportCodec.decodePolicy(e.getValue()));
        } catch (RuntimeException ex) {
          log.warn("TLS-RPT store: skipping a damaged policy of {} in {}: {}", day, b,
              NetworkText.printable(String.valueOf(ex.getMessage())));
        }
      }
    }
    List<PolicyTally> out = new ArrayList<>();
    for (Map.Entry<String, ReportPolicy> p : policies.entrySet()) {
      String h = p.getKey();
      Map<FailureDetail, Long> details = new HashMap<>();
      String detailPrefix = "d:" + h + ":";
      for (Map.Entry<String, String> e : counts.entrySet()) {
        if (!e.getKey().startsWith(detailPrefix)) {
          continue;
        }
        String dh = e.getKey().substring(detailPrefix.length());
        try {
          long n = count(counts.get("c:" + h + ":" + dh));
          if (n > 0) {
            details.merge(ReportCodec.decodeDetail(e.getValue()), n, Long::sum);
          }
        } catch (RuntimeException ex) {
          log.warn("TLS-RPT store: skipping a damaged failure detail of {} in {}: {}", day, b,
              NetworkText.printable(String.valueOf(ex.getMessage())));
        }
      }
      try {
        out.add(new PolicyTally(p.getValue(), count(counts.get("s:" + h)),
            count(counts.get("f:" + h)), details));
      } catch (RuntimeException ex) {
        log.warn("TLS-RPT store: skipping damaged counts of {} in {}: {}", day, b,
            NetworkText.printable(String.valueOf(ex.getMessage())));
      }
    }
    return out;
  }

  private static long count(String s) {
    return s == null ? 0 : Long.parseLong(s);
  }

  @Override
  public Optional<ReportClaim> claim(ReportDay day, Instant now, Duration lease)
      throws IOException {
    Objects.requireNonNull(day, "day");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(lease, "lease");
    String b = base(day);
    Instant expires = now.plus(lease);
    String token = UUID.randomUUID().toString();
    List<Object> answer = link.await(link.commands().eval(CLAIM, ScriptOutputType.MULTI,
        new String[] {b + ":counts", b + ":state", b + ":done"},
        Long.toString(now.toEpochMilli()), Long.toString(ceilMillis(expires)), token,
        now.toString(), ttlMillis(day.day())), "claim " + b);
    if (answer == null || answer.size() != 2) {
      return Optional.empty();
    }
    int attempts;
    Instant first;
    try {
      attempts = Integer.parseInt(String.valueOf(answer.get(0)));
      first = Instant.parse(String.valueOf(answer.get(1)));
    } catch (RuntimeException e) {
      throw new IOException(link.description() + ": damaged claim state in " + b, e);
    }
    return Optional.of(new ReportClaim(day, token, expires, attempts, first));
  }

  private static long ceilMillis(Instant t) {
    long ms = t.toEpochMilli();
    return t.getNano() % 1_000_000 == 0 ? ms : ms + 1;
  }

  @Override
  public void complete(ReportClaim claim) throws IOException {
    Objects.requireNonNull(claim, "claim");
    String b = base(claim.day());
    link.await(link.commands().eval(COMPLETE, ScriptOutputType.INTEGER,
        new String[] {b + ":counts", b + ":state", b + ":done"}, claim.token(),
        ttlMillis(claim.day().day())), "complete " + b);
  }

  @Override
  public void release(ReportClaim claim, Instant notBefore) throws IOException {
    Objects.requireNonNull(claim, "claim");
    Objects.requireNonNull(notBefore, "notBefore");
    String b = base(claim.day());
    link.await(link.commands().eval(RELEASE, ScriptOutputType.INTEGER,
        new String[] {b + ":state"}, claim.token(), Long.toString(ceilMillis(notBefore)),
        Integer.toString(claim.attempt() + 1)), "release " + b);
  }

  @Override
  public int prune(LocalDate before) throws IOException {
    Objects.requireNonNull(before, "before");
    RedisClusterAsyncCommands<String, String> c = link.commands();
    Set<ReportDay> pruned = new HashSet<>();
    List<CompletionStage<Long>> deletes = new ArrayList<>();
    scan(prefix + "{*}:*", key -> {
      int close = key.lastIndexOf("}:");
      ReportDay day = close < 0 ? null : parse(key, key.substring(close + 1));
      if (day != null && day.day().isBefore(before)) {
        pruned.add(day);
        deletes.add(c.del(key));
      }
    });
    for (CompletionStage<Long> d : deletes) {
      link.await(d, "DEL");
    }
    return pruned.size();
  }

  /**
   * Returns a short description: the server (without password) and the key prefix.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "RedisReportStore{" + link.description() + ", keys " + prefix + "*}";
  }
}
