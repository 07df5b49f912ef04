package org.mtasts.examples.cli;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the demo saw when it sent one message: what {@code Transport.send} reported, and what the
 * world recorded while it ran (mail accepted and connections per MX host, policy requests,
 * listener events). Plain values, so that a scenario's check can be fed a fabricated observation.
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

  /** One entry of {@code MtaStsDeliveryException.attempts()}. */
  record Attempt(String host, String result, boolean connected, String reason, String statusCode) {}

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
   * One {@code Transport.send}: whether it returned normally, the MTA-STS refusal or other error
   * it threw, and the world's observations in the meantime.
   */
  record Send(
      String recipient,
      boolean returnedNormally,
      Refusal refusal,
      String error,
      Map<String, MxSeen> mx,
      int policyRequests,
      List<Event> events) {

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
}
