package org.mtasts.internal.dns;

import java.io.IOException;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * A failure below the lookup session, carrying what the public exception needs (which server, which
 * response code). It is an {@link IOException} so that dnsjava's {@code ExtendedResolver} treats it
 * as a failed attempt and moves on to the next server.
 */
final class UpstreamException extends IOException {

  private static final long serialVersionUID = 1L;

  enum Kind {
    /** No answer in time. */
    TIMEOUT,
    /** An answer with an error response code. */
    RCODE,
    /** The validating resolver found the answer bogus. */
    DNSSEC,
    /** A network error or a response that cannot be used. */
    IO
  }

  final Kind kind;
  final String server;
  final int rcode;
  final transient Name queryName;
  final int queryType;

  private UpstreamException(
      Kind kind,
      String server,
      int rcode,
      Name queryName,
      int queryType,
      String message,
      Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.server = server;
    this.rcode = rcode;
    this.queryName = queryName;
    this.queryType = queryType;
  }

  static UpstreamException timeout(String server, Name queryName, int queryType, Throwable cause) {
    return new UpstreamException(
        Kind.TIMEOUT,
        server,
        -1,
        queryName,
        queryType,
        "no answer from " + server + " for " + queryName + " " + Type.string(queryType),
        cause);
  }

  static UpstreamException rcode(String server, Name queryName, int queryType, int rcode) {
    return new UpstreamException(
        Kind.RCODE,
        server,
        rcode,
        queryName,
        queryType,
        Rcode.string(rcode)
            + " from "
            + server
            + " for "
            + queryName
            + " "
            + Type.string(queryType),
        null);
  }

  static UpstreamException dnssec(Name queryName, int queryType, String reason) {
    return new UpstreamException(Kind.DNSSEC, "validator", -1, queryName, queryType, reason, null);
  }

  static UpstreamException io(
      String server, Name queryName, int queryType, String problem, Throwable cause) {
    return new UpstreamException(
        Kind.IO,
        server,
        -1,
        queryName,
        queryType,
        problem + " from " + server + " for " + queryName + " " + Type.string(queryType),
        cause);
  }
}
