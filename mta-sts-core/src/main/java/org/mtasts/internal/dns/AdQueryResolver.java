package org.mtasts.internal.dns;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TSIG;

/**
 * For a client that trusts its resolver's AD flag: every query asks for DNSSEC (the DO bit in
 * EDNS) and sets the AD flag, which asks the resolver to say whether it validated the answer (RFC
 * 6840 §5.7), and never sets CD, so that a validating resolver answers SERVFAIL instead of bogus
 * data. Responses pass unchanged; the lookup reads their AD flag.
 */
final class AdQueryResolver implements Resolver {

  private final Resolver delegate;

  AdQueryResolver(Resolver delegate) {
    this.delegate = delegate;
    delegate.setEDNS(0, 0, ExtendedFlags.DO, List.of());
  }

  @Override
  public CompletionStage<Message> sendAsync(Message query) {
    return sendAsync(query, ForkJoinPool.commonPool());
  }

  @Override
  public CompletionStage<Message> sendAsync(Message query, Executor executor) {
    Message asking = query.clone();
    asking.getHeader().setFlag(Flags.AD);
    asking.getHeader().unsetFlag(Flags.CD);
    return delegate.sendAsync(asking, executor);
  }

  @Override
  public void setPort(int port) {
    delegate.setPort(port);
  }

  @Override
  public void setTCP(boolean flag) {
    delegate.setTCP(flag);
  }

  @Override
  public void setIgnoreTruncation(boolean flag) {
    delegate.setIgnoreTruncation(flag);
  }

  /** Keeps the DO bit whatever is asked: without it the resolver's AD flag means nothing. */
  @Override
  public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
    if (version != 0) {
      throw new IllegalArgumentException("EDNS is needed to ask for DNSSEC");
    }
    delegate.setEDNS(0, payloadSize, flags | ExtendedFlags.DO, options);
  }

  @Override
  public void setTSIGKey(TSIG key) {
    delegate.setTSIGKey(key);
  }

  @Override
  public void setTimeout(Duration timeout) {
    delegate.setTimeout(timeout);
  }

  @Override
  public Duration getTimeout() {
    return delegate.getTimeout();
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
