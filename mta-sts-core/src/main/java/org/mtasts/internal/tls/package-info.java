/**
 * MX certificate and TLS checks of RFC 8461 §4.2 behind {@link org.mtasts.tls.MxTlsVerifier}: the
 * DNS-ID host name rule, chain validation with classification into {@link
 * org.mtasts.tls.RefusalReason}, and the trust manager and socket factory that apply both during an
 * SMTP STARTTLS handshake. Not exported.
 */
package org.mtasts.internal.tls;
