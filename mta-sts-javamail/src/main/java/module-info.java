/**
 * A Jakarta Mail transport, protocol {@code smtp-mtasts}, that delivers mail direct to the
 * recipients' MX hosts under their MTA-STS (RFC 8461) policies. See {@link
 * org.mtasts.javamail} for how to switch it on and the property table.
 */
module org.mtasts.javamail {
  requires transitive jakarta.mail;
  requires transitive org.mtasts.core;
  requires org.slf4j;
  // Ed25519 DKIM keys are handed to utils-mail-dkim as Bouncy Castle keys. utils-mail-dkim
  // itself is read from the class path (see DkimReportSigner).
  requires org.bouncycastle.provider;

  exports org.mtasts.javamail;

  provides jakarta.mail.Provider with
      org.mtasts.javamail.MtaStsTransportProvider;
}
