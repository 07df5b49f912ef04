package org.mtasts.testkit;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.mtasts.testkit.dns.TestDnsServer;
import org.mtasts.testkit.https.PolicyServer;
import org.mtasts.testkit.tls.TestCertificateAuthority;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running parts of a {@link TestWorld}, started together from its builder and closed together:
 * the authority, the DNS server, the policy server and the MX hosts, with the checked domain specs
 * they were made from.
 */
final class WorldParts {
  private static final Logger log = LoggerFactory.getLogger(TestWorld.class);

  final TestCertificateAuthority ca;
  final List<DomainSpec> specs;
  final TestDnsServer dns;
  final WorldDns worldDns;
  final PolicyServer policyServer;
  final Map<String, MxHost> mxHosts;

  /**
   * Starts every part; each is added to {@code started} as soon as it exists, so the caller can
   * close them all if a later one fails.
   *
   * @throws IllegalStateException if the description is contradictory
   */
  WorldParts(TestWorld.Builder builder, List<AutoCloseable> started) throws IOException {
    this.ca =
        builder.authority != null
            ? builder.authority
            : TestCertificateAuthority.create(builder.authorityName, builder.clock);
    this.specs = DomainSpec.validCopies(builder.domains.values());
    Map<String, MxHost.Recipe> recipes = MxHost.recipes(specs);

    this.dns = new TestDnsServer().clock(builder.clock);
    started.add(dns);
    dns.start();
    this.worldDns = new WorldDns(dns, builder.dnssec, ca.certificate(), builder.dnsSetup);

    PolicyServer.Builder policyServerBuilder =
        PolicyServer.builder().certificateAuthority(ca).clock(builder.clock);
    for (Consumer<PolicyServer.Builder> setup : builder.policyServerSetup) {
      setup.accept(policyServerBuilder);
    }
    this.policyServer = policyServerBuilder.build();
    started.add(policyServer);
    policyServer.start();

    this.mxHosts = MxHost.start(recipes, ca, builder.smtpReadTimeout, started);
  }

  /** Closes the receivers, the policy server and the DNS server, and waits for their threads. */
  void close() {
    List<AutoCloseable> parts = MxHost.closeables(mxHosts.values());
    parts.add(policyServer);
    parts.add(dns);
    closeAll(parts);
  }

  static void closeAll(List<AutoCloseable> parts) {
    for (AutoCloseable part : parts) {
      try {
        part.close();
      } catch (Exception e) {
        log.warn("Could not close {}", part, e);
      }
    }
  }
}
