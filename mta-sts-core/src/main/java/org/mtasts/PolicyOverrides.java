package org.mtasts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;
import org.mtasts.policy.Mode;
import org.mtasts.policy.Policy;
import org.mtasts.policy.PolicySyntaxException;

/**
 * A small table of local decisions that replace or sharpen what recipient domains publish, for
 * operators who must step in: when a domain breaks its own MTA-STS set-up, or when a partner must
 * be reached over verified TLS whatever it publishes. Each {@link Rule} names a domain ({@code
 * example.com}) or all subdomains of one ({@code *.example.com}, any depth, not {@code
 * example.com} itself) and one {@link Action}. A domain's own rule wins over a wildcard; of two
 * wildcards, the longer one wins. Immutable and thread-safe; give it to {@link
 * MtaSts.Builder#overrides(PolicyOverrides)}.
 *
 * <p>The file format ({@link #parse}, {@link #read}) has one rule a line, {@code #} comments and
 * blank lines:
 *
 * <pre>
 * # DOMAIN           ACTION [ARGUMENTS]
 * partner.example    require-tls
 * *.corp.example     treat-testing-as-enforce
 * broken.example     exempt until 2026-12-31T00:00:00Z
 * legacy.example     pinned mode: enforce; mx: mx1.legacy.example; max_age: 604800
 * </pre>
 *
 * <p>Overrides never weaken anything silently: {@code exempt} needs an expiry instant after which
 * the published policy applies again, and every rule in effect is reported by the client once a
 * day per domain ({@link MtaStsListener#overrideApplied}), an {@code exempt} at WARN.
 */
public final class PolicyOverrides {
  /** Largest overrides file {@link #read} accepts. */
  public static final int MAX_FILE_BYTES = 1 << 20;

  private static final PolicyOverrides NONE = new PolicyOverrides(Map.of());

  /** What a rule does. */
  public enum Action {
    /** Apply the domain's policy as published: the default, to exclude a domain from a wildcard. */
    ENFORCE_AS_PUBLISHED("enforce-as-published"),
    /** Apply a published {@code testing} policy as if it said {@code enforce}. */
    TREAT_TESTING_AS_ENFORCE("treat-testing-as-enforce"),
    /**
     * Require STARTTLS with a certificate valid for the MX host, even when the domain publishes no
     * policy (or {@code none}, or {@code testing}); an {@code enforce} policy still applies as
     * published, MX patterns included.
     */
    REQUIRE_TLS("require-tls"),
    /**
     * Apply no MTA-STS policy to the domain until {@link Rule#expiresAt()}: deliver as without a
     * policy. A bypass for incidents; it must expire, and it is logged at WARN.
     */
    EXEMPT("exempt"),
    /** Apply {@link Rule#pinnedPolicy()} instead of looking the policy up in DNS and HTTPS. */
    PINNED("pinned");

    private final String token;

    Action(String token) {
      this.token = token;
    }

    /** The name in the file format, e.g. {@code require-tls}. */
    public String token() {
      return token;
    }
  }

