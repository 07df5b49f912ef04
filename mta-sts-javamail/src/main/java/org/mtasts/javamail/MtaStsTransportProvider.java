package org.mtasts.javamail;

import jakarta.mail.Provider;

/**
 * Registers {@link MtaStsTransport} with Jakarta Mail under the protocol {@value
 * MtaStsTransport#PROTOCOL}, for {@link java.util.ServiceLoader} and the module system. The same
 * registration ships in {@code META-INF/javamail.providers} and {@code META-INF/jakarta.providers}.
 *
 * <p>It is never registered as {@code smtp}: that would silently replace the ordinary SMTP
 * transport for every session that can see this jar. Use {@link MtaStsMail#install} to route
 * {@code getTransport("smtp")} through MTA-STS explicitly.
 */
public final class MtaStsTransportProvider extends Provider {
  /** Vendor name in the provider registration. */
  static final String VENDOR = "mta-sts-java";

  /** Called by {@link java.util.ServiceLoader}. */
  public MtaStsTransportProvider() {
    super(Type.TRANSPORT, MtaStsTransport.PROTOCOL, MtaStsTransport.class.getName(), VENDOR, null);
  }
}
