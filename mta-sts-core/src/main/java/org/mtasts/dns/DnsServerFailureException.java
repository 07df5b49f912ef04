package org.mtasts.dns;

import java.util.Objects;

/**
 * A DNS server answered with an error code other than NOERROR or NXDOMAIN, such as SERVFAIL or
 * REFUSED, on every attempt. Temporary.
 */
public class DnsServerFailureException extends DnsException {

  private static final long serialVersionUID = 1L;

  private final String rcode;
  private final String server;

  /**
   * Creates an exception whose message ends {@code <rcode> from <server>} and then {@code detail}
   * if there is one.
   *
   * @param queryName the name that was looked up
   * @param queryType the record type
   * @param rcode the mnemonic of the response code, such as {@code "SERVFAIL"}
   * @param server the server that answered, such as {@code "192.0.2.53:53"}
   * @param detail more context, such as the CNAME target being looked up, or {@code null}
   * @throws NullPointerException if {@code queryName}, {@code queryType}, {@code rcode} or {@code
   *     server} is null
   */
  public DnsServerFailureException(
      String queryName, String queryType, String rcode, String server, String detail) {
    super(
        queryName,
        queryType,
        Objects.requireNonNull(rcode, "rcode")
            + " from "
            + Objects.requireNonNull(server, "server")
            + (detail == null ? "" : " " + detail),
        null);
    this.rcode = rcode;
    this.server = server;
  }

  /**
   * The response code the server sent.
   *
   * @return the mnemonic, such as {@code "SERVFAIL"} or {@code "REFUSED"}
   */
  public String rcode() {
    return rcode;
  }

  /**
   * The server that sent it, as {@code address:port}.
   *
   * @return the server, never null
   */
  public String server() {
    return server;
  }
}
