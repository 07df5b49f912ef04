package org.mtasts.report;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Locale;
import java.util.Optional;

/**
 * Where one SMTP session ran, in the terms of a TLS-RPT failure detail (RFC 8460 §4.4): the
 * sender's address ({@code sending-mta-ip}), the MX's address ({@code receiving-ip}) and the name
 * the MX gave itself ({@code receiving-mx-helo}, project decision D-31). Each may be unknown
 * ({@code null}); an unknown one is left out of the report, never written empty (D-28).
 *
 * <p>Immutable and thread-safe.
 *
 * @param sendingIp the local address of the connection, or null if unknown; the wildcard address
 *     of an unbound socket counts as unknown
 * @param receivingIp the MX's address the connection went to, or null if unknown
 * @param receivingMxHelo the domain (or address literal) on the first line of the MX's EHLO
 *     reply, else of its 220 greeting ({@link #heloName}), or null: 1 to {@value
 *     #MAX_HELO_LENGTH} visible US-ASCII characters
 */
public record SessionEndpoints(InetAddress sendingIp, InetAddress receivingIp,
    String receivingMxHelo) {

  /** The longest {@code receiving-mx-helo} kept: a domain name has at most 255 octets. */
  public static final int MAX_HELO_LENGTH = 255;

  private static final SessionEndpoints UNKNOWN = new SessionEndpoints(null, null, null);

  /**
   * Validates the components.
   *
   * @throws IllegalArgumentException if {@code receivingMxHelo} is empty, longer than {@value
   *     #MAX_HELO_LENGTH} characters or holds anything but visible US-ASCII (a server's text goes
   *     through {@link #heloName} first)
   */
  public SessionEndpoints {
    if (sendingIp != null && sendingIp.isAnyLocalAddress()) {
      sendingIp = null;
    }
    if (receivingMxHelo != null && !isHeloName(receivingMxHelo)) {
      throw new IllegalArgumentException("receivingMxHelo must be 1 to " + MAX_HELO_LENGTH
          + " visible US-ASCII characters (use SessionEndpoints.heloName on the server's reply)");
    }
  }

  /**
   * Returns endpoints of which nothing is known: for a host that was never contacted.
   *
   * @return the endpoints
   */
  public static SessionEndpoints unknown() {
    return UNKNOWN;
  }

  /**
   * Returns the endpoints of a connected socket.
   *
   * @param socket the SMTP connection (plain or TLS)
   * @param receivingMxHelo the MX's name ({@link #heloName}), or null
   * @return the endpoints; an address the socket does not know is null
   * @throws NullPointerException if {@code socket} is null
   * @throws IllegalArgumentException as the constructor
   */
  public static SessionEndpoints of(Socket socket, String receivingMxHelo) {
    InetAddress local = socket.isBound() ? socket.getLocalAddress() : null;
    return new SessionEndpoints(local, socket.getInetAddress(), receivingMxHelo);
  }

  /**
   * Returns the name an SMTP server gives itself on one reply line (D-31): the word after the
   * reply code on the first line of its EHLO reply ({@code 250-mx1.example.com Hello}), or of its
   * greeting ({@code 220 mx1.example.com ESMTP}). Empty if the line has no such word, or the word
   * is longer than {@value #MAX_HELO_LENGTH} characters or holds anything but visible US-ASCII:
   * a server's text that cannot be a name is not reported.
   *
   * @param replyLine one reply line, with or without its CR LF
   * @return the name
   * @throws NullPointerException if {@code replyLine} is null
   */
  public static Optional<String> heloName(String replyLine) {
    String line = replyLine;
    if (line.length() < 4 || !isDigit(line.charAt(0)) || !isDigit(line.charAt(1))
        || !isDigit(line.charAt(2)) || (line.charAt(3) != ' ' && line.charAt(3) != '-')) {
      return Optional.empty();
    }
    int end = 4;
    while (end < line.length() && line.charAt(end) > ' ' && line.charAt(end) < 0x7F) {
      end++;
    }
    boolean endsWord = end == line.length() || line.charAt(end) == ' '
        || line.charAt(end) == '\t' || line.charAt(end) == '\r' || line.charAt(end) == '\n';
    String name = line.substring(4, end);
    return endsWord && isHeloName(name) ? Optional.of(name) : Optional.empty();
  }

  /**
   * Returns an address as TLS-RPT writes it: IPv4 in dotted decimal, IPv6 in the canonical text
   * form of RFC 5952 (lower case, no leading zeros, the longest run of two or more zero groups
   * as {@code ::}), without a zone.
   *
   * @param address the address
   * @return the text
   * @throws NullPointerException if {@code address} is null
   */
  public static String ipText(InetAddress address) {
    if (address instanceof Inet4Address) {
      return address.getHostAddress();
    }
    byte[] b = address.getAddress();
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1; // RFC 5952 §4.2.2: a single zero group is not shortened
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) { // §4.2.3: the first of equally long runs
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        s.append("::");
        i += bestLength - 1;
        continue;
      }
      if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
        s.append(':');
      }
      s.append(Integer.toHexString(groups[i]).toLowerCase(Locale.ROOT));
    }
    return s.toString();
  }

  private static boolean isHeloName(String s) {
    if (s.isEmpty() || s.length() > MAX_HELO_LENGTH) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c >= 0x7F) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
