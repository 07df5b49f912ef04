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
 */
final class AddressGuard {
  private AddressGuard() {}

  /** Returns why {@code address} is refused, or null if the fetch may connect to it. */
  static String refusal(InetAddress address) {
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
      if (isIpv4Mapped(b) || isIpv4Compatible(b)) {
        try {
          byte[] v4 = {b[12], b[13], b[14], b[15]};
          return refusal(InetAddress.getByAddress(v4));
        } catch (java.net.UnknownHostException impossible) {
          return "malformed address";
        }
      }
      // fd00:ec2::254, the AWS IPv6 metadata endpoint, is unique-local and caught above.
    }
    return null;
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
