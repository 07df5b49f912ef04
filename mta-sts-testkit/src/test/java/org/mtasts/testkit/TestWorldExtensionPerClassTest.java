package org.mtasts.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With one test instance per class, an instance field's world is shared like a static one. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestWorldExtensionPerClassTest {
  private final Set<TestWorld> seen = Collections.newSetFromMap(new IdentityHashMap<>());

  @RegisterExtension
  final TestWorldExtension world =
      TestWorldExtension.create(w -> w.domain("example.com", d -> d.mx(10, "mx.example.com")));

  @Test
  void a(TestWorld injected) {
    seen.add(injected);
  }

  @Test
  void b(TestWorld injected) {
    seen.add(injected);
  }

  @AfterAll
  void oneWorldForBothTests() {
    assertEquals(1, seen.size());
    world.world(); // still running until the extension's afterAll
  }
}
