package org.mtasts.internal.fetch;

import static org.mtasts.internal.fetch.FetchFailures.failure;
import static org.mtasts.internal.fetch.FetchFailures.untrusted;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.TlsVersion;
import org.mtasts.FetchFailure;
import org.mtasts.FetchedPolicy;
import org.mtasts.HostResolver;
import org.mtasts.PolicyFetchException;
import org.mtasts.PolicyFetcher;
import org.mtasts.internal.tls.TlsProviders;
import org.mtasts.tls.TrustAnchors;

/**
 * The policy fetch of RFC 8461 §3.3 over OkHttp.
 *
 * <p>What it guarantees, each for a reason in the RFC or the project's decisions:
 *
 * <ul>
 *   <li>{@code GET https://mta-sts.<domain>/.well-known/mta-sts.txt}, never plain HTTP
 *       (STS-FETCH-01/02); SNI always sent (STS-FETCH-06).
 *   <li>TLS 1.2 or 1.3 only (D-04); the certificate must chain to the configured trust anchors
 *       and carry a SAN DNS-ID for the policy host, wildcards only as a whole leftmost label
 *       (STS-FETCH-03/04; OkHttp's host name verifier has no common-name fallback).
 *   <li>No redirects of any kind (STS-FETCH-09), only status 200 (STS-FETCH-08), media type
 *       {@code text/plain} (STS-FETCH-11, D-05), no HTTP cache, no cookies and no conditional
 *       requests (STS-FETCH-10); JVM-wide defaults ({@code ResponseCache}, {@code ProxySelector},
 *       {@code CookieHandler}, {@code Authenticator}) are never consulted, and a proxy is used only
 *       when configured here (SEC-27).
 *   <li>At most 64 KiB of decoded body is read, so gzip bombs and endless bodies stop at the
 *       limit (STS-FETCH-13/18, D-07); one deadline covers the whole fetch (STS-FETCH-12, D-06).
 *   <li>Addresses are checked before connecting (D-33): loopback, private, link-local,
 *       unique-local and metadata addresses are refused unless allowed. A proxy resolves the
 *       policy host itself, so the checked address would not be the one used: a proxy together
 *       with the address guard is refused when the fetcher is built (see {@link Builder#proxy}).
 * </ul>
 *
 * <p>Thread-safe. Each fetch runs on the configured executor (OkHttp's I/O is blocking), so the
 * number of concurrent fetches is bounded by that executor, not by the number of callers. A fetch
 * that passes its deadline fails on one thread of the fetcher's own ({@code
 * mta-sts-fetch-timeout-<n>}, started when needed and ended when idle), so callers' continuations
 * never run on the JDK's shared timer thread and no thread is started per timeout.
 *
 * <p>This class sets the call up: addresses and the guard, the deadline, the TLS client. What the
 * policy host answers is judged by {@link PolicyResponseReader}; an I/O failure of the call is
 * classified by {@link FetchFailures}.
 */
public final class OkHttpPolicyFetcher implements PolicyFetcher {
  static final String PATH = "/.well-known/mta-sts.txt";

  private final OkHttpClient client;
  private final HostResolver hostResolver;
  private final boolean allowPrivateAddresses;
  private final Duration deadline;
  /** Judges what the policy host answered: status, media type, bounded body, policy. */
  private final PolicyResponseReader reader;
  private final String userAgent;
  private final Executor executor;
  /**
   * Completes stages whose deadline passed. Not {@link #executor}: a timeout must not wait
   * behind the very fetches that hang (every thread of that executor may be blocked in a
   * resolver), and not {@code CompletableFuture.runAsync}'s default either, which on a machine
   * with one or two processors starts a new thread for every task (issue 12, item 8a).
   */
  private final Executor timeouts = FetchExecutors.bounded(1, "mta-sts-fetch-timeout-");
  /** The host name of an HTTP proxy given unresolved, or null. */
  private final String proxyHost;
  private final int proxyPort;

