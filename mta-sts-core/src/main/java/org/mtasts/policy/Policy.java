package org.mtasts.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.mtasts.internal.text.Texts;

/**
 * An MTA-STS policy (RFC 8461 §3.2): version {@code STSv1}, a {@link Mode}, the {@code mx}
 * patterns, {@code max_age} and any extension fields.
 *
 * <p>Instances are immutable and thread-safe. They come from the strict parser ({@link
 * #parse(CharSequence)}, {@link #parseDetailed(CharSequence)}) or from a {@link #builder()};
 * either way a {@code Policy} always satisfies the rules a parsed policy satisfies: an {@code
 * enforce} or {@code testing} policy has at least one {@code mx} pattern, there are at most
 * {@value #MAX_MX_PATTERNS} patterns, {@code max_age} is between 0 and {@link #MAX_AGE_LIMIT},
 * and extension names and values follow the grammar. So {@code parse(p.render())} equals {@code
 * p} for every policy {@code p}.
 *
 * <p><b>Patterns.</b> {@link #mxPatterns()} keeps the order of the policy text. A pattern that
 * repeats an earlier one (same normalised text) is dropped, with a warning when parsing, so two
 * policies that differ only by a repeated {@code mx} line are equal.
 *
 * <p><b>Equality</b> is by value: mode, patterns (in order), {@code max_age} and extensions (as a
 * map; order does not matter). The raw text and the parser's warnings are not part of a {@code
 * Policy}; see {@link ParsedPolicy} for those.
 */
public final class Policy {

  /** The only policy version this library knows, {@value}. */
  public static final String VERSION = "STSv1";

  /**
   * The largest {@code max_age} RFC 8461 §3.2 allows, 31 557 600 seconds (about one year); larger
   * values in policy text are capped to it with a warning (project decision D-10).
   */
  public static final Duration MAX_AGE_LIMIT = Duration.ofSeconds(31_557_600L);

  /**
   * The most {@code mx} lines a policy may have (SEC-15); a policy with more is rejected, to bound
   * memory and matching time.
   */
  public static final int MAX_MX_PATTERNS = 1000;

  private final Mode mode;
  private final List<MxPattern> mxPatterns;
  // Seconds rather than a Duration: 24 bytes less for each of a million cached policies.
  private final long maxAgeSeconds;
  private final Map<String, String> extensions;

  /** Trusted constructor: the arguments have been validated by the parser or the builder. */
  Policy(Mode mode, List<MxPattern> mxPatterns, Duration maxAge, Map<String, String> extensions) {
    this.mode = mode;
    this.mxPatterns = List.copyOf(mxPatterns);
    this.maxAgeSeconds = maxAge.getSeconds();
    // Most policies have no extension; Map.of() costs a cached policy nothing (issue 8, memory).
    this.extensions =
        extensions.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
  }

  /**
   * Parses policy text strictly, as served at {@code /.well-known/mta-sts.txt} and decoded as
   * UTF-8, and returns the policy alone. Warnings are discarded; use {@link
   * #parseDetailed(CharSequence)} to see them.
   *
   * <p>The rules are those of {@link #parseDetailed(CharSequence)}.
   *
   * @param text the policy body
   * @return the policy
   * @throws PolicySyntaxException if the policy is invalid; it carries the line and field
   * @throws NullPointerException if {@code text} is null
   */
  public static Policy parse(CharSequence text) throws PolicySyntaxException {
    return parseDetailed(text).policy();
  }

