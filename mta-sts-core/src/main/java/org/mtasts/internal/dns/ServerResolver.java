package org.mtasts.internal.dns;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/**
 * Wraps the resolver for one server and turns every response that is not a usable answer into an
 * {@link UpstreamException} naming that server: error response codes (SERVFAIL, REFUSED, ...), a
 * truncated response that could not be retried over TCP, a referral from a server that does not
 * recurse, timeouts and I/O errors. Failing the attempt lets {@code ExtendedResolver} ask the next
 * server, like a system stub resolver does on SERVFAIL; passing the response up would end the
 * lookup at the first broken server.
 */
final class ServerResolver implements Resolver {

  private final Resolver delegate;
  private final String server;

  ServerResolver(Resolver delegate, String server) {
    this.delegate = delegate;
    this.server = server;
  }

  @Override
  public CompletionStage<Message> sendAsync(Message query) {
    return sendAsync(query, ForkJoinPool.commonPool());
  }

  @Override
  public CompletionStage<Message> sendAsync(Message query, Executor executor) {
    CompletionStage<Message> sent;
    try {
      sent = delegate.sendAsync(query, executor);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.handle((response, error) -> check(query, response, error))
        .thenCompose(Function.identity());
  }

  private CompletionStage<Message> check(Message query, Message response, Throwable error) {
    Record question = query.getQuestion();
    if (error != null) {
      Throwable cause = DnsjavaClient.unwrap(error);
      if (cause instanceof UpstreamException) {
        return CompletableFuture.failedFuture(cause);
      }
      if (cause instanceof SocketTimeoutException) {
        return CompletableFuture.failedFuture(
            UpstreamException.timeout(server, question.getName(), question.getType(), cause));
      }
      return CompletableFuture.failedFuture(
          UpstreamException.io(
              server,
              question.getName(),
              question.getType(),
              String.valueOf(cause.getMessage() == null ? cause : cause.getMessage()),
              cause));
    }
    int rcode = response.getRcode();
    if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
      return CompletableFuture.failedFuture(
          UpstreamException.rcode(server, question.getName(), question.getType(), rcode));
    }
    if (response.getHeader().getFlag(Flags.TC)) {
      // SimpleResolver retries truncated UDP answers over TCP; a TC answer that still gets here
      // is incomplete and must not be taken for the whole RRset.
      return CompletableFuture.failedFuture(
          UpstreamException.io(
              server,
              question.getName(),
              question.getType(),
              "truncated response (TC) that was not retried over TCP",
              null));
    }
    if (isReferral(response)) {
      // A server that does not recurse hands out referrals; taken as an answer, a referral would
      // read as "no record". It is a misconfigured server, so fail the attempt instead.
      return CompletableFuture.failedFuture(
          UpstreamException.io(
              server,
              question.getName(),
              question.getType(),
              "referral instead of an answer (is it a recursive resolver?)",
              null));
    }
    return CompletableFuture.completedFuture(response);
  }

  /** NOERROR, no answer, no SOA, but NS records: a delegation, not NODATA. */
  private static boolean isReferral(Message response) {
    if (response.getRcode() != Rcode.NOERROR || !response.getSection(Section.ANSWER).isEmpty()) {
      return false;
    }
    boolean ns = false;
    for (Record r : response.getSection(Section.AUTHORITY)) {
      if (r.getType() == Type.SOA) {
        return false;
      }
      ns |= r.getType() == Type.NS;
    }
    return ns;
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

  @Override
  public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
    delegate.setEDNS(version, payloadSize, flags, options);
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
    return server;
  }
}