  private OkHttpPolicyFetcher(Builder builder) {
    this.hostResolver = builder.hostResolver;
    this.allowPrivateAddresses = builder.allowPrivateAddresses;
    this.deadline = builder.deadline;
    this.reader = new PolicyResponseReader(builder.maxBodyBytes, builder.requireTextPlain);
    this.userAgent = builder.userAgent;
    this.executor = builder.executor;
    if (builder.proxy.type() == Proxy.Type.HTTP
        && builder.proxy.address() instanceof InetSocketAddress proxyAddress
        && proxyAddress.isUnresolved()) {
      this.proxyHost = proxyAddress.getHostString();
      this.proxyPort = proxyAddress.getPort();
    } else {
      this.proxyHost = null;
      this.proxyPort = 0;
    }
    X509TrustManager trustManager =
        builder.trustManager != null ? builder.trustManager : TrustAnchors.system();
    ConnectionSpec tls12Plus =
        new ConnectionSpec.Builder(ConnectionSpec.MODERN_TLS)
            .tlsVersions(TlsVersion.TLS_1_3, TlsVersion.TLS_1_2)
            .build();
    this.client =
        new OkHttpClient.Builder()
            .socketFactory(DirectSocketFactory.INSTANCE)
            .sslSocketFactory(
                sslContext(
                        trustManager,
                        builder.tlsProvider != null
                            ? builder.tlsProvider
                            : TlsProviders.configured())
                    .getSocketFactory(),
                trustManager)
            .connectionSpecs(List.of(tls12Plus))
            .followRedirects(false)
            .followSslRedirects(false)
            .retryOnConnectionFailure(false)
            .cache(null)
            // Every policy host is contacted about once a day: pooled connections would only
            // hold sockets open.
            .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
            // With an explicit proxy (NO_PROXY by default) OkHttp never asks the JVM-wide
            // ProxySelector; the socket factory keeps the TCP connect from asking it either.
            .proxy(builder.proxy)
            .connectTimeout(builder.connectTimeout)
            .readTimeout(builder.readTimeout)
            .writeTimeout(builder.readTimeout)
            .callTimeout(deadline)
            .build();
  }

  /** Starts a builder; {@link Builder#hostResolver} is required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public CompletionStage<FetchedPolicy> fetch(String policyDomain) {
    Objects.requireNonNull(policyDomain, "policyDomain");
    long startNanos = System.nanoTime();
    CompletableFuture<FetchedPolicy> result = new CompletableFuture<>();
    // The one deadline (D-06) runs from here, not from when a pool thread picks the fetch up,
    // and it holds even while the host resolver blocks, which OkHttp's call timeout does not
    // cover: the stage fails on time and the thread, when it gets free, gives up.
    CompletableFuture<Void> timer =
        new CompletableFuture<Void>().orTimeout(deadline.toNanos(), TimeUnit.NANOSECONDS);
    timer.whenComplete(
        (ignored, error) -> {
          if (error != null && !result.isDone()) {
            // Hop off the JDK's timer thread, which serves the whole JVM: completing the stage
            // runs the caller's continuations on the completing thread.
            Runnable fail =
                () ->
                    result.completeExceptionally(
                        failure(policyDomain, FetchFailure.TIMEOUT, "policy fetch for "
                            + policyDomain + " did not complete within its deadline of "
                            + deadline.toMillis() + " ms", null));
            try {
              timeouts.execute(fail);
            } catch (RejectedExecutionException e) {
              fail.run(); // cannot happen with the unbounded queue; never leave the stage open
            }
          }
        });
    result.whenComplete((ignored, error) -> timer.complete(null));
    try {
      executor.execute(
          () -> {
            if (result.isDone() || System.nanoTime() - startNanos >= deadline.toNanos()) {
              return; // timed out while queued; the timer fails the stage
            }
            try {
              result.complete(fetchNow(policyDomain, startNanos));
            } catch (PolicyFetchException e) {
              result.completeExceptionally(e);
            } catch (RuntimeException | Error e) {
              // Whatever escapes (a bug in a resolver, a class missing at run time) must still
              // complete the stage: an Error would otherwise end the pool thread and leave the
              // caller waiting for ever.
              result.completeExceptionally(
                  new PolicyFetchException(
                      policyDomain,
                      FetchFailure.IO_ERROR,
                      "policy fetch for " + policyDomain + " failed unexpectedly: " + e,
                      e));
              if (e instanceof VirtualMachineError) {
                throw (VirtualMachineError) e;
              }
            }
          });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(
          new PolicyFetchException(
              policyDomain, FetchFailure.IO_ERROR, "policy fetch executor rejected the task", e));
    }
    return result;
  }

  /** Fetches on the calling thread, within the deadline counted from {@code startNanos}. */
  FetchedPolicy fetchNow(String domain, long startNanos) throws PolicyFetchException {
    String host = "mta-sts." + domain;
    List<InetAddress> addresses = new ArrayList<>();
    int port = resolve(domain, host, addresses);
    HttpUrl url =
        new HttpUrl.Builder().scheme("https").host(host).port(port).encodedPath(PATH).build();
    long remainingNanos = deadline.toNanos() - (System.nanoTime() - startNanos);
    if (remainingNanos <= 0) {
      throw failure(domain, FetchFailure.TIMEOUT, "resolving " + host + " used up the deadline of "
          + deadline.toSeconds() + " s", null);
    }
    OkHttpClient call =
        client.newBuilder()
            .dns(
                name -> {
                  if (name.equals(host)) {
                    return addresses;
                  }
                  if (proxyHost != null && name.equalsIgnoreCase(proxyHost)) {
                    // A proxy configured by name: OkHttp asks for it here. It is the operator's
                    // choice, so the address guard does not apply to it.
                    return proxyAddresses(name);
                  }
                  throw new UnknownHostException(name + ": not the policy host");
                })
            .callTimeout(Duration.ofNanos(remainingNanos))
            // Racing connects (happy eyeballs) only pays when there is more than one address;
            // with one it would only hand the connect to another thread and back.
            .fastFallback(addresses.size() > 1)
            .build();
    Request request =
        new Request.Builder().url(url).header("User-Agent", userAgent).get().build();
    try (Response response = call.newCall(request).execute()) {
      return reader.read(domain, url, response);
    } catch (PolicyFetchException e) {
      throw e;
    } catch (IOException e) {
      throw FetchFailures.classify(domain, host, e);
    }
  }

