package org.mtasts.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mtasts.testkit.smtp.ReceivedMessage;
import org.mtasts.testkit.smtp.SmtpBehaviour;
import org.mtasts.testkit.smtp.SmtpReceiver;
import org.mtasts.testkit.tls.IssuedCertificate;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/** An MX host of a {@link TestWorld}: the recipe it started with and what plays it. */
final class MxHost {
  /** What the domains of a world say about one host; {@code dane} is null when none said. */
  record Recipe(Mx mx, Dane dane) {}

  final String name;
  final Mx initialMx;
  final Dane dane; // null: no TLSA records
  final SmtpBehaviour initialBehaviour; // null if unreachable
  final SmtpReceiver receiver; // null if unreachable
  final InetSocketAddress address;
  final Socket reservation; // unreachable hosts only: holds the refusing port
  Mx currentMx; // guarded by the world's lock

  private MxHost(
      String name,
      Recipe recipe,
      SmtpBehaviour behaviour,
      SmtpReceiver receiver,
      InetSocketAddress address,
      Socket reservation) {
    this.name = name;
    this.initialMx = recipe.mx();
    this.currentMx = recipe.mx();
    this.dane = recipe.dane();
    this.initialBehaviour = behaviour;
    this.receiver = receiver;
    this.address = address;
    this.reservation = reservation;
  }

  /** The certificate the host presented at start, or null if it has none. */
  IssuedCertificate initialCertificate() {
    return initialBehaviour == null ? null : initialBehaviour.certificate().orElse(null);
  }

  /**
   * The MX hosts the domains name, each with one recipe, in declaration order.
   *
   * @throws IllegalStateException if two domains give one host different recipes
   */
  static Map<String, Recipe> recipes(List<DomainSpec> specs) {
    Map<String, Recipe> recipes = new LinkedHashMap<>();
    for (DomainSpec spec : specs) {
      for (DomainSpec.MxRecord record : spec.mxRecords) {
        add(recipes, record.host(), new Recipe(record.mx(), record.dane()));
      }
      if (spec.implicitMx != null) {
        add(recipes, spec.name, new Recipe(spec.implicitMx, spec.implicitDane));
      }
    }
    return recipes;
  }

  private static void add(Map<String, Recipe> recipes, String host, Recipe recipe) {
    Recipe earlier = recipes.putIfAbsent(host, recipe);
    if (earlier == null) {
      return;
    }
    if (!earlier.mx().equals(recipe.mx())) {
      throw new IllegalStateException(
          "MX host "
              + host
              + " is declared twice with different behaviours: "
              + earlier.mx()
              + " and "
              + recipe.mx()
              + " (one receiver plays a host; pass the same Mx instance)");
    }
    if (earlier.dane() == null) { // a domain that says nothing about DANE agrees with any
      recipes.put(host, recipe);
    } else if (recipe.dane() != null && !earlier.dane().equals(recipe.dane())) {
      throw new IllegalStateException(
          "MX host " + host + " is declared twice with different DANE records: "
              + earlier.dane() + " and " + recipe.dane());
    }
  }

  /**
   * Starts a receiver (or reserves a refusing port) for every host; each started part is added to
   * {@code started} at once, so the caller can close them if a later one fails.
   */
  static Map<String, MxHost> start(
      Map<String, Recipe> recipes,
      TestCertificateAuthority ca,
      Duration readTimeout,
      List<AutoCloseable> started)
      throws IOException {
    Map<String, MxHost> hosts = new LinkedHashMap<>();
    for (Map.Entry<String, Recipe> entry : recipes.entrySet()) {
      String host = entry.getKey();
      Recipe recipe = entry.getValue();
      MxHost mxHost;
      if (recipe.mx().isUnreachable()) {
        Socket reservation = refusingAddress();
        started.add(reservation);
        InetSocketAddress address = (InetSocketAddress) reservation.getLocalSocketAddress();
        mxHost = new MxHost(host, recipe, null, null, address, reservation);
      } else {
        SmtpBehaviour behaviour = recipe.mx().behaviourFor(ca, host);
        SmtpReceiver receiver =
            SmtpReceiver.builder(host).behaviour(behaviour).readTimeout(readTimeout).build();
        started.add(receiver);
        receiver.start();
        mxHost = new MxHost(host, recipe, behaviour, receiver, receiver.address(), null);
      }
      hosts.put(host, mxHost);
    }
    return Collections.unmodifiableMap(hosts);
  }

  /**
   * A loopback port where nothing listens, held for the world's life: a bound socket that never
   * listens or connects. A connection to it is refused, and no other socket can bind the port
   * meanwhile. (A port that was merely closed again could be handed to another server — of this
   * JVM or of another process — and an "unreachable" MX then answered with someone else's
   * certificate: seen in a full run beside a benchmark.)
   */
  private static Socket refusingAddress() throws IOException {
    Socket socket = new Socket();
    try {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /**
   * The behaviour {@code mx} gives this host, for {@link TestWorld#setMx}.
   *
   * @throws IllegalArgumentException if this host or {@code mx} is unreachable
   */
  SmtpBehaviour behaviourFor(Mx mx, Mx current, TestCertificateAuthority ca) {
    if (receiver == null || mx.isUnreachable()) {
      throw new IllegalArgumentException(
          "cannot change "
              + name
              + " from "
              + current
              + " to "
              + mx
              + ": reachability is fixed when the world starts");
    }
    return mx.behaviourFor(ca, name);
  }

  /** Back to the recipe and behaviour of the start. Caller holds the world's lock. */
  void restore() {
    currentMx = initialMx;
    if (receiver != null) {
      receiver.setBehaviour(initialBehaviour);
    }
  }

  /** Every message the hosts' receivers accepted, grouped by host in the given order. */
  static List<ReceivedMessage> messages(Collection<MxHost> hosts) {
    List<ReceivedMessage> all = new ArrayList<>();
    for (MxHost host : hosts) {
      if (host.receiver != null) {
        all.addAll(host.receiver.messages());
      }
    }
    return List.copyOf(all);
  }

  /** Forgets the messages and sessions the hosts' receivers recorded. */
  static void clearRecordings(Collection<MxHost> hosts) {
    for (MxHost host : hosts) {
      if (host.receiver != null) {
        host.receiver.clear();
      }
    }
  }

  /** The receivers and reserved ports of the hosts, to close. */
  static List<AutoCloseable> closeables(Collection<MxHost> hosts) {
    List<AutoCloseable> parts = new ArrayList<>();
    for (MxHost host : hosts) {
      if (host.receiver != null) {
        parts.add(host.receiver);
      }
      if (host.reservation != null) {
        parts.add(host.reservation);
      }
    }
    return parts;
  }
}
