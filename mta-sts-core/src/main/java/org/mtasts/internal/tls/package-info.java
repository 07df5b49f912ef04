/**
 * MX certificate and TLS checks of RFC 8461 §4.2 behind {@link org.mtasts.tls.MxTlsVerifier}: the
 * DNS-ID host name rule, chain validation with classification into {@link
 * org.mtasts.tls.RefusalReason}, DANE authentication against TLSA records (RFC 7672, {@link
 * org.mtasts.internal.tls.DaneVerification}), and the trust manager and socket factory that apply
 * them during an SMTP STARTTLS handshake ({@link org.mtasts.internal.tls.SessionChecks}). Not
 * exported.
 */
package org.mtasts.internal.tls;
