package org.mtasts.internal.dns;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.mtasts.dns.DnsAnswer;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.DnsException;
import org.mtasts.dns.DnsServerFailureException;
import org.mtasts.dns.DnsTimeoutException;
import org.mtasts.dns.DnssecSupport;
import org.mtasts.dns.DnssecValidationException;
import org.mtasts.dns.MxRecord;
import org.mtasts.dns.TlsaRecord;
import org.mtasts.dns.TxtRecord;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;
import org.xbill.DNS.dnssec.ValidatingResolver;
import org.xbill.DNS.lookup.InvalidZoneDataException;
import org.xbill.DNS.lookup.LookupResult;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;
import org.xbill.DNS.lookup.RedirectOverflowException;

/**
 * {@link DnsClient} on dnsjava's {@link LookupSession}. Immutable after construction and
 * thread-safe; see the package documentation for the layers.
 */
public final class DnsjavaClient implements DnsClient {

  /**
   * Everything the public builder collects, already validated there.
   *
   * @param servers servers to ask; empty for the system's
   * @param timeout per attempt
   * @param retries extra attempts per server
   * @param maxCnameChain CNAME links followed
   * @param cacheSize responses kept; 0 for no cache
   * @param trustAnchors DS/DNSKEY records, one per line; null for no DNSSEC validation
   * @param trustResolverAd whether to ask for DNSSEC and take the servers' AD flag as "secure",
   *     without validating here; not with {@code trustAnchors}
   * @param executor for continuations; null for the library's shared DNS pool
   * @param clock for cache lifetimes and signature validity
   */
  public record Settings(
      List<InetSocketAddress> servers,
      Duration timeout,
      int retries,
      int maxCnameChain,
      int cacheSize,
      String trustAnchors,
      boolean trustResolverAd,
      Executor executor,
      Clock clock) {

    /** Copies the servers; checks nulls and that at most one DNSSEC mode is chosen. */
    public Settings {
      servers = List.copyOf(servers);
      Objects.requireNonNull(timeout, "timeout");
      Objects.requireNonNull(clock, "clock");
      if (trustAnchors != null && trustResolverAd) {
        throw new IllegalArgumentException(
            "trust anchors and trusting the resolver's AD flag exclude each other");
      }
    }
  }

  private static final DnssecSupport OFF =
      DnssecSupport.off(
          "DNSSEC is off: the DNS client has no trust anchors and does not trust a resolver's AD"
              + " flag");

  private final Resolver upstream;
  private final boolean validating;
  private final boolean trustAd;
  private final ResponseCache cache;
  private final int maxCnameChain;
  private final Executor executor;
  private final String timeoutReason;
  private final DnssecProbe probe;

  private DnsjavaClient(Settings settings, Resolver transport, String timeoutReason) {
    this.validating = settings.trustAnchors() != null;
    this.trustAd = settings.trustResolverAd();
    if (validating) {
      this.upstream = validating(transport, settings);
    } else if (trustAd) {
      this.upstream = new AdQueryResolver(transport);
    } else {
      this.upstream = transport;
    }
    this.cache =
        settings.cacheSize() == 0
            ? null
            : new ResponseCache(settings.cacheSize(), settings.clock());
    this.maxCnameChain = settings.maxCnameChain();
    // Not the common pool: on a machine with fewer than three CPUs its parallelism is 1, and
    // CompletableFuture then starts a new thread for every task, i.e. for every DNS response.
    this.executor = settings.executor() != null ? settings.executor() : DnsExecutor.shared();
    this.timeoutReason = timeoutReason;
    this.probe =
        validating || trustAd
            ? new DnssecProbe(
                trustAd,
                upstream,
                transport,
                validating ? DnssecAnchors.owners(settings.trustAnchors()) : List.of(Name.root),
                executor,
                settings.clock())
            : null;
  }