  private List<InetAddress> proxyAddresses(String name) throws UnknownHostException {
    List<InetSocketAddress> endpoints;
    try {
      endpoints = hostResolver.resolve(name, proxyPort);
    } catch (UnknownHostException e) {
      throw e;
    } catch (IOException e) {
      UnknownHostException failure =
          new UnknownHostException("cannot resolve proxy " + name + ": " + untrusted(e));
      failure.initCause(e);
      throw failure;
    }
    List<InetAddress> found = new ArrayList<>();
    for (InetSocketAddress endpoint : endpoints) {
      if (endpoint.getAddress() != null) {
        found.add(endpoint.getAddress());
      }
    }
    if (found.isEmpty()) {
      throw new UnknownHostException("proxy " + name + " has no address");
    }
    return found;
  }

  /** Resolves the policy host into {@code addresses} and returns the port to use. */
  private int resolve(String domain, String host, List<InetAddress> addresses)
      throws PolicyFetchException {
    List<InetSocketAddress> endpoints;
    try {
      endpoints = hostResolver.resolve(host, 443);
    } catch (UnknownHostException e) {
      throw failure(domain, FetchFailure.DNS_FAILURE, host + " has no address: " + untrusted(e),
          e);
    } catch (IOException e) {
      throw failure(domain, FetchFailure.DNS_FAILURE, "cannot resolve " + host + ": "
          + untrusted(e), e);
    }
    if (endpoints.isEmpty()) {
      throw failure(domain, FetchFailure.DNS_FAILURE, host + " has no address", null);
    }
    int port = endpoints.get(0).getPort();
    List<String> refused = new ArrayList<>();
    for (InetSocketAddress endpoint : endpoints) {
      InetAddress address = endpoint.getAddress();
      if (address == null || endpoint.getPort() != port) {
        continue;
      }
      String refusal = allowPrivateAddresses ? null : AddressGuard.refusal(address);
      if (refusal == null) {
        addresses.add(address);
      } else {
        refused.add(address.getHostAddress() + " (" + refusal + ")");
      }
    }
    if (addresses.isEmpty()) {
      if (!refused.isEmpty()) {
        throw failure(domain, FetchFailure.ADDRESS_REFUSED,
            host + " resolves only to addresses the policy fetch refuses: "
                + String.join(", ", refused)
                + "; allow private addresses in the configuration if this is intended"
                + " (tests, private networks)", null);
      }
      throw failure(domain, FetchFailure.DNS_FAILURE, host + " has no usable address", null);
    }
    return port;
  }

  /**
   * Most TLS sessions the fetcher keeps for resumption. The JDK keeps 20,480 by default, for a
   * day: after 12,000 cold fetches the JDK's default held 16,500 sessions and 158 MB more heap
   * after a full GC than this limit (about 10 KB a session, up to two per fetch with TLS 1.3
   * tickets), for sessions almost never resumed: a policy host is fetched about once a day
   * (issue 8).
   */
  static final int SESSION_CACHE_SIZE = 64;

  static SSLContext sslContext(X509TrustManager trustManager, TlsProviders.Choice provider) {
    try {
      SSLContext context = TlsProviders.newContext(provider);
      context.init(
          null, new TrustManager[] {TlsProviders.forContext(context, trustManager)}, null);
      context.getClientSessionContext().setSessionCacheSize(SESSION_CACHE_SIZE);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot create a TLS context", e);
    }
  }

  /** Configuration for {@link OkHttpPolicyFetcher}. Not thread-safe. */
  public static final class Builder {
    private HostResolver hostResolver;
    private X509TrustManager trustManager;
    private boolean allowPrivateAddresses;
    private Duration deadline = Duration.ofSeconds(60);
    private Duration connectTimeout = Duration.ofSeconds(15);
    private Duration readTimeout = Duration.ofSeconds(30);
    private int maxBodyBytes = 65_536;
    private boolean requireTextPlain = true;
    private Proxy proxy = Proxy.NO_PROXY;
    private String userAgent = "mta-sts-java (RFC 8461 policy fetch)";
    private Executor executor;
    /** Null: the configured one, read when the fetcher is built. */
    private TlsProviders.Choice tlsProvider;

