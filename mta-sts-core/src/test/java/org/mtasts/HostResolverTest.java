package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mtasts.policy.InvalidDomainException;

/** Issue 13 item 4: {@link HostResolver#overriding} compares names by the library's one normaliser. */
class HostResolverTest {
  static final InetSocketAddress ADDRESS = InetSocketAddress.createUnresolved("192.0.2.7", 8443);

  @Test
  void item04_overriding_keyAndAskedName_normalisedAlike_uLabelsAndALabels() throws Exception {
    HostResolver r = HostResolver.overriding(Map.of("MTA-STS.Bücher.Example.", ADDRESS),
        HostResolver.none());
    assertEquals(List.of(ADDRESS), r.resolve("mta-sts.xn--bcher-kva.example", 443));
    assertEquals(List.of(ADDRESS), r.resolve("mta-sts.bücher.example.", 443));
  }

  @Test
  void item04_overriding_keyThatIsNoHostName_refusedAtOnce() {
    assertThrows(InvalidDomainException.class,
        () -> HostResolver.overriding(Map.of("a b.example", ADDRESS), HostResolver.none()));
  }

  @Test
  void item04_overriding_askedNameThatIsNoHostName_goesToTheFallback() {
    HostResolver r = HostResolver.overriding(Map.of("mx.example", ADDRESS), HostResolver.none());
    assertThrows(UnknownHostException.class, () -> r.resolve("mx_1.example", 25));
  }
}
