package org.mtasts.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import org.mtasts.testkit.dns.TestDnsServer;
import org.mtasts.testkit.https.PolicyServer;
import org.mtasts.testkit.tls.IssuedCertificate;
import org.mtasts.testkit.tls.KeyType;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/**
 * The server side of {@link ColdResolutionBenchmark}: a loopback DNS server with one {@code
 * _mta-sts} TXT record per domain and one SNI-routed HTTPS policy server with one certificate per
 * {@code mta-sts.<domain>} (whose A record is {@code 127.0.0.1}), for the domains {@code bench-0.example} to {@code bench-(n-1).example}.
 * Built straight from the testkit parts (not {@code TestWorld}) because a world of thousands of
 * domains needs none of its MX receivers.
 *
 * <p>Run as a program it is the separate server process: it starts the world, writes the CA
 * certificate to the PEM file named on the command line, prints {@code READY <dns port> <https
 * port>}, then answers each line {@code cpu} on standard input with {@code CPU <process cpu ns>}
 * and exits at end of input.
 */
public final class PolicyWorld implements AutoCloseable {
  /** Three MX patterns, as in the memory target; per domain so that no text is shared. */
  static String policyText(String domain) {
    return "version: STSv1\nmode: enforce\nmx: mx1." + domain + "\nmx: mx2." + domain
        + "\nmx: *.backup." + domain + "\nmax_age: 604800\n";
  }

  static String domain(int i) {
    return "bench-" + i + ".example";
  }

  final TestCertificateAuthority ca;
  final TestDnsServer dns;
  final PolicyServer https;

  private PolicyWorld(int domains, KeyType leafKey, KeyType caKey, boolean sharedLeafKey)
      throws IOException {
    ca = TestCertificateAuthority.create("mta-sts-java benchmark CA", caKey);
    KeyPair shared = null;
    if (sharedLeafKey) {
      IssuedCertificate first = ca.leaf("shared-key.invalid").keyType(leafKey).build();
      shared = new KeyPair(first.certificate().getPublicKey(), first.privateKey());
    }
    dns = new TestDnsServer();
    dns.defaultTtl(Duration.ofDays(1));
    https = PolicyServer.builder().certificateAuthority(ca).maxConcurrentConnections(128).build();
    for (int i = 0; i < domains; i++) {
      String d = domain(i);
      dns.txt("_mta-sts." + d, "v=STSv1; id=20260101T000000Z;");
      dns.a("mta-sts." + d, "127.0.0.1");
      String host = "mta-sts." + d;
      https.host(host).servePolicy(policyText(d)); // issues a certificate with an EC P-256 key now
      if (leafKey != KeyType.EC_P256 || shared != null) {
        TestCertificateAuthority.LeafBuilder leaf = ca.leaf(host).keyType(leafKey);
        if (shared != null) {
          leaf.keyPair(shared);
        }
        https.host(host).certificate(leaf.build());
      }
    }
    dns.start();
    https.start();
  }

  /**
   * Starts a world of {@code domains} domains in this JVM whose policy hosts have leaf keys of
   * {@code leafKey}, signed by a root whose key is {@code caKey} (the chain sent is leaf + root).
   * With {@code sharedLeafKey} every leaf certificate (still one per host, each with its own
   * signature) carries the same key pair, which saves generating thousands of RSA keys; the
   * client verifies as much per handshake either way.
   */
  static PolicyWorld start(int domains, KeyType leafKey, KeyType caKey, boolean sharedLeafKey)
      throws IOException {
    return new PolicyWorld(domains, leafKey, caKey, sharedLeafKey);
  }

  @Override
  public void close() {
    https.close();
    dns.close();
  }

  /**
   * The separate server process. Arguments: number of domains, CA PEM output file, leaf key type,
   * and optionally the CA's key type (default EC_P256) and {@code shared-leaf-key}.
   */
  public static void main(String[] args) throws IOException {
    int domains = Integer.parseInt(args[0]);
    Path pem = Path.of(args[1]);
    KeyType leafKey = KeyType.valueOf(args[2]);
    KeyType caKey = args.length > 3 ? KeyType.valueOf(args[3]) : KeyType.EC_P256;
    boolean sharedLeafKey = args.length > 4 && args[4].equals("shared-leaf-key");
    try (PolicyWorld world = start(domains, leafKey, caKey, sharedLeafKey)) {
      Files.writeString(pem, world.ca.certificatePem());
      System.out.println("READY " + world.dns.address().getPort() + " " + world.https.port());
      System.out.flush();
      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
      for (String line; (line = in.readLine()) != null; ) {
        if (line.equals("cpu")) {
          System.out.println("CPU " + os.getProcessCpuTime());
          System.out.flush();
        }
      }
    }
  }
}
