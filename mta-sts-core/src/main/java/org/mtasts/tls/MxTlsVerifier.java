package org.mtasts.tls;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;
import org.mtasts.internal.tls.CertificateVerification;
import org.mtasts.internal.tls.DaneVerification;
import org.mtasts.internal.tls.MxSocketFactory;
import org.mtasts.internal.tls.SessionChecks;
import org.mtasts.internal.tls.TlsFailures;
import org.mtasts.internal.tls.TlsProviders;
import org.mtasts.policy.DomainNames;

/**
 * The MX TLS checks of RFC 8461 §4.2 and §7.2, for SMTP clients that deliver under an MTA-STS
 * policy: the certificate must chain to a trusted root, must not be expired, and must carry a
 * subjectAltName DNS-ID that matches the MX host name; the session must use TLS 1.2 or 1.3. For an
 * MX host with a secure TLSA RRset, the DANE checks of RFC 7672 as well (see "DANE" below).
 *
 * <pre>{@code
 * MxTlsVerifier verifier = MxTlsVerifier.create();          // JDK trust store, system clock
 * SSLSocketFactory tls = verifier.socketFactory("mx1.example.com", true, outcome -> log(outcome));
 *
 * // Jakarta Mail (Angus Mail SMTPTransport), one session per MX host:
 * Properties p = new Properties();
 * p.put("mail.smtp.host", "mx1.example.com");      // the MX host name, not an address
 * p.put("mail.smtp.starttls.enable", "true");
 * p.put("mail.smtp.starttls.required", "true");    // no STARTTLS: no mail (STS-TLS-01)
 * p.put("mail.smtp.ssl.socketFactory", tls);       // the object; used to layer TLS for STARTTLS
 * }</pre>
 *
 * <p>Angus applies {@code mail.smtp.ssl.protocols} and {@code mail.smtp.ssl.ciphersuites} to the
 * socket; protocols older than TLS 1.2 are dropped from them. {@code
 * mail.smtp.ssl.checkserveridentity} is not needed: the stricter check of this class runs in the
 * handshake; if set, Angus's own (weaker) check runs afterwards as well.
 *
 * <p><b>Host name rule</b> (STS-TLS-06/07, D-21): only subjectAltName {@code dNSName} entries
 * count, never the subject Common Name; matching ignores ASCII case and one trailing dot; a
 * wildcard is accepted only as the whole leftmost label and stands for exactly one label ({@code
 * *.example.com} matches {@code mx1.example.com}, not {@code example.com} and not {@code
 * a.b.example.com}); partial-label wildcards such as {@code mx*.example.com} never match. Names
 * are compared as A-labels. The reference identity is the MX host name from DNS (for an implicit
 * MX, the domain itself) — never the recipient domain, a CNAME target or an IP address
 * (STS-TLS-12).
 *
 * <p><b>Chain and time.</b> The chain is validated by the configured {@link X509TrustManager}
 * (by default the JDK's, with the JDK trust store), which uses the system clock. The leaf's
 * validity period is checked again against the configured {@link Clock}; a clock can therefore
 * only add refusals, never accept a chain the trust manager refused. No revocation checking is
 * done beyond what the trust manager does (RFC 8461 §4.2 makes it optional, STS-TLS-08).
 *
 * <p><b>Outcomes.</b> An expired certificate is {@link RefusalReason#CERTIFICATE_EXPIRED}; a not
 * yet valid, self-signed or unknown-CA certificate or a broken chain is {@link
 * RefusalReason#CERTIFICATE_NOT_TRUSTED}; a name mismatch is {@link
 * RefusalReason#CERTIFICATE_HOST_MISMATCH}. A handshake that fails because the MX offers only TLS
 * older than 1.2 is {@link RefusalReason#TLS_VERSION}, other handshake failures {@link
 * RefusalReason#TLS_HANDSHAKE_FAILED}. When several checks fail, the first in the order chain,
 * validity, name is reported.
 *
 * <p><b>DANE</b> (RFC 7672). For an MX host with a secure TLSA RRset ({@link DaneTlsa}), {@link
 * #verify(DaneTlsa, X509Certificate[])} checks a chain against the usable records and {@link
 * #socketFactory(DaneTlsa, boolean, Consumer)} makes sockets that check it in the handshake:
 *
 * <ul>
 *   <li>only usable records count (DANE-TA(2), DANE-EE(3); PKIX-TA/PKIX-EE and malformed records
 *       are ignored, STS-DANE-04), and for each usage and selector only the strongest published
 *       digest (RFC 7671 §9; Full(0) records always count);
 *   <li>DANE-EE(3): the leaf certificate (selector 0) or its SubjectPublicKeyInfo (selector 1)
 *       matches; no name, no date, no chain check (RFC 7672 §3.1.1, STS-DANE-05);
 *   <li>DANE-TA(2): a certificate of the presented chain, or its public key, matches (the server
 *       must send it, RFC 7672 §3.1.2); the path from the leaf to it validates with it as the only
 *       trust anchor (JDK PKIX, no revocation, the configured {@link Clock}'s time); the leaf is
 *       within its validity period; and a subjectAltName DNS-ID of the leaf matches the TLSA base
 *       domain or the MX host name under the host name rule above (RFC 7672 §3.2.2–3.2.3). As for
 *       MTA-STS, the subject Common Name is never used — a deliberate, stricter choice than RFC
 *       7672 §3.2.2, which would accept it from a certificate without DNS-IDs;
 *   <li>a failure is {@link RefusalReason#TLSA_INVALID} ({@link DaneResult#FAILED}) with a message
 *       naming each record tried and why it failed.
 * </ul>
 *
 * <p>Immutable and thread-safe; build one and share it.
 */
