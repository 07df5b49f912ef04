package org.mtasts.dns;

import java.util.Objects;

/**
 * A DNS lookup could not be answered; retrying later may succeed.
 *
 * <p>Every {@code DnsException} is a temporary failure: the DNS did not say whether the record
 * exists. It is never used for "no such record" (that is a {@link DnsAnswer} status), so a failure,
 * accidental or forced by an attacker, can never be mistaken for the absence of a record (SEC-28,
 * STS-MX-03, STS-DISC-16). This class itself covers failures without a more specific type: network
 * errors, malformed or truncated responses, an interrupted wait.
 *
 * <p>The message names the lookup and what went wrong, for example {@code DNS lookup of
 * _mta-sts.example.com TXT failed: SERVFAIL from 192.0.2.53:53}.
 */
public class DnsException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String queryName;
  private final String queryType;

  /**
   * Creates an exception whose message is {@code DNS lookup of <queryName> <queryType> failed:
   * <reason>}.
   *
   * @param queryName the name that was looked up, as the caller gave it or normalised
   * @param queryType the record type, such as {@code "TXT"}, {@code "MX"} or {@code "A/AAAA"}
   * @param reason what went wrong, for a person to read
   * @param cause the underlying failure, or {@code null}
   * @throws NullPointerException if {@code queryName}, {@code queryType} or {@code reason} is null
   */
  public DnsException(String queryName, String queryType, String reason, Throwable cause) {
    super(
        "DNS lookup of "
            + Objects.requireNonNull(queryName, "queryName")
            + " "
            + Objects.requireNonNull(queryType, "queryType")
            + " failed: "
            + Objects.requireNonNull(reason, "reason"),
        cause);
    this.queryName = queryName;
    this.queryType = queryType;
  }

  /**
   * The name whose lookup failed; for a failure while following a CNAME, the original name.
   *
   * @return the name, never null
   */
  public String queryName() {
    return queryName;
  }

  /**
   * The record type whose lookup failed, such as {@code "TXT"}.
   *
   * @return the type, never null
   */
  public String queryType() {
    return queryType;
  }
}
