package org.mtasts.testkit.https;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP request as the policy server read it off the wire. Immutable.
 *
 * @param sequence position among all requests this server recorded, from 1
 * @param time when the request head had been read, from the server's clock
 * @param connection the {@link RecordedConnection#sequence()} of the connection it came on
 * @param host the host the request was routed to: the SNI name, or without SNI the host of the
 *     {@code Host} header, or {@code ""} when there was neither; lower case, no trailing dot
 * @param sni the server name the ClientHello carried, if any
 * @param tlsProtocol the negotiated protocol, for example {@code "TLSv1.3"}
 * @param method the request method, for example {@code "GET"}
 * @param target the request target as sent, for example {@code "/.well-known/mta-sts.txt"}
 * @param version the HTTP version as sent, for example {@code "HTTP/1.1"}
 * @param headers every header field in the order received, names in their original case
 */
public record RecordedRequest(
    long sequence,
    Instant time,
    long connection,
    String host,
    Optional<String> sni,
    String tlsProtocol,
    String method,
    String target,
    String version,
    List<HttpHeader> headers) {

  /** Checks that nothing is null and copies the header list. */
  public RecordedRequest {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(sni, "sni");
    Objects.requireNonNull(tlsProtocol, "tlsProtocol");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(version, "version");
    headers = List.copyOf(headers);
  }

  /** The target without its query string. */
  public String path() {
    int query = target.indexOf('?');
    return query < 0 ? target : target.substring(0, query);
  }

  /** The value of the first header named {@code name} (case-insensitive), if any. */
  public Optional<String> header(String name) {
    Objects.requireNonNull(name, "name");
    return headers.stream().filter(h -> h.hasName(name)).map(HttpHeader::value).findFirst();
  }

  /** The values of every header named {@code name} (case-insensitive), in order. */
  public List<String> headers(String name) {
    Objects.requireNonNull(name, "name");
    return headers.stream().filter(h -> h.hasName(name)).map(HttpHeader::value).toList();
  }

  /** The value of the {@code Host} header as sent (with a port if the client sent one). */
  public Optional<String> hostHeader() {
    return header("Host");
  }

  @Override
  public String toString() {
    return "RecordedRequest{#"
        + sequence
        + " "
        + method
        + " "
        + target
        + " "
        + version
        + ", host="
        + host
        + ", sni="
        + sni.orElse("(none)")
        + ", "
        + tlsProtocol
        + ", headers="
        + headers
        + "}";
  }
}
