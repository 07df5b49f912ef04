package org.mtasts.examples.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The {@code mta-sts} command-line tool. Exit codes: 0 success, 1 when what was looked up is bad
 * (no valid policy, a failed delivery), 2 for usage errors.
 */
@Command(
    name = "mta-sts",
    mixinStandardHelpOptions = true,
    version = "mta-sts 0.1.0-SNAPSHOT (mta-sts-java)",
    description = "Look up and enforce MTA-STS (RFC 8461) policies.",
    subcommands = {PolicyCommand.class, CheckCommand.class, SendCommand.class, DemoCommand.class,
        CacheCommand.class, ReportCommand.class})
public final class MtaStsCommand implements Runnable {
  static final int OK = 0;
  static final int BAD = 1;
  static final int USAGE = 2;

  @Mixin GlobalOptions options;

  /** Runs the tool and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the tool with the given output streams and returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    configureLogging(args);
    MtaStsCommand root = new MtaStsCommand();
    CommandLine commandLine = new CommandLine(root);
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parseResult) -> {
          if (e instanceof GlobalOptions.UsageException) {
            cmd.getErr().println("mta-sts: " + e.getMessage());
            return USAGE;
          }
          cmd.getErr().println("mta-sts: " + describe(e));
          return BAD;
        });
    try {
      return commandLine.execute(args);
    } finally {
      if (root.options != null) {
        root.options.close(); // the stores --store opened
      }
    }
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  static String describe(Throwable e) {
    String message = e.getMessage();
    return message != null && !message.isBlank() ? message : e.getClass().getSimpleName();
  }

  /** SLF4J simple logger: warnings only, everything with --verbose; always on standard error. */
  private static void configureLogging(String[] args) {
    boolean verbose = false;
    for (String arg : args) {
      verbose |= arg.equals("-v") || arg.equals("--verbose");
    }
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "warn");
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
  }
}
