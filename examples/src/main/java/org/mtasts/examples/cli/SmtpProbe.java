package org.mtasts.examples.cli;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.mtasts.HostResolver;
import org.mtasts.tls.MxTlsVerifier;
import org.mtasts.tls.RefusalReason;
import org.mtasts.tls.TlsOutcome;

/**
 * One diagnostic STARTTLS probe of an MX host on port 25: connect, read the greeting, EHLO, see
 * whether STARTTLS is offered, run the TLS handshake through {@link
 * MxTlsVerifier#socketFactory(String, boolean, java.util.function.Consumer)} in report-only mode
 * (so the certificate can be seen even when it fails the MTA-STS checks), then QUIT. Never sends
 * MAIL FROM. The whole probe is bounded by one deadline, and what the server says is read in
 * bounded lines and kept only escaped ({@link CheckReport#printable}, SEC-20).
 */
final class SmtpProbe {
  static final int SMTP_PORT = 25;
  private static final int MAX_LINE = 2048;
  private static final int MAX_LINES = 100;

  /** What the probe saw. Fields are null where the probe did not get that far. */
  static final class Result {
    final String host;
    /** The address that answered, {@code ip:port}. */
    String address;
    /** The first line of the 220 greeting. */
    String greeting;
    boolean startTlsOffered;
    /** The reply to STARTTLS when it was not 220. */
    String startTlsRefusal;
    /** The verdict of the TLS handshake; null if no handshake was attempted. */
    TlsOutcome outcome;
    /** The leaf certificate, when the handshake completed. */
    X509Certificate certificate;
    /** The chain as presented, leaf first, when the handshake completed; for the DANE check. */
    X509Certificate[] chain;
    /**
     * Why the probe could not test STARTTLS at all (no address, connection refused, timeout, a
     * greeting other than 220); null if it could.
     */
    String error;

    Result(String host) {
      this.host = host;
    }

    /** The MTA-STS reason this MX would be refused for, if any. */
    RefusalReason refusal() {
      if (error != null) {
        return null;
      }
      if (!startTlsOffered || startTlsRefusal != null) {
        return RefusalReason.STARTTLS_NOT_SUPPORTED;
      }
      return outcome == null ? null : outcome.refusal().orElse(null);
    }
  }

  private final HostResolver resolver;
  private final MxTlsVerifier verifier;
  private final Duration timeout;
  private final String ehloName;

  SmtpProbe(HostResolver resolver, MxTlsVerifier verifier, Duration timeout, String ehloName) {
    this.resolver = resolver;
    this.verifier = verifier;
    this.timeout = timeout;
    this.ehloName = ehloName;
  }

  Result probe(String mxHost) {
    Result result = new Result(mxHost);
    long deadline = System.nanoTime() + timeout.toNanos();
    List<InetSocketAddress> addresses;
    try {
      addresses = resolver.resolve(mxHost, SMTP_PORT);
    } catch (IOException e) {
      result.error = "cannot resolve " + mxHost + ": " + MtaStsCommand.describe(e);
      return result;
    }
    if (addresses.isEmpty()) {
      result.error = mxHost + " has no address";
      return result;
    }
    Socket plain = null;
    List<String> failures = new ArrayList<>();
    for (InetSocketAddress address : addresses) {
      Socket socket = new Socket();
      try {
        socket.connect(address, remainingMillis(deadline));
        plain = socket;
        result.address = hostAndPort(address);
        break;
      } catch (IOException e) {
        closeQuietly(socket);
        failures.add(hostAndPort(address) + ": " + MtaStsCommand.describe(e));
      }
    }
    if (plain == null) {
      result.error = "cannot connect to " + mxHost + ": " + String.join("; ", failures);
      return result;
    }
    try {
      converse(result, plain, deadline);
    } catch (SocketTimeoutException e) {
      result.error = "no answer from " + mxHost + " within " + timeout.toSeconds() + " s"
          + (result.greeting == null ? "" : " (after the greeting)");
    } catch (IOException e) {
      result.error = "SMTP conversation with " + mxHost + " failed: "
          + CheckReport.printable(MtaStsCommand.describe(e));
    } finally {
      closeQuietly(plain);
    }
    return result;
  }

