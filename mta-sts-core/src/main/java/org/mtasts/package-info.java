/**
 * The MTA-STS client API (RFC 8461).
 *
 * <ul>
 *   <li>{@link org.mtasts.MtaSts}: the client. {@link org.mtasts.MtaSts#resolve(String)} gives a
 *       {@link org.mtasts.PolicyLookup}: the policy that applies to a domain now, from the cache or
 *       a fresh fetch, or why none applies. {@link org.mtasts.MtaSts#plan(String)} adds the MX
 *       hosts ({@link org.mtasts.DeliveryPlan}, {@link org.mtasts.MxCandidate}); {@link
 *       org.mtasts.MtaSts#check} decides one SMTP session ({@link org.mtasts.tls.TlsFacts} in, {@link
 *       org.mtasts.DeliveryDecision} out). {@link org.mtasts.MtaSts#cache()} is the operators'
 *       view of its policy cache ({@link org.mtasts.PolicyCache}: list, invalidate, refresh now,
 *       warm up).
 *   <li>Seams, each with a default: {@link org.mtasts.PolicyFetcher} (the library's HTTPS
 *       fetcher is {@link org.mtasts.PolicyFetcher#https()}), {@link org.mtasts.HostResolver},
 *       {@link org.mtasts.PolicyStore}, and the DNS client in {@code org.mtasts.dns}.
 *   <li>Events: {@link org.mtasts.MtaStsListener}.
 * </ul>
 *
 * <p>Inside, {@code MtaSts} is a facade over one package-private class per RFC 8461 topic, reached
 * through {@code Lookups} (local overrides first, the listener told of each lookup): {@code
 * PolicyResolution} (which policy applies: TXT lookup, cache, fetch, what applies when DNS
 * or HTTPS fails, §3 and §5), {@code PolicyRefresh} (proactive refresh, §5.1), {@code StoreSync}
 * (the policy store), {@code DeliveryRules} (plan and check, §4 and §5, pure functions) and
 * {@code TlsRptRecording} (what is counted for TLS reports, RFC 8460 §4).
 *
 * <h2>How {@code MtaSts} applies a policy</h2>
 *
 * <p><b>What a lookup does.</b> Each {@link MtaSts#resolve(String)} looks up the {@code _mta-sts}
 * TXT record (DNS TTL caching applies, D-17). If its id equals the id of the cached, unexpired
 * policy, the cached policy is used without HTTPS (STS-CACHE-04), and until that TXT answer's TTL
 * runs out further lookups of the domain answer from memory without asking the DNS client again
 * (a caching resolver could only return the same answer; a record with TTL 0 is asked every time,
 * and no answer is reused for more than a day). This holds even for a DNS client whose own cache
 * is off. Such a cache hit costs well under a microsecond and allocates nothing. A new id, or
 * nothing cached, fetches the policy over HTTPS (STS-CACHE-03, STS-DISC-13); a policy is cached
 * until {@code fetchedAt + max_age} (STS-CACHE-01), never applied after that (STS-CACHE-02), and
 * {@code max_age: 0} applies to the one lookup only (D-09). If the fetch fails or the TXT record
 * is missing, invalid or its lookup fails, an unexpired cached policy keeps being applied
 * (STS-CACHE-05, STS-FETCH-16, STS-DISC-14): an attacker who blocks DNS or HTTPS cannot lower
 * protection below the cache. Concurrent lookups of one domain share one DNS query and one fetch.
 * A failed fetch for an id is not retried for that id for {@link
 * MtaSts.Builder#fetchRetryBackoff(java.time.Duration) five minutes} (STS-FETCH-14), and a domain
 * fetches a new id at most once a minute (SEC-14). "No record" answers are remembered briefly,
 * within their DNS TTL.
 *
 * <p><b>Refresh.</b> A background task fetches again, regardless of the TXT record, every cached
 * policy older than the {@link MtaSts.Builder#refreshInterval(java.time.Duration) refresh
 * interval} (one day by default, or half its {@code max_age} if that is shorter) whose domain was
 * looked up in the last 30 days; success extends its lifetime, failure keeps it and is reported
 * (STS-CACHE-06/07/08, SEC-02).
 *
 * <p><b>Persistence, eviction and restarts.</b> With a {@link PolicyStore}, every policy is saved
 * after each successful fetch, and an unexpired policy is never lost while the store holds it. The
 * in-memory cache holds at most {@link MtaSts.Builder#maximumCachedPolicies} policies; when it is
 * full it evicts some, unexpired ones included, and the next lookup of an evicted domain reads its
 * policy back from the store before asking DNS (a cache hit never touches the store). At start-up
 * the store is walked once: up to {@code maximumCachedPolicies} unexpired policies are loaded
 * (and re-parsed, SEC-25), the rest stay in the store and are read when looked up, and expired
 * entries are removed; once a day expired entries are removed again. A stored fetch time after
 * now (the clock behind) is clamped to now, once per entry (SEC-24). Without a store ({@link
 * PolicyStore#none()}, the default) a restart forgets every policy and an evicted policy is gone:
 * the next lookup is first contact again, so size the cache above the number of domains mailed or
 * configure a store. Store failures are logged and reported to the listener, never to the caller.
 *
 * <p><b>What an operator sees without a listener.</b> A policy that cannot be applied because of
 * this client's own configuration ({@link ProtectionLoss}: the address guard refused the policy
 * host; a full cache without a store evicted a live policy) is logged under {@code
 * org.mtasts.MtaSts} at WARN once a day per domain and cause, and passed to {@link
 * MtaStsListener#protectionLost} every time. A testing-mode violation found by {@link
 * MtaSts#check} is logged at WARN once a minute per domain and reason, with the number of lines
 * held back.
 *
 * <p><b>What is recorded for TLS reports (RFC 8460).</b> Nothing, unless the client was built with
 * a {@link MtaSts.Builder#reportStore report store} or a {@link MtaSts.Builder#tlsRptRecorder
 * recorder}; then cached policies keep their text, whose lines are the report's {@code
 * policy-string} (RFC 8460 §4.5). The caller says what a delivery attempt is: {@link
 * MtaSts#recordDiscovery} once per attempt (a policy fetch, an invalid policy or a failed TXT
 * lookup, under the cached policy when one was applied instead: TLSRPT-DATA-06), {@link
 * MtaSts#recordSession} once per SMTP session to one address of one MX host whose TLS was
 * judged; {@code resolve}, {@code plan}, {@code check} and the refresh record nothing, so that a
 * session that delivers a report (TLSRPT-DEL-07) and a dry run count nothing. Sessions that end
 * before their TLS could be judged (no connection, a busy or broken server) are transient network
 * errors and are not recorded (TLSRPT-DATA-03). Under an {@code enforce} or {@code testing} policy
 * (policy type {@code sts}) a session succeeds when TLS was negotiated and validated
 * (TLSRPT-DATA-02); an MX host the policy does not list fails with {@code validation-failure} and
 * reason {@code mta-sts-mx-mismatch} (D-26), under enforce without a connection (the facts and
 * endpoints given are then ignored), under testing beside what the session showed (TLSRPT-DATA-04).
 * Without a policy or under {@code mode: none} (type {@code no-policy-found}) a session succeeds
 * when STARTTLS was negotiated, with any certificate, and fails when STARTTLS was missing or the
 * handshake failed (D-32). {@code certificate-not-trusted} and {@code validation-failure} always
 * carry a {@code failure-reason-code}. The Jakarta Mail transport does all of this itself.
 *
 * <h2>DANE (RFC 7672) beside MTA-STS</h2>
 *
 * <p>DANE is {@linkplain MtaSts.Builder#dane(boolean) on by default} and active when the DNS
 * client can give DNSSEC-secure answers ({@link MtaSts#daneStatus()}); a client that does not
 * validate leaves it inactive (logged at INFO once), one whose resolver strips DNSSEC records
 * leaves it unavailable (WARN once) and MTA-STS alone applies. When active, {@link
 * MtaSts#plan(String)} gives each MX candidate its {@link org.mtasts.tls.DaneRequirement}: DANE
 * applies to a host only when the MX RRset, the host's addresses and its TLSA RRset are all secure
 * (STS-DANE-02); a failed lookup under a secure MX RRset keeps the host out of this attempt
 * (STS-DANE-03). Usable secure TLSA records decide for their host (D-23): {@link
 * MtaSts#check(PolicyLookup, MxCandidate, TlsFacts)} allows it when its certificate matched, even
 * outside an enforce policy's {@code mx} patterns and with a certificate WebPKI rejects, unless
 * {@linkplain MtaSts.Builder#daneStrict strict}; a certificate that matches no record is refused
 * whatever MTA-STS says (STS-DANE-01). Secure records none of which is usable still require TLS
 * (STS-DANE-04). For TLS reports, {@link MtaSts#recordSession(PolicyLookup, MxCandidate, TlsFacts,
 * org.mtasts.report.SessionEndpoints)} counts DANE sessions under policy type {@code tlsa} and
 * the TLSA base domain (STS-DANE-08).
 *
 * <p>Failures of DNS and HTTPS are values ({@link org.mtasts.PolicyLookup.Status}, {@link
 * org.mtasts.LookupFailure}), not exceptions; exceptions are for invalid arguments.
 */
package org.mtasts;

import org.mtasts.tls.TlsFacts;
