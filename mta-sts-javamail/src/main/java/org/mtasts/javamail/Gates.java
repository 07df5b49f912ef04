package org.mtasts.javamail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.util.Objects;
import org.mtasts.HostResolver;

/** The policy, TLS and address seams a session's deliveries use. */
record Gates(PolicyGate policy, TlsGate tls, HostResolver resolver) {
  Gates {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(resolver, "resolver");
  }

  static Gates of(Session session) throws MessagingException {
    Object instance = session.getProperties().get(Settings.INSTANCE);
    if (instance instanceof Gates g) {
      return g;
    }
    throw new MessagingException("no MTA-STS configuration: set " + Settings.INSTANCE);
  }
}
