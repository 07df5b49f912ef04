package org.mtasts.examples.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mtasts.testkit.TestWorldExtension;

/** Runs the real {@code mta-sts} command in-process, pointed at a testkit world. */
record CliRun(int exit, String out, String err) {

  /**
   * Runs the command with {@code args} after the options that point it at {@code world}: its DNS
   * server, its trust anchors (written to {@code trustPem}), private addresses allowed, every
   * host mapped.
   */
  static CliRun inWorld(TestWorldExtension world, Path trustPem, String... args) {
    List<String> all = worldOptions(world, trustPem);
    all.addAll(List.of(args));
    return run(all);
  }

  private static List<String> worldOptions(TestWorldExtension world, Path trustPem) {
    List<String> all = new ArrayList<>();
    InetSocketAddress dns = world.dnsAddress();
    all.add("--dns");
    all.add(dns.getAddress().getHostAddress() + ":" + dns.getPort());
    all.add("--trust-store");
    all.add(trustPem.toString());
    all.add("--allow-private-addresses");
    world.hostMap().forEach((host, address) -> {
      all.add("--connect-to");
      all.add(host + "=" + address.getAddress().getHostAddress() + ":" + address.getPort());
    });
    return all;
  }

  /** Runs the command with {@code args} and captures its output. */
  static CliRun run(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = MtaStsCommand.run(args.toArray(new String[0]), new PrintWriter(out, true),
        new PrintWriter(err, true));
    return new CliRun(exit, out.toString(), err.toString());
  }
}
