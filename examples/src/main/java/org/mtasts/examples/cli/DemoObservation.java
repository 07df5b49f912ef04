package org.mtasts.examples.cli;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mtasts.TlsReporter;

/**
 * What the demo saw when it sent one message: what {@code Transport.send} reported, and what the
 * world recorded while it ran (mail accepted and connections per MX host, policy requests,
 * listener events); and what the TLS reporting scenario saw of its report. Plain values, so that
 * a scenario's check can be fed a fabricated observation.
 */
final class DemoObservation {
  private DemoObservation() {}

  /** One message an MX host accepted. */
  record Received(String host, boolean tls, String protocol, String sni) {
    boolean tls12OrLater() {
      return tls && ("TLSv1.2".equals(protocol) || "TLSv1.3".equals(protocol));
    }

    String how() {
      return tls ? "over " + protocol : "in plaintext";
    }
  }

  /** What one MX host saw during the send: new TCP connections and the messages it accepted. */
  record MxSeen(String host, int connections, List<Received> messages) {}

  /**
   * One MX attempt of the transport ({@code MxAttempt}), from {@code
   * MtaStsDeliveryException.attempts()} or {@code MtaStsTransport.lastDeliveries()}.
   *
   * @param dane the DANE verdict on the host's certificate ({@code authenticated}, {@code
   *     failed}), or null where DANE did not check it
   */
  record Attempt(String host, String result, boolean connected, String reason, String statusCode,
      String dane) {
    /** An attempt DANE did not check. */
    Attempt(String host, String result, boolean connected, String reason, String statusCode) {
      this(host, result, connected, reason, statusCode, null);
    }
  }

  /** The {@code MtaStsDeliveryException} of a failed send. */
  record Refusal(
      String domain, String kind, boolean permanent, String statusCode, List<Attempt> attempts) {
    Optional<Attempt> attempt(String host) {
      return attempts.stream().filter(a -> a.host().equals(host)).findFirst();
    }
  }

  /**
   * An {@code MtaStsListener} event: {@code delivery-refused}, {@code testing-violation} (host,
   * reason, status code) or {@code stale-served} (detail: what failed).
   */
  record Event(String type, String domain, String host, String reason, String statusCode,
      String detail) {}

  /**
   * One send through the transport: whether it returned normally, the MTA-STS refusal or other
   * error it threw, every MX attempt it made (delivered or not), and the world's observations in
   * the meantime.
   */
  record Send(
      String recipient,
      boolean returnedNormally,
      Refusal refusal,
      String error,
      Map<String, MxSeen> mx,
      int policyRequests,
      List<Event> events,
      List<Attempt> attempts) {

    /** A send whose MX attempts were not observed. */
    Send(String recipient, boolean returnedNormally, Refusal refusal, String error,
        Map<String, MxSeen> mx, int policyRequests, List<Event> events) {
      this(recipient, returnedNormally, refusal, error, mx, policyRequests, events, List.of());
    }

    /** The last attempt at {@code host}. */
    Optional<Attempt> attempt(String host) {
      Attempt last = null;
      for (Attempt a : attempts) {
        if (a.host().equals(host)) {
          last = a;
        }
      }
      return Optional.ofNullable(last);
    }

    /** What {@code host} saw; zero connections and no mail when the world recorded nothing. */
    MxSeen at(String host) {
      return mx.getOrDefault(host, new MxSeen(host, 0, List.of()));
    }

    /** Every message accepted by any MX host during the send. */
    List<Received> received() {
      return mx.values().stream().flatMap(m -> m.messages().stream()).toList();
    }

    List<Event> events(String type) {
      return events.stream().filter(e -> e.type().equals(type)).toList();
    }

    Optional<Event> event(String type, String host) {
      return events.stream()
          .filter(e -> e.type().equals(type) && host.equals(e.host()))
          .findFirst();
    }
  }

  /**
   * A message the {@code rua} receiver got, read as an RFC 8460 §5.3 mail report.
   *
   * @param recipients the envelope recipients
   * @param contentType the message's MIME type without parameters, e.g. {@code multipart/report}
   * @param reportType the {@code report-type} parameter of the content type, or null
   * @param reportDomain the {@code TLS-Report-Domain} header, or null
   * @param attachmentType the MIME type of the part that carries the report, or null when none does
   * @param fileName the file name of that part, or null
   * @param json the report: the part's content, un-gzipped; null when it could not be read
   * @param problem why the report could not be read, or null
   * @param dkim what the independent DKIM verifier said
   */
  record ReportMail(
      List<String> recipients,
      String contentType,
      String reportType,
      String reportDomain,
      String attachmentType,
      String fileName,
      byte[] json,
      String problem,
      Dkim dkim) {}

  /**
   * The DKIM verdict on a report message (RFC 6376), the public key looked up in the world's DNS.
   *
   * @param verified whether a signature verified
   * @param domain the {@code d=} of the verified signature, or null
   * @param detail what was verified ({@code d=, s=, a=}) or why nothing was
   */
  record Dkim(boolean verified, String domain, String detail) {}

  /**
   * What the TLS reporting scenario saw: its day of mail, what {@code TlsReporter} said of each
   * report it handled, what the {@code rua} receiver got, the address of the broken MX as the world
   * knows it, and the report days the store still holds afterwards.
   */
  record Reporting(
      List<Send> sends,
      List<TlsReporter.Outcome> outcomes,
      List<ReportMail> mails,
      String brokenMxIp,
      List<String> daysLeft) {}
}
