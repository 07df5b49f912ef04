package org.mtasts.testkit.https;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What a {@link PolicyServer} saw: every connection and every request, numbered in order, and
 * waits for counts of them. Connection threads record; test threads read and wait. Thread-safe:
 * one lock guards the lists, and each record wakes the waiters.
 */
final class Recordings {
  private final Clock clock;
  private final Object lock = new Object();
  private final List<RecordedConnection> connections = new ArrayList<>(); // guarded by lock
  private final List<RecordedRequest> requests = new ArrayList<>(); // guarded by lock
  private long connectionSequence; // guarded by lock
  private long requestSequence; // guarded by lock

  Recordings(Clock clock) {
    this.clock = clock;
  }

  /** Records a connection; returns its number. */
  long connection(String sni, boolean plaintext, String tlsProtocol, String failure) {
    synchronized (lock) {
      long sequence = ++connectionSequence;
      connections.add(
          new RecordedConnection(
              sequence,
              clock.instant(),
              Optional.ofNullable(sni),
              plaintext,
              Optional.ofNullable(tlsProtocol),
              Optional.ofNullable(failure)));
      lock.notifyAll();
      return sequence;
    }
  }

  /** Records a request on connection number {@code connection}. */
  RecordedRequest request(
      long connection,
      String host,
      String sni,
      String tlsProtocol,
      String method,
      String target,
      String version,
      List<HttpHeader> headers) {
    synchronized (lock) {
      RecordedRequest request =
          new RecordedRequest(
              ++requestSequence,
              clock.instant(),
              connection,
              host,
              Optional.ofNullable(sni),
              tlsProtocol,
              method,
              target,
              version,
              headers);
      requests.add(request);
      lock.notifyAll();
      return request;
    }
  }

  List<RecordedRequest> requests() {
    synchronized (lock) {
      return List.copyOf(requests);
    }
  }

  int requestCount() {
    synchronized (lock) {
      return requests.size();
    }
  }

  List<RecordedConnection> connections() {
    synchronized (lock) {
      return List.copyOf(connections);
    }
  }

  /** Waits until at least {@code count} requests went to (normalised) {@code host}. */
  boolean awaitRequests(String host, int count, Duration timeout) throws InterruptedException {
    return await(
        () -> requests.stream().filter(r -> r.host().equals(host)).count() >= count, timeout);
  }

  /** Waits until at least {@code count} connections named (normalised) {@code host}. */
  boolean awaitConnections(String host, int count, Duration timeout)
      throws InterruptedException {
    Optional<String> name = Optional.of(host);
    return await(
        () -> connections.stream().filter(c -> c.sni().equals(name)).count() >= count, timeout);
  }

  /** Forgets every connection and request; the numbering goes on. */
  void reset() {
    synchronized (lock) {
      connections.clear();
      requests.clear();
    }
  }

  private boolean await(BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }
}
