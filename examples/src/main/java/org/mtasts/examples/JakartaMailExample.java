package org.mtasts.examples;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.util.Properties;
import org.mtasts.MtaSts;
import org.mtasts.javamail.MtaStsMail;

/**
 * Wrapping a Jakarta Mail session so that {@code Transport.send} delivers direct to the recipients'
 * MX hosts under their MTA-STS policies — with properties only, or with an {@link MtaSts} you build.
 */
public final class JakartaMailExample {
  private JakartaMailExample() {}

  /**
   * Properties only: the way to switch it on from configuration (e.g. Spring's {@code
   * JavaMailSenderImpl}). A shared default client is built from the {@code mail.mtasts.*}
   * properties.
   */
  public static Session sessionFromProperties(Properties application) {
    Properties props = new Properties();
    props.putAll(application);
    props.setProperty("mail.transport.protocol.rfc822", "smtp-mtasts"); // Transport.send(msg)
    props.setProperty("mail.transport.protocol", "smtp-mtasts");        // session.getTransport()
    return Session.getInstance(props);
  }

  /** With a client you build and share (caches, persistent store, listener are yours). */
  public static Session sessionFromClient(Properties application, MtaSts sts) {
    return MtaStsMail.session(application, sts);
  }

  /** Sends a short message; throws {@code SendFailedException} listing who was not delivered. */
  public static void send(Session session, String from, String to, String text)
      throws MessagingException {
    MimeMessage message = new MimeMessage(session);
    message.setFrom(from);
    message.setRecipients(Message.RecipientType.TO, to);
    message.setSubject("Hello over MTA-STS");
    message.setText(text);
    Transport.send(message);
  }
}
