package org.mtasts.testkit;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.mtasts.testkit.dns.TestDnsServer;
import org.mtasts.testkit.https.PolicyServer;
import org.mtasts.testkit.smtp.ReceivedMessage;
import org.mtasts.testkit.smtp.SmtpReceiver;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/**
 * A JUnit 5 extension that runs a {@link TestWorld} around tests, registered with
 * {@code @RegisterExtension}:
 *
 * <pre>{@code
 * @RegisterExtension static final TestWorldExtension world = TestWorldExtension.create(w -> w
 *     .domain("example.com", d -> d
 *         .policy("enforce", "mx1.example.com", "mx2.example.com")
 *         .mx(10, "mx1.example.com", Mx.goodTls())
 *         .mx(20, "mx2.example.com", Mx.noStartTls())));
 * }</pre>
 *
 * <p><b>Lifecycle.</b> In a {@code static} field the world starts before all tests of the class
 * (and its {@code @Nested} classes) and closes after them, shared by all; call {@link
 * #resetBeforeEach()} to {@linkplain TestWorld#reset() reset} it before each test. In an instance
 * field it starts before each test and closes after it, unless the class uses {@code
 * TestInstance(PER_CLASS)}: then one test instance serves all tests, and so does one world. The
 * extension's accessors (the same as {@link TestWorld}'s) and {@link #world()} work while the world
 * runs; a test or lifecycle method may also declare a {@link TestWorld} parameter (which is
 * ambiguous, and refused by JUnit, when more than one {@code TestWorldExtension} is registered: use
 * the fields then).
 *
 * <p><b>Thread safety.</b> The lifecycle callbacks are serialised; the accessors may be called from
 * any thread while the world runs. With parallel test execution, tests sharing a static world share
 * its state, and {@link #resetBeforeEach()} would reset it under other running tests: use instance
 * fields (one world per test) there.
 */
