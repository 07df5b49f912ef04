package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The published module exports its API packages and nothing of its implementation. */
class ModuleDescriptorTest {
  @Test
  void exportsOnlyApiPackages() throws Exception {
    Path descriptor = Path.of("target/classes/module-info.class");
    ModuleDescriptor module;
    try (InputStream in = Files.newInputStream(descriptor)) {
      module = ModuleDescriptor.read(in);
    }
    assertEquals("org.mtasts.core", module.name());
    Set<String> exported = new TreeSet<>();
    for (ModuleDescriptor.Exports export : module.exports()) {
      assertTrue(export.targets().isEmpty(), "no qualified exports: " + export);
      exported.add(export.source());
    }
    assertEquals(
        Set.of("org.mtasts", "org.mtasts.dns", "org.mtasts.policy", "org.mtasts.report",
            "org.mtasts.tls"),
        exported);
    for (String pkg : module.packages()) {
      assertTrue(
          exported.contains(pkg) || pkg.startsWith("org.mtasts.internal."),
          "package " + pkg + " is neither exported API nor internal");
    }
  }
}
