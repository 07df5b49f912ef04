/**
 * The MTA-STS client API (RFC 8461).
 *
 * <ul>
 *   <li>{@link org.mtasts.MtaSts}: the client. {@link org.mtasts.MtaSts#resolve(String)} gives a
 *       {@link org.mtasts.PolicyLookup}: the policy that applies to a domain now, from the cache or
 *       a fresh fetch, or why none applies. {@link org.mtasts.MtaSts#plan(String)} adds the MX
 *       hosts ({@link org.mtasts.DeliveryPlan}, {@link org.mtasts.MxCandidate}); {@link
 *       org.mtasts.MtaSts#check} decides one SMTP session ({@link org.mtasts.TlsFacts} in, {@link
 *       org.mtasts.DeliveryDecision} out).
 *   <li>Seams, each with a default: {@link org.mtasts.PolicyFetcher}, {@link
 *       org.mtasts.HostResolver}, {@link org.mtasts.PolicyStore}, and the DNS client in {@code
 *       org.mtasts.dns}.
 *   <li>Events: {@link org.mtasts.MtaStsListener}.
 * </ul>
 *
 * <p>Failures of DNS and HTTPS are values ({@link org.mtasts.PolicyLookup.Status}, {@link
 * org.mtasts.LookupFailure}), not exceptions; exceptions are for invalid arguments.
 */
package org.mtasts;
