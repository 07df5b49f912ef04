package org.mtasts.examples.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import org.mtasts.MtaSts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code mta-sts cache list|invalidate|refresh|warm}: inspect and change the policies kept in
 * {@code --cache-dir}, the same directory {@code policy} and {@code send} keep them in.
 */
@Command(
    name = "cache",
    mixinStandardHelpOptions = true,
    description = "List, invalidate, refresh or warm the policies kept in --cache-dir.",
    subcommands = {CacheListCommand.class, CacheInvalidateCommand.class,
        CacheRefreshCommand.class, CacheWarmCommand.class})
final class CacheCommand implements Callable<Integer> {
  @ParentCommand MtaStsCommand parent;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    throw new GlobalOptions.UsageException(
        "cache: give a subcommand: list, invalidate, refresh or warm");
  }

  GlobalOptions options() {
    return parent.options;
  }

  /** The client over --cache-dir, which every cache subcommand needs. */
  MtaSts client(String subcommand) throws IOException, GlobalOptions.UsageException {
    GlobalOptions options = options();
    options.validate();
    if (!options.keepsState()) {
      throw new GlobalOptions.UsageException("cache " + subcommand
          + ": --cache-dir DIR or --store URI is required (the policies it keeps)");
    }
    return options.client();
  }
}
