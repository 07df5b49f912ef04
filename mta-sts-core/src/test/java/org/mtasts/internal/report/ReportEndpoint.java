package org.mtasts.internal.report;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Map;
import org.mtasts.HostResolver;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/**
 * A WireMock HTTPS server playing a TLS report endpoint: its certificate, for {@code host}, comes
 * from a testkit CA; {@link #resolver()} maps {@code host} to it on loopback.
 */
public final class ReportEndpoint implements AutoCloseable {
  private static final String PASSWORD = "changeit";

  public final TestCertificateAuthority ca;
  public final String host;
  public final WireMockServer server;

  private ReportEndpoint(TestCertificateAuthority ca, String host, WireMockServer server) {
    this.ca = ca;
    this.host = host;
    this.server = server;
  }

  /** Starts a server with a certificate for {@code host} signed by {@code ca}. */
  public static ReportEndpoint start(TestCertificateAuthority ca, String host, Path dir) {
    Path keyStore = dir.resolve(host + ".p12");
    try (OutputStream out = Files.newOutputStream(keyStore)) {
      ca.issue(host).keyStore(PASSWORD.toCharArray()).store(out, PASSWORD.toCharArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    WireMockServer server = new WireMockServer(wireMockConfig()
        .bindAddress("127.0.0.1")
        .httpDisabled(true)
        .dynamicHttpsPort()
        .keystorePath(keyStore.toString())
        .keystoreType("PKCS12")
        .keystorePassword(PASSWORD)
        .keyManagerPassword(PASSWORD));
    server.start();
    return new ReportEndpoint(ca, host, server);
  }

  public InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.httpsPort());
  }

  /** {@code https://<host><path>} (port 443 in the URI; the resolver maps it to the server). */
  public String uri(String path) {
    return "https://" + host + path;
  }

  /** Maps {@code host} to this server; every other name is unknown. */
  public HostResolver resolver() {
    return HostResolver.overriding(Map.of(host, address()), HostResolver.none());
  }

  @Override
  public void close() {
    server.stop();
  }
}
