package org.mtasts.javamail;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The objects the transport builds from {@code mail.mtasts.*} properties when no {@code
 * mail.mtasts.instance} is given: default {@code MtaSts} clients, DNS clients and trust anchors,
 * one per distinct configuration, shared by every session with that configuration (a policy cache
 * per session would fetch every policy again).
 *
 * <p>Bounded: at most {@value #MAX_ENTRIES} entries; the least recently used is dropped first and
 * closed if it is {@link AutoCloseable} (an {@code MtaSts} stops its refresh task; a delivery
 * still using it finishes, as lookups work on a closed client). {@link MtaStsMail#closeDefaultClients()}
 * closes and drops them all, e.g. when an application or a web application's class loader stops;
 * the next delivery builds what it needs again. Thread-safe.
 */
final class DefaultClients {
  private static final Logger log = LoggerFactory.getLogger(DefaultClients.class);

  /** Distinct configurations kept; an application has one or a few. */
  static final int MAX_ENTRIES = 32;

  /** How one entry is built; may read a file. */
  interface Loader<T> {
    T load() throws IOException;
  }

  private static final Map<List<Object>, Object> ENTRIES =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<List<Object>, Object> eldest) {
          if (size() <= MAX_ENTRIES) {
            return false;
          }
          log.info("more than {} distinct mail.mtasts.* configurations: dropping the least"
              + " recently used default client ({})", MAX_ENTRIES, eldest.getKey().get(0));
          close(eldest.getValue());
          return true;
        }
      };

  private DefaultClients() {}

  /**
   * The entry for {@code key}, built by {@code loader} if there is none. {@code key} must not
   * hold secrets (it lives as long as the entry).
   */
  static <T> T get(List<Object> key, Class<T> type, Loader<? extends T> loader)
      throws IOException {
    synchronized (ENTRIES) {
      Object cached = ENTRIES.get(key);
      if (cached != null) {
        return type.cast(cached);
      }
      T made = loader.load();
      ENTRIES.put(List.copyOf(key), made);
      return made;
    }
  }

  /** Closes every entry that can be closed and drops them all. */
  static void closeAll() {
    List<Object> dropped;
    synchronized (ENTRIES) {
      dropped = new ArrayList<>(ENTRIES.values());
      ENTRIES.clear();
    }
    dropped.forEach(DefaultClients::close);
  }

  /** How many entries are kept (tests). */
  static int size() {
    synchronized (ENTRIES) {
      return ENTRIES.size();
    }
  }

  private static void close(Object entry) {
    if (entry instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("closing a default client failed: {}", e.toString());
      }
    }
  }
}
