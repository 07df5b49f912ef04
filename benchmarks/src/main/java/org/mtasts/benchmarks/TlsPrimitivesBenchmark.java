package org.mtasts.benchmarks;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Not a target of issue 8: the JDK's own cost of the public-key operations in one TLS 1.3 client
 * handshake, to put {@link ColdResolutionBenchmark}'s CPU per domain in proportion. Against the
 * testkit (EC P-256 CA and leaf) a cold fetch verifies two ECDSA P-256 signatures (the leaf's
 * certificate, CertificateVerify), makes an X25519 and a P-256 key share (the JDK offers both) and
 * agrees on one. The library does none of this itself; it is what JSSE costs on this JDK.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TlsPrimitivesBenchmark {
  private final byte[] message = "TLS 1.3, server CertificateVerify".getBytes(StandardCharsets.US_ASCII);
  private KeyPair ec;
  private KeyPair rsa;
  private KeyPair x25519Peer;
  private byte[] ecSignature;
  private byte[] rsaSignature;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
    ecGen.initialize(new ECGenParameterSpec("secp256r1"));
    ec = ecGen.generateKeyPair();
    KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
    rsaGen.initialize(2048);
    rsa = rsaGen.generateKeyPair();
    x25519Peer = KeyPairGenerator.getInstance("X25519").generateKeyPair();
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(ec.getPrivate());
    s.update(message);
    ecSignature = s.sign();
    s = Signature.getInstance("SHA256withRSA");
    s.initSign(rsa.getPrivate());
    s.update(message);
    rsaSignature = s.sign();
  }

  @Benchmark
  public boolean ecdsaP256Verify() throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initVerify(ec.getPublic());
    s.update(message);
    return s.verify(ecSignature);
  }

  @Benchmark
  public boolean rsa2048Verify() throws Exception {
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initVerify(rsa.getPublic());
    s.update(message);
    return s.verify(rsaSignature);
  }

  @Benchmark
  public KeyPair p256KeyShare() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  @Benchmark
  public byte[] x25519KeyShareAndAgreement() throws Exception {
    KeyPair mine = KeyPairGenerator.getInstance("X25519").generateKeyPair();
    KeyAgreement a = KeyAgreement.getInstance("X25519");
    a.init(mine.getPrivate());
    a.doPhase(x25519Peer.getPublic(), true);
    return a.generateSecret();
  }
}
