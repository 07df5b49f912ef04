package org.mtasts.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import javax.net.ssl.X509TrustManager;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.PolicyOverrides;
import org.mtasts.PolicyStore;
import org.mtasts.StoreProvider;
import org.mtasts.tls.TrustAnchors;
import org.mtasts.dns.DnsClient;
import org.mtasts.dns.DnssecSupport;
import org.mtasts.policy.InvalidDomainException;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options every subcommand takes; they may stand before or after the subcommand's name. */
final class GlobalOptions {
  /** Longest --dnssec-trust-anchor file read: a few anchors take a few hundred bytes. */
  static final int MAX_TRUST_ANCHOR_BYTES = 64 * 1024;

  @Option(
      names = "--dns",
      paramLabel = "HOST[:PORT]",
      scope = ScopeType.INHERIT,
      description = "DNS server to ask (repeatable; IPv6 as [addr]:port). Default: the system's.")
  List<String> dnsServers = new ArrayList<>();

  @Option(
      names = "--trust-store",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "Trust anchors (PEM bundle, PKCS#12 or JKS) that replace the JDK's.")
  Path trustStore;

  @Option(
      names = "--trust-store-password",
      paramLabel = "PASSWORD",
      scope = ScopeType.INHERIT,
      description = "Password of a PKCS#12 trust store whose certificates are encrypted.")
  String trustStorePassword;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      scope = ScopeType.INHERIT,
      description = "Deadline of one policy fetch, and of DNS answers (default: 60 and 5).")
  Integer timeoutSeconds;

  @Option(
      names = "--cache-dir",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description = "Keep policies in DIR, so a later run can apply them while DNS or HTTPS is down.")
  Path cacheDir;

  @Option(
      names = "--store",
      paramLabel = "URI",
      scope = ScopeType.INHERIT,
      description = "Keep policies and TLS-RPT counts in a store a fleet shares:"
          + " redis://HOST:PORT/DB, jdbc:postgresql://HOST/DB?user=U, or a directory (what"
          + " --cache-dir DIR means).")
  String store;

  /** The stores --store names, opened once; closed by {@link #close()}. */
  private StoreProvider.Stores opened;

  @Option(
      names = "--overrides",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "Local policy overrides: DOMAIN or *.DOMAIN, then require-tls,"
          + " treat-testing-as-enforce, exempt until INSTANT, pinned POLICY or"
          + " enforce-as-published; one a line.")
  Path overrides;

  @Option(
      names = "--allow-private-addresses",
      scope = ScopeType.INHERIT,
      description = "Let the policy fetch connect to loopback and private addresses (test worlds).")
  boolean allowPrivateAddresses;

  @Option(
      names = "--connect-to",
      paramLabel = "HOST=ADDR:PORT",
      scope = ScopeType.INHERIT,
      description = "Connect to ADDR:PORT whenever HOST is asked for, keeping HOST for TLS (repeatable).")
  List<String> connectTo = new ArrayList<>();

  @Option(
      names = "--dnssec-trust-anchor",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "DNSSEC trust anchors for DANE: DS or DNSKEY records in zone-file format,"
          + " replacing the built-in root anchors (IANA's KSK-2017 and KSK-2024).")
  Path dnssecTrustAnchor;

  @Option(
      names = "--no-dane",
      scope = ScopeType.INHERIT,
      description = "Turn DANE for SMTP (RFC 7672) off: MTA-STS alone decides. DANE is on by"
          + " default wherever the DNS resolver passes DNSSEC records.")
  boolean noDane;

  /** The text of --dnssec-trust-anchor, read and checked once by {@link #validate()}. */
  private String trustAnchorRecords;

  /** What DANE can do in this run, found once by {@link #dane}. */
  private Dane dane;

  @Option(
      names = "--json",
      scope = ScopeType.INHERIT,
      description = "Machine-readable JSON on standard output.")
  boolean json;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Log what happens on standard error.")
  boolean verbose;

  /**
   * The DNS client of MTA-STS's lookups (--dns, --timeout). It does not validate DNSSEC, so a
   * resolver that strips DNSSEC records cannot break MTA-STS; DANE's lookups use {@link
   * #dane}'s client.
   */
  DnsClient dnsClient() throws UsageException {
    return dnsBuilder().build();
  }

  private DnsClient.Builder dnsBuilder() throws UsageException {
    DnsClient.Builder dns = DnsClient.builder();
    for (String server : dnsServers) {
      dns.server(socketAddress(server, 53, "--dns"));
    }
    if (timeoutSeconds != null) {
      dns.timeout(Duration.ofSeconds(Math.min(5, timeoutSeconds)));
    }
    return dns;
  }

  /**
   * The DNS client of DANE's lookups: the servers of {@link #dnsClient()}, validating DNSSEC from
   * the anchors of --dnssec-trust-anchor, or from the built-in root anchors.
   */
  DnsClient daneDnsClient() throws UsageException {
    DnsClient.Builder dns = dnsBuilder();
    String anchors = trustAnchorRecords();
    if (anchors != null) {
      dns.dnssecTrustAnchors(anchors);
    } else {
      dns.dnssecRootTrustAnchors();
    }
    return dns.build();
  }

  /**
   * What DANE for SMTP (RFC 7672) can do in this run.
   *
   * @param dnsClient the validating client for DANE's lookups; null unless DANE is active
   * @param status {@code active}, {@code unavailable} (the DNSSEC probe failed: a resolver that
   *     strips DNSSEC records, anchors that do not validate), or {@code disabled} (--no-dane)
   * @param reason why, for people; printable
   */
  record Dane(DnsClient dnsClient, String status, String reason) {
    boolean active() {
      return dnsClient != null;
    }

    /** The {@code "dane"} object of a JSON document: status and reason. */
    Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("status", status);
      json.put("reason", reason);
      return json;
    }
  }

  /**
   * Whether DANE can work in this run, found once: off with --no-dane, else what the DNSSEC probe
   * of {@link #daneDnsClient()} says ({@code DnsClient.dnssecSupport()}, a few queries to the
   * resolver). When it cannot, the run carries on with MTA-STS alone and says so (STS-DANE-06):
   * once on {@code err}, unless the command prints one JSON document ({@code --json} with {@code
   * jsonDocument}), which then carries {@link Dane#toJson()} instead.
   *
   * @param jsonDocument whether the command puts {@link Dane#toJson()} in the JSON document it
   *     prints under --json
   */
  Dane dane(PrintWriter err, boolean jsonDocument) throws UsageException {
    if (dane != null) {
      return dane;
    }
    if (noDane) {
      dane = new Dane(null, "disabled", "turned off by --no-dane");
      return dane;
    }
    DnsClient validating = daneDnsClient();
    DnssecSupport support;
    try {
      support = validating.dnssecSupport().toCompletableFuture().join();
    } catch (CompletionException | CancellationException e) {
      // the probe promises not to fail; should it, DANE is off as for any failed probe
      support = DnssecSupport.unavailable(
          "DNSSEC probe failed: " + MtaStsCommand.describe(CheckCommand.unwrap(e)));
    }
    String reason = CheckReport.printable(support.reason());
    dane = support.isAvailable()
        ? new Dane(validating, "active", reason)
        : new Dane(null, "unavailable", reason);
    if (!dane.active() && !(json && jsonDocument)) {
      err.println("mta-sts: DANE unavailable (" + reason + "): MTA-STS alone applies"
          + (trustAnchorRecords() == null ? "; a resolver that passes DNSSEC records on, or"
              + " --dnssec-trust-anchor FILE, turns DANE on" : "")
          + "; --no-dane turns it off");
      err.flush();
    }
    return dane;
  }

  /** The text of --dnssec-trust-anchor, or null without the option. */
  private String trustAnchorRecords() throws UsageException {
    if (dnssecTrustAnchor == null || trustAnchorRecords != null) {
      return trustAnchorRecords;
    }
    String option = "--dnssec-trust-anchor " + dnssecTrustAnchor;
    String text;
    try (InputStream in = Files.newInputStream(dnssecTrustAnchor)) {
      byte[] bytes = in.readNBytes(MAX_TRUST_ANCHOR_BYTES + 1);
      if (bytes.length > MAX_TRUST_ANCHOR_BYTES) {
        throw new UsageException(option + ": more than " + MAX_TRUST_ANCHOR_BYTES / 1024
            + " KiB; a trust anchor file holds a few DS or DNSKEY records");
      }
      text = new String(bytes, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UsageException(option + ": no such file");
    } catch (IOException e) {
      throw new UsageException(option + ": cannot read it: " + MtaStsCommand.describe(e));
    }
    try {
      DnsClient.builder().dnssecTrustAnchors(text); // parses and checks, queries nothing
    } catch (IllegalArgumentException e) {
      throw new UsageException(option + ": " + CheckReport.printable(e.getMessage())
          + " (want DS or DNSKEY records in zone-file format, e.g. '. IN DS 20326 8 2 E06D...')");
    }
    trustAnchorRecords = text;
    return text;
  }

  /** Where to connect for a host: DNS, except for the --connect-to mappings. */
  HostResolver hostResolver(DnsClient dnsClient) throws UsageException {
    HostResolver hostResolver = HostResolver.dns(dnsClient);
    if (connectTo.isEmpty()) {
      return hostResolver;
    }
    Map<String, InetSocketAddress> overrides = new LinkedHashMap<>();
    for (String mapping : connectTo) {
      int eq = mapping.indexOf('=');
      if (eq <= 0) {
        throw new UsageException("--connect-to wants HOST=ADDR:PORT, not '" + mapping + "'");
      }
      overrides.put(
          mapping.substring(0, eq).toLowerCase(Locale.ROOT),
          socketAddress(mapping.substring(eq + 1), 443, "--connect-to"));
    }
    try {
      return HostResolver.overriding(overrides, hostResolver);
    } catch (InvalidDomainException e) {
      throw new UsageException("--connect-to: " + e.getMessage());
    }
  }

  /** Builds the client these options describe. */
  MtaSts client() throws IOException, UsageException {
    return clientBuilder().build();
  }

  /**
   * The builder of the client these options describe, for a command that adds to it. Its DNS
   * client does not validate DNSSEC, so DANE stays inactive: for commands that resolve policies
   * and never plan a delivery. A command that sends uses {@link #sendingClientBuilder}.
   */
  MtaSts.Builder clientBuilder() throws IOException, UsageException {
    return clientBuilder(dnsClient());
  }

  /**
   * The builder of the client for a command that plans deliveries (and sends): MTA-STS's lookups
   * on the plain DNS client, and with DANE {@linkplain #dane active} DANE's lookups on its
   * validating one ({@code MtaSts.Builder.daneDnsClient}), so {@code MtaSts} applies DANE (D-23).
   * When DANE is unavailable DANE's lookups have only the plain client, which never calls an
   * answer secure: DANE stays inactive, and a resolver that strips DNSSEC cannot stop MTA-STS.
   * Under --no-dane, {@code dane(false)}. {@code jsonDocument} as for {@link #dane}.
   */
  MtaSts.Builder sendingClientBuilder(PrintWriter err, boolean jsonDocument)
      throws IOException, UsageException {
    Dane d = dane(err, jsonDocument);
    MtaSts.Builder builder = clientBuilder(dnsClient());
    if (d.active()) {
      builder.daneDnsClient(d.dnsClient());
    }
    return builder;
  }

  private MtaSts.Builder clientBuilder(DnsClient dnsClient) throws IOException, UsageException {
    HostResolver hostResolver = hostResolver(dnsClient);
    MtaSts.Builder builder =
        MtaSts.builder()
            .dnsClient(dnsClient)
            .hostResolver(hostResolver)
            .allowPrivateAddresses(allowPrivateAddresses);
    if (noDane) {
      builder.dane(false);
    }
    X509TrustManager trust = trustManager();
    if (trust != null) {
      builder.trustManager(trust);
    }
    if (timeoutSeconds != null) {
      builder.fetchDeadline(Duration.ofSeconds(timeoutSeconds));
    }
    if (cacheDir != null) {
      builder.policyStore(PolicyStore.directory(cacheDir));
    } else if (store != null) {
      builder.policyStore(stores().policyStore());
    }
    if (overrides != null) {
      try {
        builder.overrides(PolicyOverrides.read(overrides));
      } catch (PolicyOverrides.SyntaxException e) {
        throw new UsageException("--overrides " + e.getMessage());
      }
    }
    return builder;
  }

  /** The trust manager for --trust-store, or null for the JDK's default. */
  X509TrustManager trustManager() throws IOException {
    if (trustStore == null) {
      return null;
    }
    return trustStorePassword == null
        ? TrustAnchors.load(trustStore)
        : TrustAnchors.load(trustStore, trustStorePassword.toCharArray());
  }

  /** Whether --cache-dir or --store names where policies and counts are kept. */
  boolean keepsState() {
    return cacheDir != null || store != null;
  }

  /** Where policies are kept, for messages: the directory, or the store without its password. */
  String stateLocation() {
    if (cacheDir != null) {
      return cacheDir.toString();
    }
    return store == null ? null : store.replaceAll("(?<=://)[^/@]*@", "***@")
        .replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  /** The stores of --store, or of --cache-dir; null when neither is given. */
  StoreProvider.Stores stores() throws IOException, UsageException {
    if (opened == null && keepsState()) {
      try {
        opened = StoreProvider.open(store != null ? store : cacheDir.toString());
      } catch (IllegalArgumentException e) {
        throw new UsageException("--store: " + e.getMessage());
      }
    }
    return opened;
  }

  /** Closes what --store opened (a Redis connection's threads would keep the JVM running). */
  void close() {
    if (opened != null) {
      opened.close();
      opened = null;
    }
  }

  void validate() throws UsageException {
    trustAnchorRecords(); // a bad file is a usage error for every command, DANE or not
    if (timeoutSeconds != null && timeoutSeconds <= 0) {
      throw new UsageException("--timeout must be a positive number of seconds");
    }
    if (store != null && cacheDir != null) {
      throw new UsageException("--store and --cache-dir both name where policies are kept: give"
          + " one (--store DIR is --cache-dir DIR)");
    }
    if (store != null) {
      try {
        StoreProvider.check(store);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--store: " + e.getMessage());
      }
    }
  }

  static InetSocketAddress socketAddress(String text, int defaultPort, String option)
      throws UsageException {
    String host = text;
    int port = defaultPort;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw new UsageException(option + ": missing ']' in '" + text + "'");
      }
      host = text.substring(1, close);
      if (close + 1 < text.length()) {
        if (text.charAt(close + 1) != ':') {
          throw new UsageException(option + ": expected ':PORT' after ']' in '" + text + "'");
        }
        port = port(text.substring(close + 2), option, text);
      }
    } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
      host = text.substring(0, text.indexOf(':'));
      port = port(text.substring(text.indexOf(':') + 1), option, text);
    }
    if (host.isEmpty()) {
      throw new UsageException(option + ": no host in '" + text + "'");
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new UsageException(option + ": cannot resolve '" + host + "'");
    }
  }

  private static int port(String text, String option, String whole) throws UsageException {
    try {
      int port = Integer.parseInt(text);
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new UsageException(option + ": bad port in '" + whole + "'");
    }
  }

  /** A usage error the user can fix; exit code 2. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