  /**
   * Parses policy text strictly and returns the policy with the parser's warnings and the lines
   * of the text.
   *
   * <p>What is accepted (RFC 8461 §3.2 and the project decisions D-08 to D-14):
   *
   * <ul>
   *   <li>Lines end with LF or CRLF, mixed freely; the last line may lack a terminator. A CR not
   *       followed by LF is not a terminator and makes the policy invalid.
   *   <li>Each non-blank line is {@code name:value}. Spaces and tabs may follow the colon and end
   *       the line; none may precede the name or sit between the name and the colon. A line
   *       without a colon (such as a {@code #} comment) is invalid. Empty or whitespace-only
   *       lines are skipped with a warning.
   *   <li>Field names and the values of {@code version} and {@code mode} are case-sensitive:
   *       {@code Mode:} is an extension, {@code mode: Enforce} is invalid.
   *   <li>{@code version} ({@code STSv1}), {@code mode} and {@code max_age} are required; only
   *       the first occurrence of each counts and later ones are ignored without validation, with
   *       a warning. The same holds for each extension name.
   *   <li>{@code max_age} is 1 to 10 ASCII digits (leading zeros allowed, 0 allowed); a value
   *       above {@link #MAX_AGE_LIMIT} is capped with a warning.
   *   <li>Every {@code mx} line counts. A value that is not a valid {@link MxPattern} is ignored
   *       with a warning; at least one valid pattern must remain unless the mode is {@code
   *       none}; more than {@value #MAX_MX_PATTERNS} {@code mx} lines make the policy invalid.
   *   <li>Other names are extensions: a letter or digit then up to 31 letters, digits, {@code
   *       _}, {@code -} or {@code .}; the value is non-empty text without control characters or
   *       tabs. They are kept but have no effect.
   *   <li>Control characters (C0, DEL, C1) and unpaired surrogates are invalid anywhere. U+FFFD
   *       is accepted as an ordinary character in extension values: strict UTF-8 decoding is the
   *       fetcher's job, and an undecodable byte in {@code version}, {@code mode}, {@code
   *       max_age} or {@code mx} already fails those fields' own rules.
   *   <li>A leading byte-order mark (U+FEFF) is removed and the policy accepted, with a warning
   *       (project decision D-13).
   * </ul>
   *
   * <p>Parsing is linear in the length of the text; it does no I/O and does not log.
   *
   * @param text the policy body, decoded as UTF-8
   * @return the policy with its warnings and lines
   * @throws PolicySyntaxException if the policy is invalid; it carries the line and field
   * @throws NullPointerException if {@code text} is null
   */
  public static ParsedPolicy parseDetailed(CharSequence text) throws PolicySyntaxException {
    return PolicyParser.parse(Objects.requireNonNull(text, "text"));
  }

  /**
   * Splits policy text into lines the way the parser does: LF and CRLF terminate a line (the
   * terminators are removed), a bare CR does not, the final terminator does not start an extra
   * empty line, and a leading byte-order mark is removed. Blank lines and trailing whitespace are
   * kept. This is the TLS-RPT {@code policy-string} (RFC 8460 §4.4), also for a policy that failed
   * to parse.
   *
   * @param text the policy body
   * @return the lines, unmodifiable
   * @throws NullPointerException if {@code text} is null
   */
  public static List<String> splitLines(CharSequence text) {
    return PolicyParser.splitLines(text.toString());
  }

  /**
   * Returns a builder for a policy written by a program. Nothing is set initially.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder preset with this policy's values.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.mode = mode;
    b.mx.addAll(mxPatterns);
    b.maxAge = maxAge();
    b.extensions.putAll(extensions);
    return b;
  }

  /**
   * Returns the policy version, always {@value #VERSION}.
   *
   * @return {@value #VERSION}
   */
  public String version() {
    return VERSION;
  }

  /**
   * Returns the policy mode.
   *
   * @return the mode
   */
  public Mode mode() {
    return mode;
  }

  /**
   * Returns the {@code mx} patterns in the order of the policy text, without repeats. Empty only
   * when the mode is {@link Mode#NONE}.
   *
   * @return the patterns, unmodifiable
   */
  public List<MxPattern> mxPatterns() {
    return mxPatterns;
  }

  /**
   * Returns {@code max_age}: how long the policy may be cached, already capped at {@link
   * #MAX_AGE_LIMIT}. Zero is valid and means "apply to the current delivery only" (D-09).
   *
   * @return the maximum age, whole seconds between 0 and {@link #MAX_AGE_LIMIT}
   */
  public Duration maxAge() {
    return Duration.ofSeconds(maxAgeSeconds);
  }

  /**
   * Returns the extension fields (names not registered by RFC 8461) with their first values, in
   * the order they appeared. They have no effect on the policy.
   *
   * @return the extensions, unmodifiable, ordered
   */
  public Map<String, String> extensions() {
    return extensions;
  }

