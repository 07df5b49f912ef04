package org.mtasts.report;

import java.time.LocalDate;
import java.util.Objects;
import org.mtasts.policy.DomainNames;

/**
 * One report to be sent: a policy domain and the UTC day it covers (TLSRPT-TIME-01). RFC 8460 wants
 * one report per policy domain and day from the sending organisation.
 *
 * <p>Immutable and thread-safe.
 *
 * @param policyDomain the policy domain, normalised to lower-case A-labels
 * @param day the UTC day
 */
public record ReportDay(String policyDomain, LocalDate day) implements Comparable<ReportDay> {

  /**
   * Validates and normalises the components.
   *
   * @throws NullPointerException if an argument is null
   * @throws org.mtasts.policy.InvalidDomainException if {@code policyDomain} is not a host name
   */
  public ReportDay {
    policyDomain = DomainNames.normalize(policyDomain);
    Objects.requireNonNull(day, "day");
  }

  /** Orders by day, then by domain. */
  @Override
  public int compareTo(ReportDay o) {
    int c = day.compareTo(o.day);
    return c != 0 ? c : policyDomain.compareTo(o.policyDomain);
  }
}
