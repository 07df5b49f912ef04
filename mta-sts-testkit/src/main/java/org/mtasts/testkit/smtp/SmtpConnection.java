package org.mtasts.testkit.smtp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP session on an accepted socket, run on its own thread. Everything here is confined to
 * that thread; results go to the receiver through its synchronized callbacks.
 */
final class SmtpConnection implements Runnable, SessionFaults.Session {
  private static final Logger log = LoggerFactory.getLogger(SmtpConnection.class);

  /** RFC 5321 §4.5.3.1.4 allows 512 octets; the rest is room for extension parameters. */
  static final int MAX_COMMAND_LENGTH = 1024;

  /** RFC 5321 §4.5.3.1.6: 1000 octets including CRLF. */
  static final int MAX_TEXT_LINE_LENGTH = 998;

  static final int MAX_MESSAGE_SIZE = 10 * 1024 * 1024;
  static final int MAX_RECIPIENTS = 100;
  private static final int MAX_TRANSCRIPT = 2000;

  private final SmtpReceiver receiver;
  private final Socket plain;
  private final SmtpBehaviour behaviour;
  private final int id;
  private final int readTimeoutMillis;
  private final String host;
  private final InetSocketAddress clientAddress;

  private Socket socket;
  private LineReader in;
  private OutputStream out;

  // Session state (RFC 3207 §4.2: all of it is forgotten when TLS starts).
  private String ehloName;
  private String mailFrom;
  private final List<String> recipients = new ArrayList<>();

  // TLS state.
  private String tlsProtocol;
  private String cipherSuite;
  private volatile String sniHostName; // written by the JDK handshake via the SNI matcher

  // What the session record will hold.
  private final List<String> greetings = new ArrayList<>();
  private final List<String> commands = new ArrayList<>();
  private final List<String> transcript = new ArrayList<>();
  private boolean startTlsAttempted;
  private String handshakeFailure;
  private int bytesDiscardedAtStartTls;
  private int messagesAccepted;

  SmtpConnection(
      SmtpReceiver receiver, Socket plain, SmtpBehaviour behaviour, int id, int readTimeoutMillis) {
    this.receiver = receiver;
    this.plain = plain;
    this.behaviour = behaviour;
    this.id = id;
    this.readTimeoutMillis = readTimeoutMillis;
    this.host = receiver.hostName();
    this.clientAddress = (InetSocketAddress) plain.getRemoteSocketAddress();
  }

  @Override
  public void run() {
    try {
      plain.setSoTimeout(readTimeoutMillis);
      plain.setTcpNoDelay(true);
      socket = plain;
      in = new LineReader(plain.getInputStream());
      out = plain.getOutputStream();
      if (!hostile(HostileReply.Stage.GREETING)) {
        reply("220 " + host + " ESMTP mta-sts-java testkit");
      }
      serve();
    } catch (SocketTimeoutException e) {
      event("read timeout after " + readTimeoutMillis + " ms; closing");
      try {
        reply("421 4.4.2 " + host + " timeout, closing connection");
      } catch (IOException ignored) {
        // The client is gone or stuck; closing is all that is left.
      }
    } catch (IOException e) {
      event("connection ended: " + e);
    } catch (RuntimeException e) {
      log.warn("[{}#{}] session failed", host, id, e);
      event("internal error: " + e);
    } finally {
      if (socket instanceof SSLSocket && tlsProtocol != null) {
        // Send close_notify and close the TCP connection without waiting for the client's
        // close_notify, which SSLSocket.close() does under TLS 1.3 (up to the read timeout).
        try {
          ((SSLSocket) socket).shutdownOutput();
        } catch (IOException ignored) {
          // The client may be gone already.
        }
      }
      closeQuietly(plain);
      closeQuietly(socket);
      receiver.sessionEnded(
          plain,
          new SessionRecord(
              id,
              clientAddress,
              behaviour,
              greetings,
              commands,
              transcript,
              startTlsAttempted,
              tlsProtocol,
              cipherSuite,
              sniHostName,
              handshakeFailure,
              bytesDiscardedAtStartTls,
              messagesAccepted));
    }
  }

