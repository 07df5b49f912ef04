package org.mtasts.testkit.smtp;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What happened on one finished connection to an {@link SmtpReceiver}: the client's commands, the
 * transcript, and the outcome of STARTTLS. Recorded when the connection ends, however it ends.
 *
 * <p>Immutable and thread-safe.
 */
public final class SessionRecord {
  private final int id;
  private final InetSocketAddress clientAddress;
  private final SmtpBehaviour behaviour;
  private final List<String> greetings;
  private final List<String> commands;
  private final List<String> transcript;
  private final boolean startTlsAttempted;
  private final String tlsProtocol;
  private final String cipherSuite;
  private final String sniHostName;
  private final String handshakeFailure;
  private final int bytesDiscardedAtStartTls;
  private final int messagesAccepted;

  SessionRecord(
      int id,
      InetSocketAddress clientAddress,
      SmtpBehaviour behaviour,
      List<String> greetings,
      List<String> commands,
      List<String> transcript,
      boolean startTlsAttempted,
      String tlsProtocol,
      String cipherSuite,
      String sniHostName,
      String handshakeFailure,
      int bytesDiscardedAtStartTls,
      int messagesAccepted) {
    this.id = id;
    this.clientAddress = clientAddress;
    this.behaviour = behaviour;
    this.greetings = List.copyOf(greetings);
    this.commands = List.copyOf(commands);
    this.transcript = List.copyOf(transcript);
    this.startTlsAttempted = startTlsAttempted;
    this.tlsProtocol = tlsProtocol;
    this.cipherSuite = cipherSuite;
    this.sniHostName = sniHostName;
    this.handshakeFailure = handshakeFailure;
    this.bytesDiscardedAtStartTls = bytesDiscardedAtStartTls;
    this.messagesAccepted = messagesAccepted;
  }

  /** The session's number on its receiver, counting from 1 in order of acceptance. */
  public int id() {
    return id;
  }

  /** The client's address and port. */
  public InetSocketAddress clientAddress() {
    return clientAddress;
  }

  /** The behaviour the receiver used for this session (its snapshot at accept time). */
  public SmtpBehaviour behaviour() {
    return behaviour;
  }

  /**
   * The arguments of every {@code EHLO}/{@code HELO} in order, e.g. {@code [client.example,
   * client.example]} for a client that greeted again after STARTTLS.
   */
  public List<String> greetings() {
    return greetings;
  }

  /**
   * Every command line the client sent, in order, as received (message data excluded). Lines longer
   * than the command limit appear truncated.
   */
  public List<String> commands() {
    return commands;
  }

  /**
   * Whether the client sent a command with this verb, ASCII case-insensitive; e.g. {@code
   * hasCommand("MAIL")} is false when a client gave up before sending a message.
   *
   * @throws NullPointerException if {@code verb} is null
   */
  public boolean hasCommand(String verb) {
    String wanted = Objects.requireNonNull(verb, "verb").toUpperCase(Locale.ROOT);
    for (String command : commands) {
      String upper = command.toUpperCase(Locale.ROOT);
      if (upper.equals(wanted)
          || upper.startsWith(wanted + " ")
          || upper.startsWith(wanted + ":")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The session as text, one entry per line: {@code "C: ..."} from the client, {@code "S: ..."}
   * from the receiver, {@code "*: ..."} for events such as the TLS handshake. Message data is
   * summarised by its size. Long sessions are cut after a fixed number of entries.
   */
  public List<String> transcript() {
    return transcript;
  }

  /** Whether the client sent {@code STARTTLS} (whatever the answer). */
  public boolean startTlsAttempted() {
    return startTlsAttempted;
  }

  /** The negotiated TLS version if a TLS handshake completed on this session. */
  public Optional<String> tlsProtocol() {
    return Optional.ofNullable(tlsProtocol);
  }

  /** The negotiated cipher suite if a TLS handshake completed on this session. */
  public Optional<String> cipherSuite() {
    return Optional.ofNullable(cipherSuite);
  }

  /**
   * The host name the client sent as SNI in its ClientHello, recorded even when the handshake then
   * failed; empty when no ClientHello arrived or it had no SNI.
   */
  public Optional<String> sniHostName() {
    return Optional.ofNullable(sniHostName);
  }

  /**
   * Why the TLS handshake did not complete after the receiver's {@code 220} to STARTTLS (as seen by
   * the receiver, e.g. {@code "Received fatal alert: certificate_unknown"} or, for a legacy
   * emulation, {@code "client alert: fatal protocol_version (70)"}); empty when there was no
   * attempt or it succeeded.
   */
  public Optional<String> handshakeFailure() {
    return Optional.ofNullable(handshakeFailure);
  }

  /**
   * How many bytes the client had sent after its {@code STARTTLS} line before the receiver's {@code
   * 220}; the receiver discards them (RFC 3207 §4.2). Non-zero means the client pipelined past
   * STARTTLS.
   */
  public int bytesDiscardedAtStartTls() {
    return bytesDiscardedAtStartTls;
  }

  /** How many messages the receiver accepted on this session. */
  public int messagesAccepted() {
    return messagesAccepted;
  }

  @Override
  public String toString() {
    return "SessionRecord{#"
        + id
        + " from "
        + clientAddress
        + ", tls="
        + (tlsProtocol == null ? "none" : tlsProtocol)
        + (handshakeFailure == null ? "" : ", handshakeFailure=" + handshakeFailure)
        + ", messages="
        + messagesAccepted
        + ", transcript="
        + transcript
        + "}";
  }
}
