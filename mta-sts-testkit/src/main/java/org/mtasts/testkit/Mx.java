package org.mtasts.testkit;

import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.mtasts.testkit.smtp.SmtpBehaviour;
import org.mtasts.testkit.smtp.SmtpReceiver;
import org.mtasts.testkit.smtp.SmtpReply;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/**
 * How one MX host of a {@link TestWorld} behaves: a recipe that the world turns into the {@link
 * SmtpBehaviour} of the host's {@link SmtpReceiver} once its certificate authority exists.
 *
 * <pre>{@code
 * d.mx(10, "mx1.example.com", Mx.goodTls())
 *  .mx(20, "mx2.example.com", Mx.noStartTls())
 *  .mx(30, "mx3.example.com", Mx.goodTls().with(b -> b.tlsProtocols("TLSv1.2")));
 * }</pre>
 *
 * <p>Certificates named by a recipe are made for the MX host's own name, see {@link Cert}. Two
 * recipes are equal when they are the same built-in recipe with equal arguments; recipes made with
 * {@link #custom}, {@link #behaviour} or {@link #with} are equal only to themselves. (This matters
 * when one MX host serves several domains: every domain must name the same recipe for it.)
 *
 * <p>Immutable and thread-safe.
 */
public final class Mx {
  private final String description;
  private final boolean builtIn;

  /** Null for {@link #unreachable()}. */
  private final BiFunction<TestCertificateAuthority, String, SmtpBehaviour> factory;

  private Mx(
      String description,
      boolean builtIn,
      BiFunction<TestCertificateAuthority, String, SmtpBehaviour> factory) {
    this.description = description;
    this.builtIn = builtIn;
    this.factory = factory;
  }

  /** Offers STARTTLS with a valid certificate for the host's name: what RFC 8461 expects. */
  public static Mx goodTls() {
    return startTls(Cert.good());
  }

  /**
   * Offers STARTTLS and presents {@code certificate}, made for the host's name.
   *
   * @throws NullPointerException if {@code certificate} is null
   */
  public static Mx startTls(Cert certificate) {
    Objects.requireNonNull(certificate, "certificate");
    return new Mx(
        "STARTTLS with " + certificate + " certificate",
        certificate.isBuiltIn(),
        (ca, host) -> SmtpBehaviour.startTls(certificate.issue(ca, host)));
  }

  /** STARTTLS with an expired certificate for the host's name. */
  public static Mx expiredCertificate() {
    return startTls(Cert.expired());
  }

  /** STARTTLS with a self-signed certificate for the host's name. */
  public static Mx selfSignedCertificate() {
    return startTls(Cert.selfSigned());
  }

  /** STARTTLS with a trusted certificate for another name ({@link Cert#wrongName()}). */
  public static Mx wrongNameCertificate() {
    return startTls(Cert.wrongName());
  }

  /**
   * Does not advertise STARTTLS and takes mail in plaintext, as a server without TLS or behind a
   * man in the middle that strips STARTTLS would.
   */
  public static Mx noStartTls() {
    return new Mx("no STARTTLS", true, (ca, host) -> SmtpBehaviour.plaintext());
  }

  /** Advertises STARTTLS but answers the command with {@code 454 4.7.0 TLS not available}. */
  public static Mx startTlsRefused() {
    return new Mx(
        "STARTTLS refused", true, (ca, host) -> SmtpBehaviour.builder().startTlsRefused().build());
  }

  /**
   * Advertises STARTTLS but answers the command with {@code reply}.
   *
   * @throws NullPointerException if {@code reply} is null
   * @throws IllegalArgumentException if {@code reply} is positive
   */
  public static Mx startTlsRefused(SmtpReply reply) {
    Objects.requireNonNull(reply, "reply");
    SmtpBehaviour.builder().startTlsRefused(reply); // checks the reply now
    return new Mx(
        "STARTTLS refused with " + reply,
        true,
        (ca, host) -> SmtpBehaviour.builder().startTlsRefused(reply).build());
  }

  /**
   * Answers {@code 220} to STARTTLS, reads the ClientHello and closes the connection: the client's
   * TLS handshake fails.
   */
  public static Mx handshakeFailure() {
    return new Mx(
        "TLS handshake failure",
        true,
        (ca, host) -> SmtpBehaviour.builder().startTlsThenClose().build());
  }

