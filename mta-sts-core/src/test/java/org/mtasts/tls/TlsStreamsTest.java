package org.mtasts.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mtasts.testkit.smtp.SmtpBehaviour;
import org.mtasts.testkit.smtp.SmtpReceiver;
import org.mtasts.testkit.smtp.SmtpTestClient;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/**
 * The caller's layer inside the verifier's TLS sockets ({@link TlsStreams}): real STARTTLS on
 * loopback against testkit receivers, as in {@code MxSocketFactoryHandshakeTest}.
 */
class TlsStreamsTest {
  private static final String MX = "mx1.example.com";
  private static final TestCertificateAuthority CA = TestCertificateAuthority.create("Layer CA");
  private static final MxTlsVerifier VERIFIER = MxTlsVerifier.create(CA.trustManager());

  private final List<TlsOutcome> outcomes = new CopyOnWriteArrayList<>();

  /** Records what the factory asks and copies the bytes that pass its wrappers. */
  private static final class RecordingStreams implements TlsStreams {
    final List<Socket> layered = new CopyOnWriteArrayList<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final ByteArrayOutputStream read = new ByteArrayOutputStream();
    final ByteArrayOutputStream written = new ByteArrayOutputStream();
    IOException refusal;

    @Override
    public void layering(Socket plain) throws IOException {
      layered.add(plain);
      calls.add(plain == null ? "layering(null)" : "layering");
      if (refusal != null) {
        throw refusal;
      }
    }

    @Override
    public InputStream input(Socket plain, InputStream decrypted) {
      calls.add("input");
      return new FilterInputStream(decrypted) {
        @Override
        public int read() throws IOException {
          int c = super.read();
          if (c >= 0) {
            read.write(c);
          }
          return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = super.read(b, off, len);
          if (n > 0) {
            read.write(b, off, n);
          }
          return n;
        }
      };
    }

    @Override
    public OutputStream output(Socket plain, OutputStream decrypted) {
      calls.add("output");
      return new FilterOutputStream(decrypted) {
        @Override
        public void write(int b) throws IOException {
          written.write(b);
          out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          written.write(b, off, len);
          out.write(b, off, len);
        }
      };
    }
  }

  private SSLSocketFactory factory(boolean enforce, TlsStreams streams) {
    return VERIFIER.socketFactory(MX, enforce, outcomes::add, streams);
  }

  @Test
  @DisplayName("item04: the wrappers carry the SMTP text inside TLS, made once per socket")
  void item04_wrappersSeeTheDecryptedSmtp_madeOncePerSocket() throws Exception {
    RecordingStreams streams = new RecordingStreams();
    try (SmtpReceiver mx = SmtpReceiver.builder(MX)
            .behaviour(SmtpBehaviour.startTls(CA.issue(MX))).start();
        SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
      SSLSocket tls = client.upgrade(factory(true, streams), MX);
      assertTrue(client.command("EHLO client.example").startsWith("250"));

      assertEquals(List.of("layering", "input", "output"), streams.calls);
      assertEquals(client.localAddress(), streams.layered.get(0).getLocalSocketAddress(),
          "layered over the caller's connection");
      assertTrue(streams.read.toString(StandardCharsets.US_ASCII).startsWith("250"),
          streams.read.toString(StandardCharsets.US_ASCII));
      assertEquals("EHLO client.example\r\n", streams.written.toString(StandardCharsets.US_ASCII));
      assertSame(tls.getInputStream(), tls.getInputStream());
      assertSame(tls.getOutputStream(), tls.getOutputStream());
      assertEquals(3, streams.calls.size(), "each stream wrapped once: " + streams.calls);
      assertTrue(outcomes.get(0).passed(), outcomes.toString());
    }
  }

  @Test
  @DisplayName("item04: STS-APPLY-01 a refused certificate under enforce: no stream is wrapped")
  void item04_refusedCertificate_enforce_noStreamWrapped_STS_APPLY_01() throws Exception {
    RecordingStreams streams = new RecordingStreams();
    try (SmtpReceiver mx = SmtpReceiver.builder(MX)
            .behaviour(SmtpBehaviour.startTls(CA.leaf(MX).expired().build())).start();
        SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
      client.layer(factory(true, streams), MX);
      // Asking for the streams runs the handshake first; it fails before anything is wrapped.
      assertThrows(SSLHandshakeException.class, client::useLayeredStreams);
      assertEquals(List.of("layering"), streams.calls);
      assertEquals(1, outcomes.size(), outcomes.toString());
      assertFalse(outcomes.get(0).passed());
    }
  }

  @Test
  @DisplayName("item04: a refusal by the layer stops STARTTLS before any TLS socket exists")
  void item04_layerRefusesTheConnection_noTlsSocket() throws Exception {
    RecordingStreams streams = new RecordingStreams();
    streams.refusal = new SocketException("not our connection");
    try (SmtpReceiver mx = SmtpReceiver.builder(MX)
            .behaviour(SmtpBehaviour.startTls(CA.issue(MX))).start();
        SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
      SocketException e = assertThrows(SocketException.class,
          () -> client.layer(factory(true, streams), MX));
      assertSame(streams.refusal, e);
      assertEquals(List.of("layering"), streams.calls);
      assertTrue(outcomes.isEmpty(), "no handshake: " + outcomes);
    }
  }

  @Test
  @DisplayName("item04: a connection the factory would open is offered to the layer first")
  void item04_factoryOwnConnection_layerAskedBeforeResolvingOrConnecting() throws Exception {
    RecordingStreams streams = new RecordingStreams();
    streams.refusal = new SocketException("only STARTTLS");
    SSLSocketFactory tls = factory(true, streams);
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    int port = closedPort;
    // Refused with the layer's own exception, not an UnknownHostException or ConnectException:
    // the layer was asked before anything was resolved or connected.
    assertSame(streams.refusal,
        assertThrows(SocketException.class, () -> tls.createSocket("mx.invalid", 25)));
    assertSame(streams.refusal, assertThrows(SocketException.class,
        () -> tls.createSocket(InetAddress.getLoopbackAddress(), port)));
    assertSame(streams.refusal, assertThrows(SocketException.class, tls::createSocket));
    assertEquals(List.of("layering(null)", "layering(null)", "layering(null)"), streams.calls);
  }

  @Test
  @DisplayName("item04: the three-argument factory is the one with TlsStreams.NONE")
  void item04_none_leavesTheStreams_andNullIsRefused() throws Exception {
    try (SmtpReceiver mx = SmtpReceiver.builder(MX)
            .behaviour(SmtpBehaviour.startTls(CA.issue(MX))).start();
        SmtpTestClient client = SmtpTestClient.connectUntilStartTls(mx)) {
      client.upgrade(factory(true, TlsStreams.NONE), MX);
      assertTrue(client.command("EHLO client.example").startsWith("250"));
    }
    assertThrows(NullPointerException.class,
        () -> VERIFIER.socketFactory(MX, true, outcomes::add, null));
  }
}