    private Builder() {}

    /** Where to connect for {@code mta-sts.<domain>} (required). */
    public Builder hostResolver(HostResolver hostResolver) {
      this.hostResolver = Objects.requireNonNull(hostResolver, "hostResolver");
      return this;
    }

    /** Trust anchors for the policy host's certificate; default: the JDK's trust store. */
    public Builder trustManager(X509TrustManager trustManager) {
      this.trustManager = Objects.requireNonNull(trustManager, "trustManager");
      return this;
    }

    /** Allows loopback, private and link-local addresses (tests, private networks). */
    public Builder allowPrivateAddresses(boolean allow) {
      this.allowPrivateAddresses = allow;
      return this;
    }

    /** One deadline for the whole fetch, from resolving to the last body byte; default 60 s. */
    public Builder deadline(Duration deadline) {
      this.deadline = positive(deadline, "deadline");
      return this;
    }

    /** Timeout for the TCP connect; default 15 s (the deadline still applies). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** Timeout between two reads; default 30 s (the deadline still applies). */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = positive(timeout, "readTimeout");
      return this;
    }

    /** Largest decoded body accepted; default 65 536 bytes (RFC 8461 §3.3 suggests 64 KB). */
    public Builder maxBodyBytes(int maxBodyBytes) {
      if (maxBodyBytes < 1) {
        throw new IllegalArgumentException("maxBodyBytes must be positive: " + maxBodyBytes);
      }
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /**
     * Whether a missing or non-{@code text/plain} media type fails the fetch (default true, D-05).
     * When false, the mismatch is only logged.
     */
    public Builder requireTextPlain(boolean require) {
      this.requireTextPlain = require;
      return this;
    }

    /**
     * An explicit HTTP proxy; default none (environment proxies are never picked up). A proxy
     * given by an unresolved name is resolved with the {@link #hostResolver host resolver}.
     *
     * <p>A proxy needs {@link #allowPrivateAddresses allowPrivateAddresses(true)}, or {@link
     * #build()} refuses it (issue 12 item 7, SEC-16, SEC-27). The proxy resolves {@code
     * mta-sts.<domain>} itself (an HTTP {@code CONNECT} names the host; a SOCKS proxy is handed
     * an unresolved address), so the address guard could only check an address the fetch does
     * not use. Pinning the checked address would mean {@code CONNECT <address>}, with OkHttp's
     * SNI and certificate host name check replaced by our own for that connection, and proxies
     * that allow destinations by name would see bare addresses; a silent half-guard would be
     * worse than none. With a proxy, its own egress rules must keep fetches away from internal
     * addresses.
     */
    public Builder proxy(Proxy proxy) {
      this.proxy = Objects.requireNonNull(proxy, "proxy");
      return this;
    }

    /**
     * The User-Agent header: printable ASCII and tabs.
     *
     * @throws IllegalArgumentException if it holds another character (OkHttp would refuse it
     *     on every fetch)
     */
    public Builder userAgent(String userAgent) {
      Objects.requireNonNull(userAgent, "userAgent");
      for (int i = 0; i < userAgent.length(); i++) {
        char c = userAgent.charAt(i);
        if (c != '\t' && (c < 0x20 || c > 0x7e)) {
          throw new IllegalArgumentException(String.format(
              "userAgent has U+%04X at index %d; only printable ASCII and tabs are allowed",
              (int) c, i));
        }
      }
      this.userAgent = userAgent;
      return this;
    }

    /**
     * The TLS implementation; default the one {@link TlsProviders#configured()} names (Conscrypt
     * when it is on the class path). Tests force one here.
     */
    public Builder tlsProvider(TlsProviders.Choice choice) {
      this.tlsProvider = Objects.requireNonNull(choice, "choice");
      return this;
    }

    /** Runs the blocking fetches; default a pool of at most 16 daemon threads. */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Builds the fetcher.
     *
     * @throws IllegalStateException if {@link #hostResolver} is missing, or a {@link #proxy} is
     *     set while private addresses are refused
     */
    public OkHttpPolicyFetcher build() {
      if (hostResolver == null) {
        throw new IllegalStateException("hostResolver is required");
      }
      if (proxy.type() != Proxy.Type.DIRECT && !allowPrivateAddresses) {
        throw new IllegalStateException(
            "a proxy (" + proxy + ") resolves the policy host itself, so the address guard"
                + " (D-33) cannot check the address the fetch reaches; either use no proxy, or"
                + " set allowPrivateAddresses(true) and let the proxy's own rules keep policy"
                + " fetches away from internal addresses");
      }
      if (executor == null) {
        executor = FetchExecutors.bounded(16);
      }
      return new OkHttpPolicyFetcher(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}