  private void serve() throws IOException {
    while (true) {
      LineReader.Line line = in.readLine(MAX_COMMAND_LENGTH);
      if (line == null) {
        event("client closed the connection");
        return;
      }
      String text = new String(line.bytes, StandardCharsets.UTF_8);
      commands.add(text);
      record("C: " + text);
      if (line.truncated) {
        reply("500 5.5.2 Line too long");
        continue;
      }
      int space = text.indexOf(' ');
      String verb = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
      String argument = space < 0 ? "" : text.substring(space + 1).strip();
      switch (verb) {
        case "EHLO":
          ehlo(argument);
          break;
        case "HELO":
          helo(argument);
          break;
        case "STARTTLS":
          if (!startTls(argument)) {
            return;
          }
          break;
        case "MAIL":
          mail(argument);
          break;
        case "RCPT":
          rcpt(argument);
          break;
        case "DATA":
          data(argument);
          break;
        case "RSET":
          if (!argument.isEmpty()) {
            reply("501 5.5.4 Syntax: RSET");
          } else {
            resetTransaction();
            reply("250 2.0.0 Ok");
          }
          break;
        case "NOOP":
          reply("250 2.0.0 Ok");
          break;
        case "VRFY":
          reply("252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery");
          break;
        case "HELP":
          reply("214 2.0.0 EHLO HELO STARTTLS MAIL RCPT DATA RSET NOOP QUIT");
          break;
        case "QUIT":
          reply("221 2.0.0 " + host + " closing connection");
          return;
        default:
          reply("500 5.5.2 Command not recognized");
      }
    }
  }

  private void ehlo(String argument) throws IOException {
    if (argument.isEmpty()) {
      reply("501 5.5.4 Syntax: EHLO hostname");
      return;
    }
    greet(argument);
    if (hostile(ehloStage())) {
      return;
    }
    List<String> lines = new ArrayList<>();
    lines.add(host + " greets " + argument);
    lines.add("PIPELINING");
    lines.add("SIZE " + MAX_MESSAGE_SIZE);
    lines.add("8BITMIME");
    lines.add("ENHANCEDSTATUSCODES");
    if (tlsProtocol == null && behaviour.advertisesStartTls()) {
      lines.add("STARTTLS");
    }
    StringBuilder reply = new StringBuilder();
    for (int i = 0; i < lines.size(); i++) {
      reply.append("250").append(i == lines.size() - 1 ? ' ' : '-').append(lines.get(i));
      if (i < lines.size() - 1) {
        reply.append("\r\n");
      }
    }
    reply(reply.toString());
  }

  private void helo(String argument) throws IOException {
    if (argument.isEmpty()) {
      reply("501 5.5.4 Syntax: HELO hostname");
      return;
    }
    greet(argument);
    if (hostile(ehloStage())) {
      return;
    }
    reply("250 " + host);
  }

  private void greet(String name) {
    greetings.add(name);
    ehloName = name;
    resetTransaction();
  }

  private HostileReply.Stage ehloStage() {
    return tlsProtocol == null ? HostileReply.Stage.EHLO : HostileReply.Stage.EHLO_AFTER_TLS;
  }

  /** Handles STARTTLS; returns false when the connection must end. */
  private boolean startTls(String argument) throws IOException {
    startTlsAttempted = true;
    receiver.startTlsCommandReceived();
    if (!argument.isEmpty()) {
      reply("501 5.5.4 Syntax: STARTTLS (no parameters)");
      return true;
    }
    if (tlsProtocol != null) {
      reply("503 5.5.1 TLS already active");
      return true;
    }
    switch (behaviour.mode) {
      case NOT_OFFERED:
        reply("502 5.5.1 Command not implemented");
        return true;
      case REFUSED:
        reply(behaviour.startTlsRefusal.toString());
        return true;
      default:
        break;
    }
    // RFC 3207 §4.2: nothing the client sent before the handshake may be used after it.
    bytesDiscardedAtStartTls = in.discardBuffered();
    if (bytesDiscardedAtStartTls > 0) {
      event("discarded " + bytesDiscardedAtStartTls + " bytes sent after STARTTLS");
    }
    String ready = "220 2.0.0 Ready to start TLS";
    if (behaviour.injection != null) {
      reply(ready + "\r\n" + behaviour.injection);
      event("injected \"" + behaviour.injection + "\" in the same write as the 220");
    } else {
      reply(ready);
    }
    if (behaviour.mode == SmtpBehaviour.StartTlsMode.OFFERED) {
      return handshake();
    }
    // A fault mode the JDK's TLS cannot play; it ends the session.
    handshakeFailed(SessionFaults.startTls(behaviour, plain.getInputStream(), out, this));
    return false;
  }

