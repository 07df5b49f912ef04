/**
 * The policy cache of the {@code MtaSts} client: bounded Caffeine caches whose entries expire at
 * their own instant on the injected clock, the fetch back-off of RFC 8461 §3.3, and the throttle
 * that paces repeated log lines. Not exported.
 */
package org.mtasts.internal.cache;
