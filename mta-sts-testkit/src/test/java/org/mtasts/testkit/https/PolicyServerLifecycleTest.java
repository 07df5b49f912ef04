package org.mtasts.testkit.https;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/** Start, close, threads, concurrency and argument checks. */
class PolicyServerLifecycleTest {
  private static final TestCertificateAuthority CA = TestCertificateAuthority.create("Life Root");

  @Test
  void close_frees_the_port_and_ends_every_thread_promptly() throws Exception {
    Set<Thread> before = serverThreads();
    PolicyServer server = PolicyServer.create(CA).start();
    assertEquals(InetAddress.getLoopbackAddress(), server.address().getAddress());
    int port = server.port();
    server.host("a.example").servePolicy(PolicyResponse.SAMPLE_POLICY);
    server
        .host("b.example")
        .respond(
            PolicyResponse.builder()
                .endlessBody("x")
                .trickleBody(1, Duration.ofMillis(50))
                .build());
    server.host("c.example").tlsFault(TlsFault.STALL_AFTER_CLIENT_HELLO);
    assertEquals(200, WireClient.get(server, CA.clientContext(), "a.example").status());

    SSLSocket endless = WireClient.open(server, CA.clientContext(), "b.example", true);
    WireClient.sendGet(endless, "b.example", PolicyServer.POLICY_PATH);
    InputStream endlessIn = endless.getInputStream();
    WireClient.readHead(endlessIn);
    SSLSocket stalled = WireClient.connect(server, CA.clientContext(), "c.example", true);
    Thread handshaking =
        new Thread(
            () -> {
              try {
                stalled.startHandshake();
              } catch (IOException expected) {
                // ended by close()
              }
            });
    handshaking.start();
    assertTrue(server.awaitConnectionCount("c.example", 1, Duration.ofSeconds(2)));
    assertTrue(serverThreads().size() > before.size());

    long start = System.nanoTime();
    server.close();
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertTrue(took.compareTo(Duration.ofSeconds(1)) < 0, "close() took " + took);
    Set<Thread> leftover = serverThreads();
    leftover.removeAll(before);
    assertEquals(Set.of(), leftover);
    try (ServerSocket again = new ServerSocket()) {
      again.setReuseAddress(true);
      again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }
    handshaking.join(2000);
    endless.close();
    stalled.close();
    server.close(); // idempotent
    assertEquals(1, server.requestCount("a.example"), "recordings stay readable");
  }

  @Test
  void serves_a_hundred_hosts_concurrently() throws Exception {
    int hosts = 100;
    try (PolicyServer server =
        PolicyServer.builder()
            .certificateAuthority(CA)
            .maxConcurrentConnections(32)
            .build()
            .start()) {
      for (int i = 0; i < hosts; i++) {
        server.host("mta-sts.d" + i + ".example").servePolicy("policy " + i + "\n");
      }
      SSLContext client = CA.clientContext();
      ExecutorService clients = Executors.newFixedThreadPool(25);
      try {
        List<Future<String>> bodies = new ArrayList<>();
        for (int i = 0; i < hosts; i++) {
          String host = "mta-sts.d" + i + ".example";
          bodies.add(clients.submit(() -> WireClient.get(server, client, host).bodyText()));
        }
        for (int i = 0; i < hosts; i++) {
          assertEquals("policy " + i + "\n", bodies.get(i).get(10, TimeUnit.SECONDS));
        }
      } finally {
        clients.shutdownNow();
      }
      for (int i = 0; i < hosts; i++) {
        assertEquals(1, server.requestCount("mta-sts.d" + i + ".example"));
      }
      assertEquals(hosts, server.requestCount());
      assertEquals(hosts, server.connections().size());
    }
  }

  @Test
  void lifecycle_misuse_is_refused() throws Exception {
    PolicyServer server = PolicyServer.create(CA);
    assertThrows(IllegalStateException.class, server::port);
    assertThrows(IllegalStateException.class, server::address);
    server.start();
    assertThrows(IllegalStateException.class, server::start);
    server.close();
    assertThrows(IllegalStateException.class, server::start);

    PolicyServer neverStarted = PolicyServer.create(CA);
    neverStarted.close();
    assertThrows(IllegalStateException.class, neverStarted::start);
  }

  @Test
  void builder_and_host_validate_eagerly() {
    assertThrows(IllegalStateException.class, () -> PolicyServer.builder().build());
    assertThrows(
        IllegalArgumentException.class, () -> PolicyServer.builder().maxConcurrentConnections(0));
    assertThrows(
        IllegalArgumentException.class, () -> PolicyServer.builder().readTimeout(Duration.ZERO));
    PolicyServer server =
        PolicyServer.builder().defaultCertificate(CA.issue("default.example")).build();
    assertThrows(IllegalArgumentException.class, () -> server.host(""));
    assertThrows(IllegalArgumentException.class, () -> server.host("bad name"));
    assertThrows(IllegalArgumentException.class, () -> server.host("b\u00fccher.example"));
    assertEquals("mta-sts.example.com", server.host("MTA-STS.Example.COM.").name());
    assertTrue(server.host("mta-sts.example.com") == server.host("mta-sts.example.com."));
    // Without an authority, hosts present the default certificate.
    assertEquals(server.defaultCertificate(), server.host("x.example").certificate());
    assertThrows(
        IllegalArgumentException.class,
        () -> server.host("x.example").handshakeDelay(Duration.ofSeconds(-1)));
    server.close();
  }

  @Test
  void null_arguments_are_refused() {
    PolicyServer server = PolicyServer.create(CA);
    PolicyHost host = server.host("mta-sts.example.com");
    PolicyResponse.Builder response = PolicyResponse.builder();
    List<Executable> calls =
        List.of(
            () -> PolicyServer.create(null),
            () -> PolicyServer.builder().certificateAuthority(null),
            () -> PolicyServer.builder().defaultCertificate(null),
            () -> PolicyServer.builder().readTimeout(null),
            () -> PolicyServer.builder().clock(null),
            () -> server.host(null),
            () -> server.requests(null),
            () -> host.certificate(null),
            () -> host.respond(null),
            () -> host.servePolicy(null),
            () -> host.enqueue(null),
            () -> host.tlsFault(null),
            () -> host.handshakeDelay(null),
            () -> host.tlsProtocols((String[]) null),
            () -> PolicyResponse.policy(null),
            () -> PolicyResponse.redirect(301, null),
            () -> response.body((String) null),
            () -> response.body((byte[]) null),
            () -> response.header(null, "v"),
            () -> response.header("n", null),
            () -> response.contentType(null),
            () -> response.paddedBody(null, 10),
            () -> response.endlessBody(null),
            () -> response.headersDelay(null),
            () -> response.trickleBody(1, null));
    for (Executable call : calls) {
      assertThrows(NullPointerException.class, call);
    }
    server.close();
  }

  private static Set<Thread> serverThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("mta-sts-testkit-https-") && t.isAlive())
        .collect(Collectors.toCollection(java.util.HashSet::new));
  }
}
