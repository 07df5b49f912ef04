package org.mtasts;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.mtasts.dns.DnsAnswer;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.DnsServerFailureException;
import org.mtasts.dns.DnssecValidationException;
import org.mtasts.dns.MxRecord;
import org.mtasts.dns.TlsaRecord;
import org.mtasts.dns.TxtRecord;

/**
 * A DNS client for DANE unit tests: each name answers what the test set, secure or not, or fails
 * (SERVFAIL, bogus); a name not set answers NXDOMAIN, insecure. Records every question as {@code
 * "TYPE name"}. Thread-safe.
 */
class FakeDaneDns implements DnsClient {
  static final Duration TTL = Duration.ofMinutes(5);

  private final Map<String, Supplier<CompletionStage<?>>> answers = new ConcurrentHashMap<>();
  final List<String> asked = Collections.synchronizedList(new ArrayList<>());
  private final boolean tlsaSupported;

  FakeDaneDns() {
    this(true);
  }

  /** @param tlsaSupported false: {@link #tlsa} is the interface's default (unsupported) */
  FakeDaneDns(boolean tlsaSupported) {
    this.tlsaSupported = tlsaSupported;
  }

  // ---------------------------------------------------------------------------------------------
  // Setting answers

  FakeDaneDns txt(String name, String text) {
    return answer("TXT " + name, answer(name, List.of(TxtRecord.of(text)), false, name));
  }

  FakeDaneDns mx(String domain, boolean secure, String... hosts) {
    List<MxRecord> records = new ArrayList<>();
    for (int i = 0; i < hosts.length; i++) {
      records.add(new MxRecord(10 * (i + 1), hosts[i]));
    }
    return answer("MX " + domain, answer(domain, records, secure, domain));
  }

  /** {@code domain} exists without MX records (NODATA): an implicit MX when it has an address. */
  FakeDaneDns noMx(String domain, boolean secure) {
    return answer("MX " + domain,
        new DnsAnswer<MxRecord>(domain, DnsAnswer.Status.NODATA, List.of(), TTL, secure, domain));
  }

  FakeDaneDns address(String host, boolean secure) {
    return address(host, secure, host);
  }

  /** {@code host}'s addresses, found at {@code canonicalName} (a CNAME chain when different). */
  FakeDaneDns address(String host, boolean secure, String canonicalName) {
    return answer("A/AAAA " + host,
        answer(host, List.of(InetAddress.getLoopbackAddress()), secure, canonicalName));
  }

  FakeDaneDns noAddress(String host, boolean secure) {
    return answer("A/AAAA " + host,
        new DnsAnswer<InetAddress>(host, DnsAnswer.Status.NXDOMAIN, List.of(), TTL, secure, host));
  }

  FakeDaneDns tlsa(String owner, boolean secure, String... records) {
    if (records.length == 0) {
      return answer("TLSA " + owner,
          new DnsAnswer<TlsaRecord>(owner, DnsAnswer.Status.NODATA, List.of(), TTL, secure, owner));
    }
    List<TlsaRecord> rrs = new ArrayList<>();
    for (String r : records) {
      rrs.add(TlsaRecord.parse(r));
    }
    return answer("TLSA " + owner, answer(owner, rrs, secure, owner));
  }

  /** {@code "TYPE name"} fails with SERVFAIL. */
  FakeDaneDns servfail(String question) {
    String[] q = question.split(" ", 2);
    answers.put(question, () -> CompletableFuture.failedFuture(
        new DnsServerFailureException(q[1], q[0], "SERVFAIL", "192.0.2.53:53", "(fake)")));
    return this;
  }

  /** {@code "TYPE name"} fails DNSSEC validation. */
  FakeDaneDns bogus(String question) {
    String[] q = question.split(" ", 2);
    answers.put(question, () -> CompletableFuture.failedFuture(
        new DnssecValidationException(q[1], q[0], "signature expired (fake)")));
    return this;
  }

  /** {@code "TYPE name"} answers with {@code stage}, e.g. one the test completes later. */
  FakeDaneDns stage(String question, CompletionStage<?> stage) {
    answers.put(question, () -> stage);
    return this;
  }

  private FakeDaneDns answer(String question, DnsAnswer<?> answer) {
    answers.put(question, () -> CompletableFuture.completedFuture(answer));
    return this;
  }

  private static <T> DnsAnswer<T> answer(String name, List<T> records, boolean secure,
      String canonicalName) {
    return new DnsAnswer<>(name, DnsAnswer.Status.ANSWER, records, TTL, secure, canonicalName);
  }

  // ---------------------------------------------------------------------------------------------
  // DnsClient

  @SuppressWarnings("unchecked")
  private <T> CompletionStage<DnsAnswer<T>> ask(String type, String name) {
    String question = type + " " + name;
    asked.add(question);
    Supplier<CompletionStage<?>> s = answers.get(question);
    if (s == null) {
      return CompletableFuture.completedFuture(
          new DnsAnswer<>(name, DnsAnswer.Status.NXDOMAIN, List.of(), TTL, false, name));
    }
    return (CompletionStage<DnsAnswer<T>>) s.get();
  }

  @Override
  public CompletionStage<DnsAnswer<TxtRecord>> txt(String name) {
    return ask("TXT", name);
  }

  @Override
  public CompletionStage<DnsAnswer<MxRecord>> mx(String name) {
    return ask("MX", name);
  }

  @Override
  public CompletionStage<DnsAnswer<InetAddress>> addresses(String name) {
    return ask("A/AAAA", name);
  }

  @Override
  public CompletionStage<DnsAnswer<TlsaRecord>> tlsa(String name) {
    return tlsaSupported ? ask("TLSA", name) : DnsClient.super.tlsa(name);
  }
}
