package org.mtasts.testkit.dns;

import java.util.Objects;
import org.mtasts.testkit.dns.TestDnsServer.Transport;

/**
 * One question received by a {@link TestDnsServer}, in arrival order in {@link
 * TestDnsServer#queries()}. Immutable.
 *
 * @param name the queried name, lower case and absolute with a trailing dot, e.g. {@code
 *     "_mta-sts.example.com."}
 * @param type the record type mnemonic, e.g. {@code "TXT"}, or {@code "TYPEnn"} for types without
 *     one
 * @param transport the transport the question arrived on
 */
public record RecordedQuery(String name, String type, Transport transport) {
  /**
   * Creates a recorded query.
   *
   * @param name the queried name
   * @param type the record type mnemonic
   * @param transport the transport
   * @throws NullPointerException if any argument is null
   */
  public RecordedQuery {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(transport, "transport");
  }

  @Override
  public String toString() {
    return name + " " + type + " (" + transport + ")";
  }
}
