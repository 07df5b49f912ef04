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

  @ParameterizedTest(name = "SEC-16 {0} is allowed")
  @ValueSource(
      strings = {
        "93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "192.0.2.1",
        "2001:db8::1", "2a00:1450:4001::1", "::ffff:8.8.8.8"
      })
  void publicAddressesAreAllowed(String address) throws Exception {
    assertNull(AddressGuard.refusal(InetAddress.getByName(address)), address);
  }
}