  /**
   * Tells whether any {@code mx} pattern matches {@code mxHost} (RFC 8461 §4.1); see {@link
   * MxPattern#matches(String)}. The mode is not considered: what a mismatch means (refuse,
   * report, nothing) is the caller's decision. For an ASCII host name this allocates nothing.
   *
   * @param mxHost an MX host name, any case, with or without a trailing dot
   * @return whether a pattern matches
   * @throws NullPointerException if {@code mxHost} is null
   */
  public boolean allowsMx(String mxHost) {
    return indexOfMatch(mxHost) >= 0;
  }

  /**
   * Returns the first pattern that matches {@code mxHost}, if any; see {@link
   * #allowsMx(String)}.
   *
   * @param mxHost an MX host name, any case, with or without a trailing dot
   * @return the first matching pattern, or empty
   * @throws NullPointerException if {@code mxHost} is null
   */
  public Optional<MxPattern> matchingPattern(String mxHost) {
    int i = indexOfMatch(mxHost);
    return i < 0 ? Optional.empty() : Optional.of(mxPatterns.get(i));
  }

  private int indexOfMatch(String mxHost) {
    int len = mxHost.length();
    if (len > 0 && mxHost.charAt(len - 1) == '.') {
      len--;
    }
    List<MxPattern> patterns = mxPatterns;
    for (int i = 0, n = patterns.size(); i < n; i++) {
      if (patterns.get(i).matchesAscii(mxHost, len)) {
        return i;
      }
    }
    if (!MxPattern.hasNonAscii(mxHost)) {
      return -1;
    }
    String converted = MxPattern.convertOrNull(mxHost);
    if (converted == null) {
      return -1;
    }
    for (int i = 0, n = patterns.size(); i < n; i++) {
      if (patterns.get(i).matchesAscii(converted, converted.length())) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Returns canonical policy text: {@code version}, {@code mode}, one {@code mx} line per
   * pattern, {@code max_age}, then the extensions, each line {@code name: value} ended by CRLF.
   * Parsing the result gives a policy equal to this one; the only warnings it can produce are
   * about the patterns themselves ({@link PolicyWarning.Kind#MX_TOP_LEVEL_WILDCARD}, {@link
   * PolicyWarning.Kind#MX_LOOKS_LIKE_ADDRESS}), never about the formatting.
   *
   * @return the policy text
   */
  public String render() {
    StringBuilder b = new StringBuilder(64 + 32 * mxPatterns.size());
    b.append("version: ").append(VERSION).append("\r\n");
    b.append("mode: ").append(mode.token()).append("\r\n");
    for (MxPattern p : mxPatterns) {
      b.append("mx: ").append(p).append("\r\n");
    }
    b.append("max_age: ").append(maxAgeSeconds).append("\r\n");
    for (Map.Entry<String, String> e : extensions.entrySet()) {
      b.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
    }
    return b.toString();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Policy)) {
      return false;
    }
    Policy p = (Policy) o;
    return mode == p.mode
        && maxAgeSeconds == p.maxAgeSeconds
        && mxPatterns.equals(p.mxPatterns)
        && extensions.equals(p.extensions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, mxPatterns, maxAgeSeconds, extensions);
  }

  /**
   * Returns a one-line summary such as {@code Policy{mode=enforce, mx=[mx1.example.com,
   * *.example.net], max_age=86400}}; extension values are quoted and escaped.
   */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Policy{mode=").append(mode.token());
    b.append(", mx=").append(mxPatterns);
    b.append(", max_age=").append(maxAgeSeconds);
    if (!extensions.isEmpty()) {
      b.append(", extensions={");
      String sep = "";
      for (Map.Entry<String, String> e : extensions.entrySet()) {
        b.append(sep).append(e.getKey()).append('=').append(Texts.quote(e.getValue()));
        sep = ", ";
      }
      b.append('}');
    }
    return b.append('}').toString();
  }

  /**
   * Builds a {@link Policy} in code. Each setter validates its argument at once and names the bad
   * value in the exception; {@link #build()} checks the combination. Repeated patterns are
   * dropped. Not thread-safe; a builder may be reused after {@code build()}.
   */
  public static final class Builder {

    private Mode mode;
    private final Set<MxPattern> mx = new LinkedHashSet<>();
    private Duration maxAge;
    private final Map<String, String> extensions = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Sets the mode.
     *
     * @param mode the mode
     * @return this builder
     * @throws NullPointerException if {@code mode} is null
     */
    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * Adds an {@code mx} pattern, parsed with {@link MxPattern#parse(String)}. A pattern equal to
     * one already added is ignored.
     *
     * @param pattern the pattern text, e.g. {@code *.example.net}
     * @return this builder
     * @throws InvalidDomainException if {@code pattern} is not a valid pattern
     * @throws IllegalStateException if {@value #MAX_MX_PATTERNS} patterns were already added
     * @throws NullPointerException if {@code pattern} is null
     */
    public Builder mx(String pattern) {
      return mx(MxPattern.parse(pattern));
    }

    /**
     * Adds an {@code mx} pattern. A pattern equal to one already added is ignored.
     *
     * @param pattern the pattern
     * @return this builder
     * @throws IllegalStateException if {@value #MAX_MX_PATTERNS} patterns were already added
     * @throws NullPointerException if {@code pattern} is null
     */
    public Builder mx(MxPattern pattern) {
      Objects.requireNonNull(pattern, "pattern");
      if (!mx.contains(pattern) && mx.size() >= MAX_MX_PATTERNS) {
        throw new IllegalStateException(
            "a policy has at most " + MAX_MX_PATTERNS + " mx patterns; cannot add " + pattern);
      }
      mx.add(pattern);
      return this;
    }

    /**
     * Removes all {@code mx} patterns added so far.
     *
     * @return this builder
     */
    public Builder clearMx() {
      mx.clear();
      return this;
    }

    /**
     * Sets {@code max_age}.
     *
     * @param maxAge whole seconds from 0 to {@link #MAX_AGE_LIMIT}
     * @return this builder
     * @throws IllegalArgumentException if {@code maxAge} is negative, above the limit or not a
     *     whole number of seconds
     * @throws NullPointerException if {@code maxAge} is null
     */
    public Builder maxAge(Duration maxAge) {
      Objects.requireNonNull(maxAge, "maxAge");
      if (maxAge.isNegative() || maxAge.compareTo(MAX_AGE_LIMIT) > 0 || maxAge.getNano() != 0) {
        throw new IllegalArgumentException(
            "max_age must be whole seconds from 0 to "
                + MAX_AGE_LIMIT.getSeconds()
                + ", got "
                + maxAge);
      }
      this.maxAge = maxAge;
      return this;
    }

    /**
     * Adds an extension field.
     *
     * @param name a letter or digit, then up to 31 letters, digits, {@code _}, {@code -} or
     *     {@code .}; not one of {@code version}, {@code mode}, {@code max_age}, {@code mx}
     * @param value non-empty text without control characters or tabs, not starting or ending
     *     with a space
     * @return this builder
     * @throws IllegalArgumentException if the name or value is invalid, or the name was already
     *     added
     * @throws NullPointerException if {@code name} or {@code value} is null
     */
    public Builder extension(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      String error = Texts.extensionNameError(name);
      if (error == null && PolicyParser.isRegisteredName(name)) {
        error = "'" + name + "' is a registered field, not an extension";
      }
      if (error == null) {
        error = PolicyParser.extensionValueError(value);
      }
      if (error == null && extensions.containsKey(name)) {
        error = "extension '" + name + "' was already added";
      }
      if (error != null) {
        throw new IllegalArgumentException("invalid extension " + Texts.quote(name) + ": " + error);
      }
      extensions.put(name, value);
      return this;
    }

    /**
     * Removes all extensions added so far.
     *
     * @return this builder
     */
    public Builder clearExtensions() {
      extensions.clear();
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return a new immutable policy
     * @throws IllegalStateException if the mode or {@code max_age} is not set, or the mode is
     *     {@code enforce} or {@code testing} and no {@code mx} pattern was added
     */
    public Policy build() {
      if (mode == null) {
        throw new IllegalStateException("mode is required");
      }
      if (maxAge == null) {
        throw new IllegalStateException("max_age is required");
      }
      if (mode != Mode.NONE && mx.isEmpty()) {
        throw new IllegalStateException(
            "mode " + mode.token() + " needs at least one mx pattern");
      }
      return new Policy(mode, new ArrayList<>(mx), maxAge, extensions);
    }
  }
}