public final class MxTlsVerifier {
  private final X509TrustManager trustManager;
  private final Clock clock;
  private final CertificateVerification verification;
  private final DaneVerification daneVerification;

  private MxTlsVerifier(X509TrustManager trustManager, Clock clock) {
    this.trustManager = trustManager;
    this.clock = clock;
    this.verification = new CertificateVerification(trustManager, clock);
    this.daneVerification = new DaneVerification(clock);
  }

  /**
   * A verifier that trusts the JDK's default trust store and uses the system clock.
   *
   * @return the verifier
   * @throws IllegalStateException if the JDK's trust store cannot be loaded
   */
  public static MxTlsVerifier create() {
    return builder().build();
  }

  /**
   * A verifier that trusts what {@code trustManager} trusts and uses the system clock.
   *
   * @param trustManager the trust anchors and chain validation
   * @return the verifier
   * @throws NullPointerException if {@code trustManager} is null
   */
  public static MxTlsVerifier create(X509TrustManager trustManager) {
    return builder().trustManager(trustManager).build();
  }

  /**
   * A builder with the defaults of {@link #create()}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks the certificate chain {@code chain} that the MX host {@code mxHost} presented: trust,
   * validity and DNS-ID, as described in the class documentation. Performs no I/O (unless the
   * trust manager does).
   *
   * @param mxHost the MX host name from DNS, in U-label or A-label form, any case, with or without
   *     a trailing dot
   * @param chain the chain as presented, leaf first; an empty chain is refused as not trusted
   * @return the verdict
   * @throws IllegalArgumentException if {@code mxHost} is not a host name (e.g. an IP address)
   * @throws NullPointerException if an argument or an element of {@code chain} is null
   */
  public CertificateCheck verify(String mxHost, X509Certificate[] chain) {
    String host = DomainNames.normalize(mxHost);
    Objects.requireNonNull(chain, "chain");
    for (int i = 0; i < chain.length; i++) {
      Objects.requireNonNull(chain[i], "chain[" + i + "]");
    }
    return verification.verify(host, chain.clone(), CertificateVerification.UNKNOWN_AUTH_TYPE);
  }

