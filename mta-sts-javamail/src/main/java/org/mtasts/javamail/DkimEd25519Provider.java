package org.mtasts.javamail;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one signature utils-mail-dkim 3.2.2 asks the JVM for when it signs with Ed25519, {@code
 * NONEwithEdDSA}: a name neither the JDK nor Bouncy Castle offers (it came from the retired {@code
 * net.i2p} EdDSA provider), so without this provider Ed25519 signing fails. It is plain Ed25519
 * (RFC 8032) over the bytes given, which is what the name means, except inside {@link
 * #rfc8463(Callable)}: utils-mail-dkim hands the canonical headers themselves to the signature,
 * while RFC 8463 §3 signs their SHA-256, so there the SHA-256 of the bytes is signed (a verifier
 * such as OpenDKIM would reject the library's own output). Registered at the lowest priority,
 * once, when the first Ed25519 signer is made; it offers nothing else.
 */
final class DkimEd25519Provider extends Provider {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(DkimEd25519Provider.class);

  static final String NAME = "mta-sts-dkim-ed25519";

  /** Set while {@link DkimReportSigner} signs on this thread: sign SHA-256 of the data. */
  private static final ThreadLocal<Boolean> RFC8463 = ThreadLocal.withInitial(() -> false);
  static final String ALGORITHM = "NONEwithEdDSA";

  private DkimEd25519Provider() {
    super(NAME, "1.0", "Ed25519 under the name NONEwithEdDSA, for utils-mail-dkim");
    putService(new Service(this, "Signature", ALGORITHM, PureEd25519.class.getName(), List.of(),
        Map.of()) {
      @Override
      public Object newInstance(Object constructorParameter) {
        return new PureEd25519();
      }
    });
  }

  /** Registers the provider unless a provider already offers {@value #ALGORITHM}. */
  static synchronized void install() {
    try {
      Signature.getInstance(ALGORITHM);
      return;
    } catch (GeneralSecurityException absent) {
      // expected: register ours
    }
    Security.addProvider(new DkimEd25519Provider());
    log.debug("registered the {} security provider ({} for Ed25519 DKIM signing)", NAME,
        ALGORITHM);
  }

  /** Runs {@code signing} with RFC 8463's SHA-256 before Ed25519 on this thread. */
  static <T> T rfc8463(Callable<T> signing) throws Exception {
    RFC8463.set(true);
    try {
      return signing.call();
    } finally {
      RFC8463.remove();
    }
  }

  /** Ed25519 through Bouncy Castle (the key type utils-mail-dkim takes). */
  static final class PureEd25519 extends SignatureSpi {
    private Signature delegate;
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    @Override
    protected void engineInitSign(PrivateKey key) throws InvalidKeyException {
      delegate = newDelegate();
      delegate.initSign(key);
      data.reset();
    }

    @Override
    protected void engineInitVerify(PublicKey key) throws InvalidKeyException {
      delegate = newDelegate();
      delegate.initVerify(key);
      data.reset();
    }

    @Override
    protected void engineUpdate(byte b) {
      data.write(b);
    }

    @Override
    protected void engineUpdate(byte[] b, int off, int len) {
      data.write(b, off, len);
    }

    @Override
    protected byte[] engineSign() throws SignatureException {
      delegate.update(message());
      return delegate.sign();
    }

    @Override
    protected boolean engineVerify(byte[] signature) throws SignatureException {
      delegate.update(message());
      return delegate.verify(signature);
    }

    private byte[] message() throws SignatureException {
      byte[] bytes = data.toByteArray();
      data.reset();
      if (!RFC8463.get()) {
        return bytes;
      }
      try {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
      } catch (GeneralSecurityException e) {
        throw new SignatureException(e);
      }
    }

    @Override
    @Deprecated
    protected void engineSetParameter(String param, Object value) {
      throw new UnsupportedOperationException(param);
    }

    @Override
    @Deprecated
    protected Object engineGetParameter(String param) {
      throw new UnsupportedOperationException(param);
    }

    private static Signature newDelegate() throws InvalidKeyException {
      try {
        return Signature.getInstance("Ed25519", DkimKeys.BC);
      } catch (GeneralSecurityException e) {
        throw new InvalidKeyException("Ed25519 is not available: " + e.getMessage(), e);
      }
    }
  }
}
