package org.mtasts.javamail;

import java.security.Permission;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Collectors;

/**
 * Records the host names the JVM's own resolver ({@code InetAddress}) is asked for while it is
 * open, and refuses the watched ones, so no query for them leaves the machine.
 *
 * <p>On JDK 17 the only hook on every {@code InetAddress} name lookup, cached or not, is the
 * security manager: {@code InetAddress.getAllByName} calls {@code checkConnect(name, -1)} before
 * it looks a name up (address literals are parsed, never checked). The resolver SPI
 * ({@code InetAddressResolverProvider}) needs JDK 18. The same check guards reading a socket's
 * local address, so literals show up among the names too. This manager permits everything else.
 * {@link #open} returns null where the JDK no longer lets a security manager be installed (JDK 18+
 * without {@code -Djava.security.manager=allow}, JDK 24+).
 */
@SuppressWarnings("removal")
final class RecordingNameLookups extends SecurityManager implements AutoCloseable {
  private final Set<String> refused;
  private final List<String> lookups = new CopyOnWriteArrayList<>();

  private RecordingNameLookups(Set<String> refused) {
    this.refused = refused.stream().map(h -> h.toLowerCase(Locale.ROOT))
        .collect(Collectors.toUnmodifiableSet());
  }

  /** Installs a recorder refusing {@code refused}; null if no security manager can be set. */
  static RecordingNameLookups open(Set<String> refused) {
    if (System.getSecurityManager() != null) {
      return null;
    }
    // The common pool picks "innocuous" worker threads for good if it is first used while a
    // security manager is installed; make sure it exists before.
    ForkJoinPool.commonPool();
    RecordingNameLookups recorder = new RecordingNameLookups(refused);
    try {
      System.setSecurityManager(recorder);
    } catch (UnsupportedOperationException e) {
      return null;
    }
    return recorder;
  }

  /** The names checked so far, in order, lower case. */
  List<String> lookups() {
    return List.copyOf(lookups);
  }

  @Override
  public void checkConnect(String host, int port) {
    if (port == -1) {
      String name = host.toLowerCase(Locale.ROOT);
      lookups.add(name);
      if (refused.contains(name)) {
        throw new SecurityException("test: the system resolver was asked for " + host);
      }
    }
  }

  @Override
  public void checkConnect(String host, int port, Object context) {
    checkConnect(host, port);
  }

  @Override
  public void checkPermission(Permission perm) {
    // everything else is allowed
  }

  @Override
  public void checkPermission(Permission perm, Object context) {
    // everything else is allowed
  }

  @Override
  public void close() {
    System.setSecurityManager(null);
  }
}
