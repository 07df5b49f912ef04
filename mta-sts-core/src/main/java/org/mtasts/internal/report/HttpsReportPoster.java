package org.mtasts.internal.report;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.TlsVersion;
import okio.Buffer;
import okio.BufferedSource;
import org.mtasts.HostResolver;
import org.mtasts.internal.fetch.AddressGuard;
import org.mtasts.internal.fetch.DirectSocketFactory;
import org.mtasts.internal.text.Texts;
import org.mtasts.report.ReportDeliveryException;
import org.mtasts.tls.TrustAnchors;

/**
 * Posts a gzipped TLS report to an {@code https:} {@code rua} (RFC 8460 §5.4, TLSRPT-DEL-08).
 *
 * <p>The same guarantees as the policy fetch, for the same reasons: the host is resolved with the
 * configured {@link HostResolver} and its addresses pass the address guard before any connection
 * (D-33, SEC-16: a stranger's {@code _smtp._tls} record must not make us post to our own network);
 * TLS 1.2 or 1.3 with the configured trust anchors and a certificate for the host (never "trust
 * all", SEC-23); no proxy from the JVM's defaults (SEC-27); no redirects (D-29: a 3xx is a
 * failure); one deadline for the whole exchange; a bounded read of the response. Only a 2xx status
 * means accepted.
 *
 * <p>Thread-safe; {@link #post} blocks the calling thread.
 */
public final class HttpsReportPoster {
  /** The media type of a gzipped report (RFC 8460 §6.5). */
  public static final String MEDIA_TYPE = "application/tlsrpt+gzip";

  /** Most bytes of the response body read (and quoted, shortened, in an error). */
  static final int MAX_RESPONSE_BYTES = 16_384;

  private static final int MAX_QUOTED = 200;
  private static final MediaType GZIP_REPORT = MediaType.get(MEDIA_TYPE);

  private final OkHttpClient client;
  private final HostResolver hostResolver;
  private final boolean allowPrivateAddresses;
  private final Duration deadline;

