/**
 * A Jakarta Mail transport that delivers mail direct to the recipients' MX hosts under their
 * MTA-STS (RFC 8461) policies. An application keeps its {@code Transport.send(message)} code and
 * changes one setting.
 *
 * <h2>Switching it on</h2>
 *
 * <p>The jar registers {@link org.mtasts.javamail.MtaStsTransport} under the protocol {@code
 * smtp-mtasts} (three ways: {@code META-INF/services/jakarta.mail.Provider}, {@code provides} in
 * {@code module-info}, and {@code META-INF/javamail.providers} plus {@code
 * META-INF/jakarta.providers}). It never registers itself as {@code smtp}. Ways to select it:
 *
 * <ul>
 *   <li>{@code mail.transport.protocol=smtp-mtasts}: what {@code session.getTransport()} uses,
 *       and the only property Spring's {@code JavaMailSenderImpl} reads (unless its {@code
 *       protocol} is set: {@code setProtocol("smtp-mtasts")}, or {@code
 *       spring.mail.protocol=smtp-mtasts} in Spring Boot, whose default {@code smtp} wins over
 *       this property). Simple Java Mail also sends through {@code session.getTransport()}.
 *   <li>{@code mail.transport.protocol.rfc822=smtp-mtasts}: what {@code Transport.send(msg)}
 *       and {@code session.getTransport(address)} use (Apache Commons Email sends this way).
 *       {@code session.getTransport()} and Spring ignore it: with it alone they fall back to
 *       plain {@code smtp}, through the application's relay if one is configured. Set both.
 *       Without the provider both fail closed ({@code NoSuchProviderException}).
 *   <li>{@code session.getTransport("smtp-mtasts")} in code.
 *   <li>Programmatically: {@link org.mtasts.javamail.MtaStsMail#session(java.util.Properties,
 *       org.mtasts.MtaSts)} makes a session with both protocol properties and the client set.
 *   <li>Code that hard-codes {@code getTransport("smtp")}: {@link
 *       org.mtasts.javamail.MtaStsMail#install(jakarta.mail.Session)}, then assert at start-up that
 *       {@code session.getTransport("smtp") instanceof MtaStsTransport}. Setting {@code
 *       mail.smtp.class} alone silently falls back to plain SMTP if the provider is missing.
 * </ul>
 *
 * <p>The transport delivers through the ordinary SMTP transport (Angus Mail), obtained as the
 * first {@code smtp} transport provider of the session that is not this one, with a copy of the
 * session's properties per MX session, so per-MX TLS settings never leak into the application's
 * session. The application's relay settings ({@code mail.smtp.ssl.trust}, socket factories,
 * proxies, authentication, implicit TLS) are removed from that copy; {@code mail.smtp.from},
 * {@code mail.smtp.dsn.*} and the like are kept. {@code mail.smtp.sendpartial} is always true: a
 * refused recipient does not hold back the others.
 *
 * <h2>Properties</h2>
 *
 * <p>Settings are read the way Jakarta Mail reads its own: {@code Properties.get}, then {@code
 * getProperty}, so values in the {@code Properties}' defaults count (Apache Commons Email makes
 * its session from {@code new Properties(System.getProperties())}, so {@code -D} system
 * properties arrive that way). Text settings may also be given as {@code Integer} or {@code
 * Boolean} objects; a blank value counts as not set. Object settings must be put into the
 * session's {@code Properties} object itself: {@code Properties} cannot read a non-{@code String}
 * default, so one found there is refused. Nothing given is silently ignored: every message (and
 * {@code MtaStsMail.session}) fails with a {@code MessagingException} (or {@code
 * IllegalArgumentException}) naming the property when a value is invalid, when a {@code
 * mail.mtasts.*} name is not in this table (a typo), when a value carries a {@code #} comment
 * after a space ({@code .properties} files have no inline comments), when a trust store cannot be
 * read, or when a setting would have no effect ({@code trustStorePassword} without {@code
 * trustStore}; {@code trustStore} with {@code trustManager}; {@code cacheDirectory}, {@code
 * overrides}, {@code allowPrivateAddresses}, {@code fetchTimeout}, {@code tlsrpt.dir}, {@code
 * dane}, {@code daneStrict} or {@code dnssecTrustAnchors} with {@code instance}, which they cannot
 * configure; {@code daneStrict} or {@code dnssecTrustAnchors} with {@code dane=false}; {@code
 * dns.servers} with both {@code instance} and {@code hostResolver}).
 *
 * <table>
 *   <caption>{@code mail.mtasts.*} session properties</caption>
 *   <tr><th>property</th><th>type</th><th>default</th><th>effect</th></tr>
 *   <tr><td>{@code mail.mtasts.instance}</td><td>{@code MtaSts} (object)</td>
 *       <td>a shared client built from the properties below</td>
 *       <td>The MTA-STS client that finds, caches and applies policies. Put one application-wide
 *       instance here (as Angus accepts socket factory objects); its listener receives
 *       refusals and testing-mode violations.</td></tr>
 *   <tr><td>{@code mail.mtasts.trustManager}</td><td>{@code X509TrustManager} (object)</td>
 *       <td>from {@code mail.mtasts.trustStore}, else the JDK trust store</td>
 *       <td>Trust anchors for MX certificates.</td></tr>
 *   <tr><td>{@code mail.mtasts.hostResolver}</td><td>{@code HostResolver} (object)</td>
 *       <td>A/AAAA lookups through the library's DNS client</td>
 *       <td>Resolves MX host names to the addresses SMTP connects to; the JVM's own resolver is
 *       never asked for an MX name (Angus is handed the first address as its host, so its
 *       messages and debug output show that address). The MX name is still used for SNI and the
 *       certificate check (STS-MX-13) and in {@code MxAttempt}.</td></tr>
 *   <tr><td>{@code mail.mtasts.port}</td><td>int</td><td>25</td>
 *       <td>SMTP port on the MX hosts.</td></tr>
 *   <tr><td>{@code mail.mtasts.connectiontimeout}</td><td>int (ms)</td>
 *       <td>{@code mail.smtp.connectiontimeout}, else 30000</td>
 *       <td>TCP connect timeout, per address.</td></tr>
 *   <tr><td>{@code mail.mtasts.timeout}</td><td>int (ms)</td>
 *       <td>{@code mail.smtp.timeout}, else 300000</td>
 *       <td>Socket read timeout of the SMTP sessions.</td></tr>
 *   <tr><td>{@code mail.mtasts.ehlo}</td><td>String</td><td>{@code mail.smtp.localhost}, else
 *       what Angus picks (this machine's canonical name, looked up by the JVM's
 *       resolver)</td><td>The name sent in EHLO.</td></tr>
 *   <tr><td>{@code mail.mtasts.tlsRequiredHeader}</td><td>boolean</td><td>true</td>
 *       <td>Honour {@code TLS-Required: No} (RFC 8689): a message with exactly one such header is
 *       delivered even when every MX fails MTA-STS validation, after the compliant path was
 *       tried first; the refusals are still reported (STS-RTLS-01/03/05/07).</td></tr>
 *   <tr><td>{@code mail.mtasts.enforce}</td><td>boolean</td><td>true</td>
 *       <td>{@code false} treats {@code enforce} policies like {@code testing}: deliver over the
 *       best available connection and report (the client's listener still receives {@code
 *       deliveryRefused}, while the message is delivered). For staged roll-out and tests
 *       only: logged at WARN once per configuration, since protection is off.</td></tr>
 *   <tr><td>{@code mail.mtasts.dns.servers}</td><td>String</td><td>the system resolvers</td>
 *       <td>Space-separated list of recursive resolvers for the default client and host
 *       resolver: IP address literals only ({@code 192.0.2.53}, {@code 192.0.2.53:5353}, {@code
 *       2001:db8::53}, {@code [2001:db8::53]:5353}), parsed without any lookup; a host name is
 *       refused, since the JVM's resolver would look it up.</td></tr>
 *   <tr><td>{@code mail.mtasts.trustStore}</td><td>String (path)</td><td>none</td>
 *       <td>PEM bundle, PKCS#12 or JKS file of trust anchors for the default client (policy
 *       fetch) and for MX certificates, read once per configuration (see below). A file that cannot be read fails
 *       every message (nothing is sent with other anchors).</td></tr>
 *   <tr><td>{@code mail.mtasts.trustStorePassword}</td><td>String</td><td>none</td>
 *       <td>Password of the PKCS#12 or JKS {@code trustStore} (needed when its certificates are
 *       encrypted, as {@code keytool} and Java's {@code KeyStore.store} do for PKCS#12 with a
 *       password); ignored for PEM. Never logged.</td></tr>
 *   <tr><td>{@code mail.mtasts.allowPrivateAddresses}</td><td>boolean</td><td>false</td>
 *       <td>Let the default client fetch policies from private, loopback and link-local
 *       addresses (D-33). For tests and private deployments: logged at WARN once per
 *       configuration, since the address guard is off.</td></tr>
 *   <tr><td>{@code mail.mtasts.fetchTimeout}</td><td>int (ms)</td><td>60000</td>
 *       <td>Deadline of one policy fetch of the default client.</td></tr>
 *   <tr><td>{@code mail.mtasts.cacheDirectory}</td><td>String (path)</td><td>none</td>
 *       <td>Directory where the default client keeps fetched policies across restarts.</td></tr>
 *   <tr><td>{@code mail.mtasts.store}</td><td>String (URI or path)</td><td>none</td>
 *       <td>Where the default client keeps fetched policies and counts TLS-RPT results (unless
 *       {@code mail.mtasts.tlsrpt.dir} names a directory for the counts), shared by every node
 *       that names the same store: {@code redis://host:6379/0} ({@code rediss://}, {@code
 *       redis-sentinel://}; needs {@code org.mtasts:mta-sts-redis} on the class path), {@code
 *       jdbc:postgresql://host/db?user=…} (needs {@code org.mtasts:mta-sts-jdbc} and the JDBC
 *       driver; a connection per call, no pool), or a directory path (the same as {@code
 *       cacheDirectory}, which may not be set with it). Opened once per JVM; a store that is down
 *       holds up no message (1 s timeouts, lookups go on from memory). The password of a URI is
 *       never logged.</td></tr>
 *   <tr><td>{@code mail.mtasts.overrides}</td><td>String (path)</td><td>none</td>
 *       <td>File of local policy overrides for the default client ({@code
 *       org.mtasts.PolicyOverrides}: per domain or {@code *.domain} {@code require-tls}, {@code
 *       treat-testing-as-enforce}, {@code exempt until INSTANT}, {@code pinned POLICY}, {@code
 *       enforce-as-published}). Read when the client is made (a file that cannot be read or
 *       parsed fails every message) and again when it changes; a broken edit keeps the rules
 *       read before. Every rule in effect is logged once a day per domain, {@code exempt} at
 *       WARN.</td></tr>
 *   <tr><td>{@code mail.mtasts.deliveryDeadline}</td><td>int (ms)</td><td>300000</td>
 *       <td>Deadline of one domain's delivery: the policy lookup, every MX host and every address
 *       (connects, TLS handshakes, reads and writes) together. It shrinks the connect and read
 *       timeouts of later attempts; once it has passed the remaining MX hosts are not tried and
 *       the recipients fail temporarily ({@code MtaStsDeliveryException.Kind.DEADLINE_EXCEEDED},
 *       {@code 4.4.2}). A server that sends a byte just before each read timeout cannot hold a
 *       sending thread longer.</td></tr>
 *   <tr><td>{@code mail.mtasts.replyTimeout}</td><td>int (ms)</td><td>60000</td>
 *       <td>The most time one SMTP reply may take from its first byte to its last line; a server
 *       that trickles a reply is dropped and the next MX tried. (Waiting for the first byte is
 *       bounded by {@code mail.mtasts.timeout}.)</td></tr>
 *   <tr><td>{@code mail.mtasts.mxAddressLimit}</td><td>int</td><td>5</td>
 *       <td>At most this many addresses (A/AAAA) are tried per MX host, as Postfix's {@code
 *       smtp_mx_address_limit} (which counts per delivery).</td></tr>
 *   <tr><td>{@code mail.mtasts.tlsrpt.dir}</td><td>String (path)</td><td>none: nothing is
 *       counted</td>
 *       <td>Directory where the default client counts what its sessions showed, for TLS reports
 *       (RFC 8460): {@code ReportStore.directory(dir)}, whose files live in {@code dir/tlsrpt/}
 *       (give it the {@code cacheDirectory} to keep policies and counts together). The reports
 *       are sent by a {@code TlsReporter} on the same directory, or {@code mta-sts report send
 *       --cache-dir dir}.</td></tr>
 *   <tr><td>{@code mail.mtasts.tlsrpt.record}</td><td>boolean</td><td>true</td>
 *       <td>Record what the sessions of this session's messages showed for TLS reports (RFC 8460)
 *       in the client's {@linkplain org.mtasts.MtaSts.Builder#reportStore report store} (see
 *       below). {@code false} counts nothing for this session's messages; a message that carries
 *       {@code TLS-Report-Domain} (a TLS report, TLSRPT-DEL-07) is never counted.</td></tr>
 *   <tr><td>{@code mail.mtasts.dane}</td><td>boolean</td><td>true</td>
 *       <td>DANE for SMTP (RFC 7672) beside MTA-STS in the default client ({@code
 *       MtaSts.Builder.dane}): an MX host with DNSSEC-secure TLSA records must present a
 *       certificate that matches one (see <i>DANE</i> below). DANE's lookups (MX, addresses, TLSA)
 *       go to the same servers as the others ({@code dns.servers}, else the system's) and are
 *       validated from {@code dnssecTrustAnchors}, else the built-in IANA root anchors; a resolver
 *       that strips DNSSEC records turns DANE off with one WARN, and MTA-STS alone
 *       applies. {@code false}: MTA-STS alone.</td></tr>
 *   <tr><td>{@code mail.mtasts.daneStrict}</td><td>boolean</td><td>false</td>
 *       <td>A host that DANE authenticates must satisfy the MTA-STS policy as well (its {@code mx}
 *       patterns and the WebPKI checks, in the policy's mode), {@code MtaSts.Builder.daneStrict}.
 *       Off: secure usable TLSA records decide for their host (D-23).</td></tr>
 *   <tr><td>{@code mail.mtasts.dnssecTrustAnchors}</td><td>String (path)</td><td>none: the
 *       IANA root KSKs built into the library</td>
 *       <td>File of DNSSEC trust anchors (DS or DNSKEY records in zone-file format, one per line,
 *       absolute owner names) that replace the built-in root anchors for DANE's lookups, e.g. for
 *       a private root or a test world. Read once per configuration; a file that cannot be read
 *       or holds no anchor fails every message (never the root's anchors in its place).</td></tr>
 * </table>
 *
 * <p>Properties of the default client are read when a session first needs it; sessions with the
 * same values share one client (and its policy cache). At most 32 distinct configurations are
 * kept, the least recently used closed when another is needed;
 * {@link org.mtasts.javamail.MtaStsMail#closeDefaultClients()} closes them all (call it when the
 * application stops). A client given as {@code mail.mtasts.instance} is the application's to
 * close.
 *
 * <h2>Inside</h2>
 *
 * <p>The transport speaks the core's vocabulary. For each recipient domain, {@code MxWalk} asks
 * {@link org.mtasts.MtaSts#plan} for a {@link org.mtasts.DeliveryPlan} and walks its {@link
 * org.mtasts.MxCandidate}s in order (RFC 8461 §5); each MX session ({@code MxSession}: candidate,
 * pass, {@link org.mtasts.tls.TlsRequirement}, deadline) is opened by {@code Courier}, the Angus Mail
 * plumbing (delegate session, properties, bounded sockets, replies, exceptions), whose handshake
 * the core's {@link org.mtasts.tls.MxTlsVerifier} judges into a {@link org.mtasts.tls.TlsOutcome}; that
 * becomes the {@link org.mtasts.tls.TlsFacts} for {@link org.mtasts.MtaSts#check}, whose {@link
 * org.mtasts.DeliveryDecision} (and {@link org.mtasts.tls.RefusalReason}) decides whether the message
 * goes over the session.
 *
 * <p><b>TLS reporting.</b> With a client that records TLS-RPT results ({@link
 * org.mtasts.MtaSts.Builder#reportStore}), each domain's delivery records its policy discovery
 * failure, if any ({@link org.mtasts.MtaSts#recordDiscovery}), and every judged session to one
 * address of one MX ({@link org.mtasts.MtaSts#recordSession}): its TLS outcome, the local and
 * remote addresses of the connection, and the name on the first line of the MX's EHLO reply, else
 * of its greeting (D-31; read from the plaintext replies by {@code HeloWatcher}). An MX outside
 * an enforce policy is recorded without a connection (D-26). Not recorded: attempts that end
 * before TLS could be judged (no address, TCP failures, an SMTP error before STARTTLS, a bound
 * crossed), which RFC 8460 §4.3.4 lets a sender leave out as transient (TLSRPT-DATA-03); the
 * plaintext retry after a failed opportunistic handshake and the {@code TLS-Required: No} pass,
 * whose MX hosts were counted with the sessions before them; and every session of a message that
 * delivers a TLS report (it carries {@code TLS-Report-Domain}, TLSRPT-DEL-07) or is sent with
 * {@code mail.mtasts.tlsrpt.record=false}.
 *
 * <p><b>DANE.</b> With DANE active (see {@code MtaSts.daneStatus()}) each MX candidate of the
 * plan carries its {@link org.mtasts.tls.DaneRequirement}, and the walk applies it in every policy
 * mode, also without a policy:
 *
 * <ul>
 *   <li>{@code DNSSEC_FAILED} (a lookup DANE rests on was bogus, indeterminate or failed): the
 *       host is not contacted this attempt; its {@code MxAttempt} is {@code REFUSED} with {@code
 *       dnssec-invalid}, {@code 4.7.5}, temporary (RFC 7672 §2.1.1, STS-DANE-03). When no host is
 *       left, {@link org.mtasts.javamail.MtaStsDeliveryException.Kind#DNSSEC_FAILED}.
 *   <li>{@code AUTHENTICATE} (usable secure TLSA records): STARTTLS is mandatory, never a
 *       plaintext retry; the handshake runs through the verifier's DANE socket factory (SNI = the
 *       TLSA base domain, STS-DANE-07), which aborts it when the certificate matches no usable
 *       record ({@code tlsa-invalid}: refused, the next MX is tried, whatever MTA-STS says,
 *       STS-DANE-01); the core's {@code check} with the candidate decides the rest (D-23: DANE
 *       decides unless {@code daneStrict}). {@link org.mtasts.javamail.MxAttempt#dane()} says
 *       whether the certificate was authenticated.
 *   <li>{@code TLS_REQUIRED} (secure TLSA records, none usable): STARTTLS is mandatory, never a
 *       plaintext retry; MTA-STS judges the certificate as usual (STS-DANE-04).
 *   <li>{@code NONE}: MTA-STS alone, as before.
 * </ul>
 *
 * <p>{@code mail.mtasts.enforce=false} does not make DANE report-only: {@code mail.mtasts.dane=false}
 * turns it off. The {@code TLS-Required: No} pass (RFC 8689) behaves as if the sender supported
 * neither DANE nor MTA-STS (§8.4): every host, DNSSEC failures included, opportunistic STARTTLS.
 * TLS-RPT counts DANE sessions under policy type {@code tlsa} (STS-DANE-08).
 *
 * <h2>Outcomes</h2>
 *
 * <p>Like Angus SMTP: {@link jakarta.mail.SendFailedException} with valid-sent, valid-unsent
 * (temporary: SMTP 4xx, MTA-STS refusals, unreachable MX, DNS failures) and invalid (permanent:
 * SMTP 5xx, null MX, no such domain) addresses, and a {@link jakarta.mail.event.TransportEvent}.
 * The exception's chain holds one exception per failed domain; failures found by this transport
 * are {@link org.mtasts.javamail.MtaStsDeliveryException}s with the domain, mode, enhanced status
 * code (D-22: {@code 4.7.5}, {@code 4.7.10}) and each MX attempt.
 */
package org.mtasts.javamail;
