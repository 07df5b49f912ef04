package org.mtasts.report;

/**
 * Where session results go to be counted for TLS reports (RFC 8460). The facade and the Jakarta
 * Mail transport record through one; an application that runs its own SMTP client records its
 * sessions through the same one, so a Java MTA gets reports for free.
 *
 * <p>Implementations are thread-safe, return quickly and never throw: a recording that fails is
 * logged and dropped, it never fails a delivery.
 */
@FunctionalInterface
public interface TlsRptRecorder {

  /**
   * Counts one session result.
   *
   * @param result the result
   */
  void record(SessionResult result);

  /**
   * Returns a recorder that counts nothing, for senders that do not report.
   *
   * @return the recorder
   */
  static TlsRptRecorder none() {
    return result -> {};
  }
}
