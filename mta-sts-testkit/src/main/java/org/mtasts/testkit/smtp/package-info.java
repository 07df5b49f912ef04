/**
 * Loopback ESMTP receivers that play MX hosts for tests: {@link
 * org.mtasts.testkit.smtp.SmtpReceiver} listens on {@code 127.0.0.1}, {@link
 * org.mtasts.testkit.smtp.SmtpBehaviour} says how it treats STARTTLS and the mail transaction, and
 * {@link org.mtasts.testkit.smtp.ReceivedMessage} and {@link org.mtasts.testkit.smtp.SessionRecord}
 * capture what arrived.
 *
 * <p>The behaviours cover what an MTA-STS sender must cope with (RFC 8461 §4.2, §5, §7.2; RFC
 * 3207): STARTTLS with a good or bad certificate, STARTTLS stripped, refused with {@code 454} or
 * broken during the handshake, plaintext injected after the {@code 220}, TLS restricted to one
 * version or played as a TLS 1.1-only server, TLS required before {@code MAIL}, and scripted 4xx
 * and 5xx replies to {@code MAIL}, {@code RCPT} and the end of {@code DATA}. {@link
 * org.mtasts.testkit.smtp.HostileReply} plays hostile servers at any stage (greeting, EHLO before
 * or after STARTTLS, MAIL, RCPT, end of DATA): endless continuation lines, one endless line, a
 * byte at a time, a reply that never ends, or raw bytes with control characters.
 *
 * <p>The receivers use only the JDK's sockets and TLS and never change process-wide settings such
 * as security properties or the default SSL context. Certificates come from {@link
 * org.mtasts.testkit.tls.TestCertificateAuthority}; a client trusts them only when a test gives it
 * that authority's trust material.
 */
package org.mtasts.testkit.smtp;
