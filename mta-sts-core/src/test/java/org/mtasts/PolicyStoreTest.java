package org.mtasts;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mtasts.policy.InvalidDomainException;
import org.mtasts.policy.Policy;

/** The public store API: {@link StoredPolicy} validation and the two built-in stores. */
class PolicyStoreTest {

  static final String TEXT =
      "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n";
  static final Instant FETCHED = Instant.parse("2026-11-28T15:02:07Z");

  @Test
  void storedPolicyNormalisesTheDomain() {
    assertEquals("example.com", new StoredPolicy("Example.COM.", "1", TEXT, FETCHED).domain());
    assertEquals("xn--bcher-kva.example",
        new StoredPolicy("b\u00fccher.example", "1", TEXT, FETCHED).domain());
  }

  @ParameterizedTest(name = "domain {0} is refused")
  @ValueSource(strings = {"", "../etc", "a/b", "a\\b", ".hidden", "a..b", "exa mple.com",
      "127.0.0.1", "[::1]", "example.com:443", "fa\u00df.de"})
  void storedPolicyRefusesBadDomains(String domain) {
    assertThrows(InvalidDomainException.class,
        () -> new StoredPolicy(domain, "1", TEXT, FETCHED));
  }

  @ParameterizedTest(name = "record id ''{0}'' is refused")
  @ValueSource(strings = {"", "abc-def", "id with space", "123456789012345678901234567890123",
      "caf\u00e9", "1;"})
  void storedPolicyRefusesBadRecordIds(String id) {
    assertThrows(IllegalArgumentException.class,
        () -> new StoredPolicy("example.com", id, TEXT, FETCHED));
  }

  @Test
  void storedPolicyAcceptsRecordIdsOf1To32Alphanumerics() {
    assertDoesNotThrow(() -> new StoredPolicy("example.com", "Z", TEXT, FETCHED));
    assertDoesNotThrow(() -> new StoredPolicy("example.com",
        "20160831085700Zabcdefghijklmnopq", TEXT, FETCHED));
  }

  @Test
  void storedPolicyRefusesNulls() {
    assertThrows(NullPointerException.class, () -> new StoredPolicy(null, "1", TEXT, FETCHED));
    assertThrows(NullPointerException.class,
        () -> new StoredPolicy("example.com", null, TEXT, FETCHED));
    assertThrows(NullPointerException.class,
        () -> new StoredPolicy("example.com", "1", null, FETCHED));
    assertThrows(NullPointerException.class,
        () -> new StoredPolicy("example.com", "1", TEXT, null));
  }

  @Test
  void storedPolicyBoundsTheTextAt64KiBOfUtf8() {
    int max = StoredPolicy.MAX_POLICY_TEXT_BYTES;
    assertEquals(65_536, max);
    assertDoesNotThrow(() -> new StoredPolicy("example.com", "1", "a".repeat(max), FETCHED));
    assertThrows(IllegalArgumentException.class,
        () -> new StoredPolicy("example.com", "1", "a".repeat(max + 1), FETCHED));
    // Counted in UTF-8 bytes, not chars: 2, 3 and 4 bytes per character.
    assertDoesNotThrow(() -> new StoredPolicy("example.com", "1", "\u00e9".repeat(max / 2),
        FETCHED));
    assertThrows(IllegalArgumentException.class,
        () -> new StoredPolicy("example.com", "1", "\u00e9".repeat(max / 2) + "a", FETCHED));
    assertThrows(IllegalArgumentException.class,
        () -> new StoredPolicy("example.com", "1", "\u2713".repeat(max / 3 + 1), FETCHED));
    assertDoesNotThrow(() -> new StoredPolicy("example.com", "1",
        "\uD83D\uDCEC".repeat(max / 4), FETCHED));
    assertThrows(IllegalArgumentException.class, () -> new StoredPolicy("example.com", "1",
        "\uD83D\uDCEC".repeat(max / 4) + "a", FETCHED));
  }

  @Test
  void storedPolicyRefusesTextThatIsNotUtf8Encodable() {
    assertThrows(IllegalArgumentException.class,
        () -> new StoredPolicy("example.com", "1", "mode: enforce\uD83D\n", FETCHED));
    assertThrows(IllegalArgumentException.class,
        () -> new StoredPolicy("example.com", "1", "\uDCEC", FETCHED));
  }

  @Test
  void sec24_storedPolicyKeepsAFutureFetchTimeForTheFacadeToClamp() {
    // SEC-24: the store is faithful; the facade clamps a fetchedAt in the future.
    Instant future = Instant.parse("2999-01-01T00:00:00Z");
    assertEquals(future, new StoredPolicy("example.com", "1", TEXT, future).fetchedAt());
  }

  @Test
  void storedPolicyToStringLeavesOutTheText() {
    String s = new StoredPolicy("example.com", "abc", TEXT, FETCHED).toString();
    assertTrue(s.contains("example.com") && s.contains("abc"), s);
    assertFalse(s.contains("mail.example.com"), s);
  }

  @Test
  void noneKeepsNothing() throws IOException {
    PolicyStore none = PolicyStore.none();
    assertSame(none, PolicyStore.none());
    none.save(new StoredPolicy("example.com", "1", TEXT, FETCHED));
    assertEquals(List.of(), none.loadAll());
    none.delete("example.com");
    none.deleteAll();
    assertThrows(NullPointerException.class, () -> none.save(null));
    assertThrows(NullPointerException.class, () -> none.delete(null));
    assertThrows(IllegalArgumentException.class, () -> none.delete("../etc"));
    assertEquals(java.util.Optional.empty(), none.load("example.com"));
    assertFalse(none.remove(new StoredPolicy("example.com", "1", TEXT, FETCHED)));
    none.forEach(e -> {
      throw new AssertionError("visits nothing");
    });
    assertThrows(NullPointerException.class, () -> none.load(null));
    assertThrows(NullPointerException.class, () -> none.forEach(null));
    assertThrows(NullPointerException.class, () -> none.remove(null));
    assertThrows(IllegalArgumentException.class, () -> none.load("../etc"));
  }

  @Test
  void directoryRefusesNull() {
    assertThrows(NullPointerException.class, () -> PolicyStore.directory(null));
  }

  @Test
  void stsCache12_sec25_directoryStoreReturnsTextThatParsesToTheSamePolicy(@TempDir Path dir)
      throws Exception {
    Path storeDir = dir.resolve("mta-sts");
    PolicyStore.directory(storeDir).save(new StoredPolicy("example.com", "1", TEXT, FETCHED));
    assertTrue(Files.isDirectory(storeDir));

    List<StoredPolicy> loaded = PolicyStore.directory(storeDir).loadAll();
    assertEquals(1, loaded.size());
    StoredPolicy back = loaded.get(0);
    assertEquals(TEXT, back.policyText());
    assertEquals(Policy.parse(TEXT), Policy.parse(back.policyText()));
    assertEquals(Policy.parseDetailed(TEXT).lines(),
        Policy.parseDetailed(back.policyText()).lines());
  }
}
