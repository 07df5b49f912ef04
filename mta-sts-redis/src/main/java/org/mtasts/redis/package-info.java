/**
 * MTA-STS stores on Redis for a fleet of senders: {@link org.mtasts.redis.RedisStores} connects
 * once and hands out a {@link org.mtasts.policy.Policy policy} store and a TLS-RPT report store.
 * Lettuce is the client; none of its types is part of this API.
 */
package org.mtasts.redis;
