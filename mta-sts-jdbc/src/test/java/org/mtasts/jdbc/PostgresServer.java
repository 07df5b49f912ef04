package org.mtasts.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.opentest4j.TestAbortedException;

/**
 * A private PostgreSQL for the tests: {@code initdb} in a temporary directory, {@code pg_ctl
 * start} on a free loopback port (no fsync: it is thrown away; commits are still written
 * before they return, so a killed server keeps them), stopped when the test run
 * ends or when a test says so. The binaries are in {@code $MTASTS_PG_BIN}, else the directory of
 * {@code pg_ctl} on the {@code PATH}, else the newest {@code /usr/lib/postgresql/<version>/bin}
 * (Debian: {@code apt-get install postgresql}). PostgreSQL refuses to run as root; as root the
 * server runs as the {@code postgres} user through {@code runuser}. Without the binaries the tests
 * fail when {@code CI=true} and are skipped with a loud message otherwise.
 */
final class PostgresServer implements AutoCloseable {
  private static PostgresServer shared;

  private final Path bin;
  private final Path dir;
  private final boolean asPostgres;
  private int port;

  private PostgresServer(Path bin, Path dir, boolean asPostgres) {
    this.bin = bin;
    this.dir = dir;
    this.asPostgres = asPostgres;
  }

  /** The server the whole test run shares, stopped when the JVM ends. */
  static synchronized PostgresServer shared() {
    if (shared == null) {
      shared = start();
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "postgres-stop"));
    }
    return shared;
  }

  /** A server of one's own, e.g. to stop mid-test. */
  static PostgresServer start() {
    Path bin = binaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    try {
      Path dir = Files.createTempDirectory("mtasts-pg");
      PostgresServer s = new PostgresServer(bin, dir, root);
      if (root) {
        UserPrincipal postgres =
            dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        Files.setOwner(dir, postgres);
      }
      s.run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(),
          "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"));
      IOException last = null;
      for (int i = 0; i < 5; i++) {
        s.port = freePort();
        try {
          s.startServer();
          return s;
        } catch (IOException e) {
          last = e; // most likely the port was taken meanwhile: try another
        }
      }
      throw last;
    } catch (IOException e) {
      throw new UncheckedIOException("PostgreSQL did not start", e);
    }
  }

  static Path binaries() {
    String configured = System.getenv("MTASTS_PG_BIN");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    for (String p : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path ctl = Path.of(p, "pg_ctl");
      if (Files.isExecutable(ctl) && Files.isExecutable(Path.of(p, "initdb"))) {
        return Path.of(p);
      }
    }
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (var versions = Files.list(debian)) {
        Path newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/pg_ctl")))
            .max(Comparator.comparingInt(PostgresServer::version)).orElse(null);
        if (newest != null) {
          return newest.resolve("bin");
        }
      } catch (IOException e) {
        // fall through to "missing"
      }
    }
    missing("PostgreSQL is not installed (Debian: apt-get install -y postgresql, or set "
        + "MTASTS_PG_BIN to the directory of initdb and pg_ctl)");
    return null;
  }

  private static int version(Path dir) {
    try {
      return Integer.parseInt(dir.getFileName().toString());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Fails under CI, skips loudly elsewhere. */
  static void missing(String why) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true and " + why + "; .ci/run installs it");
    }
    System.err.println("\n*** SKIPPED: the JDBC store tests need a real PostgreSQL: " + why
        + " ***\n");
    throw new TestAbortedException("SKIPPED: " + why);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void startServer() throws IOException {
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
        dir.resolve("log").toString(), "-w", "-t", "60", "-o",
        "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off "
            + "-c full_page_writes=off -c max_connections=200",
        "start"));
  }

  /** Runs a PostgreSQL tool (as the postgres user when root) and waits for it. */
  private void run(List<String> command) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (asPostgres) {
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.addAll(command);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("tool.log").toFile()).start();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + cmd);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted: " + cmd, e);
    }
    if (p.exitValue() != 0) {
      String log = Files.readString(dir.resolve("tool.log"), StandardCharsets.UTF_8);
      String server = Files.exists(dir.resolve("log"))
          ? Files.readString(dir.resolve("log"), StandardCharsets.UTF_8) : "";
      throw new IOException(cmd + " exited " + p.exitValue() + ": " + log + server);
    }
  }

  String jdbcUrl() {
    return jdbcUrl("postgres");
  }

  String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
  }

  /** Stops the server at once (SIGQUIT to every process, as a crash). */
  synchronized void kill() throws IOException {
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m",
        "immediate", "stop"));
  }

  /** Starts it again on the same port, with its data. */
  synchronized void restart() throws IOException {
    startServer();
  }

  @Override
  public void close() {
    try {
      run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m",
          "immediate", "stop"));
    } catch (IOException e) {
      // already stopped
    }
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }
}
