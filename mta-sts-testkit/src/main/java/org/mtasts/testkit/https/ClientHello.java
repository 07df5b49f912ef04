package org.mtasts.testkit.https;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The first flight of a TLS client, read off a plain socket before JSSE sees it, so the server
 * knows the SNI (to choose TLS versions or a fault per host) and can hand the bytes it consumed to
 * {@code SSLSocketFactory.createSocket(socket, consumed, autoClose)}.
 *
 * <p>Reads exactly the records that carry the ClientHello message, never more.
 */
final class ClientHello {
  private static final int MAX_HELLO = 64 * 1024;
  private static final int MAX_PLAINTEXT_LINE = 200;

  /** Every byte read from the socket, in order. */
  final byte[] consumed;

  /** False if the first byte was not a TLS handshake record. */
  final boolean tls;

  /** The SNI host name (normalised), or null. */
  final String sni;

  /** The cipher suites offered, or empty if the message could not be parsed. */
  final List<Integer> cipherSuites;

  /** Why the message could not be parsed, or null; for plaintext the first line. */
  final String problem;

  private ClientHello(
      byte[] consumed, boolean tls, String sni, List<Integer> cipherSuites, String problem) {
    this.consumed = consumed;
    this.tls = tls;
    this.sni = sni;
    this.cipherSuites = cipherSuites;
    this.problem = problem;
  }

  /**
   * Reads the ClientHello.
   *
   * @throws EOFException if the client closed before sending a byte or mid-message
   */
  static ClientHello read(InputStream in) throws IOException {
    Reader reader = new Reader(in);
    int first = reader.read();
    if (first != 0x16) {
      return new ClientHello(
          reader.bytes(), false, null, List.of(), "not TLS: " + reader.firstLine(first));
    }
    ByteArrayOutputStream handshake = new ByteArrayOutputStream();
    boolean firstRecord = true;
    while (true) {
      if (!firstRecord && reader.read() != 0x16) {
        return malformed(reader, "ClientHello continued in a non-handshake record");
      }
      firstRecord = false;
      reader.readFully(2); // record version
      byte[] lengthBytes = reader.readFully(2);
      int length = ((lengthBytes[0] & 0xff) << 8) | (lengthBytes[1] & 0xff);
      if (length == 0 || length > 18432) {
        return malformed(reader, "bad record length " + length);
      }
      handshake.writeBytes(reader.readFully(length));
      byte[] h = handshake.toByteArray();
      if (h.length >= 4) {
        if (h[0] != 1) {
          return malformed(reader, "first handshake message has type " + (h[0] & 0xff));
        }
        int messageLength = ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
        if (messageLength > MAX_HELLO) {
          return malformed(reader, "ClientHello of " + messageLength + " bytes");
        }
        if (h.length >= 4 + messageLength) {
          return parse(reader.bytes(), h, messageLength);
        }
      }
    }
  }

  private static ClientHello malformed(Reader reader, String problem) {
    return new ClientHello(reader.bytes(), true, null, List.of(), problem);
  }

  private static ClientHello parse(byte[] consumed, byte[] h, int messageLength) {
    Cursor c = new Cursor(h, 4, 4 + messageLength);
    try {
      c.skip(2 + 32); // legacy_version, random
      c.skip(c.u8()); // session id
      int suitesLength = c.u16();
      List<Integer> suites = new ArrayList<>();
      for (int end = c.position + suitesLength; c.position < end; ) {
        suites.add(c.u16());
      }
      c.skip(c.u8()); // compression methods
      String sni = null;
      if (c.remaining() >= 2) {
        int extensionsEnd = c.u16() + c.position;
        while (c.position < extensionsEnd) {
          int type = c.u16();
          int length = c.u16();
          int next = c.position + length;
          if (type == 0 && length > 0) { // server_name
            int listEnd = c.u16() + c.position;
            while (c.position < listEnd) {
              int nameType = c.u8();
              int nameLength = c.u16();
              byte[] name = c.bytes(nameLength);
              if (nameType == 0 && sni == null) {
                sni = HostNames.lenient(new String(name, StandardCharsets.ISO_8859_1));
              }
            }
          }
          c.position = next;
        }
      }
      return new ClientHello(consumed, true, sni, List.copyOf(suites), null);
    } catch (IndexOutOfBoundsException e) {
      return new ClientHello(consumed, true, null, List.of(), "truncated ClientHello");
    }
  }

  /** Reads from the socket and keeps every byte read. */
  private static final class Reader {
    private final InputStream in;
    private final ByteArrayOutputStream all = new ByteArrayOutputStream();

    Reader(InputStream in) {
      this.in = in;
    }

    int read() throws IOException {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("client closed before finishing its ClientHello");
      }
      all.write(b);
      return b;
    }

    byte[] readFully(int n) throws IOException {
      byte[] b = in.readNBytes(n);
      all.writeBytes(b);
      if (b.length < n) {
        throw new EOFException("client closed before finishing its ClientHello");
      }
      return b;
    }

    /** The rest of the first line, for a log of what a non-TLS client sent. */
    String firstLine(int first) throws IOException {
      StringBuilder line = new StringBuilder();
      int b = first;
      while (b >= 0 && b != '\r' && b != '\n' && line.length() < MAX_PLAINTEXT_LINE) {
        line.append(b >= 0x20 && b < 0x7f ? (char) b : '?');
        if (line.length() < MAX_PLAINTEXT_LINE) {
          b = in.read();
          if (b >= 0) {
            all.write(b);
          }
        }
      }
      return line.toString().strip();
    }

    byte[] bytes() {
      return all.toByteArray();
    }
  }

  /** Bounds-checked reading of a byte array. */
  private static final class Cursor {
    private final byte[] data;
    private final int end;
    int position;

    Cursor(byte[] data, int start, int end) {
      this.data = data;
      this.position = start;
      this.end = end;
    }

    int remaining() {
      return end - position;
    }

    void skip(int n) {
      check(n);
      position += n;
    }

    int u8() {
      check(1);
      return data[position++] & 0xff;
    }

    int u16() {
      check(2);
      int v = ((data[position] & 0xff) << 8) | (data[position + 1] & 0xff);
      position += 2;
      return v;
    }

    byte[] bytes(int n) {
      check(n);
      byte[] b = java.util.Arrays.copyOfRange(data, position, position + n);
      position += n;
      return b;
    }

    private void check(int n) {
      if (n < 0 || position + n > end) {
        throw new IndexOutOfBoundsException("past end of ClientHello");
      }
    }
  }
}