  private void converse(Result result, Socket plain, long deadline) throws IOException {
    InputStream in = plain.getInputStream();
    OutputStream out = plain.getOutputStream();
    List<String> greeting = readReply(plain, in, deadline);
    // SEC-20: the server's words are kept only escaped (CR, LF, terminal escapes).
    result.greeting = CheckReport.printable(greeting.get(0));
    if (!greeting.get(0).startsWith("220")) {
      result.error = "the greeting was not 220: " + result.greeting;
      send(out, "QUIT");
      return;
    }
    send(out, "EHLO " + ehloName);
    List<String> ehlo = readReply(plain, in, deadline);
    if (!ehlo.get(0).startsWith("250")) {
      result.error = "EHLO " + ehloName + " was refused: " + CheckReport.printable(ehlo.get(0));
      send(out, "QUIT");
      return;
    }
    for (int i = 1; i < ehlo.size(); i++) {
      String line = ehlo.get(i);
      String keyword = line.length() > 4 ? line.substring(4).strip() : "";
      int space = keyword.indexOf(' ');
      if (space >= 0) {
        keyword = keyword.substring(0, space);
      }
      if (keyword.equalsIgnoreCase("STARTTLS")) {
        result.startTlsOffered = true;
      }
    }
    if (!result.startTlsOffered) {
      send(out, "QUIT");
      return;
    }
    send(out, "STARTTLS");
    List<String> reply = readReply(plain, in, deadline);
    if (!reply.get(0).startsWith("220")) {
      result.startTlsRefusal = CheckReport.printable(reply.get(0));
      send(out, "QUIT");
      return;
    }
    AtomicReference<TlsOutcome> outcome = new AtomicReference<>();
    SSLSocketFactory factory = verifier.socketFactory(result.host, false, outcome::set);
    SSLSocket tls =
        (SSLSocket) factory.createSocket(plain, result.host, plain.getPort(), true);
    try {
      tls.setSoTimeout(remainingMillis(deadline));
      tls.startHandshake();
    } catch (SocketTimeoutException e) {
      closeQuietly(tls);
      throw e;
    } catch (IOException e) {
      closeQuietly(tls);
      result.outcome = outcome.get();
      if (result.outcome == null) {
        RefusalReason reason =
            MxTlsVerifier.classify(e).orElse(RefusalReason.TLS_HANDSHAKE_FAILED);
        result.outcome =
            TlsOutcome.failed(result.host, false, reason, MtaStsCommand.describe(e), null, null);
      }
      return;
    }
    result.outcome = outcome.get();
    SSLSession session = tls.getSession();
    if (result.outcome == null) {
      // The verifier reports before startHandshake returns; this is only a safety net.
      result.outcome =
          TlsOutcome.failed(result.host, false, RefusalReason.VALIDATION_FAILURE,
              "the TLS verifier reported no outcome", null, null);
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
        result.certificate = leaf;
      }
      List<X509Certificate> x509 = new ArrayList<>();
      for (Certificate c : chain) {
        if (c instanceof X509Certificate certificate) {
          x509.add(certificate);
        }
      }
      result.chain = x509.toArray(new X509Certificate[0]);
    } catch (IOException e) {
      // no certificate to show
    }
    try {
      send(tls.getOutputStream(), "QUIT");
      readReply(tls, tls.getInputStream(), deadline);
    } catch (IOException e) {
      // the verdict is known; a server that drops the connection on QUIT is not a problem
    } finally {
      closeQuietly(tls);
    }
  }

  private static void send(OutputStream out, String command) throws IOException {
    out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Reads one (possibly multi-line) SMTP reply; returns its lines without CRLF. */
  private static List<String> readReply(Socket socket, InputStream in, long deadline)
      throws IOException {
    List<String> lines = new ArrayList<>();
    while (lines.size() < MAX_LINES) {
      socket.setSoTimeout(remainingMillis(deadline));
      String line = readLine(in);
      lines.add(line);
      if (line.length() < 4 || line.charAt(3) != '-') {
        return lines;
      }
    }
    throw new IOException("reply of more than " + MAX_LINES + " lines");
  }

  /** Reads one line byte by byte, so nothing after it is consumed before the TLS handshake. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (line.size() == 0) {
          throw new EOFException("the server closed the connection");
        }
        break;
      }
      if (b == '\n') {
        break;
      }
      if (line.size() >= MAX_LINE) {
        throw new IOException("reply line longer than " + MAX_LINE + " bytes");
      }
      line.write(b);
    }
    String text = line.toString(StandardCharsets.ISO_8859_1);
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }

  private static int remainingMillis(long deadline) throws SocketTimeoutException {
    long remaining = (deadline - System.nanoTime()) / 1_000_000;
    if (remaining <= 0) {
      throw new SocketTimeoutException("probe deadline reached");
    }
    return (int) Math.min(Integer.MAX_VALUE, remaining);
  }

  private static String hostAndPort(InetSocketAddress address) {
    String host =
        address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  /** The dNSName entries of the certificate's subjectAltName. */
  static List<String> dnsNames(X509Certificate certificate) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0))) {
            names.add(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // no names we can show
    }
    return names;
  }

  static Instant notAfter(X509Certificate certificate) {
    return certificate.getNotAfter().toInstant();
  }
}
