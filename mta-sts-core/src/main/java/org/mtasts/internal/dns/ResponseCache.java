package org.mtasts.internal.dns;

import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * A bounded, least-recently-used cache of whole responses, keyed by question and kept for their TTL
 * as read from the injected clock. Bounded both in responses and in bytes ({@link #MAX_BYTES}).
 * Thread-safe.
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

  /**
   * Most bytes (in wire form) kept over all responses. A response can be 64 KiB over TCP, so the
   * count of responses alone would let names that strangers choose (recipient domains) fill the
   * heap with hundreds of megabytes; typical responses are a few hundred bytes.
   */
  static final long MAX_BYTES = 16L * 1024 * 1024;

  private record Entry(Message message, Instant expires, int bytes) {}

  /** A cached response for one question and the seconds it has left. */
  record Hit(Message message, long remainingSeconds) {}

  private final Clock clock;
  private final int maxEntries;
  private final long maxBytes;
  private final Map<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;

  ResponseCache(int maxEntries, Clock clock) {
    this(maxEntries, MAX_BYTES, clock);
  }

  ResponseCache(int maxEntries, long maxBytes, Clock clock) {
    this.clock = clock;
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
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
      remove(key);
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
    int size = response.numBytes() > 0 ? response.numBytes() : response.toWire().length;
    if (size > maxBytes) {
      return;
    }
    Key key = keyOf(response.getQuestion());
    remove(key);
    entries.put(key, new Entry(response.clone(), clock.instant().plusSeconds(seconds), size));
    bytes += size;
    // Least recently used first.
    Iterator<Map.Entry<Key, Entry>> eldest = entries.entrySet().iterator();
    while ((entries.size() > maxEntries || bytes > maxBytes) && eldest.hasNext()) {
      bytes -= eldest.next().getValue().bytes;
      eldest.remove();
    }
  }

  private void remove(Key key) {
    Entry old = entries.remove(key);
    if (old != null) {
      bytes -= old.bytes;
    }
  }

  synchronized int size() {
    return entries.size();
  }

  /** Bytes of the kept responses, in wire form. */
  synchronized long bytes() {
    return bytes;
  }

  private static Key keyOf(Record question) {
    return new Key(question.getName(), question.getType(), question.getDClass());
  }
}