  /**
   * One row of the table.
   *
   * @param domain the normalised domain, or {@code *.} and a normalised domain
   * @param action what the rule does
   * @param expiresAt for {@link Action#EXEMPT}: when the bypass ends; empty for the others
   * @param pinnedPolicy for {@link Action#PINNED}: the policy applied; empty for the others
   */
  public record Rule(String domain, Action action, Optional<Instant> expiresAt,
      Optional<Policy> pinnedPolicy) {
    /**
     * Validates the components.
     *
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if an {@code exempt} rule has no expiry, a {@code pinned}
     *     rule no policy, or another rule either of them
     */
    public Rule {
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(expiresAt, "expiresAt");
      Objects.requireNonNull(pinnedPolicy, "pinnedPolicy");
      if ((action == Action.EXEMPT) != expiresAt.isPresent()) {
        throw new IllegalArgumentException(action == Action.EXEMPT
            ? "exempt " + domain + " needs an expiry: a bypass must end"
            : "only exempt rules have an expiry: " + domain + " " + action.token());
      }
      if ((action == Action.PINNED) != pinnedPolicy.isPresent()) {
        throw new IllegalArgumentException(action == Action.PINNED
            ? "pinned " + domain + " needs a policy"
            : "only pinned rules have a policy: " + domain + " " + action.token());
      }
    }

    /** Whether this rule is in force at {@code now}: an {@code exempt} rule ends at its expiry. */
    public boolean isInForceAt(Instant now) {
      return expiresAt.map(now::isBefore).orElse(true);
    }

    /** Whether the rule lowers protection below what the domain publishes ({@code exempt}). */
    public boolean weakens() {
      return action == Action.EXEMPT;
    }

    /** The rule as a line of the file format. */
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder(domain).append(' ').append(action.token());
      expiresAt.ifPresent(t -> b.append(" until ").append(t));
      pinnedPolicy.ifPresent(p -> b.append(' ').append(oneLine(p)));
      return b.toString();
    }
  }

  /** A line of an overrides file that cannot be read, with its number. */
  public static final class SyntaxException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int line;

    SyntaxException(int line, String message) {
      super("line " + line + ": " + message);
      this.line = line;
    }

    /** The number of the bad line, from 1. */
    public int line() {
      return line;
    }
  }

  private final Map<String, Rule> rules; // by domain pattern, in the order given

  private PolicyOverrides(Map<String, Rule> rules) {
    this.rules = rules;
  }

  /** The empty table: every domain's policy applies as published. */
  public static PolicyOverrides none() {
    return NONE;
  }

  /**
   * Starts a builder.
   *
   * @return an empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Parses the file format (see the class documentation).
   *
   * @param text the file's text
   * @return the table
   * @throws SyntaxException naming the first bad line and what is wrong with it
   * @throws NullPointerException if {@code text} is null
   */
  public static PolicyOverrides parse(String text) {
    Builder b = builder();
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        parseLine(b, line);
      } catch (IllegalArgumentException e) {
        throw new SyntaxException(i + 1, NetworkText.printable(e.getMessage()));
      }
    }
    return b.build();
  }

  private static void parseLine(Builder b, String line) {
    String[] parts = line.split("\\s+", 3);
    if (parts.length < 2) {
      throw new IllegalArgumentException("want DOMAIN ACTION [ARGUMENTS], not '" + line + "'");
    }
    String domain = parts[0];
    String rest = parts.length > 2 ? parts[2] : "";
    switch (parts[1].toLowerCase(Locale.ROOT)) {
      case "enforce-as-published" -> b.enforceAsPublished(noArguments(domain, parts));
      case "treat-testing-as-enforce" -> b.treatTestingAsEnforce(noArguments(domain, parts));
      case "require-tls" -> b.requireTls(noArguments(domain, parts));
      case "exempt" -> {
        String[] until = rest.split("\\s+");
        if (until.length != 2 || !until[0].equals("until")) {
          throw new IllegalArgumentException(
              "exempt needs 'until INSTANT' (e.g. 2026-12-31T00:00:00Z): a bypass must end");
        }
        try {
          b.exempt(domain, Instant.parse(until[1]));
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException("not an instant such as 2026-12-31T00:00:00Z: '"
              + until[1] + "'");
        }
      }
      case "pinned" -> {
        if (rest.isEmpty()) {
          throw new IllegalArgumentException("pinned needs the policy, its fields separated by"
              + " ';' (e.g. mode: enforce; mx: mx1.example.com; max_age: 604800)");
        }
        StringBuilder text = new StringBuilder();
        if (!rest.strip().startsWith("version:")) {
          text.append("version: ").append(Policy.VERSION).append('\n');
        }
        for (String field : rest.split(";")) {
          if (!field.isBlank()) {
            text.append(field.strip()).append('\n');
          }
        }
        b.pin(domain, text.toString());
      }
      default -> throw new IllegalArgumentException("unknown action '" + parts[1] + "' (want"
          + " enforce-as-published, treat-testing-as-enforce, require-tls, exempt or pinned)");
    }
  }

  private static String noArguments(String domain, String[] parts) {
    if (parts.length > 2) {
      throw new IllegalArgumentException(parts[1] + " takes no arguments: '" + parts[2] + "'");
    }
    return domain;
  }

  /**
   * Reads and parses an overrides file (UTF-8, at most {@link #MAX_FILE_BYTES}).
   *
   * @param file the file
   * @return the table
   * @throws IOException if the file cannot be read, is larger than the limit or not UTF-8
   * @throws SyntaxException naming the first bad line
   */
  public static PolicyOverrides read(Path file) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_FILE_BYTES + 1);
    }
    if (bytes.length > MAX_FILE_BYTES) {
      throw new IOException(file + ": an overrides file is at most " + MAX_FILE_BYTES + " bytes");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new IOException(file + ": not UTF-8", e);
    }
    try {
      return parse(text);
    } catch (SyntaxException e) {
      throw new SyntaxException(e.line(), file + ": " + e.getMessage().substring(
          e.getMessage().indexOf(": ") + 2));
    }
  }

  /** Whether the table has no rule. */
  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** The rules in the order given. */
  public List<Rule> rules() {
    return List.copyOf(rules.values());
  }

  /**
   * The rule for {@code domain}: its own, or else the longest wildcard above it. Expired {@code
   * exempt} rules count too; see {@link Rule#isInForceAt}.
   *
   * @param domain a normalised domain name
   * @return the rule, or empty
   */
  public Optional<Rule> find(String domain) {
    if (rules.isEmpty()) {
      return Optional.empty();
    }
    Rule own = rules.get(domain);
    if (own != null) {
      return Optional.of(own);
    }
    for (int dot = domain.indexOf('.'); dot >= 0; dot = domain.indexOf('.', dot + 1)) {
      Rule wildcard = rules.get("*" + domain.substring(dot));
      if (wildcard != null) {
        return Optional.of(wildcard);
      }
    }
    return Optional.empty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyOverrides other && rules.equals(other.rules);
  }

  @Override
  public int hashCode() {
    return rules.hashCode();
  }

  @Override
  public String toString() {
    return "PolicyOverrides" + rules.values();
  }

  static String oneLine(Policy p) {
    List<String> fields = new ArrayList<>();
    fields.add("mode: " + p.mode().token());
    p.mxPatterns().forEach(mx -> fields.add("mx: " + mx));
    fields.add("max_age: " + p.maxAge().toSeconds());
    return String.join("; ", fields);
  }

  /** Builds a {@link PolicyOverrides}; each method checks its arguments at once. */
  public static final class Builder {
    private final Map<String, Rule> rules = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Applies the policy of {@code domain} as published (the default; to exempt a domain from a
     * wildcard rule).
     *
     * @param domain a domain or {@code *.domain}
     * @return this builder
     * @throws InvalidDomainException if {@code domain} is not a domain (pattern)
     * @throws IllegalArgumentException if {@code domain} has a rule already
     */
    public Builder enforceAsPublished(String domain) {
      return add(domain, Action.ENFORCE_AS_PUBLISHED, null, null);
    }

    /**
     * Applies a {@code testing} policy of {@code domain} as {@code enforce}.
     *
     * @param domain a domain or {@code *.domain}
     * @return this builder
     * @throws IllegalArgumentException if {@code domain} is not a domain or has a rule already
     */
    public Builder treatTestingAsEnforce(String domain) {
      return add(domain, Action.TREAT_TESTING_AS_ENFORCE, null, null);
    }

    /**
     * Requires STARTTLS with a valid certificate for every MX host of {@code domain}, with or
     * without a policy.
     *
     * @param domain a domain or {@code *.domain}
     * @return this builder
     * @throws IllegalArgumentException if {@code domain} is not a domain or has a rule already
     */
    public Builder requireTls(String domain) {
      return add(domain, Action.REQUIRE_TLS, null, null);
    }

    /**
     * Applies no MTA-STS policy to {@code domain} until {@code until}; from then on its policy
     * applies as published again.
     *
     * @param domain a domain or {@code *.domain}
     * @param until when the bypass ends
     * @return this builder
     * @throws IllegalArgumentException if {@code domain} is not a domain or has a rule already
     * @throws NullPointerException if {@code until} is null
     */
    public Builder exempt(String domain, Instant until) {
      return add(domain, Action.EXEMPT, Objects.requireNonNull(until, "until"), null);
    }

    /**
     * Applies {@code policyText} to {@code domain} instead of fetching its policy; nothing is
     * asked of DNS or HTTPS for the policy.
     *
     * @param domain a domain or {@code *.domain}
     * @param policyText a policy in the RFC 8461 §3.2 format
     * @return this builder
     * @throws IllegalArgumentException if {@code domain} is not a domain or has a rule already,
     *     or the policy is not valid (its message says why)
     */
    public Builder pin(String domain, String policyText) {
      Objects.requireNonNull(policyText, "policyText");
      Policy policy;
      try {
        policy = Policy.parse(policyText);
      } catch (PolicySyntaxException e) {
        throw new IllegalArgumentException("pinned policy of " + domain + ": " + e.getMessage(),
            e);
      }
      if (policy.mode() == Mode.NONE) {
        // Pinning "none" would be an exemption without an expiry: that is what exempt is for.
        throw new IllegalArgumentException("pinned policy of " + domain + " has mode none; use"
            + " exempt with an expiry instead");
      }
      return add(domain, Action.PINNED, null, policy);
    }

    private Builder add(String domain, Action action, Instant until, Policy policy) {
      Objects.requireNonNull(domain, "domain");
      String key = pattern(domain);
      if (rules.containsKey(key)) {
        throw new IllegalArgumentException(key + " has two rules: " + rules.get(key) + " and "
            + action.token());
      }
      rules.put(key, new Rule(key, action, Optional.ofNullable(until),
          Optional.ofNullable(policy)));
      return this;
    }

    private static String pattern(String domain) {
      return domain.startsWith("*.")
          ? "*." + DomainNames.normalize(domain.substring(2))
          : DomainNames.normalize(domain);
    }

    /**
     * Builds the table.
     *
     * @return an immutable table
     */
    public PolicyOverrides build() {
      return rules.isEmpty() ? NONE
          : new PolicyOverrides(Collections.unmodifiableMap(new LinkedHashMap<>(rules)));
    }
  }
}
