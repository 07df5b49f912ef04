package org.mtasts.fuzz;

import static org.mtasts.fuzz.Checks.assertLogSafe;
import static org.mtasts.fuzz.Checks.check;
import static org.mtasts.fuzz.Checks.checkEqual;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;
import org.mtasts.policy.Mode;
import org.mtasts.policy.MxPattern;
import org.mtasts.policy.ParsedPolicy;
import org.mtasts.policy.Policy;
import org.mtasts.policy.PolicySyntaxException;
import org.mtasts.policy.PolicyWarning;

/**
 * Fuzz targets for the policy body parser ({@link Policy#parseDetailed}, RFC 8461 §3.2) and for
 * the host-name and {@code mx} pattern parsers it relies on ({@link DomainNames}, {@link
 * MxPattern}).
 *
 * <p>Expected exceptions: {@link PolicySyntaxException} from the policy parser, {@link
 * InvalidDomainException} from {@code DomainNames.normalize} and {@code MxPattern.parse}. Anything
 * else thrown (including any other {@code IllegalArgumentException}, an {@code Error}, or a
 * timeout) is a finding. The seeds are in {@code PolicyFuzzTestInputs/<method>/}.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS) // in fuzzing mode: libFuzzer's -timeout per input
class PolicyFuzzTest {

  /** The warnings a rendered policy may still get: they are about patterns, not formatting. */
  private static final Set<PolicyWarning.Kind> CONTENT_WARNINGS =
      EnumSet.of(
          PolicyWarning.Kind.MX_TOP_LEVEL_WILDCARD, PolicyWarning.Kind.MX_LOOKS_LIKE_ADDRESS);

  /**
   * {@code PolicyParser.MAX_WARNINGS} (100) plus the blank-lines summary and the "further warnings
   * were dropped" entry.
   */
  private static final int MAX_WARNINGS_REPORTED = 102;

  /** How many patterns are matched against themselves per input, to bound the time per input. */
  private static final int MATCHED_PATTERNS = 32;

  /** A policy body as the fetcher sees it: the bytes decoded as UTF-8. */
  @FuzzTest
  void policyUtf8(byte[] input) {
    checkPolicy(Checks.utf8(input));
  }

  /**
   * A policy body as an API caller can pass it: any {@code char} sequence, unpaired surrogates
   * and C1 controls included (the input is read as UTF-16BE).
   */
  @FuzzTest
  void policyUtf16(byte[] input) {
    checkPolicy(Checks.utf16(input));
  }

  /**
   * A host name as DNS, a configuration or an API caller gives it: normalised, parsed as an
   * {@code mx} pattern, and matched against patterns.
   */
  @FuzzTest
  void hostNames(byte[] input) {
    String name = Checks.utf8(input);
    try {
      String normalized = DomainNames.normalize(name);
      check(DomainNames.isNormalized(normalized), "normalize gave a non-normalised name");
      check(normalized.length() <= DomainNames.MAX_NAME_LENGTH, "normalised name too long");
      check(DomainNames.normalize(normalized) == normalized, "normalize is not idempotent");
      assertLogSafe("normalised name", normalized);
    } catch (InvalidDomainException e) {
      checkInvalidDomain(name, e);
    }
    try {
      MxPattern pattern = MxPattern.parse(name);
      assertLogSafe("MxPattern.toString", pattern.toString());
      checkEqual("MxPattern re-parsed", pattern, MxPattern.parse(pattern.toString()));
      if (!pattern.isWildcard()) {
        check(pattern.matches(pattern.toString()), () -> pattern + " does not match itself");
      }
    } catch (InvalidDomainException e) {
      checkInvalidDomain(name, e);
    }
    // Matching must take any MX host name without throwing (SEC-26: A-labels only).
    for (MxPattern p : FIXED_PATTERNS) {
      p.matches(name);
    }
    FIXED_POLICY.allowsMx(name);
    FIXED_POLICY.matchingPattern(name);
  }

  private static final List<MxPattern> FIXED_PATTERNS =
      List.of(
          MxPattern.parse("mail.example.com"),
          MxPattern.parse("*.example.net"),
          MxPattern.parse("*.xn--bcher-kva.example"),
          MxPattern.parse("192.0.2.1"));

  private static final Policy FIXED_POLICY =
      Policy.builder()
          .mode(Mode.ENFORCE)
          .mx(FIXED_PATTERNS.get(0))
          .mx(FIXED_PATTERNS.get(1))
          .mx(FIXED_PATTERNS.get(2))
          .maxAge(java.time.Duration.ofDays(1))
          .build();

  private static void checkInvalidDomain(String input, InvalidDomainException e) {
    assertLogSafe("InvalidDomainException message", e.getMessage());
    assertLogSafe("InvalidDomainException reason", e.reason());
    checkEqual("InvalidDomainException input", input, e.input());
  }

  static void checkPolicy(String text) {
    ParsedPolicy parsed;
    try {
      parsed = Policy.parseDetailed(text);
    } catch (PolicySyntaxException e) {
      checkRejection(text, e);
      return;
    }
    Policy p = parsed.policy();

    // The invariants of the Policy documentation.
    check(
        p.mode() == Mode.NONE || !p.mxPatterns().isEmpty(),
        () -> "enforce/testing without mx: " + p);
    check(p.mxPatterns().size() <= Policy.MAX_MX_PATTERNS, "too many patterns");
    check(p.mxPatterns().stream().distinct().count() == p.mxPatterns().size(), "repeated mx");
    check(
        !p.maxAge().isNegative() && p.maxAge().compareTo(Policy.MAX_AGE_LIMIT) <= 0,
        () -> "max_age out of range: " + p.maxAge());
    for (Map.Entry<String, String> e : p.extensions().entrySet()) {
      checkExtension(e.getKey(), e.getValue());
    }
    checkEqual("lines", Policy.splitLines(text), parsed.lines());
    check(parsed.warnings().size() <= MAX_WARNINGS_REPORTED, "unbounded warnings");

    // SEC-20: everything the library derives from the text is safe to log.
    assertLogSafe("Policy.toString", p.toString());
    assertLogSafe("ParsedPolicy.toString", parsed.toString());
    for (PolicyWarning w : parsed.warnings()) {
      assertLogSafe("PolicyWarning", w.toString());
    }

    // Deterministic.
    ParsedPolicy again = parseAccepted(text, "the same text, parsed again");
    checkEqual("policy parsed twice", p, again.policy());
    checkEqual("warnings parsed twice", parsed.warnings(), again.warnings());

    // render() and parse() are inverse; render() is canonical.
    String rendered = p.render();
    ParsedPolicy reparsed = parseAccepted(rendered, "render() of an accepted policy");
    checkEqual("parse(render(p))", p, reparsed.policy());
    checkEqual("render(parse(render(p)))", rendered, reparsed.policy().render());
    for (PolicyWarning w : reparsed.warnings()) {
      check(
          CONTENT_WARNINGS.contains(w.kind()),
          () -> "render() produced a formatting warning: " + w);
    }
    checkEqual("toBuilder().build()", p, p.toBuilder().build());

    // Every exact pattern matches its own name; every wildcard one label below its domain.
    List<MxPattern> patterns = p.mxPatterns();
    for (int i = 0; i < Math.min(patterns.size(), MATCHED_PATTERNS); i++) {
      MxPattern m = patterns.get(i);
      String host = m.isWildcard() ? "x." + m.domain() : m.toString();
      if (host.length() <= DomainNames.MAX_NAME_LENGTH) {
        check(p.allowsMx(host), () -> p + " does not allow " + host);
        check(p.allowsMx(host + "."), () -> p + " does not allow " + host + ".");
      }
    }
  }

  private static ParsedPolicy parseAccepted(String text, String what) {
    try {
      return Policy.parseDetailed(text);
    } catch (PolicySyntaxException e) {
      throw new AssertionError(what + " was rejected: " + e.getMessage(), e);
    }
  }

  private static void checkRejection(String text, PolicySyntaxException e) {
    assertLogSafe("PolicySyntaxException message", e.getMessage());
    check(e.getMessage().endsWith(e.reason()), "message does not end with the reason");
    check(
        e.line() >= 0 && e.line() <= Policy.splitLines(text).size(),
        () -> "line " + e.line() + " out of range");
    try {
      Policy.parseDetailed(text);
      throw new AssertionError("rejected once, accepted the second time: " + e.getMessage());
    } catch (PolicySyntaxException again) {
      checkEqual("rejection message, parsed twice", e.getMessage(), again.getMessage());
    }
  }

  /** RFC 8461 §3.2 extension fields, as the Policy documentation states them. */
  private static void checkExtension(String name, String value) {
    check(
        Checks.isExtensionName(name),
        () -> "extension name outside the grammar: " + Checks.escape(name));
    check(!value.isEmpty(), () -> "empty extension value for " + name);
    check(
        value.charAt(0) != ' ' && value.charAt(value.length() - 1) != ' ',
        "extension value with outer space");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      check(
          c >= 0x20 && c != 0x7F && !(c >= 0x80 && c <= 0x9F),
          () -> "extension value with a control character: " + Checks.escape(value));
      if (Character.isHighSurrogate(c)) {
        check(
            i + 1 < value.length() && Character.isLowSurrogate(value.charAt(++i)),
            () -> "extension value with an unpaired surrogate: " + Checks.escape(value));
      } else {
        check(
            !Character.isLowSurrogate(c),
            () -> "unpaired low surrogate: " + Checks.escape(value));
      }
    }
  }
}
