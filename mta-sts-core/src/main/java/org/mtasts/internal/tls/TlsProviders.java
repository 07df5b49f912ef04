package org.mtasts.internal.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the TLS implementation of the policy fetch and the MX connections: Conscrypt (BoringSSL)
 * when {@code org.conscrypt:conscrypt-openjdk-uber} is on the class path (or on the module path
 * as module {@code org.conscrypt}, resolved), else the JDK's. A cold policy fetch is mostly a TLS
 * handshake, and BoringSSL's costs about half the JDK's CPU (ECDSA verification, one X25519 key
 * share instead of X25519 plus P-256; issue 16).
 *
 * <p>Only the TLS engine changes. Certificates are still checked by the trust manager the caller
 * hands in (the JDK's PKIX validation against the configured anchors, or the MX checks of {@link
 * MxTrustManager}), host names by OkHttp's verifier or {@link MxTrustManager}; protocols are still
 * limited to TLS 1.3 and 1.2 by the callers. Conscrypt's provider is made once and used only for
 * the contexts made here: it is never installed JVM-wide ({@code Security.insertProviderAt}), so
 * the rest of the application keeps its providers. OkHttp detects Conscrypt only when it is the
 * JVM's first provider; this detection is the same idea (the class is present and its native
 * library loads) without that requirement.
 *
 * <p>The system property {@value #PROPERTY} overrides the choice: {@code jdk} always uses the
 * JDK's TLS, {@code conscrypt} requires Conscrypt (a context cannot be made without it), {@code
 * auto} (the default) uses Conscrypt when it loads. The library only reads the property.
 *
 * <p>Thread-safe.
 */
public final class TlsProviders {
  /** The system property that overrides the choice: {@code auto}, {@code jdk} or {@code conscrypt}. */
  public static final String PROPERTY = "org.mtasts.tls.provider";

  private static final Logger LOG = LoggerFactory.getLogger(TlsProviders.class);

  private TlsProviders() {}

  /** Which TLS implementation a context uses. */
  public enum Choice {
    /** Conscrypt when it loads, else the JDK's. */
    AUTO,
    /** The JDK's (SunJSSE, or whatever the JVM's provider list puts first). */
    JDK,
    /** Conscrypt; making a context fails when it does not load. */
    CONSCRYPT
  }

  /** The choice the system property {@value #PROPERTY} makes; {@link Choice#AUTO} when unset. */
  public static Choice configured() {
    String value = System.getProperty(PROPERTY, "auto").strip().toLowerCase(Locale.ROOT);
    return switch (value) {
      case "auto", "" -> Choice.AUTO;
      case "jdk" -> Choice.JDK;
      case "conscrypt" -> Choice.CONSCRYPT;
      default -> throw new IllegalStateException(
          "system property " + PROPERTY + " is '" + value + "'; allowed are auto, jdk, conscrypt");
    };
  }

  /** Conscrypt's provider, if Conscrypt is present and its native library loads. */
  public static Optional<Provider> conscrypt() {
    return Optional.ofNullable(ConscryptHolder.PROVIDER);
  }

  /**
   * A new, uninitialised {@code SSLContext("TLS")} of the configured implementation.
   *
   * @throws IllegalStateException if the property names an unknown implementation, or requires
   *     Conscrypt and it does not load
   */
  public static SSLContext newContext() throws NoSuchAlgorithmException {
    return newContext(configured());
  }

  /**
   * A new, uninitialised {@code SSLContext("TLS")} of {@code choice}.
   *
   * @throws IllegalStateException if {@code choice} is {@link Choice#CONSCRYPT} and Conscrypt does
   *     not load
   */
  public static SSLContext newContext(Choice choice) throws NoSuchAlgorithmException {
    Provider provider =
        switch (choice) {
          case JDK -> null;
          case AUTO -> ConscryptHolder.PROVIDER;
          case CONSCRYPT -> conscrypt().orElseThrow(() -> new IllegalStateException(
              PROPERTY + "=conscrypt, but Conscrypt is not on the class path or its native"
                  + " library does not load"));
        };
    return provider == null ? SSLContext.getInstance("TLS") : SSLContext.getInstance("TLS", provider);
  }

  /**
   * Loaded on first use, so that a JVM that never makes a context never looks for Conscrypt; the
   * classes that name Conscrypt's are touched only once it is known to be there.
   */
  private static final class ConscryptHolder {
    static final Provider PROVIDER = load();

