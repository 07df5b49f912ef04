/**
 * MTA-STS (RFC 8461) for Java mail senders: the policy model and parsers, DNS discovery, the
 * HTTPS policy fetch, and the {@code MtaSts} facade.
 *
 * <p>Only API packages are exported; discovery, fetch and cache implementations live in
 * non-exported {@code org.mtasts.internal.*} packages.
 */
module org.mtasts.core {
  requires org.dnsjava;
  requires okhttp3;
  requires okio;
  requires org.slf4j;
  requires com.github.benmanes.caffeine;
  requires com.fasterxml.jackson.core;
  // Optional TLS provider, used when present (org.mtasts.internal.tls.TlsProviders).
  requires static org.conscrypt;

  exports org.mtasts;
  exports org.mtasts.dns;
  exports org.mtasts.policy;
  exports org.mtasts.report;
  exports org.mtasts.tls;

  // Store modules (mta-sts-redis, mta-sts-jdbc) open the shared stores a URI names.
  uses org.mtasts.StoreProvider;
}
