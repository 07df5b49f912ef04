package org.mtasts.policy;

import java.util.List;
import java.util.Objects;

/**
 * The result of {@link Policy#parseDetailed(CharSequence)}: the policy, the warnings the parser
 * found, and the text's lines.
 *
 * <p>Immutable and thread-safe.
 */
public final class ParsedPolicy {

  private final Policy policy;
  private final List<PolicyWarning> warnings;
  private final List<String> lines;

  ParsedPolicy(Policy policy, List<PolicyWarning> warnings, List<String> lines) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.warnings = List.copyOf(warnings);
    this.lines = List.copyOf(lines);
  }

  /**
   * Returns the parsed policy.
   *
   * @return the policy
   */
  public Policy policy() {
    return policy;
  }

  /**
   * Returns what the parser accepted but would like the publisher to fix, ordered by line (a
   * {@link PolicyWarning.Kind#TOO_MANY_WARNINGS} entry, if any, comes last).
   *
   * @return the warnings, unmodifiable, possibly empty
   */
  public List<PolicyWarning> warnings() {
    return warnings;
  }

  /**
   * Returns the lines of the policy exactly as served, terminators removed (see {@link
   * Policy#splitLines(CharSequence)}): the TLS-RPT {@code policy-string} (RFC 8460 §4.4).
   *
   * @return the lines, unmodifiable
   */
  public List<String> lines() {
    return lines;
  }

  @Override
  public String toString() {
    return "ParsedPolicy{" + policy + ", warnings=" + warnings + "}";
  }
}
