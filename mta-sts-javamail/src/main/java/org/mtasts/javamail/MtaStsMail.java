package org.mtasts.javamail;

import jakarta.mail.NoSuchProviderException;
import jakarta.mail.Provider;
import jakarta.mail.Session;

/**
 * Sessions whose mail goes through {@link MtaStsTransport}. Static methods only; thread-safe.
 */
public final class MtaStsMail {
  private MtaStsMail() {}

  /**
   * Routes {@code session.getTransport("smtp")} through {@link MtaStsTransport}, for code that
   * hard-codes the {@code smtp} protocol: registers a provider for {@code smtp} with our transport
   * class, which also sets {@code mail.smtp.class} in the session's properties. The ordinary SMTP
   * provider stays registered and is what the transport delivers with.
   *
   * <p>A session set up only with the property {@code mail.smtp.class} silently falls back to
   * plain SMTP when the provider is not registered (fail-open), so check at start-up:
   *
   * <pre>{@code
   * MtaStsMail.install(session);
   * if (!(session.getTransport("smtp") instanceof MtaStsTransport)) {
   *   throw new IllegalStateException("MTA-STS transport not active");
   * }
   * }</pre>
   *
   * @param session the session to change
   * @return {@code session}
   * @throws NullPointerException if {@code session} is null
   */
  public static Session install(Session session) {
    try {
      session.setProvider(new Provider(Provider.Type.TRANSPORT, "smtp",
          MtaStsTransport.class.getName(), MtaStsTransportProvider.VENDOR, null));
    } catch (NoSuchProviderException e) {
      throw new AssertionError("a non-null provider is always accepted", e);
    }
    return session;
  }
}
