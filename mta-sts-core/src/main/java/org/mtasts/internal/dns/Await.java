package org.mtasts.internal.dns;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.mtasts.dns.DnsException;

/** The blocking view of the asynchronous DNS API. */
public final class Await {

  private Await() {}

  /**
   * Waits for {@code stage} and unwraps its failure: a {@link DnsException} or unchecked exception
   * is rethrown as is. On interrupt, sets the interrupt flag again and throws a {@link
   * DnsException} naming the lookup.
   */
  public static <T> T await(CompletionStage<T> stage, String name, String type)
      throws DnsException {
    try {
      return stage.toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DnsException(name, type, "interrupted while waiting for the answer", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof DnsException) {
        throw (DnsException) cause;
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new DnsException(name, type, String.valueOf(cause), cause);
    }
  }
}