  /**
   * Checks the certificate chain {@code chain}, presented by the MX host of {@code dane}, against
   * its secure TLSA RRset, as described under "DANE" in the class documentation (RFC 7672 §3).
   * Pure: no I/O, no trust store; DANE-TA(2) dates are checked at the configured clock's time.
   * The MTA-STS (WebPKI) verdict is {@link #verify(String, X509Certificate[])}'s.
   *
   * @param dane the host's secure TLSA RRset and its names
   * @param chain the chain as presented, leaf first; an empty chain fails
   * @return {@link CertificateCheck#daneAuthenticated} or {@link CertificateCheck#daneFailed}
   *     ({@link RefusalReason#TLSA_INVALID}); {@link CertificateCheck#dane()} is present
   * @throws NullPointerException if an argument or an element of {@code chain} is null
   */
  public CertificateCheck verify(DaneTlsa dane, X509Certificate[] chain) {
    Objects.requireNonNull(dane, "dane");
    return daneVerification.verify(dane, copy(chain));
  }

  private static X509Certificate[] copy(X509Certificate[] chain) {
    Objects.requireNonNull(chain, "chain");
    X509Certificate[] copy = chain.clone();
    for (int i = 0; i < copy.length; i++) {
      Objects.requireNonNull(copy[i], "chain[" + i + "]");
    }
    return copy;
  }

  /**
   * A socket factory for SMTP sessions with one MX host under one policy mode. Its sockets
   *
   * <ul>
   *   <li>offer only TLS 1.3 and TLS 1.2 (D-04); {@code setEnabledProtocols} and {@code
   *       setSSLParameters} on them drop anything older, and throw {@link
   *       IllegalArgumentException} if nothing allowed remains;
   *   <li>send SNI = {@code mxHost} (STS-TLS-02) and check the certificate against {@code
   *       mxHost} — whatever host name a caller passes to {@code createSocket}, which is used only
   *       to open the TCP connection;
   *   <li>under {@code enforce}, abort the handshake on any failed check, so no SMTP command is
   *       ever sent to the MX over that connection (STS-APPLY-01);
   *   <li>under testing ({@code enforce == false}), complete the handshake even with a bad
   *       certificate, so delivery proceeds as without MTA-STS, and report the failure
   *       (report-only, RFC 8461 §5 item 2, STS-TLS-11). A handshake that fails for another
   *       reason (e.g. {@link RefusalReason#TLS_VERSION}: the JDK cannot negotiate TLS 1.1 anyway)
   *       fails in both modes; under testing the caller may then fall back as its opportunistic
   *       configuration allows;
   *   <li>check the session again after every first handshake, so a resumed session (for which
   *       the JDK skips certificate checks) is held to the same rules at the current time;
   *   <li>report one {@link TlsOutcome} per socket to {@code outcomes} when the first handshake
   *       completes or fails, on the thread that runs the handshake, before {@code
   *       startHandshake()} returns or throws. A handshake also starts when a stream or the
   *       session is first requested.
   * </ul>
   *
   * <p>For STARTTLS, layer over the connected plain socket with {@link
   * SSLSocketFactory#createSocket(java.net.Socket, String, int, boolean)} — what Angus Mail does
   * with the object set as {@code mail.smtp.ssl.socketFactory}. Each factory has its own TLS
   * context; make one per MX host and mode (per delivery attempt is fine).
   *
   * @param mxHost the MX host name from DNS (see {@link #verify})
   * @param enforce true under an {@code enforce} policy, false under {@code testing}
   * @param outcomes receives the outcome of each handshake; must be fast and should not throw
   *     (exceptions are logged and ignored); called concurrently if sockets of the factory
   *     handshake concurrently
   * @return the factory; immutable and thread-safe
   * @throws IllegalArgumentException if {@code mxHost} is not a host name
   * @throws NullPointerException if an argument is null
   */
  public SSLSocketFactory socketFactory(
      String mxHost, boolean enforce, Consumer<? super TlsOutcome> outcomes) {
    return socketFactory(mxHost, enforce, outcomes, TlsStreams.NONE);
  }

