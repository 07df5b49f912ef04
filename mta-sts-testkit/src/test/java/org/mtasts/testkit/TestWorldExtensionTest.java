package org.mtasts.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The extension in an instance field gives each test its own world; its callbacks, driven by hand,
 * start and close the world exactly once per owner context.
 */
class TestWorldExtensionTest {
  private static final Set<TestWorld> SEEN = Collections.newSetFromMap(new IdentityHashMap<>());

  @RegisterExtension
  final TestWorldExtension world =
      TestWorldExtension.create(w -> w.domain("example.com", d -> d.id("fixed").mx(10, "mx")));

  @Test
  void instanceField_givesThisTestAFreshWorld_a(TestWorld injected) throws Exception {
    freshWorld(injected);
  }

  @Test
  void instanceField_givesThisTestAFreshWorld_b(TestWorld injected) throws Exception {
    freshWorld(injected);
  }

  private void freshWorld(TestWorld injected) throws Exception {
    assertSame(world.world(), injected);
    synchronized (SEEN) {
      assertTrue(SEEN.add(injected), "a world is never handed to two tests");
    }
    assertEquals(0, world.txtQueries("example.com"), "nothing recorded yet");
    world.domain("example.com").rotateId(); // must not leak into the other test
    assertEquals(1, Clients.txt(world.dnsAddress(), "_mta-sts.example.com").size());
  }

  @Test
  void sharedWorld_startsOnce_survivesNestedClasses_andClosesWithItsOwner() throws Exception {
    TestWorldExtension extension =
        TestWorldExtension.create(w -> w.domain("example.com", d -> d.id("one").mx(10, "mx")));
    assertThrows(IllegalStateException.class, extension::world);

    extension.beforeAll(context("[class:Outer]"));
    TestWorld shared = extension.world();
    extension.beforeAll(context("[class:Outer]/[nested-class:Inner]"));
    assertSame(shared, extension.world());
    extension.beforeEach(context("[class:Outer]/[nested-class:Inner]/[method:m()]"));
    extension.domain("example.com").id("changed");
    extension.afterEach(context("[class:Outer]/[nested-class:Inner]/[method:m()]"));
    extension.afterAll(context("[class:Outer]/[nested-class:Inner]"));
    assertSame(shared, extension.world(), "the nested class does not close the outer world");
    assertEquals("changed", extension.domain("example.com").id(), "no reset unless asked");

    InetSocketAddress mx = extension.address("mx");
    extension.afterAll(context("[class:Outer]"));
    assertThrows(IllegalStateException.class, extension::world);
    assertThrows(ConnectException.class, () -> Clients.connect(mx).close());
  }

  @Test
  void resetBeforeEach_resetsTheSharedWorldBeforeEachTest() throws Exception {
    TestWorldExtension extension =
        TestWorldExtension.create(w -> w.domain("example.com", d -> d.id("one").mx(10, "mx")))
            .resetBeforeEach();
    extension.beforeAll(context("[class:C]"));
    try {
      extension.beforeEach(context("[class:C]/[method:a()]"));
      extension.domain("example.com").id("changed");
      extension.afterEach(context("[class:C]/[method:a()]"));
      extension.beforeEach(context("[class:C]/[method:b()]"));
      assertEquals("one", extension.domain("example.com").id());
      assertEquals(
          List.of("v=STSv1; id=one"), Clients.txt(extension.dnsAddress(), "_mta-sts.example.com"));
      assertEquals(extension.world().dnssecTrustAnchor(), extension.dnssecTrustAnchor());
    } finally {
      extension.afterAll(context("[class:C]"));
    }
  }

  @Test
  void instanceWorld_isNewForEachTest() {
    TestWorldExtension extension =
        TestWorldExtension.create(w -> w.domain("example.com", d -> d.mx(10, "mx")));
    extension.beforeEach(context("[class:C]/[method:a()]"));
    TestWorld first = extension.world();
    extension.afterEach(context("[class:C]/[method:a()]"));
    assertThrows(IllegalStateException.class, extension::world);
    extension.beforeEach(context("[class:C]/[method:b()]"));
    assertNotSame(first, extension.world());
    extension.afterEach(context("[class:C]/[method:b()]"));
  }

  /** A context that only knows its unique id, which is all the extension asks for. */
  private static ExtensionContext context(String uniqueId) {
    return (ExtensionContext)
        Proxy.newProxyInstance(
            ExtensionContext.class.getClassLoader(),
            new Class<?>[] {ExtensionContext.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "getUniqueId":
                  return uniqueId;
                case "toString":
                  return uniqueId;
                default:
                  throw new UnsupportedOperationException(method.getName());
              }
            });
  }
}
