package org.mtasts.javamail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import javax.net.ssl.X509TrustManager;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.tls.MxTlsVerifier;
import org.mtasts.PolicyStore;
import org.mtasts.StoreProvider;
import org.mtasts.report.ReportStore;
import org.mtasts.tls.TrustAnchors;
import org.mtasts.dns.DnsClient;

/**
 * The core client, MX TLS verifier and address resolver a session's deliveries use, found from
 * the session's properties (see the table in {@code package-info.java}).
 */
record Gates(MtaSts sts, MxTlsVerifier verifier, HostResolver resolver) {
  Gates {
    Objects.requireNonNull(sts, "sts");
    Objects.requireNonNull(verifier, "verifier");
    Objects.requireNonNull(resolver, "resolver");
  }

  static Gates of(Session session) throws MessagingException {
    try {
      return of(session.getProperties());
    } catch (IOException | RuntimeException e) {
      // Fail closed: nothing is delivered with settings we could not apply.
      throw new MessagingException("cannot set up MTA-STS delivery from the "
          + Settings.PREFIX + "* properties: " + e.getMessage(), e);
    }
  }

  private static Gates of(Properties p) throws IOException {
    Given given = Given.read(p);
    X509TrustManager trust = given.tm() != null ? given.tm()
        : trustManager(given.trustStore(), given.password());
    HostResolver resolver = given.hr() != null ? given.hr()
        : HostResolver.dns(dnsClient(given.dnsServers()));
    MtaSts client = given.sts() != null ? given.sts() : defaultClient(p, given, trust);
    // One clock: the MX certificate's validity is judged by the time the client was given.
    MxTlsVerifier verifier =
        MxTlsVerifier.builder().trustManager(trust).clock(client.clock()).build();
    return new Gates(client, verifier, resolver);
  }

  /**
   * Checks every {@code mail.mtasts.*} setting of {@code p} that picks the seams, without any
   * I/O (no file is read, no client built), so that a bad configuration can be refused when a
   * session is made.
   *
   * @throws IllegalArgumentException naming the first property that cannot be applied
   */
  static void validate(Properties p) {
    Given.read(p);
  }

  /** The seam settings as given, checked, before anything is built from them. */
  record Given(MtaSts sts, X509TrustManager tm, HostResolver hr, String trustStore,
      String password, String dnsServers, String cacheDir, String overrides,
      boolean allowPrivate, int fetchTimeout, String tlsRptDir, String store, boolean dane,
      boolean daneStrict, String dnssecTrustAnchors) {
    @Override
    public String toString() { // never the password
      return "Given[sts=" + sts + ", tm=" + tm + ", hr=" + hr + ", trustStore=" + trustStore
          + ", password=" + (password == null ? null : "***") + ", dnsServers=" + dnsServers
          + ", cacheDir=" + cacheDir + ", overrides=" + overrides + ", allowPrivate=" + allowPrivate + ", fetchTimeout="
          + fetchTimeout + ", tlsRptDir=" + tlsRptDir + ", store="
          + (store == null ? null : masked(store)) + ", dane=" + dane + ", daneStrict="
          + daneStrict + ", dnssecTrustAnchors=" + dnssecTrustAnchors + "]";
    }

    static Given read(Properties p) {
      Settings.check(p);
      MtaSts sts = Settings.objectProperty(p, Settings.INSTANCE, MtaSts.class);
      X509TrustManager tm =
          Settings.objectProperty(p, Settings.TRUST_MANAGER, X509TrustManager.class);
      HostResolver hr = Settings.objectProperty(p, Settings.HOST_RESOLVER, HostResolver.class);
      String trustStore = Settings.stringProperty(p, Settings.TRUST_STORE, null);
      String password = Settings.secretProperty(p, Settings.TRUST_STORE_PASSWORD);
      String dnsServers = Settings.stringProperty(p, Settings.DNS_SERVERS, null);
      if (dnsServers != null) {
        for (String s : dnsServers.split("\\s+")) {
          server(s); // parse now: a bad entry is refused even when no DNS client is built
        }
      }
      Given g = new Given(sts, tm, hr, trustStore, password, dnsServers,
          Settings.stringProperty(p, Settings.CACHE_DIRECTORY, null),
          Settings.stringProperty(p, Settings.OVERRIDES, null),
          Settings.booleanProperty(p, Settings.ALLOW_PRIVATE_ADDRESSES, false),
          Settings.intProperty(p, Settings.FETCH_TIMEOUT, 60_000, 1, 3_600_000),
          Settings.stringProperty(p, Settings.TLSRPT_DIR, null),
          Settings.stringProperty(p, Settings.STORE, null),
          Settings.booleanProperty(p, Settings.DANE, true),
          Settings.booleanProperty(p, Settings.DANE_STRICT, false),
          Settings.stringProperty(p, Settings.DNSSEC_TRUST_ANCHORS, null));
      if (g.store() != null) {
        try {
          StoreProvider.check(g.store()); // no I/O: is there a provider for its scheme?
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(Settings.STORE + ": " + e.getMessage(), e);
        }
      }
      refuseIgnored(p, g);
      return g;
    }
  }

