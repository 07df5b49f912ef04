package org.mtasts.internal.dns;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * A bounded, least-recently-used cache of whole responses, keyed by question and kept for their TTL
 * as read from the injected clock. Thread-safe.
 *
 * <p>Why not dnsjava's {@code Cache}: in dnsjava 3.6.3 a {@code LookupSession} with a cache loses
 * what this library needs on the way out of it. Cached answers lose the DNSSEC status (the AD
 * flag), cached NODATA comes back as an exception without the SOA TTL, TTLs are not counted down,
 * and expiry reads the system clock, so it cannot be tested without sleeping. Caching the validated
 * response message keeps all of that, and answers exactly the question that was asked, so data from
 * one response never answers another question.
 */
final class ResponseCache {

  /** Longest time any response is kept, whatever its TTL. */
  static final long MAX_POSITIVE_SECONDS = 86_400;

  /** Longest time a negative response is kept (RFC 2308 §5 suggests one to three hours). */
  static final long MAX_NEGATIVE_SECONDS = 3 * 3_600;

  private record Key(Name name, int type, int dclass) {}

  private record Entry(Message message, Instant expires) {}

  /** A cached response for one question and the seconds it has left. */
  record Hit(Message message, long remainingSeconds) {}

  private final Clock clock;
  private final Map<Key, Entry> entries;

  ResponseCache(int maxEntries, Clock clock) {
    this.clock = clock;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
            return size() > maxEntries;
          }
        };
  }

  /** Returns a copy of the cached response to {@code query}, with its ID, or null. */
  synchronized Hit get(Message query) {
    Key key = keyOf(query.getQuestion());
    Entry entry = entries.get(key);
    if (entry == null) {
      return null;
    }
    long remainingMillis = entry.expires.toEpochMilli() - clock.millis();
    if (remainingMillis < 1_000) {
      entries.remove(key);
      return null;
    }
    Message copy = entry.message.clone();
    copy.getHeader().setID(query.getHeader().getID());
    return new Hit(copy, remainingMillis / 1_000);
  }

  /** Keeps {@code response} for its lifetime, capped; responses with a zero TTL are not kept. */
  synchronized void put(Message response, Ttls.Lifetime lifetime) {
    long seconds =
        Math.min(
            lifetime.seconds(), lifetime.negative() ? MAX_NEGATIVE_SECONDS : MAX_POSITIVE_SECONDS);
    if (seconds <= 0) {
      return;
    }
    entries.put(
        keyOf(response.getQuestion()),
        new Entry(response.clone(), clock.instant().plusSeconds(seconds)));
  }

  synchronized int size() {
    return entries.size();
  }

  private static Key keyOf(Record question) {
    return new Key(question.getName(), question.getType(), question.getDClass());
  }
}
