package org.mtasts.dns;

/** No DNS server answered in time, after all attempts on all configured servers. Temporary. */
public class DnsTimeoutException extends DnsException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param queryName the name that was looked up
   * @param queryType the record type
   * @param reason which servers were tried, how often and for how long
   * @param cause the underlying timeout, or {@code null}
   * @throws NullPointerException if {@code queryName}, {@code queryType} or {@code reason} is null
   */
  public DnsTimeoutException(String queryName, String queryType, String reason, Throwable cause) {
    super(queryName, queryType, reason, cause);
  }
}