  /** Answers {@code 220} to STARTTLS, then sends bytes that are not TLS and closes. */
  public static Mx garbageAfterStartTls() {
    return new Mx(
        "garbage after STARTTLS",
        true,
        (ca, host) -> SmtpBehaviour.builder().startTlsThenGarbage().build());
  }

  /**
   * Plays a server that speaks only {@code protocol} ({@code "TLSv1.1"}, {@code "TLSv1"} or {@code
   * "SSLv3"}); see {@link SmtpBehaviour.Builder#legacyTlsOnly(String)}.
   *
   * @throws IllegalArgumentException if {@code protocol} is not one of those
   * @throws NullPointerException if {@code protocol} is null
   */
  public static Mx legacyTlsOnly(String protocol) {
    SmtpBehaviour.builder().legacyTlsOnly(protocol); // checks the name now
    return new Mx(
        "legacy " + protocol + " only",
        true,
        (ca, host) -> SmtpBehaviour.builder().legacyTlsOnly(protocol).build());
  }

  /**
   * No receiver at all: the host's A record points to {@code 127.0.0.1} and its entry in {@link
   * TestWorld#hostMap()} to a loopback port that nothing listens on, so connections are refused. An
   * MX host is unreachable for the whole life of the world: it cannot be switched to or from this
   * recipe at run time.
   */
  public static Mx unreachable() {
    return new Mx("unreachable", true, null);
  }

  /**
   * Uses {@code behaviour} as it is (it carries its own certificate, if any).
   *
   * @throws NullPointerException if {@code behaviour} is null
   */
  public static Mx behaviour(SmtpBehaviour behaviour) {
    Objects.requireNonNull(behaviour, "behaviour");
    return new Mx(behaviour.toString(), false, (ca, host) -> behaviour);
  }

  /**
   * Uses the behaviour that {@code factory} makes from the world's authority and the host name.
   *
   * @param description shown in {@link #toString()} and error messages
   * @param factory called when the world starts (and again when the recipe is set at run time);
   *     must not return null
   * @throws NullPointerException if an argument is null
   */
  public static Mx custom(
      String description, BiFunction<TestCertificateAuthority, String, SmtpBehaviour> factory) {
    return new Mx(
        Objects.requireNonNull(description, "description"),
        false,
        Objects.requireNonNull(factory, "factory"));
  }

  /**
   * This recipe with further settings, e.g. {@code Mx.goodTls().with(b -> b.requireTls(true)
   * .rcptReply(SmtpReply.of(550, "5.1.1 No such user")))}. The tweak gets a builder started from
   * this recipe's behaviour.
   *
   * @throws IllegalStateException if this recipe is {@link #unreachable()}
   * @throws NullPointerException if {@code tweak} is null
   */
  public Mx with(UnaryOperator<SmtpBehaviour.Builder> tweak) {
    Objects.requireNonNull(tweak, "tweak");
    if (factory == null) {
      throw new IllegalStateException("an unreachable MX has no behaviour to tweak");
    }
    BiFunction<TestCertificateAuthority, String, SmtpBehaviour> base = factory;
    return new Mx(
        description + " (customised)",
        false,
        (ca, host) -> tweak.apply(base.apply(ca, host).toBuilder()).build());
  }

  /** Whether this is {@link #unreachable()}: no receiver listens for the host. */
  public boolean isUnreachable() {
    return factory == null;
  }

  /**
   * Makes the behaviour for {@code host} with {@code authority}.
   *
   * @throws IllegalStateException if this recipe is {@link #unreachable()}
   * @throws NullPointerException if an argument is null or a factory returned null
   */
  public SmtpBehaviour behaviourFor(TestCertificateAuthority authority, String host) {
    Objects.requireNonNull(authority, "authority");
    Objects.requireNonNull(host, "host");
    if (factory == null) {
      throw new IllegalStateException("an unreachable MX has no behaviour");
    }
    return Objects.requireNonNull(
        factory.apply(authority, host), () -> "MX recipe " + this + " returned null");
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof Mx other
        && builtIn
        && other.builtIn
        && description.equals(other.description);
  }

  @Override
  public int hashCode() {
    return builtIn ? description.hashCode() : System.identityHashCode(this);
  }

  /** The recipe's description, e.g. {@code "no STARTTLS"}. */
  @Override
  public String toString() {
    return description;
  }
}
