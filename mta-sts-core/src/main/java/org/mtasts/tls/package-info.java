/**
 * The TLS half of MTA-STS delivery: what one MX session must satisfy and what it showed.
 *
 * <p>{@link org.mtasts.tls.TlsRequirement} says what a delivery needs; {@link
 * org.mtasts.tls.MxTlsVerifier} makes STARTTLS sockets that check the certificate chain and the MX
 * host name during the handshake, against {@link org.mtasts.tls.TrustAnchors}; the result is a
 * {@link org.mtasts.tls.TlsOutcome}, reduced to {@link org.mtasts.tls.TlsFacts} for the policy
 * decision; a failed check has a {@link org.mtasts.tls.RefusalReason} that lines up with a TLS-RPT
 * result type. Applications that run their own SMTP client use this package with {@code
 * MtaSts.check}; the Jakarta Mail transport uses it underneath.
 *
 * <p>DANE for SMTP (RFC 7672) lives here too: {@link org.mtasts.tls.DaneTlsa} is a host's secure
 * TLSA RRset, {@link org.mtasts.tls.DaneRequirement} what it requires of the session, and the
 * verifier's DANE checks and sockets report a {@link org.mtasts.tls.DaneResult} beside the MTA-STS
 * verdict, in {@link org.mtasts.tls.TlsOutcome} and {@link org.mtasts.tls.TlsFacts}.
 *
 * <p>Every type here is immutable and thread-safe, or says otherwise.
 */
package org.mtasts.tls;
