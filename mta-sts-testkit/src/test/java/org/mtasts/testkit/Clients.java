package org.mtasts.testkit;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Independent clients for the world's tests: dnsjava's {@link SimpleResolver}, a JDK {@link
 * SSLSocket} speaking HTTP/1.1 and a raw-socket SMTP client. Nothing of the testkit's server code.
 */
final class Clients {
  static final int TIMEOUT_MILLIS = 5_000;

  private Clients() {}

  // =================================================================== DNS

  /** Asks the DNS server at {@code server} one question over UDP. */
  static Message query(InetSocketAddress server, String name, String type) throws IOException {
    SimpleResolver resolver = new SimpleResolver(server);
    resolver.setTimeout(Duration.ofMillis(TIMEOUT_MILLIS));
    try {
      return resolver.send(
          Message.newQuery(
              Record.newRecord(Name.fromString(name, Name.root), Type.value(type), DClass.IN)));
    } catch (TextParseException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static String rcode(Message response) {
    return Rcode.string(response.getRcode());
  }

  /** The TXT records in the answer, each one's strings concatenated. */
  static List<String> txt(InetSocketAddress server, String name) throws IOException {
    return query(server, name, "TXT").getSection(Section.ANSWER).stream()
        .filter(r -> r.getType() == Type.TXT)
        .map(r -> String.join("", ((TXTRecord) r).getStrings()))
        .collect(Collectors.toList());
  }

  /** The MX records in the answer as {@code "<preference> <exchange>"}, exchange absolute. */
  static List<String> mx(InetSocketAddress server, String name) throws IOException {
    return query(server, name, "MX").getSection(Section.ANSWER).stream()
        .filter(r -> r.getType() == Type.MX)
        .map(r -> ((MXRecord) r).getPriority() + " " + ((MXRecord) r).getTarget())
        .sorted()
        .collect(Collectors.toList());
  }

  /** The A records in the answer as address literals. */
  static List<String> a(InetSocketAddress server, String name) throws IOException {
    return query(server, name, "A").getSection(Section.ANSWER).stream()
        .filter(r -> r.getType() == Type.A)
        .map(r -> ((ARecord) r).getAddress().getHostAddress())
        .collect(Collectors.toList());
  }

  /** The CNAME targets in the answer. */
  static List<String> cnames(Message response) {
    return response.getSection(Section.ANSWER).stream()
        .filter(r -> r.getType() == Type.CNAME)
        .map(r -> ((CNAMERecord) r).getTarget().toString())
        .collect(Collectors.toList());
  }

  // =================================================================== TLS

  /**
   * Connects to {@code address} and makes a TLS handshake as a client of {@code host}: SNI {@code
   * host}, certificate checked against {@code trust} and the host name (HTTPS rules).
   */
  static SSLSocket tls(Socket plain, SSLContext trust, String host) throws IOException {
    SSLSocket socket =
        (SSLSocket) trust.getSocketFactory().createSocket(plain, host, plain.getPort(), true);
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setServerNames(List.of(new SNIHostName(host)));
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    socket.setSSLParameters(parameters);
    socket.startHandshake();
    return socket;
  }

  static Socket connect(InetSocketAddress address) throws IOException {
    Socket socket = new Socket();
    socket.connect(address, TIMEOUT_MILLIS);
    socket.setSoTimeout(TIMEOUT_MILLIS);
    return socket;
  }

  // =================================================================== HTTPS

  /** A response read by {@link #get}. */
  record HttpResponse(int status, String head, String body) {
    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  /**
   * {@code GET https://<host>/.well-known/mta-sts.txt}, connecting to {@code address} instead of
   * port 443 of the host's address, over HTTP/1.1 with {@code Connection: close}; reads until the
   * server closes. Handles a Content-Length body only (enough for plain policies).
   */
  static HttpResponse get(InetSocketAddress address, SSLContext trust, String host)
      throws IOException {
    try (SSLSocket socket = tls(connect(address), trust, host)) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: "
                  + host
                  + "\r\nConnection: close\r\nAccept: */*\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int end = all.indexOf("\r\n\r\n");
      if (end < 0) {
        throw new EOFException("no complete response head: " + all);
      }
      String head = all.substring(0, end);
      int status = Integer.parseInt(head.split(" ", 3)[1]);
      return new HttpResponse(status, head, all.substring(end + 4));
    }
  }

  // =================================================================== SMTP

  /** A deliberately small SMTP client on a socket, byte by byte so nothing is read ahead. */
  static final class Smtp implements AutoCloseable {
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    Smtp(InetSocketAddress address) throws IOException {
      use(connect(address));
    }

    private void use(Socket s) throws IOException {
      socket = s;
      in = s.getInputStream();
      out = s.getOutputStream();
    }

    /** One reply, lines joined with "\n". */
    String reply() throws IOException {
      StringBuilder reply = new StringBuilder();
      while (true) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
          if (b < 0) {
            throw new EOFException("connection closed; reply so far: " + reply + line);
          }
          if (b != '\r') {
            line.write(b);
          }
        }
        String text = line.toString(StandardCharsets.UTF_8);
        reply.append(reply.length() == 0 ? "" : "\n").append(text);
        if (text.length() < 4 || text.charAt(3) != '-') {
          return reply.toString();
        }
      }
    }

    String command(String line) throws IOException {
      out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      return reply();
    }

    /** Issues STARTTLS and, on 220, upgrades to TLS as a client of {@code host}. */
    String startTls(SSLContext trust, String host) throws IOException {
      String reply = command("STARTTLS");
      if (reply.startsWith("220")) {
        use(tls(socket, trust, host));
      }
      return reply;
    }

    SSLSocket tlsSocket() {
      return (SSLSocket) socket;
    }

    /** MAIL, RCPT, DATA with a small message; returns the reply to the final dot. */
    String send(String from, String to, String subject) throws IOException {
      expect("250", command("MAIL FROM:<" + from + ">"));
      expect("250", command("RCPT TO:<" + to + ">"));
      expect("354", command("DATA"));
      return command(
          "From: <" + from + ">\r\nTo: <" + to + ">\r\nSubject: " + subject + "\r\n\r\nhello\r\n.");
    }

    private static void expect(String code, String reply) throws IOException {
      if (!reply.startsWith(code)) {
        throw new IOException("expected " + code + " but got: " + reply);
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
