package org.mtasts.testkit;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import org.mtasts.testkit.dns.TestDnsServer;

/**
 * Writes a {@link TestWorld}'s records into its (empty) DNS server: address records of the MX
 * hosts, each domain's records, the DNSSEC zones and the TLSA records, then the test's own setup.
 * Used under the world's lock.
 */
final class WorldDns {
  private final TestDnsServer dns;
  private final boolean dnssec;
  private final X509Certificate authority;
  private final List<Consumer<TestDnsServer>> setup;

  WorldDns(
      TestDnsServer dns,
      boolean dnssec,
      X509Certificate authority,
      List<Consumer<TestDnsServer>> setup) {
    this.dns = dns;
    this.dnssec = dnssec;
    this.authority = authority;
    this.setup = List.copyOf(setup);
  }

  void install(Collection<MxHost> hosts, Collection<WorldDomain> domains) {
    for (MxHost host : hosts) {
      addressRecord(host.name, host.address.getAddress());
    }
    for (WorldDomain domain : domains) {
      domain.install();
    }
    installZones(hosts, domains);
    for (MxHost host : hosts) {
      if (host.dane != null) {
        host.dane.install(dns, host.name, host.initialCertificate(), authority);
      }
    }
    for (Consumer<TestDnsServer> s : setup) {
      s.accept(dns);
    }
  }

  /**
   * Signs the world's domains (all in a {@code dnssec()} world, else those marked signed), cuts
   * unsigned zones for domains marked unsigned and for hosts whose DANE recipe says so, and gives
   * each other host outside every domain a signed zone of its own in a {@code dnssec()} world.
   */
  private void installZones(Collection<MxHost> hosts, Collection<WorldDomain> domains) {
    for (WorldDomain domain : domains) {
      Boolean signed = domain.spec().signed;
      if (signed != null ? signed : dnssec) {
        dns.signZone(domain.name());
      } else if (signed != null) {
        dns.insecureZone(domain.name());
      }
    }
    for (MxHost host : hosts) {
      if (host.dane != null && host.dane.unsigned()) {
        dns.insecureZone(host.name);
      } else if (dnssec && !inDomain(host.name, domains)) {
        dns.signZone(host.name);
      }
    }
  }

  private static boolean inDomain(String host, Collection<WorldDomain> domains) {
    for (WorldDomain domain : domains) {
      if (host.equals(domain.name()) || host.endsWith("." + domain.name())) {
        return true;
      }
    }
    return false;
  }

  void addressRecord(String name, InetAddress address) {
    if (address instanceof Inet4Address) {
      dns.a(name, address.getHostAddress());
    } else {
      dns.aaaa(name, address.getHostAddress());
    }
  }
}
