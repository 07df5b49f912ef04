package org.mtasts.internal.dns;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.mtasts.dns.DnssecSupport;
import org.mtasts.internal.text.Texts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Finds out once whether a client's DNSSEC can work: with trust anchors, whether the validator
 * validates the DNSKEY RRset of every anchor's owner (the root, for the built-in anchors); when
 * trusting the resolver's AD flag, whether the resolver sets it on the root's DNSKEY RRset. When
 * not, a direct query tells a resolver that strips DNSSEC records from anchors that do not match.
 *
 * <p>The first call starts the probe; later calls share it. {@link
 * DnssecSupport.Status#AVAILABLE} is kept for the client's life. {@link
 * DnssecSupport.Status#UNAVAILABLE} — a resolver that strips DNSSEC records, anchors that do not
 * validate, or a probe that could not finish (timeout, SERVFAIL, network error) — is kept for
 * {@link #RETRY_AFTER} by the client's clock; the first call after that probes again, so one
 * stripped or forged answer cannot turn DANE off for good. Thread-safe.
 */
final class DnssecProbe {

  /** How long an UNAVAILABLE result is kept before the next call probes again. */
  static final Duration RETRY_AFTER = Duration.ofMinutes(5);

  static final String STRIPPED = "resolver does not return DNSSEC records";

  private static final Logger log = LoggerFactory.getLogger(DnssecProbe.class);

  private static final int MAX_REASON = 300;

  private final boolean trustAd;
  private final Resolver secured;
  private final Resolver direct;
  private final List<Name> owners;
  private final Executor executor;
  private final Clock clock;

  private CompletableFuture<DnssecSupport> current;
  private Instant retryAt;

  /**
   * @param trustAd whether {@code secured} is the resolver whose AD flag is trusted (else the
   *     validator)
   * @param secured the resolver whose answers lookups use: the validator, or the AD-asking one
   * @param direct the resolver below the validator, for telling why validation failed
   * @param owners the names whose DNSKEY RRsets are checked
   */
  DnssecProbe(
      boolean trustAd,
      Resolver secured,
      Resolver direct,
      List<Name> owners,
      Executor executor,
      Clock clock) {
    this.trustAd = trustAd;
    this.secured = secured;
    this.direct = direct;
    this.owners = List.copyOf(owners);
    this.executor = executor;
    this.clock = clock;
  }

  synchronized CompletionStage<DnssecSupport> support() {
    if (current == null || (retryAt != null && !clock.instant().isBefore(retryAt))) {
      CompletableFuture<DnssecSupport> started = new CompletableFuture<>();
      current = started;
      retryAt = null;
      probeAll(0).whenComplete((outcome, error) -> finish(started, outcome, error));
    }
    // Callers must not be able to complete the shared future.
    return current.minimalCompletionStage();
  }

  private synchronized void finish(
      CompletableFuture<DnssecSupport> started, DnssecSupport outcome, Throwable error) {
    DnssecSupport result =
        error == null
            ? outcome
            : DnssecSupport.unavailable(
                "DNSSEC probe failed: " + printable(String.valueOf(unwrap(error))));
    // Every UNAVAILABLE is asked again: a stripped or forged answer to the first probe (an
    // attacker on the path, or a resolver fixed since) must not turn DANE off for the client's
    // life (STS-DANE-03).
    if (current == started && !result.isAvailable()) {
      retryAt = clock.instant().plus(RETRY_AFTER);
    }
    log.debug("DNSSEC probe: {}", result);
    started.complete(result);
  }

  /** Checks the owners one after the other; the first that fails decides. */
  private CompletionStage<DnssecSupport> probeAll(int index) {
    Name owner = owners.get(index);
    return probe(owner)
        .thenCompose(
            outcome ->
                outcome.isAvailable() && index + 1 < owners.size()
                    ? probeAll(index + 1)
                    : CompletableFuture.completedFuture(outcome));
  }

  private CompletionStage<DnssecSupport> probe(Name owner) {
    return send(secured, owner)
        .thenCompose(
            response -> {
              if (response.getRcode() == Rcode.NOERROR
                  && response.getHeader().getFlag(Flags.AD)) {
                return CompletableFuture.completedFuture(
                    DnssecSupport.available(available(owner)));
              }
              if (trustAd) {
                return CompletableFuture.completedFuture(withoutAd(owner, response));
              }
              return send(direct, owner).thenApply(plain -> notValidated(owner, response, plain));
            })
        .handle(
            (outcome, error) ->
                error == null
                    ? outcome
                    : DnssecSupport.unavailable(
                        "DNSSEC probe failed, asking for "
                            + describe(owner)
                            + " DNSKEY: "
                            + printable(failureText(error))
                            + " (asked again after "
                            + RETRY_AFTER.toMinutes()
                            + " minutes)"));
  }

  private String available(Name owner) {
    return trustAd
        ? "the resolver validated the DNSKEY RRset of " + describe(owner) + " (AD flag set)"
        : "the trust anchors validated the DNSKEY RRset of " + describe(owner);
  }

  private static DnssecSupport withoutAd(Name owner, Message response) {
    if (!hasSignatures(response)) {
      return DnssecSupport.unavailable(STRIPPED + strippedDetail(owner));
    }
    return DnssecSupport.unavailable(
        "resolver does not validate DNSSEC: no AD flag on its signed answer for "
            + describe(owner)
            + " DNSKEY");
  }

  private static DnssecSupport notValidated(Name owner, Message validated, Message plain) {
    if (!hasSignatures(plain)) {
      return DnssecSupport.unavailable(STRIPPED + strippedDetail(owner));
    }
    String why =
        validated.getRcode() == Rcode.NOERROR
            ? "the answer was not validated as secure"
            : LookupTrace.validationFailure(validated);
    return DnssecSupport.unavailable(
        "the trust anchors do not validate the DNSKEY RRset of "
            + describe(owner)
            + ": "
            + printable(why));
  }

  private static String strippedDetail(Name owner) {
    return " (no RRSIG in its answer for " + describe(owner) + " DNSKEY)";
  }

  /** An RRSIG over the DNSKEY RRset in the answer: the resolver passes DNSSEC records on. */
  private static boolean hasSignatures(Message response) {
    for (Record r : response.getSection(Section.ANSWER)) {
      if (r instanceof RRSIGRecord && ((RRSIGRecord) r).getTypeCovered() == Type.DNSKEY) {
        return true;
      }
    }
    return false;
  }

  private CompletionStage<Message> send(Resolver resolver, Name owner) {
    Message query = Message.newQuery(Record.newRecord(owner, Type.DNSKEY, DClass.IN));
    try {
      return resolver.sendAsync(query, executor);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static String failureText(Throwable error) {
    Throwable cause = unwrap(error);
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }

  private static Throwable unwrap(Throwable error) {
    return DnsjavaClient.unwrap(error);
  }

  private static String describe(Name owner) {
    return DnsNames.toText(owner);
  }

  private static String printable(String text) {
    return Texts.printable(text, MAX_REASON);
  }
}