  /** A client that asks the configured servers, or the system's, over the network. */
  public static DnsjavaClient create(Settings settings) {
    List<InetSocketAddress> servers =
        settings.servers().isEmpty()
            ? ResolverConfig.getCurrentConfig().servers()
            : settings.servers();
    List<Resolver> resolvers = new ArrayList<>();
    for (InetSocketAddress server : servers) {
      SimpleResolver simple = new SimpleResolver(server);
      simple.setTimeout(settings.timeout());
      resolvers.add(new ServerResolver(simple, describe(server)));
    }
    int attempts = settings.retries() + 1;
    ExtendedResolver extended = new ExtendedResolver(resolvers);
    extended.setRetries(attempts);
    extended.setLoadBalance(false);
    // ExtendedResolver stops retrying once this much time has passed since the query began. Each
    // attempt already ends by its own timeout, which dnsjava's selector checks only about once a
    // second, so allow a second more per attempt: with a tighter deadline, short timeouts would
    // silently never be retried. This stays a backstop; the attempts decide.
    extended.setTimeout(
        settings
            .timeout()
            .plusSeconds(1)
            .multipliedBy((long) attempts * servers.size())
            .plusSeconds(1));
    String reason =
        "timed out, no answer from "
            + servers.stream().map(DnsjavaClient::describe).collect(Collectors.joining(", "))
            + " ("
            + attempts
            + (attempts == 1 ? " attempt" : " attempts")
            + (servers.size() == 1 ? "" : " per server")
            + ", "
            + settings.timeout().toMillis()
            + " ms each)";
    return new DnsjavaClient(settings, extended, reason);
  }

  /**
   * A client on an arbitrary dnsjava resolver standing for one server, such as a fake in tests.
   * Responses still pass the per-server checks, the cache and the optional validator.
   */
  public static DnsjavaClient create(Settings settings, Resolver transport, String server) {
    return new DnsjavaClient(
        settings, new ServerResolver(transport, server), "timed out, no answer from " + server);
  }

