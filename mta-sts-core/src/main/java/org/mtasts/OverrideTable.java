package org.mtasts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.mtasts.policy.Mode;
import org.mtasts.policy.Policy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local policy overrides of one client (issue 17 item 4): which rule applies to a domain,
 * what it makes of a lookup, and the report of every rule in effect, once per domain and UTC day
 * (INFO, WARN for an exemption, and {@link MtaStsListener#overrideApplied}). A table read from a
 * file is read again when the file changes (checked at most once a second by the client's
 * clock); a file that no longer parses keeps the rules read before. Thread-safe.
 */
final class OverrideTable {
  private static final Logger log = LoggerFactory.getLogger(MtaSts.class);

  /** How often a lookup may look at the file's modification time. */
  static final long FILE_CHECK_MILLIS = 1000;

  /** Report keys kept at most: a wildcard rule may match any number of subdomains. */
  static final int MAX_REPORTED = 10_000;

  private final Clock clock;
  private final MtaStsListener listener;
  private final Path file; // null for a table given as a value
  private volatile PolicyOverrides current;
  private volatile long nextCheckMillis;
  private FileTime seenModified; // guarded by this
  private long seenSize = -1; // guarded by this
  private final ConcurrentHashMap<String, LocalDate> reported = new ConcurrentHashMap<>();

  private OverrideTable(Clock clock, MtaStsListener listener, Path file,
      PolicyOverrides overrides) {
    this.clock = clock;
    this.listener = listener;
    this.file = file;
    this.current = overrides;
  }

  /** A fixed table. */
  static OverrideTable of(PolicyOverrides overrides, Clock clock, MtaStsListener listener) {
    return new OverrideTable(clock, listener, null, overrides);
  }

  /**
   * A table read from {@code file} now, and again whenever the file changes.
   *
   * @throws UncheckedIOException if the file cannot be read now
   * @throws PolicyOverrides.SyntaxException if it does not parse now
   */
  static OverrideTable watching(Path file, Clock clock, MtaStsListener listener) {
    OverrideTable t = new OverrideTable(clock, listener, file, PolicyOverrides.none());
    synchronized (t) {
      try {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        t.current = PolicyOverrides.read(file);
        t.seenModified = a.lastModifiedTime();
        t.seenSize = a.size();
      } catch (IOException e) {
        // Fail closed: a client must not start without the overrides the operator named.
        throw new UncheckedIOException("cannot read the MTA-STS overrides file " + file + ": "
            + e.getMessage(), e);
      }
      t.nextCheckMillis = clock.millis() + FILE_CHECK_MILLIS;
    }
    log.info("MTA-STS overrides read from {}: {} rule(s)", file, t.current.rules().size());
    return t;
  }

  /** The rule in force for a normalised domain, or null: one volatile read when there is none. */
  PolicyOverrides.Rule ruleFor(String d) {
    if (file != null && clock.millis() >= nextCheckMillis) {
      reloadIfChanged();
    }
    PolicyOverrides o = current;
    if (o.isEmpty()) {
      return null;
    }
    PolicyOverrides.Rule rule = o.find(d).orElse(null);
    // An exemption past its expiry is gone: the published policy applies again.
    return rule != null && rule.isInForceAt(clock.instant()) ? rule : null;
  }

  private synchronized void reloadIfChanged() {
    long now = clock.millis();
    if (now < nextCheckMillis) {
      return;
    }
    nextCheckMillis = now + FILE_CHECK_MILLIS;
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException e) {
      if (seenSize != -2) {
        log.warn("MTA-STS overrides file {} cannot be read ({}); keeping its {} rule(s) read"
            + " before", file, e.toString(), current.rules().size());
        seenSize = -2; // once, until it can be read again
      }
      return;
    }
    if (a.lastModifiedTime().equals(seenModified) && a.size() == seenSize) {
      return;
    }
    seenModified = a.lastModifiedTime();
    seenSize = a.size();
    try {
      PolicyOverrides fresh = PolicyOverrides.read(file);
      if (!fresh.equals(current)) {
        current = fresh;
        reported.clear(); // new rules are reported anew
        log.info("MTA-STS overrides read again from {}: {} rule(s)", file, fresh.rules().size());
      }
    } catch (IOException | IllegalArgumentException e) {
      // Never weaken silently: a broken edit must not drop a require-tls rule.
      log.warn("MTA-STS overrides file {} changed but cannot be used ({}); keeping its {}"
          + " rule(s) read before", file, e.getMessage(), current.rules().size());
    }
  }

  /** What {@code rule} makes of the lookup of its domain; reports the rule (once a day). */
  PolicyLookup apply(PolicyLookup lookup, PolicyOverrides.Rule rule) {
    String d = lookup.domain();
    report(d, rule);
    switch (rule.action()) {
      case TREAT_TESTING_AS_ENFORCE:
        return lookup.mode().orElse(null) == Mode.TESTING
            ? lookup.asEnforced(rule) : lookup.withOverride(rule);
      case EXEMPT:
        // Issue 17: the operator's bypass, until its expiry; reported at WARN (report above).
        return PolicyLookup.failed(d, PolicyLookup.Status.NO_POLICY, null, false)
            .withOverride(rule);
      default:
        return lookup.withOverride(rule);
    }
  }

  /** The lookup of a domain whose policy is pinned: no DNS, no HTTPS. */
  PolicyLookup pinned(String d, PolicyOverrides.Rule rule) {
    report(d, rule);
    Policy p = rule.pinnedPolicy().orElseThrow();
    Instant now = clock.instant();
    CachedPolicy cached = new CachedPolicy(d, "pinned", p, now, now.plus(p.maxAge()));
    return PolicyLookup.valid(PolicyLookup.Source.PINNED, cached, List.of(), null)
        .withOverride(rule);
  }

  private void report(String d, PolicyOverrides.Rule rule) {
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    String key = d + ' ' + rule;
    if (today.equals(reported.put(key, today))) {
      return;
    }
    if (reported.size() > MAX_REPORTED) {
      reported.clear(); // at worst a rule is reported twice in a day
    }
    if (rule.weakens()) {
      log.warn("MTA-STS override in effect for {}: {} (rule {}): no MTA-STS policy is applied to"
          + " it until {}", d, rule.action().token(), rule.domain(),
          rule.expiresAt().orElseThrow());
    } else {
      log.info("MTA-STS override in effect for {}: {} (rule {})", d, rule.action().token(),
          rule.domain());
    }
    MtaStsListener.fire(listener, l -> l.overrideApplied(d, rule));
  }

  @Override
  public String toString() {
    return "OverrideTable{" + (file != null ? file + ", " : "") + current + "}";
  }
}
