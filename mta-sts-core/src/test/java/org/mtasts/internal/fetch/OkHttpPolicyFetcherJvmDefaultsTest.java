package org.mtasts.internal.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Authenticator;
import java.net.CacheRequest;
import java.net.CacheResponse;
import java.net.CookieHandler;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ResponseCache;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mtasts.FetchedPolicy;
import org.mtasts.HostResolver;
import org.mtasts.policy.Mode;
import org.mtasts.testkit.https.PolicyServer;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/**
 * STS-FETCH-10, SEC-27: JVM-wide defaults an application may install (response cache, proxy
 * selector, authenticator, cookie handler) never influence the policy fetch.
 */
class OkHttpPolicyFetcherJvmDefaultsTest {
  private static final String HOST = "mta-sts.example.com";
  private static TestCertificateAuthority ca;
  private static PolicyServer server;

  @BeforeAll
  static void startServer() throws IOException {
    ca = TestCertificateAuthority.create("Defaults Test Root");
    server = PolicyServer.create(ca).start();
    server.host(HOST).certificate(ca.issue(HOST))
        .servePolicy("version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 86400\n");
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void stsFetch10_sec27_jvmWideDefaultsAreNotConsulted() throws Exception {
    List<String> consulted = new CopyOnWriteArrayList<>();
    ResponseCache cache = ResponseCache.getDefault();
    ProxySelector selector = ProxySelector.getDefault();
    CookieHandler cookies = CookieHandler.getDefault();
    try {
      ResponseCache.setDefault(
          new ResponseCache() {
            @Override
            public CacheResponse get(URI uri, String method, Map<String, List<String>> headers) {
              consulted.add("ResponseCache.get " + uri);
              return new CacheResponse() {
                @Override
                public Map<String, List<String>> getHeaders() {
                  return Map.of("Content-Type", List.of("text/plain"));
                }

                @Override
                public InputStream getBody() {
                  return new ByteArrayInputStream(
                      "version: STSv1\nmode: none\nmax_age: 1\n".getBytes(StandardCharsets.UTF_8));
                }
              };
            }

            @Override
            public CacheRequest put(URI uri, URLConnection connection) {
              consulted.add("ResponseCache.put " + uri);
              return null;
            }
          });
      ProxySelector.setDefault(
          new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
              consulted.add("ProxySelector.select " + uri);
              // A SOCKS proxy for socket:// URIs is what -DsocksProxyHost makes the JDK's own
              // selector answer; nothing listens there.
              return List.of(
                  new Proxy(
                      uri.getScheme().equals("socket") ? Proxy.Type.SOCKS : Proxy.Type.HTTP,
                      new InetSocketAddress("127.0.0.1", 9)));
            }

            @Override
            public void connectFailed(URI uri, SocketAddress address, IOException e) {}
          });
      CookieHandler.setDefault(
          new CookieHandler() {
            @Override
            public Map<String, List<String>> get(URI uri, Map<String, List<String>> headers) {
              consulted.add("CookieHandler.get " + uri);
              return Map.of("Cookie", List.of("tracking=1"));
            }

            @Override
            public void put(URI uri, Map<String, List<String>> headers) {
              consulted.add("CookieHandler.put " + uri);
            }
          });
      Authenticator.setDefault(
          new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
              consulted.add("Authenticator " + getRequestingHost());
              return new PasswordAuthentication("user", "secret".toCharArray());
            }
          });

      FetchedPolicy fetched =
          OkHttpPolicyFetcher.builder()
              .hostResolver(
                  HostResolver.overriding(Map.of(HOST, server.address()), HostResolver.none()))
              .trustManager(ca.trustManager())
              .allowPrivateAddresses(true)
              .deadline(Duration.ofSeconds(10))
              .build()
              .fetch("example.com")
              .toCompletableFuture()
              .get(20, TimeUnit.SECONDS);

      assertEquals(Mode.ENFORCE, fetched.policy().mode(), "the server's policy, not the cache's");
      assertEquals(List.of(), consulted);
      assertEquals(
          true,
          server.requests(HOST).get(server.requests(HOST).size() - 1).header("Cookie").isEmpty());
    } finally {
      ResponseCache.setDefault(cache);
      ProxySelector.setDefault(selector);
      CookieHandler.setDefault(cookies);
      Authenticator.setDefault(null);
    }
  }
}
