package org.mtasts.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.CipherSuite;
import okhttp3.ConnectionSpec;

/**
 * The baseline of {@link ColdResolutionBenchmark} ({@code --baseline-tls}), the JDK's floor for
 * one cold fetch: a TCP connection to the policy server, a full JSSE TLS handshake with SNI
 * {@code mta-sts.<domain>} and host name verification, one minimal HTTP/1.1 {@code GET
 * /.well-known/mta-sts.txt} and its whole response read, on a pool of blocking threads like the
 * library's fetcher. No library code, no DNS, no parse beyond checking the status line
 * and comparing the body with the expected policy.
 *
 * <p>TLS is set up as the library's HTTPS fetcher ({@code PolicyFetcher.https()}) sets it up:
 * an {@code SSLContext("TLS")} with the same trust manager and no key manager, TLS 1.3 and 1.2
 * only, the cipher suites of OkHttp's {@code MODERN_TLS} connection spec (enabled suites in the
 * JDK's order), ALPN offering {@code h2} and {@code http/1.1} as OkHttp does on JDK 9+, a direct
 * socket ({@code Proxy.NO_PROXY}).
 * OkHttp checks the host name after the handshake with its own verifier; here the JDK's {@code
 * HTTPS} endpoint identification does it during the handshake.
 */
final class RawTlsFetcher implements ColdResolutionBenchmark.Workload, AutoCloseable {
  private final SSLSocketFactory factory;
  private final String[] cipherSuites;
  private final InetSocketAddress server;
  private final ExecutorService pool;

  RawTlsFetcher(X509TrustManager trust, int port, int threads) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {trust}, null);
    factory = context.getSocketFactory();
    Set<String> modern = new HashSet<>();
    for (CipherSuite suite : ConnectionSpec.MODERN_TLS.cipherSuites()) {
      modern.add(suite.javaName());
    }
    cipherSuites =
        Arrays.stream(factory.getDefaultCipherSuites()).filter(modern::contains)
            .toArray(String[]::new);
    server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    AtomicInteger count = new AtomicInteger();
    pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "benchmark-baseline-tls-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void start(String domain, Consumer<String> done) {
    pool.execute(() -> {
      String problem;
      try {
        problem = fetch(domain);
      } catch (IOException | RuntimeException e) {
        problem = domain + ": " + e;
      }
      done.accept(problem);
    });
  }

  /** Fetches the policy of {@code domain}; null if it came back as expected. */
  private String fetch(String domain) throws IOException {
    String host = "mta-sts." + domain;
    Socket plain = new Socket(Proxy.NO_PROXY);
    try {
      plain.connect(server, 15_000);
      plain.setSoTimeout(30_000);
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
    try (SSLSocket socket = (SSLSocket) factory.createSocket(plain, host, server.getPort(), true)) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
      parameters.setCipherSuites(cipherSuites);
      parameters.setServerNames(List.of(new SNIHostName(host)));
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      OutputStream out = socket.getOutputStream();
      out.write(("GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: " + host
              + "\r\nUser-Agent: mta-sts-java benchmark baseline\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // The server closes after one response: read to the end, at most 64 KiB.
      byte[] response = socket.getInputStream().readNBytes(65_536);
      String text = new String(response, StandardCharsets.UTF_8);
      int headerEnd = text.indexOf("\r\n\r\n");
      if (!text.startsWith("HTTP/1.1 200 ") || headerEnd < 0) {
        return domain + ": unexpected response " + text.lines().findFirst().orElse("(empty)");
      }
      if (!text.substring(headerEnd + 4).equals(PolicyWorld.policyText(domain))) {
        return domain + ": unexpected body";
      }
      return null;
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
