package org.mtasts;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.net.ssl.X509TrustManager;
import org.mtasts.dns.DnsClient;
import org.mtasts.internal.fetch.FetchExecutors;
import org.mtasts.internal.fetch.OkHttpPolicyFetcher;

/**
 * Fetches the policy of a policy domain over HTTPS (RFC 8461 §3.3). The library's fetcher is made
 * by {@link #https()}; tests and special deployments may supply their own.
 *
 * <p>Implementations must be safe for concurrent use, must bound the time and size of a fetch,
 * must never follow redirects and must validate the server certificate for
 * {@code mta-sts.<domain>}.
 */
@FunctionalInterface
public interface PolicyFetcher {
  /**
   * Fetches and parses the policy of {@code policyDomain} (normalised: A-labels, lower case, no
   * trailing dot). The stage completes with the policy, or exceptionally with a {@link
   * PolicyFetchException} that says what failed.
   *
   * @param policyDomain the recipient domain whose policy host {@code mta-sts.<domain>} is asked
   * @return a stage completing with the policy
   */
  CompletionStage<FetchedPolicy> fetch(String policyDomain);

  /**
   * Starts a builder for the library's HTTPS fetcher, the one {@link MtaSts} uses by default:
   * {@code GET https://mta-sts.<domain>/.well-known/mta-sts.txt} with TLS 1.2 or later, the
   * certificate checked against the trust anchors and the policy host name (STS-FETCH-03/04), no
   * redirects (STS-FETCH-09), {@code text/plain} only (D-05), at most 64 KiB of body (D-07), one
   * deadline for the whole fetch (D-06), and no connection to loopback, private, link-local or
   * metadata addresses unless allowed (D-33).
   *
   * <pre>{@code
   * PolicyFetcher fetcher = PolicyFetcher.https()
   *     .hostResolver(HostResolver.dns(dns))
   *     .trustManager(trust)
   *     .deadline(Duration.ofSeconds(20))
   *     .build();
   * }</pre>
   *
   * @return a builder with the defaults documented on {@link HttpsBuilder}
   */
  static HttpsBuilder https() {
    return new HttpsBuilder();
  }

  /**
   * Configures the library's HTTPS policy fetcher (see {@link PolicyFetcher#https()}). Each setter
   * validates its argument at once and may be called once. Not thread-safe; the fetcher it builds
   * is.
   *
   * <table>
   *   <caption>Settings</caption>
   *   <tr><th>setting</th><th>default</th></tr>
   *   <tr><td>{@link #hostResolver}</td><td>{@link HostResolver#dns} on {@link
   *       DnsClient#system()}</td></tr>
   *   <tr><td>{@link #trustManager}</td><td>the JDK's trust store</td></tr>
   *   <tr><td>{@link #allowPrivateAddresses}</td><td>false (D-33)</td></tr>
   *   <tr><td>{@link #deadline}</td><td>60 s (D-06)</td></tr>
   *   <tr><td>{@link #executor}</td><td>a pool of at most 16 daemon threads, made per
   *       fetcher</td></tr>
   * </table>
   */
  final class HttpsBuilder {
    /** The deadline of one fetch when none is set (D-06). */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(60);

    private HostResolver hostResolver;
    private X509TrustManager trustManager;
    private Boolean allowPrivateAddresses;
    private Duration deadline;
    private Executor executor;

    HttpsBuilder() {}

    /**
     * Sets where the fetch connects for {@code mta-sts.<domain>}. Give {@link MtaSts} and this
     * fetcher the same DNS client: {@code hostResolver(HostResolver.dns(dns))}.
     *
     * @param hostResolver the resolver
     * @return this builder
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code hostResolver} is null
     */
    public HttpsBuilder hostResolver(HostResolver hostResolver) {
      once(this.hostResolver, "hostResolver");
      this.hostResolver = Objects.requireNonNull(hostResolver, "hostResolver");
      return this;
    }

    /**
     * Sets the trust anchors for the policy host's certificate.
     *
     * @param trustManager the trust manager
     * @return this builder
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code trustManager} is null
     */
    public HttpsBuilder trustManager(X509TrustManager trustManager) {
      once(this.trustManager, "trustManager");
      this.trustManager = Objects.requireNonNull(trustManager, "trustManager");
      return this;
    }

    /**
     * Allows fetches from loopback, private, link-local and metadata addresses (D-33). For tests,
     * demos and private deployments only.
     *
     * @param allow whether to allow them
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public HttpsBuilder allowPrivateAddresses(boolean allow) {
      once(this.allowPrivateAddresses, "allowPrivateAddresses");
      this.allowPrivateAddresses = allow;
      return this;
    }

    /**
     * Sets the deadline for one whole fetch, from resolving the host to the last byte (D-06).
     *
     * @param deadline more than zero, at most 10 minutes
     * @return this builder
     * @throws IllegalArgumentException if out of range
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code deadline} is null
     */
    public HttpsBuilder deadline(Duration deadline) {
      once(this.deadline, "deadline");
      Objects.requireNonNull(deadline, "deadline");
      if (deadline.compareTo(Duration.ofMillis(1)) < 0
          || deadline.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "deadline must be between PT0.001S and PT10M: " + deadline);
      }
      this.deadline = deadline;
      return this;
    }

    /**
     * Sets the executor that runs the blocking fetches; it bounds how many run at once.
     *
     * @param executor the executor
     * @return this builder
     * @throws IllegalStateException if already set
     * @throws NullPointerException if {@code executor} is null
     */
    public HttpsBuilder executor(Executor executor) {
      once(this.executor, "executor");
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Builds the fetcher.
     *
     * @return a thread-safe fetcher
     */
    public PolicyFetcher build() {
      return build(null);
    }

    /** Builds with {@code dns} behind the default host resolver (the {@link MtaSts} client's). */
    PolicyFetcher build(DnsClient dns) {
      OkHttpPolicyFetcher.Builder b =
          OkHttpPolicyFetcher.builder()
              .hostResolver(hostResolver != null ? hostResolver
                  : HostResolver.dns(dns != null ? dns : DnsClient.system()))
              .allowPrivateAddresses(allowPrivateAddresses != null && allowPrivateAddresses)
              .deadline(deadline != null ? deadline : DEFAULT_DEADLINE)
              .executor(executor != null ? executor : FetchExecutors.bounded(16));
      if (trustManager != null) {
        b.trustManager(trustManager);
      }
      return b.build();
    }

    /** Copies the settings made so far (for {@link MtaSts#newBuilder()}). */
    HttpsBuilder copy() {
      HttpsBuilder c = new HttpsBuilder();
      c.hostResolver = hostResolver;
      c.trustManager = trustManager;
      c.allowPrivateAddresses = allowPrivateAddresses;
      c.deadline = deadline;
      c.executor = executor;
      return c;
    }

    private static void once(Object current, String name) {
      if (current != null) {
        throw new IllegalStateException(name + " was already set to " + current);
      }
    }

    @Override
    public String toString() {
      return "PolicyFetcher.https(){hostResolver=" + hostResolver + ", trustManager="
          + trustManager + ", allowPrivateAddresses=" + allowPrivateAddresses + ", deadline="
          + deadline + ", executor=" + executor + "}";
    }
  }
}
