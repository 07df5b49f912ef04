package org.mtasts.internal.fetch;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SEC-16 / D-33: which addresses the policy fetch refuses by default. */
class AddressGuardTest {
  @ParameterizedTest(name = "SEC-16 D-33 {0} is refused")
  @ValueSource(
      strings = {
        "127.0.0.1", "127.1.2.3", "0.0.0.0", "10.0.0.1", "172.16.0.1", "172.31.255.255",
        "192.168.1.1", "169.254.169.254", "100.64.0.1", "198.18.0.1", "240.0.0.1",
        "255.255.255.255", "224.0.0.1", "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254",
        "::ffff:127.0.0.1", "::ffff:10.1.2.3", "ff02::1"
      })
  void internalAddressesAreRefused(String address) throws Exception {
    assertNotNull(AddressGuard.refusal(InetAddress.getByName(address)), address);
  }

  @ParameterizedTest(name = "SEC-16 D-33 {0} embeds a refused IPv4 address and is refused")
  @ValueSource(
      strings = {
        // NAT64 well-known prefix (RFC 6052) and local-use prefix (RFC 8215), /96 embedding
        "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::a00:1", "64:ff9b:1::c0a8:101",
        // 6to4 (RFC 3056): 2002:V4ADDR::/48
        "2002:7f00:1::1", "2002:a9fe:a9fe::1", "2002:c0a8:101:1::1",
        // Teredo (RFC 4380): client address stored inverted in the last 32 bits
        "2001:0:4136:e378:8000:63bf:80ff:fffe", "2001:0:4136:e378:8000:63bf:f5ff:fffe",
        // IPv4-translated (RFC 2765 SIIT), ::ffff:0:a.b.c.d
        "::ffff:0:7f00:1", "::ffff:0:a00:1"
      })
  void ipv6AddressesEmbeddingInternalIpv4AreRefused(String address) throws Exception {
    assertNotNull(AddressGuard.refusal(InetAddress.getByName(address)), address);
  }

  @ParameterizedTest(name = "SEC-16 {0} is allowed")
  @ValueSource(
      strings = {
        "93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "192.0.2.1",
        "2001:db8::1", "2a00:1450:4001::1", "::ffff:8.8.8.8",
        "64:ff9b::808:808", "2002:808:808::1", "2001:0:4136:e378:8000:63bf:f7f7:f7f7"
      })
  void publicAddressesAreAllowed(String address) throws Exception {
    assertNull(AddressGuard.refusal(InetAddress.getByName(address)), address);
  }
}
