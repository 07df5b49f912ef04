package org.mtasts.javamail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.X509TrustManager;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.MxTlsVerifier;
import org.mtasts.PolicyStore;
import org.mtasts.TrustAnchors;
import org.mtasts.dns.DnsClient;

/**
 * The policy, TLS and address seams a session's deliveries use, found from the session's
 * properties (see the table in {@code package-info.java}).
 */
record Gates(PolicyGate policy, TlsGate tls, HostResolver resolver) {
  /**
   * Default clients, DNS clients and trust anchors, one per distinct configuration, kept for the
   * life of the JVM (the default clients' refresh threads are daemons).
   */
  private static final ConcurrentHashMap<List<Object>, Object> SHARED = new ConcurrentHashMap<>();

  Gates {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(resolver, "resolver");
  }

  static Gates of(Session session) throws MessagingException {
    Properties p = session.getProperties();
    Object instance = p.get(Settings.INSTANCE);
    if (instance instanceof Gates g) {
      return g; // tests: hand-made seams
    }
    if (instance != null && !(instance instanceof MtaSts)) {
      throw new MessagingException(Settings.INSTANCE + " must be an org.mtasts.MtaSts, is "
          + instance.getClass().getName());
    }
    Object tm = p.get(Settings.TRUST_MANAGER);
    if (tm != null && !(tm instanceof X509TrustManager)) {
      throw new MessagingException(Settings.TRUST_MANAGER
          + " must be a javax.net.ssl.X509TrustManager, is " + tm.getClass().getName());
    }
    Object hr = p.get(Settings.HOST_RESOLVER);
    if (hr != null && !(hr instanceof HostResolver)) {
      throw new MessagingException(Settings.HOST_RESOLVER + " must be an org.mtasts.HostResolver,"
          + " is " + hr.getClass().getName());
    }
    try {
      X509TrustManager trust = tm != null ? (X509TrustManager) tm : trustManager(p);
      HostResolver resolver = hr != null ? (HostResolver) hr : HostResolver.dns(dnsClient(p));
      MtaSts sts = instance != null ? (MtaSts) instance
          : defaultClient(p, trust, (HostResolver) hr);
      return new Gates(new FacadePolicyGate(sts),
          new VerifierTlsGate(MxTlsVerifier.create(trust)), resolver);
    } catch (IOException | RuntimeException e) {
      throw new MessagingException("cannot set up MTA-STS delivery from the "
          + Settings.PREFIX + "* properties: " + e.getMessage(), e);
    }
  }

  private static Object tmKey(Properties p) {
    Object tm = p.get(Settings.TRUST_MANAGER);
    return tm == null ? "" : tm;
  }

  private static X509TrustManager trustManager(Properties p) throws IOException {
    String file = Settings.stringProperty(p, Settings.TRUST_STORE, null);
    if (file == null) {
      return TrustAnchors.system();
    }
    Object cached = SHARED.get(List.of("trust", file));
    if (cached != null) {
      return (X509TrustManager) cached;
    }
    X509TrustManager loaded = TrustAnchors.load(Path.of(file));
    Object raced = SHARED.putIfAbsent(List.of("trust", file), loaded);
    return raced != null ? (X509TrustManager) raced : loaded;
  }

  private static DnsClient dnsClient(Properties p) throws IOException {
    String servers = Settings.stringProperty(p, Settings.DNS_SERVERS, "");
    List<Object> key = List.of("dns", servers);
    Object cached = SHARED.get(key);
    if (cached != null) {
      return (DnsClient) cached;
    }
    DnsClient.Builder dns = DnsClient.builder();
    for (String s : servers.trim().split("\\s+")) {
      if (!s.isEmpty()) {
        dns.server(server(s));
      }
    }
    DnsClient made = dns.build();
    Object raced = SHARED.putIfAbsent(key, made);
    return raced != null ? (DnsClient) raced : made;
  }

  private static MtaSts defaultClient(Properties p, X509TrustManager trust, HostResolver resolver)
      throws IOException {
    String cacheDir = Settings.stringProperty(p, Settings.CACHE_DIRECTORY, null);
    boolean allowPrivate = Settings.booleanProperty(p, Settings.ALLOW_PRIVATE_ADDRESSES, false);
    int fetchTimeout = Settings.intProperty(p, Settings.FETCH_TIMEOUT, 60_000, 1, 3_600_000);
    List<Object> key = List.of("sts", Settings.stringProperty(p, Settings.DNS_SERVERS, ""),
        String.valueOf(Settings.stringProperty(p, Settings.TRUST_STORE, null)),
        String.valueOf(cacheDir), allowPrivate, fetchTimeout,
        resolver == null ? "" : resolver, tmKey(p));
    synchronized (SHARED) {
      Object cached = SHARED.get(key);
      if (cached != null) {
        return (MtaSts) cached;
      }
      MtaSts.Builder b = MtaSts.builder()
          .dnsClient(dnsClient(p))
          .trustManager(trust)
          .allowPrivateAddresses(allowPrivate)
          .fetchDeadline(Duration.ofMillis(fetchTimeout));
      if (resolver != null) {
        b.hostResolver(resolver); // the same names for the policy fetch as for SMTP
      }
      if (cacheDir != null) {
        b.policyStore(PolicyStore.directory(Path.of(cacheDir)));
      }
      MtaSts made = b.build();
      SHARED.put(key, made);
      return made;
    }
  }

  private static InetSocketAddress server(String s) throws IOException {
    String host = s;
    int port = 53;
    int colon = s.lastIndexOf(':');
    if (colon > 0 && s.indexOf(':') == colon) { // ip:port (IPv4); IPv6 as [addr]:port
      host = s.substring(0, colon);
      port = Integer.parseInt(s.substring(colon + 1));
    } else if (s.startsWith("[") && s.contains("]:")) {
      host = s.substring(1, s.indexOf(']'));
      port = Integer.parseInt(s.substring(s.indexOf("]:") + 2));
    }
    // A literal: InetAddress.getByName does no lookup for it.
    if (!host.matches("[0-9a-fA-F:.\\[\\]]+")) {
      throw new IllegalArgumentException(Settings.DNS_SERVERS + ": '" + s
          + "' is not an IP address");
    }
    return new InetSocketAddress(InetAddress.getByName(host), port);
  }
}
