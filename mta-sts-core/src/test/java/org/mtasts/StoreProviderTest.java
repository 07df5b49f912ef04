package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: stores named by text ({@code mail.mtasts.store}, the CLI's {@code --store}) — a
 * directory path opens the file stores; a scheme needs an installed provider, and the error names
 * the module to add.
 */
class StoreProviderTest {
  @TempDir Path dir;

  @Test
  void aPathOpensTheFileStoresOnThatDirectory() throws Exception {
    Path d = dir.resolve("state");
    try (StoreProvider.Stores s = StoreProvider.open(d.toString())) {
      s.policyStore().save(new StoredPolicy("example.com", "1",
          "version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 86400\n", Instant.now()));
      assertEquals(1, PolicyStore.directory(d).loadAll().size());
      assertTrue(s.reportStore().days().isEmpty());
    }
    assertTrue(Files.isDirectory(d));
  }

  @Test
  void aSchemeWithoutProvider_isRefused_namingTheModule() {
    IllegalArgumentException redis = assertThrows(IllegalArgumentException.class,
        () -> StoreProvider.check("redis://localhost:6379/0"));
    assertTrue(redis.getMessage().contains("org.mtasts:mta-sts-redis"), redis.getMessage());
    IllegalArgumentException jdbc = assertThrows(IllegalArgumentException.class,
        () -> StoreProvider.open("jdbc:postgresql://db/mail"));
    assertTrue(jdbc.getMessage().contains("org.mtasts:mta-sts-jdbc"), jdbc.getMessage());
    IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
        () -> StoreProvider.check("memcached://x"));
    assertTrue(other.getMessage().contains("memcached"), other.getMessage());
  }

  @Test
  void pathsThatLookLikeSchemes_areStillPaths() {
    StoreProvider.check("relative/dir");
    StoreProvider.check("C:\\mta-sts"); // a drive letter, not a scheme
    assertThrows(NullPointerException.class, () -> StoreProvider.check(null));
  }
}