  private static Resolver validating(Resolver transport, Settings settings) {
    ValidatingResolver validator = new ValidatingResolver(transport, settings.clock());
    try {
      validator.loadTrustAnchors(
          new ByteArrayInputStream(settings.trustAnchors().getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("DNSSEC trust anchors could not be loaded", e);
    }
    return validator;
  }

  private static String describe(InetSocketAddress server) {
    InetAddress address = server.getAddress();
    String host = address == null ? server.getHostString() : address.getHostAddress();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + server.getPort();
  }

  @Override
  public CompletionStage<DnsAnswer<TxtRecord>> txt(String name) {
    return lookup(name, Type.TXT, r -> toTxt((TXTRecord) r));
  }

  @Override
  public CompletionStage<DnsAnswer<MxRecord>> mx(String name) {
    return lookup(
        name,
        Type.MX,
        r ->
            new MxRecord(
                ((MXRecord) r).getPriority(), DnsNames.toText(((MXRecord) r).getTarget())));
  }

  @Override
  public CompletionStage<DnsAnswer<TlsaRecord>> tlsa(String name) {
    return lookup(
        name,
        Type.TLSA,
        r -> {
          TLSARecord tlsa = (TLSARecord) r;
          return TlsaRecord.of(
              tlsa.getCertificateUsage(),
              tlsa.getSelector(),
              tlsa.getMatchingType(),
              tlsa.getCertificateAssociationData());
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Probes once, at the first call, and keeps the result for the client's life; a probe that
   * could not finish (timeout, SERVFAIL, network error) gives {@link
   * DnssecSupport.Status#UNAVAILABLE} and is probed again by the first call five minutes (by the
   * client's clock) later.
   */
  @Override
  public CompletionStage<DnssecSupport> dnssecSupport() {
    if (probe == null) {
      return CompletableFuture.completedFuture(OFF);
    }
    return probe.support();
  }

  @Override
  public CompletionStage<DnsAnswer<InetAddress>> addresses(String name) {
    CompletableFuture<DnsAnswer<InetAddress>> v4 =
        lookup(name, Type.A, r -> ((ARecord) r).getAddress());
    CompletableFuture<DnsAnswer<InetAddress>> v6 =
        lookup(name, Type.AAAA, r -> ((AAAARecord) r).getAddress());
    return CompletableFuture.allOf(v4, v6)
        .handle((ignored, error) -> combine(v4, v6))
        .thenCompose(Function.identity());
  }

  private static CompletionStage<DnsAnswer<InetAddress>> combine(
      CompletableFuture<DnsAnswer<InetAddress>> v4, CompletableFuture<DnsAnswer<InetAddress>> v6) {
    DnsAnswer<InetAddress> a = v4.isCompletedExceptionally() ? null : v4.join();
    DnsAnswer<InetAddress> aaaa = v6.isCompletedExceptionally() ? null : v6.join();
    if (a != null && aaaa != null) {
      return CompletableFuture.completedFuture(merge(a, aaaa));
    }
    // A usable host needs one family of addresses; half an answer with records is enough, half
    // an answer without records is not (it could hide the other half's records).
    if (a != null && a.hasRecords()) {
      return CompletableFuture.completedFuture(a);
    }
    if (aaaa != null && aaaa.hasRecords()) {
      return CompletableFuture.completedFuture(aaaa);
    }
    Throwable first = failure(a == null ? v4 : v6);
    if (a == null && aaaa == null) {
      first.addSuppressed(failure(v6));
    }
    return CompletableFuture.failedFuture(first);
  }

  private static DnsAnswer<InetAddress> merge(DnsAnswer<InetAddress> a, DnsAnswer<InetAddress> b) {
    List<InetAddress> records = new ArrayList<>(a.records());
    records.addAll(b.records());
    DnsAnswer.Status status;
    if (!records.isEmpty()) {
      status = DnsAnswer.Status.ANSWER;
    } else if (a.status() == b.status()) {
      status = a.status();
    } else {
      status = DnsAnswer.Status.NODATA;
    }
    Duration ttl = a.ttl().compareTo(b.ttl()) <= 0 ? a.ttl() : b.ttl();
    String canonical = a.hasRecords() || !b.hasRecords() ? a.canonicalName() : b.canonicalName();
    return new DnsAnswer<>(
        a.name(), status, records, ttl, a.authenticated() && b.authenticated(), canonical);
  }

  private static Throwable failure(CompletableFuture<?> failed) {
    try {
      failed.join();
      throw new IllegalStateException("not failed");
    } catch (CompletionException e) {
      return unwrap(e);
    }
  }

  private <T> CompletableFuture<DnsAnswer<T>> lookup(
      String input, int type, Function<Record, T> convert) {
    Name name = DnsNames.toName(input);
    String display = DnsNames.toText(name);
    // A session per lookup is a few fields; it gives the trace a lookup of its own to record.
    LookupTrace trace = new LookupTrace(upstream, cache, validating, trustAd);
    LookupSession session =
        LookupSession.builder()
            .resolver(trace)
            // LookupSession counts links so that a chain of exactly maxRedirects links already
            // fails when its answer arrives in one response; one more makes the limit exact.
            .maxRedirects(maxCnameChain + 1)
            .executor(executor)
            .build();
    CompletableFuture<DnsAnswer<T>> answer = new CompletableFuture<>();
    CompletionStage<LookupResult> started;
    try {
      started = session.lookupAsync(name, type);
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
    }
    started.whenComplete(
        (result, error) -> {
          try {
            if (error == null) {
              answer.complete(positive(display, type, result, trace, convert));
            } else {
              Throwable cause = unwrap(error);
              DnsAnswer<T> negative = negative(display, cause, trace);
              if (negative != null) {
                answer.complete(negative);
              } else {
                answer.completeExceptionally(failure(display, name, type, cause));
              }
            }
          } catch (RuntimeException e) {
            answer.completeExceptionally(
                new DnsException(display, Type.string(type), "unusable answer: " + e, e));
          }
        });
    return answer;
  }

  private static <T> DnsAnswer<T> positive(
      String display,
      int type,
      LookupResult result,
      LookupTrace trace,
      Function<Record, T> convert) {
    List<T> records = new ArrayList<>();
    Name owner = null;
    for (Record r : result.getRecords()) {
      if (r.getType() == type) {
        records.add(convert.apply(r));
        owner = r.getName();
      }
    }
    if (owner == null) {
      Record last = trace.lastQuestion();
      owner = last == null ? null : last.getName();
    }
    return new DnsAnswer<>(
        display,
        records.isEmpty() ? DnsAnswer.Status.NODATA : DnsAnswer.Status.ANSWER,
        records,
        trace.ttl(),
        trace.authenticated(),
        owner == null ? display : DnsNames.toText(owner));
  }

  private static <T> DnsAnswer<T> negative(String display, Throwable cause, LookupTrace trace) {
    DnsAnswer.Status status;
    Name at;
    if (cause instanceof NoSuchDomainException) {
      status = DnsAnswer.Status.NXDOMAIN;
      at = ((NoSuchDomainException) cause).getName();
    } else if (cause instanceof NoSuchRRSetException) {
      // What LookupSession reports for NODATA served from a dnsjava Cache; not used today (the
      // trace caches messages instead), but it means "no record" all the same.
      status = DnsAnswer.Status.NODATA;
      at = ((NoSuchRRSetException) cause).getName();
    } else if (cause instanceof RedirectOverflowException) {
      // Includes RedirectLoopException. D-16: a loop or a chain above the limit is "no record".
      return new DnsAnswer<>(
          display, DnsAnswer.Status.CNAME_CHAIN_TOO_LONG, List.of(), Duration.ZERO, false, display);
    } else {
      return null;
    }
    return new DnsAnswer<>(
        display,
        status,
        List.of(),
        trace.ttl(),
        trace.authenticated(),
        at == null ? display : DnsNames.toText(at));
  }

  private DnsException failure(String display, Name name, int type, Throwable cause) {
    String typeName = Type.string(type);
    if (cause instanceof UpstreamException) {
      UpstreamException u = (UpstreamException) cause;
      // The failing query can differ from the lookup: a CNAME target, or a key the validator
      // needed.
      String via =
          u.queryName == null || (u.queryName.equals(name) && u.queryType == type)
              ? null
              : "(asking for "
                  + DnsNames.toText(u.queryName)
                  + " "
                  + Type.string(u.queryType)
                  + ")";
      switch (u.kind) {
        case RCODE:
          return new DnsServerFailureException(
              display, typeName, Rcode.string(u.rcode), u.server, via);
        case DNSSEC:
          return new DnssecValidationException(
              display, typeName, u.getMessage() + (via == null ? "" : " " + via));
        case TIMEOUT:
          return new DnsTimeoutException(
              display, typeName, timeoutReason + (via == null ? "" : " " + via), u);
        default:
          return new DnsException(display, typeName, u.getMessage(), u.getCause());
      }
    }
    if (cause instanceof SocketTimeoutException || isExtendedResolverTimeout(cause)) {
      return new DnsTimeoutException(display, typeName, timeoutReason, cause);
    }
    if (cause instanceof InvalidZoneDataException || cause instanceof WireParseException) {
      return new DnsException(display, typeName, "invalid response: " + cause.getMessage(), cause);
    }
    return new DnsException(display, typeName, String.valueOf(cause), cause);
  }

  /** ExtendedResolver reports its overall deadline with a plain IOException. */
  private static boolean isExtendedResolverTimeout(Throwable cause) {
    return cause instanceof IOException
        && cause.getMessage() != null
        && cause.getMessage().startsWith("Timed out");
  }

  static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static TxtRecord toTxt(TXTRecord record) {
    List<byte[]> raw = record.getStringsAsByteArrays();
    List<String> strings = new ArrayList<>(raw.size());
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (byte[] bytes : raw) {
      strings.add(new String(bytes, StandardCharsets.UTF_8));
      joined.write(bytes, 0, bytes.length);
    }
    return new TxtRecord(strings, joined.toString(StandardCharsets.UTF_8));
  }
}
