package org.mtasts.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/** Starting, closing and failing to start a world. */
class TestWorldLifecycleTest {
  /** The policy server's thread names start so (its own counter, not its port, follows). */
  private static final String HTTPS_THREADS = "mta-sts-testkit-https-";

  /** A typical world: 3 domains, 4 MX hosts. */
  private static TestWorld typical() {
    return TestWorld.start(
        w ->
            w.domain(
                    "example.com",
                    d ->
                        d.policy("enforce", "mx1.example.com", "mx2.example.com")
                            .mx(10, "mx1.example.com", Mx.goodTls())
                            .mx(20, "mx2.example.com", Mx.noStartTls()))
                .domain(
                    "example.org",
                    d -> d.policy("testing", "mx.example.org").mx(10, "mx.example.org"))
                .domain("example.net", d -> d.mx(10, "mx.example.net", Mx.expiredCertificate())));
  }

  @Test
  void close_releasesEveryPortAndThread() throws Exception {
    Set<String> httpsBefore = httpsThreads();
    TestWorld world = typical();
    // Connections make the servers start worker threads too.
    Clients.get(world.address("mta-sts.example.com"), world.clientContext(), "mta-sts.example.com");
    Clients.txt(world.dnsAddress(), "_mta-sts.example.com");
    new Clients.Smtp(world.address("mx1.example.com")).close();
    Set<InetSocketAddress> addresses = new HashSet<>(world.hostMap().values());
    addresses.add(world.dnsAddress());
    assertTrue(addresses.contains(world.policyServer().address()));
    Set<String> prefixes = threadPrefixes(world);
    assertTrue(!liveThreads(prefixes).isEmpty(), "the world runs threads");
    assertTrue(httpsThreads().size() > httpsBefore.size(), "the policy server runs threads");

    world.close();
    world.close(); // idempotent

    assertEquals(List.of(), liveThreads(prefixes));
    Set<String> httpsLeft = httpsThreads();
    httpsLeft.removeAll(httpsBefore);
    assertEquals(Set.of(), httpsLeft);
    for (InetSocketAddress address : addresses) {
      assertThrows(ConnectException.class, () -> Clients.connect(address).close(), "" + address);
      try (ServerSocket again = new ServerSocket()) {
        again.bind(address); // the port is free again
      }
    }
  }

  @Test
  void typicalWorld_startsFast() {
    typical().close(); // warm up class loading and the JIT
    long begin = System.nanoTime();
    try (TestWorld world = typical()) {
      Duration took = Duration.ofNanos(System.nanoTime() - begin);
      System.out.println("typical world started in " + took.toMillis() + " ms: " + world);
      // Well under a second on a quiet machine; generous here because CI machines are shared.
      assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "took " + took);
    }
  }

  @Test
  void failingStart_closesWhatWasStarted() {
    RuntimeException boom = new IllegalStateException("boom");
    Mx failing =
        Mx.custom(
            "fails",
            (ca, host) -> {
              throw boom;
            });
    Set<String> before = allThreadNames();
    RuntimeException thrown =
        assertThrows(
            RuntimeException.class,
            () ->
                TestWorld.start(
                    w ->
                        w.domain(
                            "fail.example",
                            d -> d.mx(1, "mx1.fail.example").mx(2, "mx2.fail.example", failing))));
    assertEquals(boom, thrown);
    List<String> leaked =
        allThreadNames().stream()
            .filter(name -> !before.contains(name))
            .filter(
                name ->
                    name.contains("TestDnsServer")
                        || name.contains("smtp-receiver")
                        || name.startsWith(HTTPS_THREADS))
            .collect(Collectors.toList());
    assertEquals(List.of(), leaked);
  }

  @Test
  void builderReusedAfterStart_doesNotChangeTheRunningWorld() {
    TestWorld.Builder builder =
        TestWorld.builder().domain("example.com", d -> d.id("one").mx(10, "mx.example.com"));
    try (TestWorld first = builder.start()) {
      builder.domain("example.com", d -> d.id("two").policy("enforce", "mx.example.com"));
      try (TestWorld second = builder.start()) {
        assertEquals("two", second.domain("example.com").id());
        assertTrue(second.domain("example.com").policyText().isPresent());
      }
      first.reset();
      assertEquals("one", first.domain("example.com").id());
      assertTrue(first.domain("example.com").policyText().isEmpty());
    }
  }

  @Test
  void oneMxHostWithTwoBehaviours_isRefused() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                TestWorld.start(
                    w ->
                        w.domain("a.example", d -> d.mx(1, "mx.shared.example", Mx.goodTls()))
                            .domain(
                                "b.example", d -> d.mx(1, "mx.shared.example", Mx.noStartTls()))));
    assertTrue(e.getMessage().contains("mx.shared.example"), e.getMessage());
  }

  @Test
  void contradictoryDomain_isRefused() {
    assertThrows(
        IllegalStateException.class,
        () -> TestWorld.start(w -> w.domain("x.example", d -> d.nullMx().mx(1, "mx.x.example"))));
    assertThrows(
        IllegalArgumentException.class,
        () -> TestWorld.start(w -> w.domain("not a name", d -> {})));
    assertThrows(
        IllegalArgumentException.class,
        () -> TestWorld.start(w -> w.domain("x.example", d -> d.mx(70_000, "mx.x.example"))));
  }

  @Test
  void trustMaterial_isTheWorldsAuthority(@TempDir Path dir) throws Exception {
    TestCertificateAuthority shared = TestCertificateAuthority.create("Shared Root");
    try (TestWorld world =
        TestWorld.start(
            w ->
                w.certificateAuthority(shared).domain("x.example", d -> d.mx(1, "mx.x.example")))) {
      assertEquals(shared, world.ca());
      Path pem = world.writeTrustPem(dir.resolve("trust.pem"));
      X509Certificate read =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(Files.newInputStream(pem));
      assertEquals(shared.certificate(), read);
      assertTrue(Files.readString(pem, StandardCharsets.US_ASCII).startsWith("-----BEGIN"));
      assertEquals(
          shared.certificate(),
          world.trustStore().getCertificate(world.trustStore().aliases().nextElement()));
      assertEquals(1, world.trustManager().getAcceptedIssuers().length);
    }
  }

  private static Set<String> httpsThreads() {
    return allThreadNames().stream()
        .filter(name -> name.startsWith(HTTPS_THREADS))
        .collect(Collectors.toCollection(HashSet::new));
  }

  private static Set<String> threadPrefixes(TestWorld world) {
    Set<String> prefixes = new HashSet<>();
    prefixes.add("TestDnsServer-" + world.dnsAddress().getPort() + "-");
    for (String host : world.mxHosts()) {
      prefixes.add("smtp-receiver[" + host + ":" + world.address(host).getPort() + "]");
    }
    return prefixes;
  }

  private static List<String> liveThreads(Set<String> prefixes) {
    return allThreadNames().stream()
        .filter(name -> prefixes.stream().anyMatch(name::startsWith))
        .collect(Collectors.toList());
  }

  private static Set<String> allThreadNames() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .collect(Collectors.toSet());
  }
}
