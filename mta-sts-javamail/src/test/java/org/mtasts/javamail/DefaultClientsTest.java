package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The default clients built from {@code mail.mtasts.*} properties are a bounded registry that
 * closes what it drops, and that {@link MtaStsMail#closeDefaultClients()} empties (issue 13 item
 * 4: no JVM-wide map of clients that are never closed).
 */
class DefaultClientsTest {

  /** Stands for a default client: records its close. */
  static final class Closeable implements AutoCloseable {
    boolean closed;

    @Override
    public void close() {
      closed = true;
    }
  }

  @AfterEach
  void empty() {
    MtaStsMail.closeDefaultClients();
  }

  @Test
  void item04_sameConfiguration_sameDefaultClient_untilClosed() throws Exception {
    MtaStsMail.closeDefaultClients();
    Properties p = new Properties();
    p.setProperty(Settings.DNS_SERVERS, "192.0.2.53");
    Gates first = Gates.of(Session.getInstance(p));
    Gates again = Gates.of(Session.getInstance(p));
    assertSame(first.sts(), again.sts(), "one policy cache per configuration");
    assertEquals(3, DefaultClients.size(),
        "the default client, its DNS client and the validating one of DANE's lookups");

    MtaStsMail.closeDefaultClients();
    p.setProperty(Settings.DANE, "false");
    Gates.of(Session.getInstance(p));
    assertEquals(2, DefaultClients.size(), "DANE off: no validating DNS client");

    MtaStsMail.closeDefaultClients();

    assertEquals(0, DefaultClients.size());
    assertNotSame(first.sts(), Gates.of(Session.getInstance(p)).sts(), "built again after closeDefaultClients");
  }

  @Test
  void item04_closeDefaultClients_closesEveryEntry() throws Exception {
    MtaStsMail.closeDefaultClients();
    Closeable a = DefaultClients.get(List.of("test", 1), Closeable.class, Closeable::new);
    Closeable b = DefaultClients.get(List.of("test", 2), Closeable.class, Closeable::new);
    assertSame(a, DefaultClients.get(List.of("test", 1), Closeable.class, Closeable::new));

    MtaStsMail.closeDefaultClients();

    assertTrue(a.closed);
    assertTrue(b.closed);
    assertEquals(0, DefaultClients.size());
  }

  @Test
  void item04_bounded_leastRecentlyUsedClosedOnEviction() throws Exception {
    MtaStsMail.closeDefaultClients();
    List<Closeable> made = new ArrayList<>();
    for (int i = 0; i < DefaultClients.MAX_ENTRIES; i++) {
      made.add(DefaultClients.get(List.of("test", i), Closeable.class, Closeable::new));
    }
    DefaultClients.get(List.of("test", 0), Closeable.class, Closeable::new); // 0 used again

    Closeable extra = DefaultClients.get(List.of("test", "extra"), Closeable.class,
        Closeable::new);

    assertEquals(DefaultClients.MAX_ENTRIES, DefaultClients.size());
    assertFalse(made.get(0).closed, "recently used: kept");
    assertTrue(made.get(1).closed, "least recently used: closed when dropped");
    assertNotSame(made.get(1),
        DefaultClients.get(List.of("test", 1), Closeable.class, Closeable::new));
    assertFalse(extra.closed);
  }
}
