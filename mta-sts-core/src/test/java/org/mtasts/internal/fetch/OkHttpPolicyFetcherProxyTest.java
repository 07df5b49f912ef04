package org.mtasts.internal.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mtasts.FetchFailure;
import org.mtasts.FetchedPolicy;
import org.mtasts.HostResolver;
import org.mtasts.PolicyFetchException;
import org.mtasts.policy.Mode;
import org.mtasts.testkit.https.PolicyServer;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/** SEC-27: an explicitly configured HTTP proxy, through a minimal CONNECT proxy on loopback. */
class OkHttpPolicyFetcherProxyTest {
  private static final String HOST = "mta-sts.example.com";
  private static final String POLICY =
      "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 86400\n";

  private static TestCertificateAuthority ca;
  private static PolicyServer server;
  private ConnectProxy proxy;

  @BeforeAll
  static void startServer() throws IOException {
    ca = TestCertificateAuthority.create("Proxy Test Root");
    server = PolicyServer.create(ca).start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void start() throws IOException {
    server.host(HOST).reset().certificate(ca.issue(HOST)).servePolicy(POLICY);
    proxy = new ConnectProxy(server.address());
  }

  @AfterEach
  void stop() throws IOException {
    proxy.close();
  }

  private OkHttpPolicyFetcher.Builder fetcher(InetSocketAddress proxyAddress) {
    return OkHttpPolicyFetcher.builder()
        .hostResolver(
            HostResolver.overriding(
                Map.of(
                    HOST, server.address(),
                    "proxy.internal", proxy.address()),
                HostResolver.none()))
        .trustManager(ca.trustManager())
        .allowPrivateAddresses(true)
        .proxy(new Proxy(Proxy.Type.HTTP, proxyAddress))
        .deadline(Duration.ofSeconds(10));
  }

  private static FetchedPolicy fetch(OkHttpPolicyFetcher fetcher) throws Exception {
    try {
      return fetcher.fetch("example.com").toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  @Test
  void sec27_proxyGivenByAddressIsUsed() throws Exception {
    FetchedPolicy fetched = fetch(fetcher(proxy.address()).build());
    assertEquals(Mode.ENFORCE, fetched.policy().mode());
    assertEquals(List.of("CONNECT " + HOST + ":" + server.port()), proxy.requests);
  }

  @Test
  void sec27_proxyGivenByNameIsResolvedAndUsed() throws Exception {
    InetSocketAddress byName = InetSocketAddress.createUnresolved("proxy.internal", proxy.address().getPort());
    FetchedPolicy fetched = fetch(fetcher(byName).build());
    assertEquals(Mode.ENFORCE, fetched.policy().mode());
    assertEquals(List.of("CONNECT " + HOST + ":" + server.port()), proxy.requests);
  }

  @Test
  void sec27_unresolvableProxyIsNamedInTheFailure() throws Exception {
    InetSocketAddress unknown = InetSocketAddress.createUnresolved("no-proxy.internal", 3128);
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(
        Exception.class, () -> fetch(fetcher(unknown).build()));
    PolicyFetchException failure = assertInstanceOf(PolicyFetchException.class, e);
    assertEquals(FetchFailure.DNS_FAILURE, failure.failure());
    org.junit.jupiter.api.Assertions.assertTrue(
        failure.getMessage().contains("no-proxy.internal"), failure.getMessage());
  }

  @Test
  void sec27_tlsIsStillCheckedEndToEndThroughTheProxy() throws Exception {
    server.host(HOST).certificate(TestCertificateAuthority.create("Interceptor").issue(HOST));
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(
        Exception.class, () -> fetch(fetcher(proxy.address()).build()));
    PolicyFetchException failure = assertInstanceOf(PolicyFetchException.class, e);
    assertEquals(FetchFailure.CERTIFICATE_UNTRUSTED, failure.failure(), failure.getMessage());
  }

  @Test
  void item07_proxyWithTheAddressGuardOn_refusedWhenBuilt_SEC_16_SEC_27() {
    // Through a proxy the fetch goes where the proxy resolves mta-sts.<domain>, not to the
    // address the guard checked: refused with a message that says how to proceed.
    for (Proxy p : List.of(new Proxy(Proxy.Type.HTTP, proxy.address()),
        new Proxy(Proxy.Type.SOCKS, proxy.address()),
        new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved("proxy.internal", 3128)))) {
      OkHttpPolicyFetcher.Builder guarded =
          OkHttpPolicyFetcher.builder()
              .hostResolver(HostResolver.overriding(Map.of(HOST, server.address()),
                  HostResolver.none()))
              .trustManager(ca.trustManager())
              .proxy(p);
      IllegalStateException e =
          org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
              guarded::build, p.toString());
      org.junit.jupiter.api.Assertions.assertTrue(
          e.getMessage().contains("address guard") && e.getMessage().contains("no proxy")
              && e.getMessage().contains("allowPrivateAddresses(true)"), e.getMessage());
    }
    assertEquals(List.of(), proxy.requests, "nothing reached the proxy");
  }

  /** Answers CONNECT with 200 and pipes the bytes to one fixed target. */
  private static final class ConnectProxy implements AutoCloseable {
    final List<String> requests = new CopyOnWriteArrayList<>();
    private final ServerSocket socket;
    private final InetSocketAddress target;

    ConnectProxy(InetSocketAddress target) throws IOException {
      this.target = target;
      this.socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(this::acceptLoop, "connect-proxy");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    InetSocketAddress address() {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
    }

    private void acceptLoop() {
      while (!socket.isClosed()) {
        try {
          Socket client = socket.accept();
          Thread t = new Thread(() -> serve(client), "connect-proxy-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket client) {
      try (client; Socket upstream = new Socket(target.getAddress(), target.getPort())) {
        InputStream in = client.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
          int b = in.read();
          if (b < 0) {
            return;
          }
          head.write(b);
        }
        String requestLine = head.toString(StandardCharsets.ISO_8859_1).split("\r\n")[0];
        requests.add(requestLine.replace(" HTTP/1.1", ""));
        OutputStream out = client.getOutputStream();
        out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread back =
            new Thread(
                () -> {
                  try {
                    upstream.getInputStream().transferTo(out);
                  } catch (IOException ignored) {
                    // connection closed
                  } finally {
                    try {
                      client.close();
                    } catch (IOException ignored) {
                      // closing anyway
                    }
                  }
                });
        back.setDaemon(true);
        back.start();
        in.transferTo(upstream.getOutputStream());
      } catch (IOException ignored) {
        // connection closed
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
