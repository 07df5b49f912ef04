package org.mtasts.javamail;

import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.dns.DnsClient;
import org.mtasts.testkit.TestWorldExtension;

/** What the transport tests build for a testkit world: its names, its DNS, its CA. */
final class WorldClients {
  private WorldClients() {}

  /** The world's host names, and no others (nothing reaches the machine's resolver). */
  static HostResolver resolver(TestWorldExtension world) {
    return HostResolver.overriding(world.hostMap(), HostResolver.none());
  }

  /** A client builder over the world's DNS server and CA, its policy hosts on loopback allowed. */
  static MtaSts.Builder client(TestWorldExtension world, HostResolver resolver) {
    return MtaSts.builder()
        .dnsClient(DnsClient.builder().server(world.dnsAddress()).build())
        .hostResolver(resolver)
        .trustManager(world.trustManager())
        .allowPrivateAddresses(true);
  }
}
