package org.mtasts.benchmarks;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.mtasts.FetchedPolicy;
import org.mtasts.MtaSts;
import org.mtasts.dns.DnsClient;
import org.mtasts.javamail.MtaStsMail;
import org.mtasts.javamail.MtaStsTransport;
import org.mtasts.policy.Policy;
import org.mtasts.policy.PolicySyntaxException;
import org.mtasts.testkit.dns.TestDnsServer;
import org.mtasts.testkit.smtp.ReceivedMessage;
import org.mtasts.testkit.smtp.SmtpBehaviour;
import org.mtasts.testkit.smtp.SmtpReceiver;
import org.mtasts.testkit.tls.TestCertificateAuthority;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Target (issue 8, item 6): the Jakarta Mail adapter costs at most 5% in messages/s against plain
 * Angus {@code SMTPTransport} with the same STARTTLS settings.
 *
 * <p>Both benchmarks deliver one 1 KiB message per {@code Transport.send}: one connection, EHLO,
 * STARTTLS (TLS 1.3 or 1.2, full handshake: certificate chain checked against the testkit CA and
 * the name {@value #MX} checked, SNI {@value #MX}), EHLO, MAIL, RCPT, DATA, QUIT, to the same
 * testkit {@link SmtpReceiver} on loopback.
 *
 * <ul>
 *   <li>{@link #mtaSts}: a session from {@link MtaStsMail#session} with an {@code enforce} policy
 *       in a warm cache (fetched once at set-up), DNS (TXT, MX, A of the MX host) from a testkit
 *       {@link TestDnsServer} on loopback through the library's DNS client and its cache; per
 *       message it pays what a user pays: policy cache hit, MX lookup and filtering, the MX
 *       address lookup, the MTA-STS certificate check and the per-MX Angus session.
 *   <li>{@link #plainAngus}: {@code mail.smtp.host} is the MX address literal (so the JVM's
 *       resolver is not asked for anything), STARTTLS required, {@code ssl.checkserveridentity}
 *       on, and an {@code ssl.socketFactory} that layers TLS with the MX name as peer host, so the
 *       JDK sends SNI and checks the certificate for {@value #MX} (the testkit issues DNS names
 *       only, no IP SANs). It makes a new TLS context per message, like the MTA-STS side (a full
 *       handshake each time: the same work).
 *   <li>{@link #plainAngusNagle}: the same with Angus's default sockets, Nagle's algorithm on
 *       (for information). The MTA-STS transport and {@link #plainAngus} turn it off: with it on,
 *       13-18% of all messages wait 40 ms for the server's delayed ACK (the first command after
 *       the TLS handshake is held back), which swamps any other difference.
 * </ul>
 *
 * <p>Neither side asks the JVM's resolver for a name: {@code mail.from} and {@code
 * mail.smtp.localhost} are set so Jakarta Mail needs no local host name for the Message-ID and
 * EHLO. Run with {@code -jvmArgsAppend -Djdk.net.hosts.file=/dev/null} to prove it (any such
 * lookup would then fail).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
// The JDK's TLS on both sides: with Conscrypt on the class path the library would use it for the
// MTA-STS side only (issue 16).
@Fork(value = 1, jvmArgsAppend = "-Dorg.mtasts.tls.provider=jdk")
public class TransportOverheadBenchmark {
  static final String DOMAIN = "bench.example";
  static final String MX = "mx.bench.example";
  static final String POLICY = "version: STSv1\nmode: enforce\nmx: " + MX + "\nmax_age: 604800\n";
  static final String BODY = "0123456789abcdef".repeat(64); // 1 KiB

  TestCertificateAuthority ca;
  SmtpReceiver mx;
  TestDnsServer dns;
  MtaSts sts;
  Session mtaStsSession;
  Session plainSession;
  Session plainNagleSession;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    ca = TestCertificateAuthority.create("mta-sts-java transport benchmark CA");
    mx = SmtpReceiver.builder(MX).behaviour(SmtpBehaviour.startTls(ca.issue(MX))).start();
    dns = new TestDnsServer();
    dns.defaultTtl(Duration.ofDays(1));
    dns.txt("_mta-sts." + DOMAIN, "v=STSv1; id=20260101T000000Z;");
    dns.mx(DOMAIN, 10, MX);
    dns.a(MX, mx.address().getAddress().getHostAddress());
    dns.start();
    String dnsServer = dns.address().getAddress().getHostAddress() + ":" + dns.address().getPort();

    sts = MtaSts.builder()
        .dnsClient(DnsClient.builder().server(dns.address()).build())
        .policyFetcher(domain -> {
          try {
            return CompletableFuture.completedFuture(new FetchedPolicy(domain,
                "https://mta-sts." + domain + "/.well-known/mta-sts.txt",
                Policy.parseDetailed(POLICY), "text/plain", "TLSv1.3"));
          } catch (PolicySyntaxException e) {
            return CompletableFuture.failedFuture(e);
          }
        })
        .build();
    if (!sts.resolve(DOMAIN).isEnforced()) {
      throw new IllegalStateException("set-up: no enforce policy for " + DOMAIN);
    }

    Properties m = common();
    m.put("mail.mtasts.port", Integer.toString(mx.port()));
    m.put("mail.mtasts.dns.servers", dnsServer);
    m.put("mail.mtasts.trustManager", ca.trustManager());
    mtaStsSession = MtaStsMail.session(m, sts);

    plainSession = plain(true);
    plainNagleSession = plain(false);

    // Every side delivers, over TLS, with SNI = the MX name.
    Transport.send(message(mtaStsSession));
    Transport.send(message(plainSession));
    Transport.send(message(plainNagleSession));
    if (!(mtaStsSession.getTransport() instanceof MtaStsTransport)) {
      throw new IllegalStateException("set-up: not the MTA-STS transport");
    }
    if (mx.messages().size() != 3) {
      throw new IllegalStateException("set-up: expected 3 messages at " + MX + ", have "
          + mx.messages());
    }
    for (ReceivedMessage r : mx.messages()) {
      if (!r.tlsActive() || !r.sniHostName().orElse("").equals(MX)) {
        throw new IllegalStateException("set-up: not delivered over TLS with SNI " + MX + ": "
            + r);
      }
    }
    mx.clear();
  }

  private Session plain(boolean noDelay) throws GeneralSecurityException {
    Properties p = common();
    p.put("mail.smtp.host", mx.address().getAddress().getHostAddress());
    p.put("mail.smtp.port", Integer.toString(mx.port()));
    p.put("mail.smtp.starttls.enable", "true");
    p.put("mail.smtp.starttls.required", "true");
    p.put("mail.smtp.ssl.protocols", "TLSv1.3 TLSv1.2");
    p.put("mail.smtp.ssl.checkserveridentity", "true");
    p.put("mail.smtp.ssl.socketFactory", new NamedTlsLayering(MX, ca.trustManager()));
    if (noDelay) {
      p.put("mail.smtp.socketFactory", new NoDelaySockets());
      p.put("mail.smtp.socketFactory.fallback", "false");
    }
    return Session.getInstance(p);
  }

  /** What all sessions share: timeouts, names that spare the JVM's resolver. */
  private static Properties common() {
    Properties p = new Properties();
    p.put("mail.from", "sender@client.example");
    p.put("mail.smtp.localhost", "client.example");
    p.put("mail.smtp.connectiontimeout", "30000");
    p.put("mail.smtp.timeout", "300000");
    return p;
  }

  static MimeMessage message(Session session) throws MessagingException {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress("sender@client.example"));
    m.addRecipient(Message.RecipientType.TO, new InternetAddress("rcpt@" + DOMAIN));
    m.setSubject("benchmark");
    m.setText(BODY, "US-ASCII");
    return m;
  }

  /** One message per session per thread: {@code Transport.send} rewrites its Message-ID. */
  @State(Scope.Thread)
  public static class Messages {
    MimeMessage viaMtaSts;
    MimeMessage viaPlain;
    MimeMessage viaPlainNagle;

    @Setup(Level.Trial)
    public void setUp(TransportOverheadBenchmark b) throws MessagingException {
      viaMtaSts = message(b.mtaStsSession);
      viaPlain = message(b.plainSession);
      viaPlainNagle = message(b.plainNagleSession);
    }
  }

  @TearDown(Level.Iteration)
  public void forgetMessages() {
    mx.clear();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    sts.close();
    dns.close();
    mx.close();
  }

  @Benchmark
  public void mtaSts(Messages m) throws MessagingException {
    Transport.send(m.viaMtaSts);
  }

  @Benchmark
  public void plainAngus(Messages m) throws MessagingException {
    Transport.send(m.viaPlain);
  }

  @Benchmark
  public void plainAngusNagle(Messages m) throws MessagingException {
    Transport.send(m.viaPlainNagle);
  }

  /** Plain sockets with Nagle's algorithm off, as the MTA-STS transport makes them. */
  static final class NoDelaySockets extends SocketFactory {
    @Override
    public Socket createSocket() throws SocketException {
      Socket s = new Socket(Proxy.NO_PROXY);
      s.setTcpNoDelay(true);
      return s;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return connected(null, new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
        throws IOException {
      return connected(new InetSocketAddress(localHost, localPort),
          new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return connected(null, new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
        int localPort) throws IOException {
      return connected(new InetSocketAddress(localAddress, localPort),
          new InetSocketAddress(address, port));
    }

    private Socket connected(InetSocketAddress local, InetSocketAddress remote)
        throws IOException {
      Socket s = createSocket();
      if (local != null) {
        s.bind(local);
      }
      s.connect(remote);
      return s;
    }
  }

  /**
   * Layers TLS over Angus's plain socket with {@code name} as the peer host, whatever host Angus
   * connected to: SNI and (with {@code ssl.checkserveridentity}) the JDK's certificate name check
   * use it. Trusts the testkit CA only.
   */
  static final class NamedTlsLayering extends SSLSocketFactory {
    private final String name;
    private final X509TrustManager trust;

    NamedTlsLayering(String name, X509TrustManager trust) {
      this.name = name;
      this.trust = trust;
    }

    /** A new TLS context per connection, like the MTA-STS side: a full handshake every time. */
    @Override
    public Socket createSocket(Socket plain, String host, int port, boolean autoClose)
        throws IOException {
      try {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trust}, null);
        return context.getSocketFactory().createSocket(plain, name, port, autoClose);
      } catch (GeneralSecurityException e) {
        throw new IOException(e);
      }
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return ((SSLSocketFactory) SSLSocketFactory.getDefault()).getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return ((SSLSocketFactory) SSLSocketFactory.getDefault()).getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket(String host, int port) {
      throw new UnsupportedOperationException("STARTTLS layering only");
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
      throw new UnsupportedOperationException("STARTTLS layering only");
    }

    @Override
    public Socket createSocket(InetAddress host, int port) {
      throw new UnsupportedOperationException("STARTTLS layering only");
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress,
        int localPort) {
      throw new UnsupportedOperationException("STARTTLS layering only");
    }
  }
}
