package org.mtasts;

import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.mtasts.dns.DnsAnswer;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.DnsServerFailureException;
import org.mtasts.dns.MxRecord;
import org.mtasts.dns.TxtRecord;

/** DNS clients for unit tests. */
final class FakeDns {
  private FakeDns() {}

  /** A client whose every lookup fails with SERVFAIL. */
  static DnsClient servfail() {
    return new DnsClient() {
      private <T> CompletionStage<T> fail(String name, String type) {
        return CompletableFuture.failedFuture(
            new DnsServerFailureException(name, type, "SERVFAIL", "192.0.2.53:53", "(fake)"));
      }

      @Override
      public CompletionStage<DnsAnswer<TxtRecord>> txt(String name) {
        return fail(name, "TXT");
      }

      @Override
      public CompletionStage<DnsAnswer<MxRecord>> mx(String name) {
        return fail(name, "MX");
      }

      @Override
      public CompletionStage<DnsAnswer<InetAddress>> addresses(String name) {
        return fail(name, "A/AAAA");
      }
    };
  }
}
