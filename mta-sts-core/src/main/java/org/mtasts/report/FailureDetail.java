package org.mtasts.report;

import java.util.Objects;
import org.mtasts.internal.text.Texts;

/**
 * One {@code failure-details} key of a TLS-RPT report (RFC 8460 §4.4): every field but the count
 * (TLSRPT-JSON-04). Sessions with equal details are counted together.
 *
 * <p>Fields the sender does not know are {@code null} and are left out of the JSON, never written
 * as empty strings (D-28). Text that came from the network (the EHLO identity) is kept as received;
 * the JSON writer escapes it (TLSRPT-JSON-05).
 *
 * <p>Immutable and thread-safe.
 *
 * @param resultType the result type
 * @param sendingMtaIp the local address of the session (RFC 5952 text form for IPv6), or null
 * @param receivingMxHostname the MX host name that was matched and certificate-checked, or null
 *     (policy fetch failures have none); converted to A-labels (TLSRPT-JSON-02)
 * @param receivingMxHelo the name the server gave in its EHLO reply (D-31), or null
 * @param receivingIp the remote address of the session, or null
 * @param failureReasonCode a short reason, e.g. a TLS alert or certificate path error, or null;
 *     should be present for {@code certificate-not-trusted} and {@code validation-failure}
 * @param additionalInformation a URI with details hosted by the sender, or null
 */
public record FailureDetail(
    ResultType resultType,
    String sendingMtaIp,
    String receivingMxHostname,
    String receivingMxHelo,
    String receivingIp,
    String failureReasonCode,
    String additionalInformation) {

  /**
   * Validates the components.
   *
   * @throws NullPointerException if {@code resultType} is null
   * @throws IllegalArgumentException if a field is the empty string (unknown is {@code null}), or
   *     if {@code receivingMxHostname} is not a host name
   */
  public FailureDetail {
    Objects.requireNonNull(resultType, "resultType");
    for (String s : new String[] {sendingMtaIp, receivingMxHostname, receivingMxHelo, receivingIp,
        failureReasonCode, additionalInformation}) {
      if (s != null && s.isEmpty()) {
        throw new IllegalArgumentException("an unknown field is null, not empty (D-28)");
      }
    }
    if (receivingMxHostname != null) {
      String aLabels = ReportPolicy.aLabelsOrNull(receivingMxHostname);
      if (aLabels == null) {
        throw new IllegalArgumentException("receivingMxHostname is not a host name: "
            + Texts.quote(receivingMxHostname));
      }
      receivingMxHostname = aLabels;
    }
  }

  /**
   * A failure that is not tied to an SMTP session, such as a policy fetch error (TLSRPT-DATA-06).
   *
   * @param resultType the result type
   * @param failureReasonCode a short reason, or null
   * @return the detail, with every session field unknown
   */
  public static FailureDetail of(ResultType resultType, String failureReasonCode) {
    return new FailureDetail(resultType, null, null, null, null, failureReasonCode, null);
  }
}
