package org.mtasts.javamail;

import jakarta.mail.Session;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;

/**
 * Idle delegate sessions per application session, reused across MX attempts: {@code
 * Session.getInstance} loads every mail provider (a {@code ServiceLoader} pass and class-path
 * resources) and was the largest cost the adapter added per message (issue 8, item 6). A
 * borrowed session belongs to one attempt until it is released; {@link Courier} rewrites all its
 * properties for each attempt, so nothing of one attempt reaches the next. Thread-safe; an
 * application session that is no longer used is forgotten with its idle sessions.
 */
final class DelegateSessions {
  /** Idle sessions kept per application session; more concurrent attempts make new ones. */
  static final int MAX_IDLE = 8;

  private static final Map<Session, ArrayDeque<Session>> IDLE =
      Collections.synchronizedMap(new WeakHashMap<>());

  private DelegateSessions() {}

  /** A delegate session for one attempt for {@code owner}: an idle one, or a new one. */
  static Session borrow(Session owner) {
    ArrayDeque<Session> idle = IDLE.computeIfAbsent(owner, o -> new ArrayDeque<>());
    synchronized (idle) {
      Session s = idle.pollFirst();
      if (s != null) {
        return s;
      }
    }
    return Session.getInstance(new Properties());
  }

  /** How many idle delegate sessions {@code owner} has (for tests). */
  static int idle(Session owner) {
    ArrayDeque<Session> idle = IDLE.get(owner);
    if (idle == null) {
      return 0;
    }
    synchronized (idle) {
      return idle.size();
    }
  }

  /** How many properties the idle delegate sessions of {@code owner} hold in all (for tests). */
  static int idleProperties(Session owner) {
    ArrayDeque<Session> idle = IDLE.get(owner);
    if (idle == null) {
      return 0;
    }
    synchronized (idle) {
      return idle.stream().mapToInt(s -> s.getProperties().size()).sum();
    }
  }

  /** Gives {@code delegate} back after its transport was closed. */
  static void release(Session owner, Session delegate) {
    // An idle session holds nothing of its last attempt: not its socket factories and recorder,
    // and no copy of the owner's properties, some of which may refer back to the owner and would
    // keep it from ever leaving the weak map.
    delegate.getProperties().clear();
    ArrayDeque<Session> idle = IDLE.computeIfAbsent(owner, o -> new ArrayDeque<>());
    synchronized (idle) {
      if (idle.size() < MAX_IDLE) {
        idle.addFirst(delegate);
      }
    }
  }
}