  private boolean handshake() throws IOException {
    SSLSocket tls =
        (SSLSocket)
            behaviour
                .serverContext
                .getSocketFactory()
                .createSocket(
                    plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
    socket = tls;
    tls.setUseClientMode(false);
    SSLParameters parameters = tls.getSSLParameters();
    parameters.setSNIMatchers(List.of(new SniRecorder()));
    if (!behaviour.tlsProtocols.isEmpty()) {
      parameters.setProtocols(behaviour.tlsProtocols.toArray(new String[0]));
    }
    tls.setSSLParameters(parameters);
    tls.setSoTimeout(readTimeoutMillis);
    try {
      tls.startHandshake();
    } catch (IOException e) {
      handshakeFailed(String.valueOf(e.getMessage()));
      return false;
    }
    SSLSession session = tls.getSession();
    tlsProtocol = session.getProtocol();
    cipherSuite = session.getCipherSuite();
    receiver.handshakeCompleted();
    event("TLS handshake complete: " + tlsProtocol + " " + cipherSuite + " SNI=" + sniHostName);
    in = new LineReader(tls.getInputStream());
    out = tls.getOutputStream();
    // RFC 3207 §4.2: forget the greeting and any transaction; the client must EHLO again.
    ehloName = null;
    resetTransaction();
    return true;
  }

  private void handshakeFailed(String why) {
    handshakeFailure = why;
    receiver.handshakeFailed();
    event("TLS handshake failed: " + why);
  }

  private void mail(String argument) throws IOException {
    if (ehloName == null) {
      reply("503 5.5.1 Send EHLO/HELO first");
      return;
    }
    if (mailFrom != null) {
      reply("503 5.5.1 Nested MAIL command");
      return;
    }
    if (behaviour.requireTls && tlsProtocol == null) {
      reply("530 5.7.0 Must issue a STARTTLS command first");
      return;
    }
    if (hostile(HostileReply.Stage.MAIL)) {
      return;
    }
    String path = path(argument, "FROM:");
    if (path == null) {
      reply("501 5.5.4 Syntax: MAIL FROM:<address>");
      return;
    }
    Long size = sizeParameter(argument);
    if (size != null && size > MAX_MESSAGE_SIZE) {
      reply("552 5.3.4 Message size exceeds fixed limit");
      return;
    }
    SmtpReply scripted = behaviour.mailReply;
    if (scripted != null && !scripted.isPositive()) {
      reply(scripted.toString());
      return;
    }
    mailFrom = path;
    recipients.clear();
    reply(scripted != null ? scripted.toString() : "250 2.1.0 Sender OK");
  }

  private void rcpt(String argument) throws IOException {
    if (mailFrom == null) {
      reply("503 5.5.1 Need MAIL before RCPT");
      return;
    }
    String path = path(argument, "TO:");
    if (path == null || path.isEmpty()) {
      reply("501 5.5.4 Syntax: RCPT TO:<address>");
      return;
    }
    if (recipients.size() >= MAX_RECIPIENTS) {
      reply("452 4.5.3 Too many recipients");
      return;
    }
    if (hostile(HostileReply.Stage.RCPT)) {
      return;
    }
    SmtpReply scripted = behaviour.rcptReplyFor(path);
    if (scripted != null && !scripted.isPositive()) {
      reply(scripted.toString());
      return;
    }
    recipients.add(path);
    reply(scripted != null ? scripted.toString() : "250 2.1.5 Recipient OK");
  }

  private void data(String argument) throws IOException {
    if (!argument.isEmpty()) {
      reply("501 5.5.4 Syntax: DATA");
      return;
    }
    if (mailFrom == null) {
      reply("503 5.5.1 Need MAIL before DATA");
      return;
    }
    if (recipients.isEmpty()) {
      reply("554 5.5.1 No valid recipients");
      return;
    }
    reply("354 End data with <CR><LF>.<CR><LF>");
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    boolean lineTooLong = false;
    boolean tooBig = false;
    while (true) {
      LineReader.Line line = in.readLine(MAX_TEXT_LINE_LENGTH);
      if (line == null) {
        throw new IOException("connection closed during DATA");
      }
      byte[] bytes = line.bytes;
      if (bytes.length == 1 && bytes[0] == '.' && !line.truncated) {
        break;
      }
      lineTooLong |= line.truncated;
      int offset = bytes.length > 0 && bytes[0] == '.' ? 1 : 0; // dot-unstuffing
      if (message.size() + bytes.length + 2 > MAX_MESSAGE_SIZE) {
        tooBig = true;
        continue;
      }
      message.write(bytes, offset, bytes.length - offset);
      message.write('\r');
      message.write('\n');
    }
    record("C: <message data, " + message.size() + " octets>");
    try {
      if (hostile(HostileReply.Stage.DATA_END)) {
        return;
      }
      if (lineTooLong) {
        reply("500 5.5.2 Line too long (RFC 5321 4.5.3.1.6 allows 1000 octets)");
      } else if (tooBig) {
        reply("552 5.3.4 Message size exceeds fixed limit");
      } else if (behaviour.dataReply != null && !behaviour.dataReply.isPositive()) {
        reply(behaviour.dataReply.toString());
      } else {
        // Capture before replying, so a client that saw 250 finds the message already there.
        messagesAccepted++;
        receiver.messageReceived(
            new ReceivedMessage(
                id,
                ehloName,
                mailFrom,
                recipients,
                message.toByteArray(),
                tlsProtocol,
                cipherSuite,
                tlsProtocol == null ? null : sniHostName));
        reply(
            behaviour.dataReply != null
                ? behaviour.dataReply.toString()
                : "250 2.0.0 Ok: queued as " + id + "." + messagesAccepted);
      }
    } finally {
      resetTransaction();
    }
  }

  private void resetTransaction() {
    mailFrom = null;
    recipients.clear();
  }

  /**
   * The path after {@code keyword} ("FROM:" or "TO:") without angle brackets, or null when the
   * argument is malformed. Accepts a space after the colon, as many clients send one.
   */
  private static String path(String argument, String keyword) {
    if (!argument.regionMatches(true, 0, keyword, 0, keyword.length())) {
      return null;
    }
    String rest = argument.substring(keyword.length()).stripLeading();
    if (!rest.startsWith("<")) {
      return null;
    }
    int close = rest.indexOf('>');
    if (close < 0) {
      return null;
    }
    String path = rest.substring(1, close);
    int colon = path.indexOf(':');
    if (path.startsWith("@") && colon > 0) {
      path = path.substring(colon + 1); // drop an obsolete source route
    }
    return path;
  }

  /** The value of a {@code SIZE=} parameter, or null if absent or malformed. */
  private static Long sizeParameter(String argument) {
    for (String token : argument.split(" ")) {
      if (token.regionMatches(true, 0, "SIZE=", 0, 5)) {
        try {
          return Long.parseLong(token.substring(5));
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return null;
  }

  /**
   * Sends the behaviour's hostile reply for {@code stage} instead of the normal one. Returns false
   * when there is none (answer normally), true after a raw reply (the session goes on). An endless
   * reply returns only by throwing: the client went away, or the receiver was closed.
   */
  private boolean hostile(HostileReply.Stage stage) throws IOException {
    HostileReply hostile = behaviour.hostile(stage);
    if (hostile == null) {
      return false;
    }
    event("hostile " + stage.name().toLowerCase(Locale.ROOT) + " reply: " + hostile);
    SessionFaults.playHostile(hostile, out, receiver);
    return true;
  }

  /** Writes one reply (possibly several CRLF-separated lines) in a single write. */
  private void reply(String text) throws IOException {
    for (String line : text.split("\r\n")) {
      record("S: " + line);
    }
    out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Override
  public void event(String text) {
    record("*: " + text);
  }

  @Override
  public void sniHostName(String name) {
    sniHostName = name;
  }

  private void record(String entry) {
    log.debug("[{}#{}] {}", host, id, entry);
    if (transcript.size() < MAX_TRANSCRIPT) {
      transcript.add(entry);
    } else if (transcript.size() == MAX_TRANSCRIPT) {
      transcript.add("*: transcript cut after " + MAX_TRANSCRIPT + " entries");
    }
  }

  private static void closeQuietly(Socket socket) {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Closing is best effort; the session is over either way.
      }
    }
  }

  /** Records the SNI host name the client sends and accepts every name. */
  private final class SniRecorder extends SNIMatcher {
    SniRecorder() {
      super(StandardConstants.SNI_HOST_NAME);
    }

    @Override
    public boolean matches(SNIServerName serverName) {
      sniHostName =
          serverName instanceof SNIHostName
              ? ((SNIHostName) serverName).getAsciiName()
              : new String(serverName.getEncoded(), StandardCharsets.US_ASCII);
      return true;
    }
  }
}