    private static Provider load() {
      try {
        Class.forName("org.conscrypt.Conscrypt", false, TlsProviders.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        LOG.debug("Conscrypt is not on the class path: TLS through the JDK");
        return null;
      }
      try {
        Provider provider = ConscryptAccess.newProvider();
        if (provider == null) {
          LOG.warn("Conscrypt is on the class path but its native library does not load on this"
              + " platform: TLS through the JDK");
          return null;
        }
        // Fail here, once, rather than on a fetch if the provider cannot make a TLS context.
        SSLContext.getInstance("TLS", provider);
        LOG.debug("TLS through Conscrypt (BoringSSL), not installed JVM-wide");
        return provider;
      } catch (GeneralSecurityException | RuntimeException | LinkageError e) {
        LOG.warn("Conscrypt is on the class path but cannot be used ({}): TLS through the JDK",
            e.toString());
        return null;
      }
    }
  }

  /** The only code that names Conscrypt's classes. */
  private static final class ConscryptAccess {
    static Provider newProvider() {
      return org.conscrypt.Conscrypt.isAvailable() ? org.conscrypt.Conscrypt.newProvider() : null;
    }
  }

  /**
   * The "authType" of a server certificate check in the JDK's terms. For TLS 1.3, where the key
   * exchange says nothing about the certificate, the JDK passes {@code UNKNOWN} and BoringSSL
   * (Conscrypt) passes {@code GENERIC}; the JDK's PKIX trust manager knows only the former and
   * refuses the latter ("Unknown authType: GENERIC"). Both mean the same: the certificate's key
   * signs the handshake, so the JDK's checker then requires a signing key usage, as it does for
   * its own TLS 1.3 handshakes. Any other value is returned as it is.
   */
  public static String jdkAuthType(String authType) {
    return "GENERIC".equals(authType) ? CertificateVerification.UNKNOWN_AUTH_TYPE : authType;
  }

  /**
   * The trust manager to initialise {@code context} with: {@code trustManager} itself for the
   * JDK's TLS, and for Conscrypt's an adapter that passes every server check on to it with the
   * JDK's name for the TLS 1.3 authType ({@link #jdkAuthType}) and with the chain's signatures
   * verified natively ({@link #forPkix}).
   */
  public static X509TrustManager forContext(SSLContext context, X509TrustManager trustManager) {
    Objects.requireNonNull(trustManager, "trustManager");
    return isConscrypt(context) ? new ConscryptAdapter(trustManager, context.getProvider())
        : trustManager;
  }

  /**
   * The chain as the JDK's PKIX validation should see it after a handshake made with {@code
   * context}: for Conscrypt's, each certificate's signature is then verified by Conscrypt rather
   * than by the JVM's Java provider ({@link NativeSignatureCertificate}); for the JDK's, the
   * chain itself.
   */
  public static X509Certificate[] forPkix(SSLContext context, X509Certificate[] chain) {
    return isConscrypt(context)
        ? NativeSignatureCertificate.wrap(chain, context.getProvider())
        : chain;
  }

  /** Passes every server check on, in the JDK's terms, with the signatures checked natively. */
  private static final class ConscryptAdapter extends X509ExtendedTrustManager {
    private final X509TrustManager delegate;
    private final Provider provider;

    ConscryptAdapter(X509TrustManager delegate, Provider provider) {
      this.delegate = delegate;
      this.provider = provider;
    }

    private X509Certificate[] chain(X509Certificate[] chain) {
      return NativeSignatureCertificate.wrap(chain, provider);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      if (delegate instanceof X509ExtendedTrustManager extended) {
        extended.checkServerTrusted(chain(chain), jdkAuthType(authType), socket);
      } else {
        delegate.checkServerTrusted(chain(chain), jdkAuthType(authType));
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      if (delegate instanceof X509ExtendedTrustManager extended) {
        extended.checkServerTrusted(chain(chain), jdkAuthType(authType), engine);
      } else {
        delegate.checkServerTrusted(chain(chain), jdkAuthType(authType));
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      delegate.checkServerTrusted(chain(chain), jdkAuthType(authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      if (delegate instanceof X509ExtendedTrustManager extended) {
        extended.checkClientTrusted(chain, authType, socket);
      } else {
        delegate.checkClientTrusted(chain, authType);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      if (delegate instanceof X509ExtendedTrustManager extended) {
        extended.checkClientTrusted(chain, authType, engine);
      } else {
        delegate.checkClientTrusted(chain, authType);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }

  /** Whether {@code context} was made with Conscrypt's provider (tests, diagnostics). */
  public static boolean isConscrypt(SSLContext context) {
    return ConscryptHolder.PROVIDER != null && context.getProvider() == ConscryptHolder.PROVIDER;
  }
}