  /**
   * A socket factory as {@link #socketFactory(String, boolean, Consumer)}, with the caller's own
   * layer inside its sockets: {@code streams} may refuse the connection TLS would be layered on,
   * and wraps each socket's decrypted input and output (for example to bound the SMTP replies
   * read inside TLS). The sockets keep every check above; the wrappers only see data of a session
   * that passed them (or, under testing, that completed the handshake).
   *
   * @param mxHost the MX host name from DNS (see {@link #verify})
   * @param enforce true under an {@code enforce} policy, false under {@code testing}
   * @param outcomes receives the outcome of each handshake (see {@link #socketFactory(String,
   *     boolean, Consumer)})
   * @param streams the caller's layer; {@link TlsStreams#NONE} for none
   * @return the factory; immutable, and thread-safe if {@code streams} is
   * @throws IllegalArgumentException if {@code mxHost} is not a host name
   * @throws NullPointerException if an argument is null
   */
  public SSLSocketFactory socketFactory(String mxHost, boolean enforce,
      Consumer<? super TlsOutcome> outcomes, TlsStreams streams) {
    String host = DomainNames.normalize(mxHost);
    Objects.requireNonNull(outcomes, "outcomes");
    Objects.requireNonNull(streams, "streams");
    return new MxSocketFactory(verification, host, enforce, outcomes, streams);
  }

  /**
   * A socket factory for SMTP sessions with one DANE-protected MX host: {@code dane} has at least
   * one usable record, so STARTTLS is mandatory and the certificate must match one (RFC 7672 §2.2,
   * D-23). Its sockets are those of {@link #socketFactory(String, boolean, Consumer)}, except that
   *
   * <ul>
   *   <li>SNI is the TLSA base domain (RFC 7672 §8.1, STS-DANE-07), the name the records were
   *       found under, which differs from the MX host only after a secure CNAME;
   *   <li>the certificate is checked as {@link #verify(DaneTlsa, X509Certificate[])} does, and a
   *       DANE failure always aborts the handshake ({@link RefusalReason#TLSA_INVALID}), before any
   *       SMTP command is sent over TLS (STS-DANE-01). The JDK's trust store has no say: a
   *       self-signed certificate that matches a DANE-EE(3) record completes the handshake;
   *   <li>the MTA-STS (WebPKI) verdict for {@link DaneTlsa#mxHost()} is computed too and reported
   *       in {@link TlsOutcome#webPki()} and {@link TlsOutcome#refusal()}; it aborts the handshake
   *       only if {@code requireWebPki} (the strict mode of D-23, where both must pass);
   *   <li>a resumed session is checked again, against the TLSA records as well, at the time of
   *       its own handshake;
   *   <li>each {@link TlsOutcome} carries {@link TlsOutcome#dane()}: {@link
   *       DaneResult#AUTHENTICATED} for every completed handshake, {@link DaneResult#FAILED} for
   *       one aborted because no record matched, empty when the handshake failed before a
   *       certificate was checked.
   * </ul>
   *
   * @param dane the host's secure TLSA RRset; {@link DaneTlsa#mxHost()} is the WebPKI reference
   * @param requireWebPki whether a failed WebPKI check aborts the handshake as well
   * @param outcomes receives the outcome of each handshake (see {@link #socketFactory(String,
   *     boolean, Consumer)})
   * @return the factory; immutable and thread-safe
   * @throws IllegalArgumentException if {@code dane} has no usable record: then DANE requires TLS
   *     but authenticates nothing (STS-DANE-04), so use {@link #socketFactory(String, boolean,
   *     Consumer)}
   * @throws NullPointerException if an argument is null
   */
  public SSLSocketFactory socketFactory(
      DaneTlsa dane, boolean requireWebPki, Consumer<? super TlsOutcome> outcomes) {
    return socketFactory(dane, requireWebPki, outcomes, TlsStreams.NONE);
  }

