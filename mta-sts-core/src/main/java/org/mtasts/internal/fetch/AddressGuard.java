package org.mtasts.internal.fetch;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Decides which addresses the policy fetch may connect to (project decision D-33, SEC-16).
 *
 * <p>A mail application fetches policies for domains that strangers type into address fields;
 * without this guard, {@code mta-sts.attacker.example} pointing at {@code 127.0.0.1} or
 * {@code 169.254.169.254} would make the application probe its own network.
 *
 * <p>IPv6 addresses that route to an embedded IPv4 address (IPv4-mapped, -compatible and
 * -translated, NAT64 {@code 64:ff9b::/96} and {@code 64:ff9b:1::/48}, 6to4 {@code 2002::/16},
 * Teredo {@code 2001::/32}) are judged by that IPv4 address.
 */
public final class AddressGuard {
  private AddressGuard() {}

  /** Returns why {@code address} is refused, or null if the fetch may connect to it. */
  public static String refusal(InetAddress address) {
    if (address.isAnyLocalAddress()) {
      return "unspecified address";
    }
    if (address.isLoopbackAddress()) {
      return "loopback address";
    }
    if (address.isLinkLocalAddress()) {
      return "link-local address (incl. cloud metadata 169.254.169.254)";
    }
    if (address.isSiteLocalAddress()) {
      return "private address";
    }
    if (address.isMulticastAddress()) {
      return "multicast address";
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      if (first == 0) {
        return "'this network' address";
      }
      if (first == 100 && second >= 64 && second <= 127) {
        return "shared (carrier-grade NAT) address";
      }
      if (first == 198 && (second == 18 || second == 19)) {
        return "benchmarking address";
      }
      if (first >= 240) {
        return "reserved address";
      }
      return null;
    }
    if (address instanceof Inet6Address) {
      int first = b[0] & 0xff;
      if ((first & 0xfe) == 0xfc) {
        return "unique-local address";
      }
      // IPv6 addresses that carry an IPv4 address the traffic ends up at: judge that one.
      // ::ffff:a.b.c.d itself arrives here as an Inet4Address (Java converts it).
      if (isIpv4Mapped(b) || isIpv4Compatible(b) || isIpv4Translated(b) || isNat64(b)) {
        return embedded(b, 12, false, "IPv6 address embedding ");
      }
      if (first == 0x20 && (b[1] & 0xff) == 0x02) {
        return embedded(b, 2, false, "6to4 address embedding ");
      }
      if (first == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
        return embedded(b, 12, true, "Teredo address embedding ");
      }
      // fd00:ec2::254, the AWS IPv6 metadata endpoint, is unique-local and caught above.
      // Not caught: a network-specific NAT64 prefix chosen by the local operator (RFC 6052
      // §2.2), which cannot be told apart from any other global address.
    }
    return null;
  }

  /** The refusal of the IPv4 address at {@code b[offset..offset+3]}, inverted for Teredo. */
  private static String embedded(byte[] b, int offset, boolean inverted, String what) {
    byte[] v4 = new byte[4];
    for (int i = 0; i < 4; i++) {
      v4[i] = (byte) (inverted ? ~b[offset + i] : b[offset + i]);
    }
    try {
      InetAddress address = InetAddress.getByAddress(v4);
      String refusal = refusal(address);
      return refusal == null ? null : what + address.getHostAddress() + ", a " + refusal;
    } catch (java.net.UnknownHostException impossible) {
      return "malformed address";
    }
  }

  /** ::ffff:0:a.b.c.d, IPv4-translated (RFC 2765). */
  private static boolean isIpv4Translated(byte[] b) {
    for (int i = 0; i < 8; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[8] & 0xff) == 0xff && (b[9] & 0xff) == 0xff && b[10] == 0 && b[11] == 0;
  }

  /**
   * 64:ff9b::/96 (RFC 6052 well-known prefix) or 64:ff9b:1::/48 (RFC 8215 local use, taken with
   * the /96 layout its users nearly always choose): the last 32 bits are the IPv4 address.
   */
  private static boolean isNat64(byte[] b) {
    if (b[0] != 0 || b[1] != 0x64 || (b[2] & 0xff) != 0xff || (b[3] & 0xff) != 0x9b) {
      return false;
    }
    if (b[4] == 0 && b[5] == 1) {
      return true;
    }
    for (int i = 4; i < 12; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isIpv4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
  }

  private static boolean isIpv4Compatible(byte[] b) {
    for (int i = 0; i < 12; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
