package org.mtasts.examples;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocket;
import org.mtasts.DeliveryDecision;
import org.mtasts.DeliveryPlan;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.MxCandidate;
import org.mtasts.tls.MxTlsVerifier;
import org.mtasts.NetworkText;
import org.mtasts.tls.RefusalReason;
import org.mtasts.tls.TlsFacts;
import org.mtasts.tls.TlsOutcome;
import org.mtasts.tls.TlsRequirement;

/**
 * How a mail server with its own SMTP client applies MTA-STS: plan the delivery, walk the MX
 * hosts in order, let {@link MxTlsVerifier} check each STARTTLS session, and let {@link
 * MtaSts#check} decide. Deliberately small: one message, no pipelining, no retries.
 */
public final class CustomSmtpClientExample {
  private final MtaSts sts;
  private final MxTlsVerifier verifier;
  private final HostResolver hosts;
  private final int port;

  /**
   * @param sts the shared MTA-STS client
   * @param verifier checks MX certificates (trust anchors as configured)
   * @param hosts where to connect for an MX host name
   * @param port the SMTP port (25 in production)
   */
  public CustomSmtpClientExample(MtaSts sts, MxTlsVerifier verifier, HostResolver hosts, int port) {
    this.sts = sts;
    this.verifier = verifier;
    this.hosts = hosts;
    this.port = port;
  }

  /** What happened at one MX host. */
  public record Attempt(String mxHost, DeliveryDecision decision, boolean delivered) {}

  /**
   * Delivers {@code message} (lines ending in CRLF, LF or CR; no final dot) from {@code from} to {@code to}. Returns
   * every attempt; the last one says whether the message was delivered.
   */
  public List<Attempt> send(String from, String to, String message) throws IOException {
    String domain = to.substring(to.lastIndexOf('@') + 1);
    DeliveryPlan plan = sts.plan(domain);
    List<Attempt> attempts = new ArrayList<>();
    // MX hosts that do not match an enforce policy are not in deliverable(): never contacted.
    for (MxCandidate mx : plan.deliverable()) {
      Attempt attempt = tryHost(plan, mx, from, to, message);
      attempts.add(attempt);
      if (attempt.delivered()) {
        break;
      }
    }
    return attempts;
  }

  private Attempt tryHost(DeliveryPlan plan, MxCandidate mx, String from, String to,
      String message) throws IOException {
    InetSocketAddress address = hosts.resolve(mx.host(), port).get(0);
    try (Socket plain = new Socket()) {
      plain.connect(address, 10_000);
      plain.setSoTimeout(30_000);
      Smtp smtp = new Smtp(plain);
      smtp.expect(220);
      List<String> ehlo = smtp.command("EHLO client.example", 250);
      if (ehlo.stream().noneMatch(line -> line.substring(4).equalsIgnoreCase("STARTTLS"))) {
        DeliveryDecision decision = sts.check(plan.lookup(), mx.host(), TlsFacts.noStartTls());
        if (!decision.isAllowed()) {
          smtp.quit();
          return new Attempt(mx.host(), decision, false); // enforce: never send in plaintext
        }
        smtp.deliver(from, to, message);
        return new Attempt(mx.host(), decision, true);
      }
      smtp.command("STARTTLS", 220);
      // The verifier checks the chain and the MX name inside the handshake; under enforce it
      // aborts the handshake on a bad certificate, so nothing is ever sent to such a host.
      AtomicReference<TlsOutcome> outcome = new AtomicReference<>();
      boolean enforce = mx.tls() == TlsRequirement.VERIFIED;
      SSLSocket tls =
          (SSLSocket) verifier.socketFactory(mx.host(), enforce, outcome::set)
              .createSocket(plain, mx.host(), address.getPort(), true);
      TlsFacts facts;
      try {
        tls.startHandshake();
        facts = outcome.get().facts(); // verified, or the certificate problem (testing mode)
      } catch (IOException e) {
        RefusalReason reason =
            outcome.get() != null && outcome.get().refusal().isPresent()
                ? outcome.get().refusal().get()
                : MxTlsVerifier.classify(e).orElse(RefusalReason.TLS_HANDSHAKE_FAILED);
        return new Attempt(mx.host(),
            sts.check(plan.lookup(), mx.host(), TlsFacts.handshakeFailed(reason)), false);
      }
      DeliveryDecision decision = sts.check(plan.lookup(), mx.host(), facts);
      Smtp secure = new Smtp(tls);
      if (!decision.isAllowed()) {
        secure.quit();
        return new Attempt(mx.host(), decision, false);
      }
      secure.command("EHLO client.example", 250); // RFC 3207: start over after TLS
      secure.deliver(from, to, message);
      return new Attempt(mx.host(), decision, true);
    }
  }

