package org.mtasts;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.mtasts.dns.DnsAnswer;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.DnsException;
import org.mtasts.policy.DomainNames;
import org.mtasts.policy.InvalidDomainException;

/**
 * Finds the socket addresses to connect to for a host name and port: the policy host on port
 * 443 for the policy fetch, an MX host on port 25 for SMTP.
 *
 * <p>Production code resolves names through the library's DNS client and keeps the port.
 * Tests point names at servers on random loopback ports with {@link #overriding}. Implementations
 * must be safe for concurrent use and may block (they are called on I/O threads).
 */
@FunctionalInterface
public interface HostResolver {
  /**
   * Returns the addresses to try, in order, for {@code host} (normalised: lower case, no trailing
   * dot) and {@code port}.
   *
   * @throws UnknownHostException if the name has no address
   * @throws IOException if resolution failed (e.g. a DNS timeout)
   */
  List<InetSocketAddress> resolve(String host, int port) throws IOException;

  /**
   * Returns a resolver that answers names in {@code overrides} (whatever port is asked for) and
   * delegates all other names to {@code fallback}. Keys and asked names are compared after {@link
   * DomainNames#normalize} (any case, U-labels or A-labels, one trailing dot). Meant for tests
   * that run servers on random loopback ports.
   *
   * @throws InvalidDomainException if a key is not a valid host name
   */
  static HostResolver overriding(Map<String, InetSocketAddress> overrides,
      HostResolver fallback) {
    Objects.requireNonNull(fallback, "fallback");
    Map<String, InetSocketAddress> copy =
        Map.copyOf(
            overrides.entrySet().stream()
                .collect(
                    java.util.stream.Collectors.toMap(
                        e -> DomainNames.normalize(e.getKey()), Map.Entry::getValue)));
    return (host, port) -> {
      String name = normalise(host);
      InetSocketAddress address = name == null ? null : copy.get(name);
      return address != null ? List.of(address) : fallback.resolve(host, port);
    };
  }

  /**
   * Returns a resolver that looks up A and AAAA records with {@code dns} and keeps the port. A
   * name with no address fails with {@link UnknownHostException}; a DNS failure with an {@link
   * IOException} whose cause is the {@link DnsException}.
   */
  static HostResolver dns(DnsClient dns) {
    Objects.requireNonNull(dns, "dns");
    return (host, port) -> {
      DnsAnswer<InetAddress> answer;
      try {
        answer = dns.addressesBlocking(host);
      } catch (DnsException e) {
        throw new IOException(e.getMessage(), e);
      }
      if (answer.records().isEmpty()) {
        throw new UnknownHostException(host + ": no A or AAAA record (" + answer.status() + ")");
      }
      List<InetSocketAddress> endpoints = new ArrayList<>(answer.records().size());
      for (InetAddress address : answer.records()) {
        endpoints.add(new InetSocketAddress(address, port));
      }
      return endpoints;
    };
  }

  /** A resolver that knows no names: every lookup fails. */
  static HostResolver none() {
    return (host, port) -> {
      throw new UnknownHostException(host + ": no address (no resolver configured)");
    };
  }

  /** {@link DomainNames#normalize}, the library's one normaliser; null for no host name. */
  private static String normalise(String host) {
    try {
      return DomainNames.normalize(host);
    } catch (InvalidDomainException e) {
      return null;
    }
  }
}
