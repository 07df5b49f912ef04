package org.mtasts.testkit.dns;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.mtasts.testkit.dns.TestDnsServer.Transport;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/** Counts and remembers the questions received. Safe for concurrent use. */
final class QueryLog {
  /** Bounds memory in long demo runs; counters are never dropped. */
  static final int MAX_RECORDED = 10_000;

  private record Key(Name name, int type, Transport transport) {}

  private final Map<Key, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final Deque<RecordedQuery> recent = new ArrayDeque<>();

  void record(Name name, int type, Transport transport) {
    Name canonical = name.canonicalize();
    counts
        .computeIfAbsent(new Key(canonical, type, transport), k -> new AtomicInteger())
        .incrementAndGet();
    RecordedQuery query = new RecordedQuery(canonical.toString(), Type.string(type), transport);
    synchronized (recent) {
      if (recent.size() == MAX_RECORDED) {
        recent.removeFirst();
      }
      recent.addLast(query);
    }
  }

  int count(Name name, int type, Transport transport) {
    AtomicInteger n = counts.get(new Key(name.canonicalize(), type, transport));
    return n == null ? 0 : n.get();
  }

  List<RecordedQuery> recent() {
    synchronized (recent) {
      return List.copyOf(recent);
    }
  }

  void clear() {
    counts.clear();
    synchronized (recent) {
      recent.clear();
    }
  }
}
