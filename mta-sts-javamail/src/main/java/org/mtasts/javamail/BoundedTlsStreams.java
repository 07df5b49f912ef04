package org.mtasts.javamail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.util.Objects;
import org.mtasts.tls.TlsStreams;

/**
 * The transport's layer inside the TLS socket of an MX session after STARTTLS, given to core's
 * verifier ({@link TlsStreams}), whose socket keeps its certificate checks, TLS 1.2+ and SNI:
 *
 * <ul>
 *   <li>TLS is layered only over the transport's own {@link PinnedSocketFactory.PinnedSocket}:
 *       STARTTLS over any other socket, or a TLS connection the factory would open itself, is
 *       refused, so no MX socket escapes the bounds;
 *   <li>the SMTP replies inside TLS go through a fresh {@link SmtpReplyLimiter}, and the
 *       connection's time bounds still apply (the TLS layer reads through the bounded plaintext
 *       socket below, and every read here checks them too);
 *   <li>the commands written inside TLS are watched for {@code DATA}/{@code BDAT} ({@link
 *       PinnedSocketFactory.CommandWatcher}).
 * </ul>
 */
final class BoundedTlsStreams implements TlsStreams {
  private final SessionRecorder recorder;

  BoundedTlsStreams(SessionRecorder recorder) {
    this.recorder = Objects.requireNonNull(recorder, "recorder");
  }

  @Override
  public void layering(Socket plain) throws IOException {
    if (!(plain instanceof PinnedSocketFactory.PinnedSocket pinned)) {
      throw new SocketException(plain == null
          ? "MX connections use STARTTLS over the transport's own socket"
          : "STARTTLS over a socket the MTA-STS transport did not make: "
              + plain.getClass().getName());
    }
    pinned.bounds().check();
    pinned.startTls();
  }

  @Override
  public InputStream input(Socket plain, InputStream decrypted) throws IOException {
    MxBounds bounds = bounds(plain);
    bounds.check();
    return new BoundedInputStream(decrypted, bounds, null, new SmtpReplyLimiter());
  }

  @Override
  public OutputStream output(Socket plain, OutputStream decrypted) throws IOException {
    bounds(plain).check();
    return new PinnedSocketFactory.CommandWatcher(decrypted, recorder);
  }

  /** The bounds of the connection {@link #layering} accepted. */
  private static MxBounds bounds(Socket plain) {
    return ((PinnedSocketFactory.PinnedSocket) plain).bounds();
  }
}
