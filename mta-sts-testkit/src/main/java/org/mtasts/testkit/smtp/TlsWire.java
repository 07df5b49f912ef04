package org.mtasts.testkit.smtp;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.mtasts.testkit.internal.TlsRecords;

/**
 * Just enough of the TLS record and handshake formats (RFC 5246, RFC 8446) to read a ClientHello,
 * answer it with a legacy ServerHello and read the alert that follows, for the fault modes that the
 * JDK's own TLS cannot play. The records it writes are built by {@link TlsRecords}, which the
 * HTTPS policy server uses too.
 */
final class TlsWire {
  static final int CONTENT_ALERT = TlsRecords.CONTENT_ALERT;
  static final int CONTENT_HANDSHAKE = TlsRecords.CONTENT_HANDSHAKE;
  private static final int HANDSHAKE_CLIENT_HELLO = 1;
  private static final int EXTENSION_SERVER_NAME = 0;
  private static final int MAX_RECORD = 16384 + 2048;
  private static final int MAX_HELLO = 64 * 1024;

  /**
   * CBC suites a TLS 1.0/1.1 server could pick, most likely first: ECDHE with RSA or ECDSA and AES,
   * then plain RSA key exchange with AES, then 3DES.
   */
  private static final int[] LEGACY_SUITES = {
    0xC013, 0xC009, 0xC014, 0xC00A, 0x002F, 0x0035, 0x0033, 0x0039, 0x000A
  };

  /** The parts of a ClientHello the fault modes need. */
  static final class ClientHello {
    final int legacyVersion;
    final byte[] sessionId;
    final List<Integer> cipherSuites;
    final String serverName;

    ClientHello(
        int legacyVersion, byte[] sessionId, List<Integer> cipherSuites, String serverName) {
      this.legacyVersion = legacyVersion;
      this.sessionId = sessionId;
      this.cipherSuites = cipherSuites;
      this.serverName = serverName;
    }
  }

  /** One TLS record: content type and fragment. */
  static final class Record {
    final int type;
    final byte[] fragment;

    Record(int type, byte[] fragment) {
      this.type = type;
      this.fragment = fragment;
    }
  }

  private TlsWire() {}

  /** Reads one record, or returns null at end of stream before its first byte. */
  static Record readRecord(InputStream in) throws IOException {
    int type = in.read();
    if (type < 0) {
      return null;
    }
    DataInputStream data = new DataInputStream(in);
    data.readUnsignedShort(); // record version, not needed
    int length = data.readUnsignedShort();
    if (length > MAX_RECORD) {
      throw new IOException("not a TLS record (type " + type + ", length " + length + ")");
    }
    byte[] fragment = new byte[length];
    data.readFully(fragment);
    return new Record(type, fragment);
  }

  /** Reads records until a whole ClientHello has arrived, and parses the parts we use. */
  static ClientHello readClientHello(InputStream in) throws IOException {
    ByteArrayOutputStream handshake = new ByteArrayOutputStream();
    int needed = -1;
    while (needed < 0 || handshake.size() < needed) {
      Record record = readRecord(in);
      if (record == null) {
        throw new EOFException("connection closed before a whole ClientHello arrived");
      }
      if (record.type != CONTENT_HANDSHAKE) {
        throw new IOException("expected a TLS handshake record, got content type " + record.type);
      }
      handshake.write(record.fragment);
      if (needed < 0 && handshake.size() >= 4) {
        byte[] head = handshake.toByteArray();
        if (head[0] != HANDSHAKE_CLIENT_HELLO) {
          throw new IOException("expected a ClientHello, got handshake type " + head[0]);
        }
        needed = 4 + (((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8) | (head[3] & 0xff));
        if (needed > MAX_HELLO) {
          throw new IOException("ClientHello too long: " + needed);
        }
      }
    }
    ByteBuffer hello = ByteBuffer.wrap(handshake.toByteArray(), 4, needed - 4);
    try {
      int legacyVersion = u16(hello);
      hello.position(hello.position() + 32); // random
      byte[] sessionId = bytes(hello, u8(hello));
      int suitesLength = u16(hello);
      List<Integer> suites = new ArrayList<>();
      for (int i = 0; i < suitesLength / 2; i++) {
        suites.add(u16(hello));
      }
      bytes(hello, u8(hello)); // compression methods
      String serverName = null;
      if (hello.remaining() >= 2) {
        int extensionsEnd = u16(hello) + hello.position();
        while (hello.position() + 4 <= extensionsEnd) {
          int type = u16(hello);
          ByteBuffer body = ByteBuffer.wrap(bytes(hello, u16(hello)));
          if (type == EXTENSION_SERVER_NAME && body.remaining() >= 2) {
            int listEnd = u16(body) + body.position();
            while (body.position() + 3 <= listEnd) {
              int nameType = u8(body);
              byte[] name = bytes(body, u16(body));
              if (nameType == 0 && serverName == null) {
                serverName = new String(name, StandardCharsets.US_ASCII);
              }
            }
          }
        }
      }
      return new ClientHello(legacyVersion, sessionId, List.copyOf(suites), serverName);
    } catch (RuntimeException e) {
      throw new IOException("malformed ClientHello", e);
    }
  }

  /**
   * A ServerHello record for {@code version} choosing a legacy CBC suite the client offered, or a
   * fatal {@code handshake_failure} alert when it offered none (what a real old server does).
   */
  static byte[] legacyServerHello(int version, ClientHello hello) {
    int suite = -1;
    for (int candidate : LEGACY_SUITES) {
      if (hello.cipherSuites.contains(candidate)) {
        suite = candidate;
        break;
      }
    }
    if (suite < 0) {
      return alert(version, 40);
    }
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    byte[] sessionId = new byte[32];
    new SecureRandom().nextBytes(sessionId);
    return TlsRecords.serverHello(version, random, sessionId, suite);
  }

  /** The name of TLS alert {@code description}, e.g. {@code protocol_version}. */
  static String alertName(int description) {
    return TlsRecords.alertName(description).orElse("alert");
  }

  /** Describes an alert record as {@code "fatal protocol_version (70)"}. */
  static String describeAlert(byte[] fragment) {
    if (fragment.length < 2) {
      return "malformed alert";
    }
    int level = fragment[0] & 0xff;
    int description = fragment[1] & 0xff;
    return (level == 2 ? "fatal " : level == 1 ? "warning " : "level " + level + " ")
        + alertName(description)
        + " ("
        + description
        + ")";
  }

  /** The version name for a wire version number, e.g. {@code TLSv1.1} for 0x0302. */
  static String versionName(int version) {
    switch (version) {
      case 0x0300:
        return "SSLv3";
      case 0x0301:
        return "TLSv1";
      case 0x0302:
        return "TLSv1.1";
      case 0x0303:
        return "TLSv1.2";
      case 0x0304:
        return "TLSv1.3";
      default:
        return String.format("0x%04x", version);
    }
  }

  private static byte[] alert(int version, int description) {
    return TlsRecords.record(CONTENT_ALERT, version, new byte[] {2, (byte) description});
  }

  private static int u8(ByteBuffer buffer) {
    return buffer.get() & 0xff;
  }

  private static int u16(ByteBuffer buffer) {
    return buffer.getShort() & 0xffff;
  }

  private static byte[] bytes(ByteBuffer buffer, int length) {
    byte[] bytes = new byte[length];
    buffer.get(bytes);
    return bytes;
  }
}