  /**
   * The message as the SMTP DATA block (RFC 5321 §4.5.2), ending in the terminating
   * {@code CRLF.CRLF}. Every bare CR and bare LF becomes CRLF first, then every line that starts
   * with a dot (the first one too) gets a second dot, so no sequence in the message can end the
   * DATA block early at a server that reads {@code LF.LF} or {@code CR.CR} as its end (SMTP
   * smuggling). Code people copy must get this right.
   */
  static String dataBlock(String message) {
    StringBuilder b = new StringBuilder(message.length() + 16);
    boolean lineStart = true;
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      if (c == '\r' || c == '\n') {
        if (c == '\r' && i + 1 < message.length() && message.charAt(i + 1) == '\n') {
          i++;
        }
        b.append("\r\n");
        lineStart = true;
        continue;
      }
      if (lineStart && c == '.') {
        b.append('.');
      }
      b.append(c);
      lineStart = false;
    }
    if (!lineStart) {
      b.append("\r\n");
    }
    return b.append(".\r\n").toString();
  }

  /** The smallest SMTP dialogue that delivers one message. */
  private static final class Smtp {
    /** RFC 5321 §4.5.3.1.5 allows 512 octets a reply line; be lenient, but bounded. */
    private static final int MAX_LINE = 4096;
    /** A multi-line reply (EHLO) of more lines than this is hostile, not an MTA. */
    private static final int MAX_LINES = 100;

    private final InputStream in;
    private final OutputStream out;

    Smtp(Socket socket) throws IOException {
      this.in = new BufferedInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    List<String> expect(int code) throws IOException {
      List<String> lines = new ArrayList<>();
      String line;
      do {
        if (lines.size() == MAX_LINES) {
          throw new IOException("reply of more than " + MAX_LINES + " lines");
        }
        line = readReplyLine();
        if (line == null || line.length() < 4) {
          throw new IOException("connection closed or bad reply: "
              + (line == null ? "end of stream" : printable(line)));
        }
        lines.add(line);
      } while (line.charAt(3) == '-');
      if (!line.startsWith(String.valueOf(code))) {
        throw new IOException("expected " + code + " but got: " + printable(line));
      }
      return lines;
    }

    /** Reply text is the server's: never let its control characters into a log line. */
    private static String printable(String line) {
      return "'" + NetworkText.printable(line) + "'";
    }

    /** One reply line without its CRLF, at most {@link #MAX_LINE} octets; null at the end. */
    private String readReplyLine() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream(128);
      int c;
      while ((c = in.read()) != -1) {
        if (c == '\n') {
          byte[] bytes = line.toByteArray();
          int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
          return new String(bytes, 0, n, StandardCharsets.UTF_8);
        }
        if (line.size() == MAX_LINE) {
          throw new IOException("reply line longer than " + MAX_LINE + " octets");
        }
        line.write(c);
      }
      return null;
    }

    List<String> command(String command, int code) throws IOException {
      out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      return expect(code);
    }

    void deliver(String from, String to, String message) throws IOException {
      command("MAIL FROM:<" + from + ">", 250);
      command("RCPT TO:<" + to + ">", 250);
      command("DATA", 354);
      out.write(dataBlock(message).getBytes(StandardCharsets.UTF_8));
      out.flush();
      expect(250);
      quit();
    }

    void quit() throws IOException {
      out.write("QUIT\r\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }
}
