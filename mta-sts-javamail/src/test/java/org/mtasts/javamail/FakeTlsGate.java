package org.mtasts.javamail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.mtasts.RefusalReason;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A stand-in for the core's MX TLS verifier until it lands on this branch: the world's trust
 * anchors, SAN-only exact or one-label wildcard match, TLS 1.2+, SNI = MX host; report-only mode
 * completes the handshake and reports.
 */
final class FakeTlsGate implements TlsGate {
  private final X509TrustManager anchors;

  FakeTlsGate(X509TrustManager anchors) {
    this.anchors = anchors;
  }

  @Override
  public SSLSocketFactory socketFactory(String mxHost, boolean enforce,
      Consumer<Handshake> outcomes) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {new Checking(mxHost, enforce, outcomes)}, null);
      SSLSocketFactory base = ctx.getSocketFactory();
      return new SSLSocketFactory() {
        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose)
            throws IOException {
          SSLSocket ssl = (SSLSocket) base.createSocket(s, mxHost, port, autoClose);
          SSLParameters params = ssl.getSSLParameters();
          params.setServerNames(List.of(new SNIHostName(mxHost)));
          params.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
          ssl.setSSLParameters(params);
          return ssl;
        }

        @Override
        public String[] getDefaultCipherSuites() {
          return base.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
          return base.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket(String host, int port) {
          throw new UnsupportedOperationException();
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress la, int lp) {
          throw new UnsupportedOperationException();
        }

        @Override
        public Socket createSocket(InetAddress host, int port) {
          throw new UnsupportedOperationException();
        }

        @Override
        public Socket createSocket(InetAddress a, int port, InetAddress la, int lp) {
          throw new UnsupportedOperationException();
        }
      };
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Optional<RefusalReason> classify(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ReasonException r) {
        return Optional.of(r.reason);
      }
      if (t instanceof SSLException) {
        return Optional.of(RefusalReason.TLS_HANDSHAKE_FAILED);
      }
      if (t instanceof jakarta.mail.MessagingException me && me.getNextException() != null
          && me.getNextException() != t.getCause()) {
        Optional<RefusalReason> nested = classify(me.getNextException());
        if (nested.isPresent()) {
          return nested;
        }
      }
    }
    return Optional.empty();
  }

  static final class ReasonException extends CertificateException {
    final RefusalReason reason;

    ReasonException(RefusalReason reason, Throwable cause) {
      super(reason.code(), cause);
      this.reason = reason;
    }
  }

  private final class Checking extends X509ExtendedTrustManager {
    private final String mxHost;
    private final boolean enforce;
    private final Consumer<Handshake> outcomes;

    Checking(String mxHost, boolean enforce, Consumer<Handshake> outcomes) {
      this.mxHost = mxHost;
      this.enforce = enforce;
      this.outcomes = outcomes;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      String protocol = ((SSLSocket) socket).getHandshakeSession().getProtocol();
      RefusalReason reason = problem(chain, authType);
      if (reason != null && enforce) {
        outcomes.accept(new Handshake(false, reason, null, reason.code()));
        throw new ReasonException(reason, null);
      }
      outcomes.accept(new Handshake(true, reason, protocol, reason == null ? "ok" : reason.code()));
    }

    private RefusalReason problem(X509Certificate[] chain, String authType) {
      try {
        chain[0].checkValidity();
      } catch (CertificateExpiredException e) {
        return RefusalReason.CERTIFICATE_EXPIRED;
      } catch (CertificateException e) {
        return RefusalReason.CERTIFICATE_NOT_TRUSTED;
      }
      try {
        anchors.checkServerTrusted(chain, authType);
      } catch (CertificateException e) {
        return RefusalReason.CERTIFICATE_NOT_TRUSTED;
      }
      try {
        if (chain[0].getSubjectAlternativeNames() != null) {
          for (List<?> san : chain[0].getSubjectAlternativeNames()) {
            if (Integer.valueOf(2).equals(san.get(0)) && matches((String) san.get(1))) {
              return null;
            }
          }
        }
      } catch (CertificateException e) {
        return RefusalReason.CERTIFICATE_HOST_MISMATCH;
      }
      return RefusalReason.CERTIFICATE_HOST_MISMATCH;
    }

    private boolean matches(String san) {
      String s = san.toLowerCase(Locale.ROOT);
      if (s.startsWith("*.")) {
        int dot = mxHost.indexOf('.');
        return dot > 0 && mxHost.substring(dot + 1).equals(s.substring(2));
      }
      return s.equals(mxHost);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException();
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