  /**
   * A DANE socket factory as {@link #socketFactory(DaneTlsa, boolean, Consumer)}, with the
   * caller's own layer inside its sockets (see {@link #socketFactory(String, boolean, Consumer,
   * TlsStreams)}).
   *
   * @param dane the host's secure TLSA RRset
   * @param requireWebPki whether a failed WebPKI check aborts the handshake as well
   * @param outcomes receives the outcome of each handshake
   * @param streams the caller's layer; {@link TlsStreams#NONE} for none
   * @return the factory; immutable, and thread-safe if {@code streams} is
   * @throws IllegalArgumentException if {@code dane} has no usable record
   * @throws NullPointerException if an argument is null
   */
  public SSLSocketFactory socketFactory(DaneTlsa dane, boolean requireWebPki,
      Consumer<? super TlsOutcome> outcomes, TlsStreams streams) {
    Objects.requireNonNull(dane, "dane");
    Objects.requireNonNull(outcomes, "outcomes");
    Objects.requireNonNull(streams, "streams");
    return new MxSocketFactory(
        SessionChecks.dane(verification, daneVerification, dane, requireWebPki),
        outcomes,
        streams,
        TlsProviders.configured());
  }

  /**
   * The MTA-STS reason behind a failed TLS handshake, for callers that only see the exception
   * (e.g. a Jakarta Mail {@code MessagingException} whose cause is an {@code
   * SSLHandshakeException}). Looks through the causes: a refusal by this verifier's sockets keeps
   * its exact reason (a DANE failure is {@link RefusalReason#TLSA_INVALID}); "protocol_version" failures are {@link RefusalReason#TLS_VERSION}; other
   * certificate failures are expired or not trusted; any other {@link javax.net.ssl.SSLException}
   * is {@link RefusalReason#TLS_HANDSHAKE_FAILED}.
   *
   * @param failure what the SMTP client threw
   * @return the reason, or empty if no TLS or certificate failure is among the causes (a refused
   *     TCP connection is not an MTA-STS failure, STS-APPLY-07)
   * @throws NullPointerException if {@code failure} is null
   */
  public static Optional<RefusalReason> classify(Throwable failure) {
    return TlsFailures.classify(Objects.requireNonNull(failure, "failure"));
  }

  @Override
  public String toString() {
    return "MxTlsVerifier{" + trustManager.getClass().getName() + ", " + clock + "}";
  }

  /** Configures an {@link MxTlsVerifier}. Each setting may be made once. Not thread-safe. */
  public static final class Builder {
    private X509TrustManager trustManager;
    private Clock clock;

    private Builder() {}

    /**
     * Sets the trust anchors and chain validation (default: the JDK's default trust store).
     *
     * @param trustManager the trust manager; the JDK's own is thread-safe, a custom one must be
     * @return this builder
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code trustManager} is null
     */
    public Builder trustManager(X509TrustManager trustManager) {
      Objects.requireNonNull(trustManager, "trustManager");
      if (this.trustManager != null) {
        throw new IllegalStateException("trustManager was already set to " + this.trustManager);
      }
      this.trustManager = trustManager;
      return this;
    }

    /**
     * Sets the clock for the leaf certificate's validity check (default: {@link
     * Clock#systemUTC()}). See the class documentation for what a clock can and cannot change.
     *
     * @param clock the clock
     * @return this builder
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code clock} is null
     */
    public Builder clock(Clock clock) {
      Objects.requireNonNull(clock, "clock");
      if (this.clock != null) {
        throw new IllegalStateException("clock was already set to " + this.clock);
      }
      this.clock = clock;
      return this;
    }

    /**
     * Makes the verifier.
     *
     * @return the verifier
     * @throws IllegalStateException if the JDK's default trust store is needed and cannot be
     *     loaded
     */
    public MxTlsVerifier build() {
      return new MxTlsVerifier(
          trustManager != null ? trustManager : TrustAnchors.system(),
          clock != null ? clock : Clock.systemUTC());
    }
  }
}
