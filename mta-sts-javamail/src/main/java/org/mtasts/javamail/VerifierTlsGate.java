package org.mtasts.javamail;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocketFactory;
import org.mtasts.MxTlsVerifier;
import org.mtasts.RefusalReason;
import org.mtasts.TlsOutcome;

/**
 * The TLS seam on the core's {@link MxTlsVerifier}: TLS 1.2+, SNI = MX host, the SAN-only name
 * check inside the handshake (STS-JM-03), an aborted handshake under {@code enforce}.
 */
final class VerifierTlsGate implements TlsGate {
  private final MxTlsVerifier verifier;

  VerifierTlsGate(MxTlsVerifier verifier) {
    this.verifier = Objects.requireNonNull(verifier, "verifier");
  }

  @Override
  public SSLSocketFactory socketFactory(String mxHost, boolean enforce,
      Consumer<Handshake> outcomes) {
    return verifier.socketFactory(mxHost, enforce, (TlsOutcome o) -> outcomes.accept(
        new Handshake(o.handshakeCompleted(), o.refusal().orElse(null),
            o.protocol().orElse(null), o.message())));
  }

  @Override
  public Optional<RefusalReason> classify(Throwable failure) {
    return MxTlsVerifier.classify(failure);
  }

  @Override
  public String toString() {
    return "VerifierTlsGate{" + verifier + "}";
  }
}
