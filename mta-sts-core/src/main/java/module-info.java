/**
 * MTA-STS (RFC 8461) policy model, parsers and TLS-RPT (RFC 8460) vocabulary.
 *
 * <p>Only API packages are exported; discovery, fetch and cache implementations will live in
 * non-exported {@code org.mtasts.internal.*} packages.
 */
module org.mtasts.core {
  exports org.mtasts.policy;
  exports org.mtasts.report;
}
