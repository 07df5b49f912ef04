package org.mtasts.internal.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mtasts.dns.DnsClient;
import org.mtasts.testkit.dns.TestDnsServer;

/**
 * Lookups continue on the library's DNS pool. On a machine with fewer than three CPUs the common
 * pool's parallelism is 1 and CompletableFuture starts a new thread for every task; with the
 * common pool as default, every DNS response cost a thread start (issue 8 profile).
 */
class DnsjavaClientExecutorTest {
  @Test
  void continuationsRunOnTheSharedDnsPoolNotAThreadPerResponse() throws Exception {
    try (TestDnsServer server = new TestDnsServer().start()) {
      server.txt("_mta-sts.example.com", "v=STSv1; id=1");
      // The answer is held back so the continuation below is attached before it completes.
      server.delay("_mta-sts.example.com", Duration.ofMillis(300));
      DnsClient client = DnsClient.builder().server(server.address()).cacheSize(0).build();
      CompletableFuture<String> thread =
          client.txt("_mta-sts.example.com").toCompletableFuture()
              .thenApply(answer -> Thread.currentThread().getName());
      String name = thread.get(10, TimeUnit.SECONDS);
      assertTrue(name.startsWith("mta-sts-dns-"), name);
      assertEquals(1, server.queryCount("_mta-sts.example.com", "TXT"));
    }
  }
}