  /**
   * Refuses combinations in which a setting the user gave would have no effect, so that no
   * configuration is silently dropped.
   */
  private static void refuseIgnored(Properties p, Given g) {
    if (g.password() != null && g.trustStore() == null) {
      throw new IllegalArgumentException(Settings.TRUST_STORE_PASSWORD + " is set but "
          + Settings.TRUST_STORE + " is not");
    }
    if (g.tm() != null && g.trustStore() != null) {
      throw new IllegalArgumentException(Settings.TRUST_STORE + " and " + Settings.TRUST_MANAGER
          + " are both set; " + Settings.TRUST_MANAGER + " would win and the trust store would"
          + " be ignored: set one of them");
    }
    if (g.store() != null && g.cacheDir() != null) {
      throw new IllegalArgumentException(Settings.STORE + " and " + Settings.CACHE_DIRECTORY
          + " are both set; the client keeps policies in one store: set one of them (a"
          + " directory path in " + Settings.STORE + " is what " + Settings.CACHE_DIRECTORY
          + " means)");
    }
    if (!g.dane()) {
      for (String name : List.of(Settings.DANE_STRICT, Settings.DNSSEC_TRUST_ANCHORS)) {
        if (Settings.stringProperty(p, name, null) != null) {
          throw new IllegalArgumentException(name + " would be ignored: " + Settings.DANE
              + "=false turns DANE off; remove one of them");
        }
      }
    }
    if (g.sts() == null) {
      return;
    }
    for (String name : List.of(Settings.CACHE_DIRECTORY, Settings.STORE, Settings.OVERRIDES,
        Settings.ALLOW_PRIVATE_ADDRESSES, Settings.FETCH_TIMEOUT, Settings.TLSRPT_DIR,
        Settings.DANE, Settings.DANE_STRICT, Settings.DNSSEC_TRUST_ANCHORS)) {
      if (Settings.stringProperty(p, name, null) != null) {
        throw new IllegalArgumentException(name + " configures the default client, but "
            + Settings.INSTANCE + " is set and would ignore it: configure that MtaSts client's"
            + " builder instead, or remove " + name);
      }
    }
    if (g.hr() != null && g.dnsServers() != null) {
      throw new IllegalArgumentException(Settings.DNS_SERVERS + " would be ignored: "
          + Settings.INSTANCE + " and " + Settings.HOST_RESOLVER + " are set, so no DNS client is"
          + " built from the properties; remove " + Settings.DNS_SERVERS);
    }
  }

  private static X509TrustManager trustManager(String file, String password) throws IOException {
    if (file == null) {
      return TrustAnchors.system();
    }
    return DefaultClients.get(List.of("trust", file, digest(password)), X509TrustManager.class,
        () -> {
          try {
            return TrustAnchors.load(Path.of(file),
                password == null ? null : password.toCharArray());
          } catch (IOException | RuntimeException e) {
            // Fail closed: no delivery with the JDK's anchors in place of the ones the user named.
            throw new IOException(Settings.TRUST_STORE + ": cannot use "
                + Settings.quote(file, 300) + " as trust anchors (" + e + ")"
                + (password == null ? "; if it is a password-protected PKCS#12 file, set "
                    + Settings.TRUST_STORE_PASSWORD : ""), e);
          }
        });
  }

