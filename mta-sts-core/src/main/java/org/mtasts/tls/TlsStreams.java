package org.mtasts.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * A caller's own layer inside the TLS sockets of an {@link MxTlsVerifier#socketFactory(String,
 * boolean, java.util.function.Consumer, TlsStreams) MX socket factory}: a say over which
 * connection TLS is layered on, and wrappers around each socket's decrypted input and output. An
 * SMTP client uses it to bound what an MX sends inside TLS as it bounds it before STARTTLS (reply
 * line and size, time), while the socket stays the verifier's, with all its checks.
 *
 * <pre>{@code
 * SSLSocketFactory tls = verifier.socketFactory(mxHost, true, outcomes, new TlsStreams() {
 *   public InputStream input(Socket plain, InputStream decrypted) {
 *     return new ReplyLimitingStream(decrypted);  // the client's own bound
 *   }
 * });
 * }</pre>
 *
 * <p>For each socket, {@link #layering} is called once when it is made, and {@link #input} and
 * {@link #output} at most once each, when the stream is first asked for; a socket hands out the
 * wrapped stream from then on. Streams are asked for only after the first handshake has run
 * through the verifier's checks, so a wrapper never sees data of a refused session. Methods are
 * called on the thread that makes or uses the socket; an implementation shared by sockets used on
 * several threads must be thread-safe. The defaults add nothing.
 */
public interface TlsStreams {
  /** Adds nothing: the sockets' own streams, on any connection. */
  TlsStreams NONE = new TlsStreams() {};

  /**
   * Called before a socket is made: with the caller's connected socket when TLS is layered over
   * it ({@link javax.net.ssl.SSLSocketFactory#createSocket(Socket, String, int, boolean)
   * STARTTLS}), or with null when the factory would open the connection itself (the other {@code
   * createSocket} methods), before anything is resolved or connected. Throwing refuses the
   * socket: the exception reaches the caller of {@code createSocket}.
   *
   * @param plain the connection TLS will run over, or null
   * @throws IOException to refuse the socket
   */
  default void layering(Socket plain) throws IOException {}

  /**
   * Wraps the decrypted input of the TLS socket layered over {@code plain}.
   *
   * @param plain the connection given to {@link #layering} for this socket (null if the factory
   *     opened it)
   * @param decrypted the TLS socket's input stream
   * @return the stream the socket hands out instead
   * @throws IOException if no stream can be made; the socket's {@code getInputStream} throws it
   */
  default InputStream input(Socket plain, InputStream decrypted) throws IOException {
    return decrypted;
  }

  /**
   * Wraps the output of the TLS socket layered over {@code plain}, before encryption.
   *
   * @param plain the connection given to {@link #layering} for this socket (null if the factory
   *     opened it)
   * @param decrypted the TLS socket's output stream
   * @return the stream the socket hands out instead
   * @throws IOException if no stream can be made; the socket's {@code getOutputStream} throws it
   */
  default OutputStream output(Socket plain, OutputStream decrypted) throws IOException {
    return decrypted;
  }
}
