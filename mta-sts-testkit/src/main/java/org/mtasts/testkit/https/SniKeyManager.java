package org.mtasts.testkit.https;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;
import org.mtasts.testkit.tls.IssuedCertificate;

/**
 * Chooses the server certificate from the SNI host name of the handshake in progress, as JSSE
 * parsed it from the ClientHello. Thread-safe: JSSE calls it from every connection thread.
 */
final class SniKeyManager extends X509ExtendedKeyManager {
  private final Function<String, IssuedCertificate> certificateForHost;
  private final Map<IssuedCertificate, String> aliasByCertificate = new ConcurrentHashMap<>();
  private final Map<String, IssuedCertificate> certificateByAlias = new ConcurrentHashMap<>();
  private final AtomicLong aliases = new AtomicLong();

  /**
   * @param certificateForHost maps a normalised SNI name, or null when there was none, to the
   *     certificate to present
   */
  SniKeyManager(Function<String, IssuedCertificate> certificateForHost) {
    this.certificateForHost = certificateForHost;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    SSLSession session =
        socket instanceof SSLSocket ? ((SSLSocket) socket).getHandshakeSession() : null;
    return choose(keyType, session);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return choose(keyType, engine == null ? null : engine.getHandshakeSession());
  }

  private String choose(String keyType, SSLSession session) {
    IssuedCertificate certificate = certificateForHost.apply(requestedHostName(session));
    if (certificate == null
        || !certificate.certificate().getPublicKey().getAlgorithm().equals(keyType)) {
      return null; // JSSE asks again for the next key type it can use
    }
    return aliasFor(certificate);
  }

  /** The SNI host name of the handshake in progress, normalised, or null. */
  static String requestedHostName(SSLSession session) {
    if (session instanceof ExtendedSSLSession) {
      List<SNIServerName> names = ((ExtendedSSLSession) session).getRequestedServerNames();
      for (SNIServerName name : names) {
        if (name.getType() == StandardConstants.SNI_HOST_NAME) {
          return HostNames.lenient(((SNIHostName) name).getAsciiName());
        }
      }
    }
    return null;
  }

  private String aliasFor(IssuedCertificate certificate) {
    return aliasByCertificate.computeIfAbsent(
        certificate,
        c -> {
          String alias = "testkit-" + aliases.incrementAndGet();
          certificateByAlias.put(alias, c);
          return alias;
        });
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    IssuedCertificate certificate = certificateByAlias.get(alias);
    return certificate == null ? null : certificate.chain().toArray(new X509Certificate[0]);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    IssuedCertificate certificate = certificateByAlias.get(alias);
    return certificate == null ? null : certificate.privateKey();
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return certificateByAlias.entrySet().stream()
        .filter(e -> e.getValue().certificate().getPublicKey().getAlgorithm().equals(keyType))
        .map(Map.Entry::getKey)
        .toArray(String[]::new);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return null;
  }
}