public final class TestWorldExtension
    implements BeforeAllCallback,
        AfterAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        ParameterResolver {
  private final Consumer<TestWorld.Builder> spec;
  private volatile boolean resetBeforeEach;
  private volatile TestWorld world;
  private String ownerId; // unique id of the context whose end closes the world; guarded by this
  private boolean shared; // started in beforeAll; guarded by this

  private TestWorldExtension(Consumer<TestWorld.Builder> spec) {
    this.spec = spec;
  }

  /**
   * An extension that starts the world {@code spec} describes, see {@link TestWorld#start}.
   *
   * @throws NullPointerException if {@code spec} is null
   */
  public static TestWorldExtension create(Consumer<TestWorld.Builder> spec) {
    return new TestWorldExtension(Objects.requireNonNull(spec, "spec"));
  }

  /**
   * Makes a shared (static) world {@linkplain TestWorld#reset() go back to its start state} before
   * each test, so tests that change it do not affect each other. No effect on a world per test,
   * which is new for each test anyway.
   *
   * @return this extension
   */
  public TestWorldExtension resetBeforeEach() {
    this.resetBeforeEach = true;
    return this;
  }

  /**
   * The running world.
   *
   * @throws IllegalStateException if it is not running: before the first callback or after the last
   */
  public TestWorld world() {
    TestWorld w = world;
    if (w == null) {
      throw new IllegalStateException(
          "the test world is not running: it starts before all tests (static field) or before"
              + " each test (instance field) and closes after them");
    }
    return w;
  }

  // =================================================================== JUnit callbacks

  /** Starts the shared world (static registration); nested classes reuse it. */
  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    if (world == null) {
      world = TestWorld.start(spec);
      ownerId = context.getUniqueId();
      shared = true;
    }
  }

  /** Closes the shared world after the class that started it. */
  @Override
  public synchronized void afterAll(ExtensionContext context) {
    closeIfOwner(context);
  }

  /**
   * Starts a world for this test (instance registration), or resets the shared world if asked to.
   */
  @Override
  public synchronized void beforeEach(ExtensionContext context) {
    if (world == null) {
      world = TestWorld.start(spec);
      ownerId = context.getUniqueId();
      shared = false;
    } else if (shared && resetBeforeEach) {
      world.reset();
    }
  }

  /** Closes the world of this test (instance registration). */
  @Override
  public synchronized void afterEach(ExtensionContext context) {
    closeIfOwner(context);
  }

  /** Resolves parameters of type {@link TestWorld}. */
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestWorld.class;
  }

  /** The running world. */
  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return world();
  }

  private void closeIfOwner(ExtensionContext context) {
    if (world != null && context.getUniqueId().equals(ownerId)) {
      try {
        world.close();
      } finally {
        world = null;
        ownerId = null;
      }
    }
  }

  // =================================================================== delegates

  /** See {@link TestWorld#dnsAddress()}. */
  public InetSocketAddress dnsAddress() {
    return world().dnsAddress();
  }

  /** See {@link TestWorld#dnssecTrustAnchor()}. */
  public String dnssecTrustAnchor() {
    return world().dnssecTrustAnchor();
  }

  /** See {@link TestWorld#hostMap()}. */
  public Map<String, InetSocketAddress> hostMap() {
    return world().hostMap();
  }

  /** See {@link TestWorld#address(String)}. */
  public InetSocketAddress address(String host) {
    return world().address(host);
  }

  /** See {@link TestWorld#ca()}. */
  public TestCertificateAuthority ca() {
    return world().ca();
  }

  /** See {@link TestWorld#trustManager()}. */
  public X509TrustManager trustManager() {
    return world().trustManager();
  }

  /** See {@link TestWorld#trustStore()}. */
  public KeyStore trustStore() {
    return world().trustStore();
  }

  /** See {@link TestWorld#clientContext()}. */
  public SSLContext clientContext() {
    return world().clientContext();
  }

  /** See {@link TestWorld#writeTrustPem(Path)}. */
  public Path writeTrustPem(Path file) {
    return world().writeTrustPem(file);
  }

  /** See {@link TestWorld#dns()}. */
  public TestDnsServer dns() {
    return world().dns();
  }

  /** See {@link TestWorld#policyServer()}. */
  public PolicyServer policyServer() {
    return world().policyServer();
  }

  /** See {@link TestWorld#policyRequests(String)}. */
  public int policyRequests(String domain) {
    return world().policyRequests(domain);
  }

  /** See {@link TestWorld#smtp(String)}. */
  public SmtpReceiver smtp(String host) {
    return world().smtp(host);
  }

  /** See {@link TestWorld#mxHosts()}. */
  public Set<String> mxHosts() {
    return world().mxHosts();
  }

  /** See {@link TestWorld#domain(String)}. */
  public WorldDomain domain(String name) {
    return world().domain(name);
  }

  /** See {@link TestWorld#domains()}. */
  public List<WorldDomain> domains() {
    return world().domains();
  }

  /** See {@link TestWorld#messages()}. */
  public List<ReceivedMessage> messages() {
    return world().messages();
  }

  /** See {@link TestWorld#messagesFor(String)}. */
  public List<ReceivedMessage> messagesFor(String host) {
    return world().messagesFor(host);
  }

  /** See {@link TestWorld#txtQueries(String)}. */
  public int txtQueries(String domain) {
    return world().txtQueries(domain);
  }

  /** See {@link TestWorld#setMx(String, Mx)}. */
  public TestWorld setMx(String host, Mx mx) {
    return world().setMx(host, mx);
  }

  /** See {@link TestWorld#mx(String)}. */
  public Mx mx(String host) {
    return world().mx(host);
  }

  /** See {@link TestWorld#resetRecordings()}. */
  public void resetRecordings() {
    world().resetRecordings();
  }

  /** See {@link TestWorld#reset()}. */
  public void reset() {
    world().reset();
  }

  @Override
  public String toString() {
    TestWorld w = world;
    return "TestWorldExtension{" + (w == null ? "not running" : w) + "}";
  }
}
