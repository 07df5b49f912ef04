package org.mtasts.testkit;

import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import org.mtasts.testkit.tls.IssuedCertificate;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/**
 * Which certificate a host of a {@link TestWorld} presents: a recipe that the world turns into an
 * {@link IssuedCertificate} once its certificate authority exists, for the host's own name.
 *
 * <pre>{@code
 * d.policyCertificate(Cert.expired())          // mta-sts.<domain> with an expired certificate
 *  .mx(10, "mx1.example.com", Mx.startTls(Cert.selfSigned()));
 * }</pre>
 *
 * <p>Every recipe except {@link #selfSigned()} and {@link #custom} is signed by the world's
 * authority, so a client that trusts {@link TestWorld#trustManager()} fails on exactly the one
 * defect the recipe names. Two recipes are equal when they are the same built-in recipe with the
 * same arguments; custom recipes are equal only to themselves.
 *
 * <p>Immutable and thread-safe.
 */
public final class Cert {
  private static final String WRONG_NAME = "wrong-name.invalid";

  private final String description;
  private final boolean builtIn;
  private final BiFunction<TestCertificateAuthority, String, IssuedCertificate> factory;

  private Cert(
      String description,
      boolean builtIn,
      BiFunction<TestCertificateAuthority, String, IssuedCertificate> factory) {
    this.description = description;
    this.builtIn = builtIn;
    this.factory = factory;
  }

  /** A valid certificate for the host's name (as subject alternative name and common name). */
  public static Cert good() {
    return new Cert("good", true, (ca, host) -> ca.issue(host));
  }

  /** A certificate for the host's name that expired yesterday. */
  public static Cert expired() {
    return new Cert("expired", true, (ca, host) -> ca.leaf(host).expired().build());
  }

  /** A certificate for the host's name that becomes valid tomorrow. */
  public static Cert notYetValid() {
    return new Cert("not yet valid", true, (ca, host) -> ca.leaf(host).notYetValid().build());
  }

  /** A certificate for the host's name signed with its own key, not by the world's authority. */
  public static Cert selfSigned() {
    return new Cert("self-signed", true, (ca, host) -> ca.leaf(host).selfSigned().build());
  }

  /**
   * A valid certificate for {@code wrong-name.invalid} only: the authority is trusted but the name
   * does not match the host.
   */
  public static Cert wrongName() {
    return new Cert("wrong name", true, (ca, host) -> ca.issue(WRONG_NAME));
  }

  /**
   * A valid certificate for {@code names} instead of the host's name, e.g. a wildcard {@code
   * "*.example.com"} or a sibling host.
   *
   * @throws IllegalArgumentException if no name is given
   * @throws NullPointerException if a name is null
   */
  public static Cert forNames(String... names) {
    List<String> list = List.of(names);
    if (list.isEmpty()) {
      throw new IllegalArgumentException("no names given");
    }
    String[] copy = list.toArray(new String[0]);
    return new Cert("for " + list, true, (ca, host) -> ca.issue(copy));
  }

  /**
   * A certificate with the host's name only in the subject common name and no subject alternative
   * name extension, which RFC 8461 §4.2 (via RFC 6125) clients must refuse.
   */
  public static Cert withoutSubjectAlternativeNames() {
    return new Cert(
        "without SAN", true, (ca, host) -> ca.leaf(host).withoutSubjectAlternativeNames().build());
  }

  /**
   * A certificate made by {@code factory}, which gets the world's authority and the host name, e.g.
   * {@code Cert.custom("RSA", (ca, host) -> ca.leaf(host).keyType(KeyType.RSA_2048).build())}.
   *
   * @param description shown in {@link #toString()} and error messages
   * @param factory called once when the world starts, and must not return null
   * @throws NullPointerException if an argument is null
   */
  public static Cert custom(
      String description, BiFunction<TestCertificateAuthority, String, IssuedCertificate> factory) {
    return new Cert(
        Objects.requireNonNull(description, "description"),
        false,
        Objects.requireNonNull(factory, "factory"));
  }

  /**
   * Makes the certificate for {@code host} with {@code authority}.
   *
   * @throws NullPointerException if an argument is null or a custom factory returned null
   */
  public IssuedCertificate issue(TestCertificateAuthority authority, String host) {
    Objects.requireNonNull(authority, "authority");
    Objects.requireNonNull(host, "host");
    return Objects.requireNonNull(
        factory.apply(authority, host), () -> "certificate recipe " + this + " returned null");
  }

  /** Whether this is a built-in recipe, equal to every other instance of itself. */
  boolean isBuiltIn() {
    return builtIn;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof Cert other
        && builtIn
        && other.builtIn
        && description.equals(other.description);
  }

  @Override
  public int hashCode() {
    return builtIn ? description.hashCode() : System.identityHashCode(this);
  }

  /** The recipe's description, e.g. {@code "expired"}. */
  @Override
  public String toString() {
    return description;
  }
}
