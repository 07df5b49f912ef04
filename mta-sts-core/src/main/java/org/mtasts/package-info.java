/**
 * The MTA-STS client API (RFC 8461).
 *
 * <ul>
 *   <li>{@link org.mtasts.MtaSts}: the client. {@link org.mtasts.MtaSts#resolve(String)} gives a
 *       {@link org.mtasts.PolicyLookup}: the policy that applies to a domain now, from the cache or
 *       a fresh fetch, or why none applies. {@link org.mtasts.MtaSts#plan(String)} adds the MX
 *       hosts ({@link org.mtasts.DeliveryPlan}, {@link org.mtasts.MxCandidate}); {@link
 *       org.mtasts.MtaSts#check} decides one SMTP session ({@link org.mtasts.tls.TlsFacts} in, {@link
 *       org.mtasts.DeliveryDecision} out).
 *   <li>Seams, each with a default: {@link org.mtasts.PolicyFetcher} (the library's HTTPS
 *       fetcher is {@link org.mtasts.PolicyFetcher#https()}), {@link org.mtasts.HostResolver},
 *       {@link org.mtasts.PolicyStore}, and the DNS client in {@code org.mtasts.dns}.
 *   <li>Events: {@link org.mtasts.MtaStsListener}.
 * </ul>
 *
 * <p>Inside, {@code MtaSts} is a facade over one package-private class per RFC 8461 topic:
 * {@code PolicyResolution} (which policy applies: TXT lookup, cache, fetch, what applies when DNS
 * or HTTPS fails, §3 and §5), {@code PolicyRefresh} (proactive refresh, §5.1), {@code StoreSync}
 * (the policy store) and {@code DeliveryRules} (plan and check, §4 and §5, pure functions).
 *
 * <p>Failures of DNS and HTTPS are values ({@link org.mtasts.PolicyLookup.Status}, {@link
 * org.mtasts.LookupFailure}), not exceptions; exceptions are for invalid arguments.
 */
package org.mtasts;

import org.mtasts.tls.TlsFacts;
