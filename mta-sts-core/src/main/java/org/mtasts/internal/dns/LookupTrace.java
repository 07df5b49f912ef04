package org.mtasts.internal.dns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * The resolver one lookup's {@code LookupSession} talks to. It answers from the shared cache when
 * it can, otherwise asks the shared resolver stack, and remembers every response the lookup used
 * (the first question and each CNAME target), so that the answer's TTL and DNSSEC status cover the
 * whole chain. One instance per lookup; the steps of a lookup run one after the other.
 */
final class LookupTrace implements Resolver {

  private record Step(Message response, long ttlSeconds) {}

  private final Resolver upstream;
  private final ResponseCache cache;
  private final boolean validating;
  private final boolean trustAd;
  private final List<Step> steps = new ArrayList<>();

  /**
   * @param validating whether {@code upstream} is dnsjava's validating resolver, whose AD flag
   *     means "validated here" and whose error codes mean "bogus"
   * @param trustAd whether {@code upstream} asks a resolver whose AD flag the user trusts
   */
  LookupTrace(Resolver upstream, ResponseCache cache, boolean validating, boolean trustAd) {
    this.upstream = upstream;
    this.cache = cache;
    this.validating = validating;
    this.trustAd = trustAd;
  }

  @Override
  public CompletionStage<Message> sendAsync(Message query) {
    return sendAsync(query, ForkJoinPool.commonPool());
  }

  @Override
  public CompletionStage<Message> sendAsync(Message query, Executor executor) {
    if (cache != null) {
      ResponseCache.Hit hit = cache.get(query);
      if (hit != null) {
        record(new Step(hit.message(), hit.remainingSeconds()));
        return CompletableFuture.completedFuture(hit.message());
      }
    }
    return upstream.sendAsync(query, executor).thenCompose(response -> accept(query, response));
  }

  private CompletionStage<Message> accept(Message query, Message response) {
    Record question = query.getQuestion();
    int rcode = response.getRcode();
    if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
      // Servers' error codes were turned into exceptions further down (ServerResolver), so an
      // error code here was made by the validating resolver: the answer is bogus.
      String reason =
          validating ? validationFailure(response) : "response code " + Rcode.string(rcode);
      return CompletableFuture.failedFuture(
          validating
              ? UpstreamException.dnssec(question.getName(), question.getType(), reason)
              : UpstreamException.rcode("resolver", question.getName(), question.getType(), rcode));
    }
    Ttls.Lifetime lifetime = Ttls.of(response);
    record(new Step(response, lifetime.seconds()));
    if (cache != null) {
      cache.put(response, lifetime);
    }
    return CompletableFuture.completedFuture(response);
  }

  private synchronized void record(Step step) {
    steps.add(step);
  }

  /** Smallest TTL over all responses used; zero if none was. */
  synchronized Duration ttl() {
    return Duration.ofSeconds(steps.stream().mapToLong(Step::ttlSeconds).min().orElse(0));
  }

  /**
   * True only when validating (or trusting the resolver's AD flag) and every response used has
   * the AD flag: set by the validator, or by the trusted resolver.
   */
  synchronized boolean authenticated() {
    return (validating || trustAd)
        && !steps.isEmpty()
        && steps.stream().allMatch(s -> s.response().getHeader().getFlag(Flags.AD));
  }

  /** The question of the last response used, or null: where a chain ended. */
  synchronized Record lastQuestion() {
    return steps.isEmpty() ? null : steps.get(steps.size() - 1).response().getQuestion();
  }

  /** The validator's reason for a bogus answer, from its EDE option or its reason record. */
  static String validationFailure(Message response) {
    OPTRecord opt = response.getOPT();
    if (opt != null) {
      for (EDNSOption option : opt.getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR)) {
        ExtendedErrorCodeOption ede = (ExtendedErrorCodeOption) option;
        String text = ede.getText();
        return ExtendedErrorCodeOption.text(ede.getErrorCode())
            + (text == null || text.isEmpty() ? "" : ": " + text);
      }
    }
    for (Record r : response.getSection(Section.ADDITIONAL)) {
      if (r instanceof TXTRecord && r.getDClass() == ValidatingResolver.VALIDATION_REASON_QCLASS) {
        return String.join("", ((TXTRecord) r).getStrings());
      }
    }
    return "the validating resolver answered " + Rcode.string(response.getRcode());
  }

  @Override
  public void setPort(int port) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void setTCP(boolean flag) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void setIgnoreTruncation(boolean flag) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void setTSIGKey(TSIG key) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void setTimeout(Duration timeout) {
    throw new UnsupportedOperationException();
  }
}
