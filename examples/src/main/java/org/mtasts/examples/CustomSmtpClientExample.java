package org.mtasts.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import org.mtasts.MxTlsVerifier;
import org.mtasts.RefusalReason;
import org.mtasts.TlsFacts;
import org.mtasts.TlsOutcome;
import org.mtasts.TlsRequirement;

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
   * Delivers {@code message} (CRLF lines, no final dot) from {@code from} to {@code to}. Returns
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
        TlsOutcome result = outcome.get();
        facts = result.passed()
            ? TlsFacts.verified(result.protocol().orElse("TLS"))
            : TlsFacts.certificateProblem(result.protocol().orElse("TLS"),
                result.refusal().orElse(RefusalReason.VALIDATION_FAILURE));
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

  /** The smallest SMTP dialogue that delivers one message. */
  private static final class Smtp {
    private final BufferedReader in;
    private final OutputStream out;

    Smtp(Socket socket) throws IOException {
      this.in =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      this.out = socket.getOutputStream();
    }

    List<String> expect(int code) throws IOException {
      List<String> lines = new ArrayList<>();
      String line;
      do {
        line = in.readLine();
        if (line == null || line.length() < 4) {
          throw new IOException("connection closed or bad reply: " + line);
        }
        lines.add(line);
      } while (line.charAt(3) == '-');
      if (!line.startsWith(String.valueOf(code))) {
        throw new IOException("expected " + code + " but got: " + line);
      }
      return lines;
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
      String stuffed = message.replace("\r\n.", "\r\n..");
      command(stuffed + "\r\n.", 250);
      quit();
    }

    void quit() throws IOException {
      out.write("QUIT\r\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }
}
