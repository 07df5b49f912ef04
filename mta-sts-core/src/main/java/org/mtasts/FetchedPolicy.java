package org.mtasts;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.mtasts.policy.ParsedPolicy;
import org.mtasts.policy.Policy;
import org.mtasts.policy.PolicyWarning;

/**
 * A policy as fetched over HTTPS: the parsed policy, its warnings and lines, and what the fetch
 * saw (URL, media type, TLS version). Immutable.
 */
public final class FetchedPolicy {
  private final String domain;
  private final String url;
  private final ParsedPolicy parsed;
  private final String contentType;
  private final String tlsVersion;

  /**
   * Creates a fetched policy.
   *
   * @param domain the policy domain
   * @param url the URL the policy came from
   * @param parsed the parsed policy with its warnings and lines
   * @param contentType the Content-Type header as served, or null if there was none
   * @param tlsVersion the negotiated TLS version (e.g. {@code TLSv1.3}), or null if unknown
   */
  public FetchedPolicy(String domain, String url, ParsedPolicy parsed, String contentType,
      String tlsVersion) {
    this.domain = Objects.requireNonNull(domain, "domain");
    this.url = Objects.requireNonNull(url, "url");
    this.parsed = Objects.requireNonNull(parsed, "parsed");
    this.contentType = contentType;
    this.tlsVersion = tlsVersion;
  }

  /** The policy domain. */
  public String domain() {
    return domain;
  }

  /** The URL the policy was fetched from. */
  public String url() {
    return url;
  }

  /** The policy. */
  public Policy policy() {
    return parsed.policy();
  }

  /** The parsed policy with its warnings and raw lines. */
  public ParsedPolicy parsed() {
    return parsed;
  }

  /** Warnings about publisher slips that were tolerated (e.g. a BOM, an ignored mx line). */
  public List<PolicyWarning> warnings() {
    return parsed.warnings();
  }

  /** The Content-Type header as served. */
  public Optional<String> contentType() {
    return Optional.ofNullable(contentType);
  }

  /** The negotiated TLS version, e.g. {@code TLSv1.3}. */
  public Optional<String> tlsVersion() {
    return Optional.ofNullable(tlsVersion);
  }

  @Override
  public String toString() {
    return "FetchedPolicy{" + url + ", " + parsed.policy() + "}";
  }
}