  private HttpsReportPoster(Builder b) {
    this.hostResolver = b.hostResolver;
    this.allowPrivateAddresses = b.allowPrivateAddresses;
    this.deadline = b.deadline;
    X509TrustManager trustManager = b.trustManager != null ? b.trustManager : TrustAnchors.system();
    this.client =
        new OkHttpClient.Builder()
            .socketFactory(DirectSocketFactory.INSTANCE)
            .sslSocketFactory(sslContext(trustManager).getSocketFactory(), trustManager)
            .connectionSpecs(List.of(new ConnectionSpec.Builder(ConnectionSpec.MODERN_TLS)
                .tlsVersions(TlsVersion.TLS_1_3, TlsVersion.TLS_1_2)
                .build()))
            .followRedirects(false)
            .followSslRedirects(false)
            // A failed POST is retried by the reporter's back-off, with a fresh DNS lookup and
            // guard check; OkHttp's silent retry would post the same report twice.
            .retryOnConnectionFailure(false)
            .cache(null)
            // One report per endpoint and day: a pooled connection would only hold a socket.
            .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS))
            .proxy(java.net.Proxy.NO_PROXY)
            .connectTimeout(b.connectTimeout)
            .readTimeout(b.readTimeout)
            .writeTimeout(b.readTimeout)
            .callTimeout(deadline)
            .build();
  }

  /** Starts a builder; {@link Builder#hostResolver} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Posts {@code gzippedReport} to {@code uri}.
   *
   * @param uri an {@code https:} URI with a host, as written in the {@code rua}
   * @param gzippedReport the report, gzipped
   * @return the 2xx status the endpoint answered
   * @throws ReportDeliveryException if the endpoint did not accept the report: not {@code https},
   *     no usable address, refused by the address guard, TLS or I/O failure, deadline passed, a
   *     redirect, or any status but 2xx; the message is printable
   */
  public int post(URI uri, byte[] gzippedReport) throws ReportDeliveryException {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(gzippedReport, "gzippedReport");
    String shown = printable(uri.toString());
    if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      throw new ReportDeliveryException(shown + " is not an https: URI with a host");
    }
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = uri.getPort() == -1 ? 443 : uri.getPort();
    long start = System.nanoTime();
    List<InetAddress> addresses = new ArrayList<>();
    port = resolve(shown, host, port, addresses);
    HttpUrl url = HttpUrl.get(uri.toString()).newBuilder().port(port).build();
    long remaining = deadline.toNanos() - (System.nanoTime() - start);
    if (remaining <= 0) {
      throw new ReportDeliveryException(
          "resolving " + host + " used up the deadline of " + deadline.toMillis() + " ms");
    }
    String pinnedHost = url.host();
    OkHttpClient call =
        client.newBuilder()
            .dns(name -> {
              if (name.equalsIgnoreCase(pinnedHost)) {
                return addresses; // checked by the guard above; never resolved again
              }
              throw new UnknownHostException(name + ": not the report endpoint");
            })
            .callTimeout(Duration.ofNanos(remaining))
            .fastFallback(addresses.size() > 1)
            .build();
    Request request = new Request.Builder()
        .url(url)
        .header("User-Agent", "mta-sts-java (RFC 8460 report delivery)")
        .post(RequestBody.create(gzippedReport, GZIP_REPORT))
        .build();
    try (Response response = call.newCall(request).execute()) {
      int code = response.code();
      if (code >= 200 && code < 300) {
        // Accepted: what the endpoint says besides its status does not matter, so it is not read.
        return code;
      }
      String body = readBounded(response.body());
      if (code >= 300 && code < 400) {
        String location = response.header("Location");
        throw new ReportDeliveryException(shown + " answered HTTP " + code
            + (location != null ? " redirecting to " + printable(location) : "")
            + "; redirects are not followed (D-29)");
      }
      throw new ReportDeliveryException(shown + " answered HTTP " + code
          + (body.isEmpty() ? "" : ": " + printable(body)));
    } catch (ReportDeliveryException e) {
      throw e;
    } catch (InterruptedIOException e) {
      throw new ReportDeliveryException(
          "posting to " + shown + " timed out (deadline " + deadline.toMillis() + " ms)", e);
    } catch (SSLException e) {
      throw new ReportDeliveryException("TLS with " + host + " failed: " + rootMessage(e), e);
    } catch (IOException e) {
      throw new ReportDeliveryException("posting to " + shown + " failed: " + rootMessage(e), e);
    }
  }

  /** Resolves {@code host} into {@code addresses} (guarded) and returns the port to use. */
  private int resolve(String shown, String host, int port, List<InetAddress> addresses)
      throws ReportDeliveryException {
    List<InetSocketAddress> endpoints;
    try {
      // An address literal is used as written: there is no name to resolve.
      endpoints = isAddressLiteral(host)
          ? List.of(new InetSocketAddress(InetAddress.getByName(host), port))
          : hostResolver.resolve(host, port);
    } catch (IOException e) {
      throw new ReportDeliveryException("cannot resolve " + printable(host) + " for " + shown
          + ": " + rootMessage(e), e);
    }
    if (endpoints.isEmpty()) {
      throw new ReportDeliveryException(printable(host) + " has no address");
    }
    // A resolver may map the host to another port (the CLI's --connect-to): use that one.
    int usePort = endpoints.get(0).getPort();
    List<String> refused = new ArrayList<>();
    for (InetSocketAddress endpoint : endpoints) {
      InetAddress address = endpoint.getAddress();
      if (address == null || endpoint.getPort() != usePort) {
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
      throw new ReportDeliveryException(refused.isEmpty()
          ? printable(host) + " has no usable address"
          : printable(host) + " resolves only to addresses reports are not posted to: "
              + String.join(", ", refused) + "; allow private addresses in the configuration if"
              + " this is intended (D-33)");
    }
    return usePort;
  }

  private static boolean isAddressLiteral(String host) {
    return host.indexOf(':') >= 0 || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  }

  /** Reads at most {@link #MAX_RESPONSE_BYTES} of the body: a hostile endpoint cannot flood us. */
  private static String readBounded(ResponseBody body) {
    if (body == null) {
      return "";
    }
    BufferedSource source = body.source();
    Buffer buffer = new Buffer();
    try {
      while (buffer.size() < MAX_RESPONSE_BYTES) {
        long read = source.read(buffer, MAX_RESPONSE_BYTES - buffer.size());
        if (read == -1) {
          break;
        }
      }
    } catch (IOException e) {
      // The status already says the report was refused; the body only adds detail.
    }
    return buffer.readString(StandardCharsets.UTF_8).strip();
  }

  private static String printable(String text) {
    return Texts.printable(text, MAX_QUOTED);
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message != null ? printable(message) : root.getClass().getSimpleName();
  }

  private static SSLContext sslContext(X509TrustManager trustManager) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trustManager}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot create a TLS context", e);
    }
  }

  /** Configuration for {@link HttpsReportPoster}. Not thread-safe. */
  public static final class Builder {
    private HostResolver hostResolver;
    private X509TrustManager trustManager;
    private boolean allowPrivateAddresses;
    private Duration deadline = Duration.ofSeconds(60);
    private Duration connectTimeout = Duration.ofSeconds(15);
    private Duration readTimeout = Duration.ofSeconds(30);

    private Builder() {}

    /** Where to connect for the endpoint's host (required). */
    public Builder hostResolver(HostResolver hostResolver) {
      this.hostResolver = Objects.requireNonNull(hostResolver, "hostResolver");
      return this;
    }

    /** Trust anchors for the endpoint's certificate; default: the JDK's trust store. */
    public Builder trustManager(X509TrustManager trustManager) {
      this.trustManager = Objects.requireNonNull(trustManager, "trustManager");
      return this;
    }

    /** Allows loopback, private and link-local addresses (tests, private networks; D-33). */
    public Builder allowPrivateAddresses(boolean allow) {
      this.allowPrivateAddresses = allow;
      return this;
    }

    /** One deadline for resolving, connecting, posting and reading the reply; default 60 s. */
    public Builder deadline(Duration deadline) {
      this.deadline = positive(deadline, "deadline");
      return this;
    }

    /** Timeout of the TCP connect; default 15 s (the deadline still applies). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** Timeout between two reads or writes; default 30 s (the deadline still applies). */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = positive(timeout, "readTimeout");
      return this;
    }

    /**
     * Builds the poster.
     *
     * @throws IllegalStateException if {@link #hostResolver} is missing
     */
    public HttpsReportPoster build() {
      if (hostResolver == null) {
        throw new IllegalStateException("hostResolver is required");
      }
      return new HttpsReportPoster(this);
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
