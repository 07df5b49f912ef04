package org.mtasts.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.mtasts.testkit.tls.KeyType;

/**
 * The server side of {@link ColdResolutionBenchmark}: the testkit's DNS and HTTPS servers of a
 * {@link PolicyWorld} in this JVM, in a child JVM started here (so that this JVM's CPU time is the
 * client's alone), or started by someone else ({@code benchmarks/cold-burst.sh}).
 */
interface ColdServers extends AutoCloseable {
  InetSocketAddress dns();

  int httpsPort();

  X509TrustManager trust();

  /** CPU time used by the servers so far, in ns; -1 if not separable. */
  long cpuNanos() throws IOException;

  @Override
  void close();

  /**
   * A world started by someone else (benchmarks/cold-burst.sh): {@code DNS_PORT:HTTPS_PORT:CA_PEM}
   * on 127.0.0.1, and optionally {@code :PID} of the server process, whose CPU time is then read
   * from {@code /proc/PID/stat}.
   */
  static ColdServers external(String spec) throws Exception {
    String[] parts = spec.split(":");
    InetSocketAddress dns =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(parts[0]));
    int httpsPort = Integer.parseInt(parts[1]);
    X509TrustManager trust = trustManager(Path.of(parts[2]));
    Path stat = parts.length > 3 ? Path.of("/proc", parts[3], "stat") : null;
    return new ColdServers() {
      @Override
      public InetSocketAddress dns() {
        return dns;
      }

      @Override
      public int httpsPort() {
        return httpsPort;
      }

      @Override
      public X509TrustManager trust() {
        return trust;
      }

      @Override
      public long cpuNanos() throws IOException {
        if (stat == null) {
          return -1;
        }
        String text = Files.readString(stat);
        // Fields after the command name, which is in parentheses and may hold spaces: state is
        // field 3, utime 14 and stime 15, in clock ticks (100 a second on Linux).
        String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
      }

      @Override
      public void close() {}
    };
  }

  static ColdServers inProcess(int total, KeyType leafKey, KeyType caKey,
      boolean sharedLeafKey) throws IOException {
    PolicyWorld world = PolicyWorld.start(total, leafKey, caKey, sharedLeafKey);
    return new ColdServers() {
      @Override
      public InetSocketAddress dns() {
        return world.dns.address();
      }

      @Override
      public int httpsPort() {
        return world.https.port();
      }

      @Override
      public X509TrustManager trust() {
        return world.ca.trustManager();
      }

      @Override
      public long cpuNanos() {
        return -1; // split by thread name in ColdResolutionBenchmark.run()
      }

      @Override
      public void close() {
        world.close();
      }
    };
  }

  static ColdServers childProcess(int total, KeyType leafKey, KeyType caKey,
      boolean sharedLeafKey) throws Exception {
    Path pem = Files.createTempFile("mta-sts-bench-ca", ".pem");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                PolicyWorld.class.getName(), Integer.toString(total), pem.toString(),
                leafKey.name(), caKey.name(), sharedLeafKey ? "shared-leaf-key" : "own-leaf-keys")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    PrintWriter in =
        new PrintWriter(process.getOutputStream(), true, StandardCharsets.US_ASCII);
    String ready = out.readLine();
    if (ready == null || !ready.startsWith("READY ")) {
      process.destroyForcibly();
      throw new IllegalStateException("server process did not start: " + ready);
    }
    String[] ports = ready.split(" ");
    InetSocketAddress dns =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(ports[1]));
    int httpsPort = Integer.parseInt(ports[2]);
    X509TrustManager trust = trustManager(pem);
    return new ColdServers() {
      @Override
      public InetSocketAddress dns() {
        return dns;
      }

      @Override
      public int httpsPort() {
        return httpsPort;
      }

      @Override
      public X509TrustManager trust() {
        return trust;
      }

      @Override
      public long cpuNanos() throws IOException {
        in.println("cpu");
        String line = out.readLine();
        if (line == null || !line.startsWith("CPU ")) {
          throw new IOException("server process answered " + line);
        }
        return Long.parseLong(line.substring(4));
      }

      @Override
      public void close() {
        in.close(); // end of input: the server process exits
        try {
          if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
          }
          Files.deleteIfExists(pem);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          process.destroyForcibly();
        } catch (IOException e) {
          // a temporary file left behind
        }
      }
    };
  }

  private static X509TrustManager trustManager(Path pem) throws Exception {
    X509Certificate ca;
    try (InputStream in = Files.newInputStream(pem)) {
      ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("benchmark-ca", ca);
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return (X509TrustManager) factory.getTrustManagers()[0];
  }
}
