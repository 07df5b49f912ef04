package org.mtasts.testkit.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The scripted faults of an SMTP session, played where {@link SmtpConnection} would otherwise
 * answer correctly: hostile replies ({@link HostileReply}: raw bytes, endless or trickling
 * replies) and the STARTTLS modes the JDK's TLS cannot play (non-TLS bytes or a close after the
 * ClientHello, a TLS 1.0/1.1-only ServerHello, with {@link TlsWire}). Runs on the session's
 * thread.
 */
final class SessionFaults {
  private static final byte[] GARBAGE =
      "This is not TLS. A broken server or middlebox answered the ClientHello.\r\n"
          .getBytes(StandardCharsets.US_ASCII);

  private SessionFaults() {}

  /** What a fault tells the session it is played in. */
  interface Session {
    /** Adds an event to the session's transcript. */
    void event(String text);

    /** The SNI host name the client's ClientHello carried (null if none). */
    void sniHostName(String name);
  }

  /**
   * Writes {@code hostile} to {@code out}. Returns after a raw reply; an endless reply returns
   * only by throwing: the client went away, or the receiver was closed.
   */
  static void playHostile(HostileReply hostile, OutputStream out, SmtpReceiver receiver)
      throws IOException {
    switch (hostile.kind) {
      case RAW -> {
        out.write(hostile.rawBytes());
        out.flush();
        return;
      }
      case ENDLESS_CONTINUATION -> flood(out, repeat(
          (hostile.code + "-hostile continuation line; this reply goes on and on and on\r\n")));
      case HUGE_LINE -> {
        out.write((hostile.code + " ").getBytes(StandardCharsets.US_ASCII));
        flood(out, repeat("x"));
      }
      case TRICKLE -> {
        byte[] pattern = (hostile.code + "-trickle\r\n").getBytes(StandardCharsets.US_ASCII);
        for (long i = 0; ; i++) {
          out.write(pattern[(int) (i % pattern.length)]);
          out.flush();
          pauseOrEnd(hostile, receiver);
        }
      }
      case SLOW_LINES -> {
        for (long i = 1; ; i++) {
          out.write((hostile.code + "-still answering, line " + i + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          pauseOrEnd(hostile, receiver);
        }
      }
      default -> throw new IllegalStateException("unexpected hostile reply " + hostile);
    }
    throw new IllegalStateException("an endless reply ended: " + hostile);
  }

  private static void pauseOrEnd(HostileReply hostile, SmtpReceiver receiver)
      throws IOException {
    if (!receiver.pause(hostile.interval)) {
      throw new IOException("receiver closed during " + hostile);
    }
  }

  /** Writes {@code chunk} until the client goes away (the write fails). */
  private static void flood(OutputStream out, byte[] chunk) throws IOException {
    while (true) {
      out.write(chunk);
      out.flush();
    }
  }

  private static byte[] repeat(String unit) {
    byte[] one = unit.getBytes(StandardCharsets.US_ASCII);
    byte[] chunk = new byte[(64 * 1024 / one.length) * one.length];
    for (int i = 0; i < chunk.length; i += one.length) {
      System.arraycopy(one, 0, chunk, i, one.length);
    }
    return chunk;
  }

  /**
   * Plays the behaviour's STARTTLS fault mode after the 220 reply, on the plain connection;
   * returns why the handshake failed (it always does: the session ends there).
   */
  static String startTls(SmtpBehaviour behaviour, InputStream raw, OutputStream out,
      Session session) throws IOException {
    switch (behaviour.mode) {
      case THEN_GARBAGE:
        return fakeHandshake(raw, out, "sent non-TLS bytes after the ClientHello", GARBAGE,
            session);
      case THEN_CLOSE:
        return fakeHandshake(raw, out, "closed the connection after the ClientHello", null,
            session);
      case LEGACY_SERVER_HELLO:
        return legacyHandshake(raw, out, behaviour, session);
      default:
        throw new IllegalStateException("unexpected mode " + behaviour.mode);
    }
  }

  /**
   * Reads the ClientHello, then sends {@code answer} (if any); returns why the handshake failed.
   */
  private static String fakeHandshake(InputStream raw, OutputStream out, String what, byte[] answer,
      Session session) throws IOException {
    try {
      TlsWire.ClientHello hello = TlsWire.readClientHello(raw);
      session.sniHostName(hello.serverName);
      session.event("ClientHello received, SNI=" + hello.serverName);
    } catch (IOException e) {
      return "no ClientHello: " + e.getMessage();
    }
    if (answer != null) {
      out.write(answer);
      out.flush();
    }
    return "receiver " + what;
  }

  /**
   * Reads the ClientHello and answers it as a server that speaks only the behaviour's legacy
   * protocol; returns why the handshake failed (it always does: the emulation ends there).
   */
  private static String legacyHandshake(InputStream raw, OutputStream out, SmtpBehaviour behaviour,
      Session session) throws IOException {
    TlsWire.ClientHello hello;
    try {
      hello = TlsWire.readClientHello(raw);
    } catch (IOException e) {
      return "no ClientHello: " + e.getMessage();
    }
    session.sniHostName(hello.serverName);
    session.event(
        "ClientHello received (legacy_version "
            + TlsWire.versionName(hello.legacyVersion)
            + ", SNI="
            + hello.serverName
            + "); answering as a "
            + behaviour.legacyProtocol
            + "-only server");
    byte[] answer = TlsWire.legacyServerHello(behaviour.legacyVersion, hello);
    out.write(answer);
    out.flush();
    if (answer[0] == TlsWire.CONTENT_ALERT) {
      return "no cipher suite in common with a " + behaviour.legacyProtocol + " server";
    }
    session.event("sent a " + behaviour.legacyProtocol + " ServerHello");
    String outcome;
    try {
      TlsWire.Record next = TlsWire.readRecord(raw);
      if (next == null) {
        outcome =
            "client closed the connection after the " + behaviour.legacyProtocol + " ServerHello";
      } else if (next.type == TlsWire.CONTENT_ALERT) {
        outcome = "client alert: " + TlsWire.describeAlert(next.fragment);
      } else {
        outcome =
            "client went on with a "
                + behaviour.legacyProtocol
                + " handshake (record type "
                + next.type
                + "), which this emulation cannot complete";
      }
    } catch (IOException e) {
      outcome = "client ended the connection after the ServerHello: " + e;
    }
    return outcome;
  }
}
