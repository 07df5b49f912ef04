/**
 * The dnsjava implementation behind {@link org.mtasts.dns.DnsClient}. Not exported.
 *
 * <p>Each lookup runs in its own short-lived dnsjava {@code LookupSession} (which follows CNAMEs)
 * on top of a per-lookup {@code LookupTrace} (which records every response the answer rests on, for
 * the TTL and the DNSSEC status, and serves the shared response cache), on top of the shared
 * resolver stack built once per client:
 *
 * <pre>
 * LookupSession (per lookup)
 *   LookupTrace (per lookup) -- ResponseCache (shared, optional)
 *     ValidatingResolver (DNSSEC from trust anchors) or AdQueryResolver (trusting the AD flag),
 *     or neither
 *       ExtendedResolver (server order, retries)
 *         ServerResolver -- SimpleResolver (one per server; UDP, TCP on truncation)
 * </pre>
 *
 * <p>{@code DnssecProbe} asks once, beside the lookups, whether the DNSSEC layer can work with the
 * servers (for {@code DnsClient.dnssecSupport()}); {@code DnssecAnchors} parses trust anchors and
 * holds the root's.
 */
package org.mtasts.internal.dns;
