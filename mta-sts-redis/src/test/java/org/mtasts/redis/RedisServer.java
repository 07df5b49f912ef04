package org.mtasts.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.opentest4j.TestAbortedException;

/**
 * A private {@code redis-server} for the tests: started on a free loopback port with its files in
 * a temporary directory, no persistence, stopped (killed) when the test run ends or when a test
 * says so. The binary is {@code $MTASTS_REDIS_SERVER}, else {@code redis-server} on the {@code
 * PATH} (Debian: {@code apt-get install redis-server}). Without it the tests fail when {@code
 * CI=true} (CI must run them) and are skipped with a loud message otherwise.
 */
final class RedisServer implements AutoCloseable {
  private static RedisServer shared;

  private final Path dir;
  private final int port;
  private final List<String> extra;
  private Process process;

  private RedisServer(Path dir, int port, List<String> extra) {
    this.dir = dir;
    this.port = port;
    this.extra = extra;
  }

  /** The server the whole test run shares, killed when the JVM ends (tests flush it). */
  static synchronized RedisServer shared() {
    if (shared == null) {
      shared = start();
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "redis-server-stop"));
    }
    return shared;
  }

  /** A server of one's own, e.g. to kill mid-test, with extra options if any. */
  static RedisServer start(String... extraOptions) {
    String binary = binary();
    Path dir;
    try {
      dir = Files.createTempDirectory("mtasts-redis");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    IOException last = null;
    for (int i = 0; i < 5; i++) {
      RedisServer s = new RedisServer(dir, freePort(), List.of(extraOptions));
      try {
        s.launch(binary);
        return s;
      } catch (IOException e) {
        last = e; // most likely the port was taken meanwhile: try another
      }
    }
    throw new UncheckedIOException("redis-server did not start", last);
  }

  static String binary() {
    String configured = System.getenv("MTASTS_REDIS_SERVER");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    for (String p : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(p, "redis-server"))) {
        return Path.of(p, "redis-server").toString();
      }
    }
    missing("redis-server is not installed (Debian: apt-get install -y redis-server, or set "
        + "MTASTS_REDIS_SERVER to its path)");
    return null;
  }

  /** Fails under CI, skips loudly elsewhere. */
  static void missing(String why) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true and " + why + "; .ci/run installs it");
    }
    System.err.println("\n*** SKIPPED: the Redis store tests need a real Redis: " + why + " ***\n");
    throw new TestAbortedException("SKIPPED: " + why);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private synchronized void launch(String binary) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(binary, "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
        "--daemonize", "no", "--loglevel", "notice"));
    cmd.addAll(extra);
    process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    CompletableFuture<String> ready = new CompletableFuture<>();
    StringBuilder output = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (output) {
            if (output.length() < 20_000) {
              output.append(line).append('\n');
            }
          }
          if (line.contains("Ready to accept connections")) {
            ready.complete(line);
          }
        }
      } catch (IOException e) {
        // the process ended
      }
      ready.completeExceptionally(new IOException("redis-server ended: " + output));
    }, "redis-server-" + port);
    reader.setDaemon(true);
    reader.start();
    try {
      ready.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
      throw new IOException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      kill();
      throw new IOException("redis-server on port " + port + " not ready: " + output, e);
    }
  }

  int port() {
    return port;
  }

  String uri() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  /** Kills the server at once, as a crash would. */
  synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  /** Starts the server again on the same port (empty: it keeps nothing on disk). */
  synchronized void restart() throws IOException {
    kill();
    launch(binary());
  }

  @Override
  public void close() {
    kill();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }
}
