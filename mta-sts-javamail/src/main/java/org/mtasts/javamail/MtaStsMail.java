package org.mtasts.javamail;

import jakarta.mail.NoSuchProviderException;
import jakarta.mail.Provider;
import jakarta.mail.Session;
import java.util.Objects;
import java.util.Properties;
import org.mtasts.MtaSts;

/**
 * Sessions whose mail goes through {@link MtaStsTransport}. Static methods only; thread-safe.
 */
public final class MtaStsMail {
  private MtaStsMail() {}

  /**
   * A new session whose mail goes through {@link MtaStsTransport} with {@code mtaSts}: a copy of
   * {@code properties} plus {@code mail.mtasts.instance=mtaSts}, {@code
   * mail.transport.protocol.rfc822=smtp-mtasts} (covers {@code Transport.send}) and {@code
   * mail.transport.protocol=smtp-mtasts}. MX certificates are checked against {@code
   * mail.mtasts.trustManager} or {@code mail.mtasts.trustStore} if set, else the JDK trust store;
   * MX names are resolved with {@code mail.mtasts.hostResolver} if set, else through DNS (see the
   * package documentation).
   *
   * <pre>{@code
   * MtaSts sts = MtaSts.builder().build();               // one per application
   * Session session = MtaStsMail.session(props, sts);
   * Transport.send(message);                               // message made on session
   * }</pre>
   *
   * <p>{@code properties} are read the way Jakarta Mail reads them, their defaults included. The
   * {@code mail.mtasts.*} settings are checked here, without any I/O, so that a configuration
   * that could not be applied is refused now rather than ignored: an unknown {@code mail.mtasts.*}
   * name, an invalid value, a non-{@code String} object hidden in the defaults (which the copy
   * could not carry), another {@code mail.mtasts.instance}, or a setting of the default client
   * ({@code cacheDirectory}, {@code allowPrivateAddresses}, {@code fetchTimeout}) that {@code
   * mtaSts} would ignore.
   *
   * @param properties the application's mail properties; not changed
   * @param mtaSts the MTA-STS client, shared by all sessions of the application
   * @return the session
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if a {@code mail.mtasts.*} setting cannot be applied; the
   *     message names it
   */
  public static Session session(Properties properties, MtaSts mtaSts) {
    Objects.requireNonNull(properties, "properties");
    Objects.requireNonNull(mtaSts, "mtaSts");
    Settings.check(properties); // an object in the defaults would be lost by the copy below
    Object given = properties.get(Settings.INSTANCE);
    if (given != null && given != mtaSts) {
      throw new IllegalArgumentException(Settings.INSTANCE + " is already set to another"
          + " object; it would be replaced by the mtaSts argument");
    }
    Properties copy = new Properties();
    for (String name : properties.stringPropertyNames()) {
      copy.put(name, properties.getProperty(name));
    }
    copy.putAll(properties);
    copy.put(Settings.INSTANCE, mtaSts);
    copy.put("mail.transport.protocol.rfc822", MtaStsTransport.PROTOCOL);
    copy.put("mail.transport.protocol", MtaStsTransport.PROTOCOL);
    Gates.validate(copy);
    Session session = Session.getInstance(copy);
    Settings.of(session); // the transport's own settings: refused now if invalid
    return session;
  }

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
