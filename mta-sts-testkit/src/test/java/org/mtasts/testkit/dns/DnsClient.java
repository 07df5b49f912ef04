package org.mtasts.testkit.dns;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.mtasts.testkit.dns.TestDnsServer.Transport;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/** An independent client for the tests: dnsjava's {@link SimpleResolver}, nothing of ours. */
final class DnsClient {
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  private DnsClient() {}

  /** A resolver with the given transport; UDP answers with TC are retried over TCP. */
  static SimpleResolver resolver(InetSocketAddress server, Transport transport) {
    SimpleResolver resolver = new SimpleResolver(server);
    resolver.setTimeout(TIMEOUT);
    resolver.setTCP(transport == Transport.TCP);
    return resolver;
  }

  static Message query(String name, String type) {
    try {
      return Message.newQuery(
          Record.newRecord(Name.fromString(name, Name.root), Type.value(type), DClass.IN));
    } catch (TextParseException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static Message send(TestDnsServer dns, String name, String type, Transport transport)
      throws IOException {
    return resolver(dns.address(), transport).send(query(name, type));
  }

  static CompletableFuture<Message> sendAsync(SimpleResolver resolver, String name, String type) {
    return resolver.sendAsync(query(name, type)).toCompletableFuture();
  }

  static List<Record> answers(Message response) {
    return response.getSection(Section.ANSWER);
  }

  /** Every TXT record of the answer, each as the list of its character-strings. */
  static List<List<String>> txtStrings(Message response) {
    return answers(response).stream()
        .filter(r -> r.getType() == Type.TXT)
        .map(r -> ((TXTRecord) r).getStrings())
        .collect(Collectors.toList());
  }

  /** Waits, without a fixed sleep, until the condition holds. */
  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("timed out waiting until " + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