  /** A digest of the password, so the cache key does not hold the password for the JVM's life. */
  private static String digest(String password) {
    if (password == null) {
      return "";
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(
          sha.digest(password.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }

  private static DnsClient dnsClient(String servers) throws IOException {
    return DefaultClients.get(List.of("dns", servers == null ? "" : servers), DnsClient.class,
        () -> {
          DnsClient.Builder dns = DnsClient.builder();
          if (servers != null) {
            for (String s : servers.split("\\s+")) {
              if (!s.isEmpty()) {
                dns.server(server(s));
              }
            }
          }
          return dns.build();
        });
  }

  /**
   * The client of the default client's DANE lookups (RFC 7672): the same servers as its plain one,
   * validating DNSSEC from the anchors in {@code mail.mtasts.dnssecTrustAnchors}, else from the
   * built-in root anchors. Kept apart from the plain client, so that a resolver that strips DNSSEC
   * records only turns DANE off (the core's WARN), not MTA-STS's lookups too.
   */
  private static DnsClient daneDnsClient(String servers, String anchorsFile) throws IOException {
    // Read once per configuration, as the trust store is.
    return DefaultClients.get(List.of("dns-dane", servers == null ? "" : servers,
        anchorsFile == null ? "" : anchorsFile), DnsClient.class,
        () -> {
          String anchors = anchorsFile == null ? null : anchors(anchorsFile);
          DnsClient.Builder dns = DnsClient.builder();
          if (servers != null) {
            for (String s : servers.split("\\s+")) {
              if (!s.isEmpty()) {
                dns.server(server(s));
              }
            }
          }
          if (anchors == null) {
            dns.dnssecRootTrustAnchors();
          } else {
            try {
              dns.dnssecTrustAnchors(anchors);
            } catch (IllegalArgumentException e) {
              throw new IOException(Settings.DNSSEC_TRUST_ANCHORS + ": "
                  + Settings.quote(anchorsFile, 300) + " holds no usable DS or DNSKEY record in"
                  + " zone-file format (" + e.getMessage() + ")", e);
            }
          }
          return dns.build();
        });
  }

  /** The text of the trust anchor file; fail closed, never the root's anchors in its place. */
  private static String anchors(String file) throws IOException {
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      throw new IOException(Settings.DNSSEC_TRUST_ANCHORS + ": cannot read "
          + Settings.quote(file, 300) + " (" + e + ")", e);
    }
  }

  private static MtaSts defaultClient(Properties p, Given g, X509TrustManager trust)
      throws IOException {
    List<Object> key = List.of("sts", String.valueOf(g.dnsServers()),
        String.valueOf(g.trustStore()), digest(g.password()), String.valueOf(g.cacheDir()),
        digest(g.store()),
        String.valueOf(g.overrides()), String.valueOf(g.tlsRptDir()),
        g.allowPrivate(), g.fetchTimeout(), g.hr() == null ? "" : g.hr(),
        g.tm() == null ? "" : g.tm(), g.dane(), g.daneStrict(),
        String.valueOf(g.dnssecTrustAnchors()));
    if (g.allowPrivate()) {
      Settings.warnOnce(p, Settings.ALLOW_PRIVATE_ADDRESSES, Settings.ALLOW_PRIVATE_ADDRESSES
          + "=true: the address guard of the policy fetch is OFF for sessions with this"
          + " configuration; policy hosts may resolve to loopback, private and link-local"
          + " addresses (D-33). Use it for tests and private deployments only.");
    }
    DnsClient dns = dnsClient(g.dnsServers());
    DnsClient daneDns = g.dane() ? daneDnsClient(g.dnsServers(), g.dnssecTrustAnchors()) : null;
    StoreProvider.Stores stores = g.store() == null ? null : stores(g.store());
    return DefaultClients.get(key, MtaSts.class, () -> {
      MtaSts.Builder b = MtaSts.builder()
          .dnsClient(dns)
          .trustManager(trust)
          .allowPrivateAddresses(g.allowPrivate())
          .fetchDeadline(Duration.ofMillis(g.fetchTimeout()))
          .dane(g.dane())
          .daneStrict(g.daneStrict());
      if (daneDns != null) {
        b.daneDnsClient(daneDns); // RFC 7672: DANE's MX, address and TLSA lookups
      }
      if (g.hr() != null) {
        b.hostResolver(g.hr()); // the same names for the policy fetch as for SMTP
      }
      if (g.tlsRptDir() != null) {
        b.reportStore(ReportStore.directory(Path.of(g.tlsRptDir()))); // counts for TLS-RPT
      }
      if (g.cacheDir() != null) {
        b.policyStore(PolicyStore.directory(Path.of(g.cacheDir())));
      }
      if (stores != null) {
        b.policyStore(stores.policyStore());
        if (g.tlsRptDir() == null) {
          b.reportStore(stores.reportStore()); // a fleet counts into one report per domain and day
        }
      }
      if (g.overrides() != null) {
        // Read now (fail closed), and again whenever the file changes.
        b.overridesFile(Path.of(g.overrides()));
      }
      return b.build();
    });
  }

  /**
   * The stores {@code mail.mtasts.store} names, opened once per JVM and location (one connection
   * for every session that names it) and kept open, as the default clients are.
   */
  private static StoreProvider.Stores stores(String location) throws IOException {
    // Keyed by a digest: a URI may carry a password, which must not live as long as the JVM.
    return DefaultClients.get(List.of("store", digest(location)), StoreProvider.Stores.class,
        () -> {
      try {
        return StoreProvider.open(location);
      } catch (IllegalArgumentException e) {
        throw new IOException(Settings.STORE + ": " + e.getMessage(), e);
      }
    });
  }

  /** A store location without the password a URI may carry (user info, a password parameter). */
  static String masked(String location) {
    return location.replaceAll("(?<=://)[^/@]*@", "***@")
        .replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  /**
   * One {@code mail.mtasts.dns.servers} entry: {@code ipv4}, {@code ipv4:port}, {@code ipv6},
   * {@code [ipv6]} or {@code [ipv6]:port}. Only IP address literals are accepted, parsed here
   * without any lookup: a host name would be resolved by the JVM's resolver, which is what this
   * setting exists to avoid.
   *
   * @throws IllegalArgumentException naming the property and the entry
   */
  static InetSocketAddress server(String s) {
    String host = s;
    String port = null;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close > 0 && close == s.length() - 1) {
        host = s.substring(1, close);
      } else if (close > 0 && s.startsWith("]:", close)) {
        host = s.substring(1, close);
        port = s.substring(close + 2);
      } else {
        throw notLiteral(s);
      }
      if (host.indexOf(':') < 0) {
        throw notLiteral(s); // brackets are for IPv6
      }
    } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
      host = s.substring(0, s.indexOf(':'));
      port = s.substring(s.indexOf(':') + 1);
    }
    byte[] address = host.indexOf(':') >= 0 ? ipv6(host) : ipv4(host);
    if (address == null) {
      throw notLiteral(s);
    }
    int portNumber = 53;
    if (port != null) {
      if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
          || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
        throw new IllegalArgumentException(Settings.DNS_SERVERS + ": bad port in "
            + Settings.quote(s));
      }
      portNumber = Integer.parseInt(port);
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(address), portNumber);
    } catch (UnknownHostException e) {
      throw new AssertionError("4 or 16 bytes are always an address", e);
    }
  }

  private static IllegalArgumentException notLiteral(String s) {
    return new IllegalArgumentException(Settings.DNS_SERVERS + ": " + Settings.quote(s)
        + " is not an IP address literal (ip, ip:port, ipv6, [ipv6] or [ipv6]:port); host names"
        + " are refused because the JVM's resolver would look them up");
  }

  /** Dotted-quad IPv4, four decimal parts 0-255 without leading zeros; null if not one. */
  private static byte[] ipv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      Integer v = decimalOctet(parts[i]);
      if (v == null) {
        return null;
      }
      b[i] = (byte) (int) v;
    }
    return b;
  }

  private static Integer decimalOctet(String part) {
    if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')
        || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null; // leading zeros are refused: some parsers read them as octal
    }
    int v = Integer.parseInt(part);
    return v <= 255 ? v : null;
  }

  /**
   * RFC 4291 section 2.2 text: eight groups of 1-4 hex digits, at most one {@code ::}, optionally
   * ending in a dotted-quad IPv4 address; no zone id. Null if not one.
   */
  private static byte[] ipv6(String s) {
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    List<Integer> head = groups(gap >= 0 ? s.substring(0, gap) : s, gap < 0);
    List<Integer> tail = gap >= 0 ? groups(s.substring(gap + 2), true) : List.of();
    if (head == null || tail == null) {
      return null;
    }
    int n = head.size() + tail.size();
    if (gap >= 0 ? n > 7 : n != 8) {
      return null;
    }
    byte[] b = new byte[16];
    for (int i = 0; i < head.size(); i++) {
      b[2 * i] = (byte) (head.get(i) >> 8);
      b[2 * i + 1] = (byte) (int) head.get(i);
    }
    for (int i = 0; i < tail.size(); i++) {
      int at = 8 - tail.size() + i;
      b[2 * at] = (byte) (tail.get(i) >> 8);
      b[2 * at + 1] = (byte) (int) tail.get(i);
    }
    return b;
  }

  /** The 16-bit groups of one side of {@code ::}; an IPv4 tail counts as two. Null if bad. */
  private static List<Integer> groups(String s, boolean last) {
    List<Integer> out = new ArrayList<>();
    if (s.isEmpty()) {
      return out;
    }
    String[] parts = s.split(":", -1);
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (last && i == parts.length - 1 && part.indexOf('.') >= 0) {
        byte[] v4 = ipv4(part);
        if (v4 == null) {
          return null;
        }
        out.add((v4[0] & 0xff) << 8 | (v4[1] & 0xff));
        out.add((v4[2] & 0xff) << 8 | (v4[3] & 0xff));
      } else if (!part.isEmpty() && part.length() <= 4
          && part.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 0x80)) {
        out.add(Integer.parseInt(part, 16));
      } else {
        return null;
      }
    }
    return out;
  }
}
