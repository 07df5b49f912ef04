package org.mtasts.testkit.dns;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Where the zone cuts are, for one state of the server's data: which zone answers for a name, which
 * zones are signed, and the NSEC chain of each signed zone.
 *
 * <p>The root is signed. Zones made with {@code signZone} and {@code insecureZone} are cut from the
 * closest enclosing zone. Every other name with records is placed in an insecure zone delegated from
 * the root at its highest ancestor that lies on no path to one of those zones (for {@code
 * mx.example.net} while {@code example.com} is signed: {@code net}), so that a validator proves the
 * DS absent and calls the name insecure. A name on such a path (an ancestor of a zone you made)
 * stays in the enclosing zone, so its records are signed by it.
 *
 * <p>Built under the zone's lock and used only while it is held; the data must not change while a
 * tree is in use (the zone builds a new one after every change).
 */
final class ZoneTree {
  private static final Name WILDCARD = Name.fromConstantString("*");

  private final Map<Name, Map<Integer, List<Record>>> records;
  private final Set<Name> signed = new HashSet<>();
  private final Set<Name> explicit = new HashSet<>(); // zones made by the user, not the root
  private final Set<Name> onPath = new HashSet<>(); // ancestors-or-self of explicit zones
  private final Set<Name> implicit = new HashSet<>(); // insecure zones cut from the root
  private final Map<Name, Chain> chains = new HashMap<>();
  private final long negativeTtl;

  /** The NSEC records of one signed zone, in canonical order. */
  private record Chain(List<Name> names, List<NSECRecord> nsecs) {}

  ZoneTree(
      Map<Name, Map<Integer, List<Record>>> records,
      Set<Name> signedZones,
      Set<Name> insecureZones,
      long negativeTtl) {
    this.records = records;
    this.negativeTtl = negativeTtl;
    signed.add(Name.root);
    signed.addAll(signedZones);
    explicit.addAll(signedZones);
    explicit.addAll(insecureZones);
    explicit.remove(Name.root);
    onPath.add(Name.root);
    for (Name apex : explicit) {
      for (int i = 0; i < apex.labels(); i++) {
        onPath.add(new Name(apex, i));
      }
    }
    for (Name owner : records.keySet()) {
      if (explicitZoneOf(owner) == null) {
        for (int depth = 1; depth < owner.labels(); depth++) {
          Name ancestor = new Name(owner, owner.labels() - 1 - depth);
          if (!onPath.contains(ancestor)) {
            implicit.add(ancestor);
            break;
          }
        }
      }
    }
  }

  static Name parent(Name name) {
    return new Name(name, 1);
  }

  private Name explicitZoneOf(Name name) {
    for (Name n = name; n.labels() > 1; n = parent(n)) {
      if (explicit.contains(n)) {
        return n;
      }
    }
    return null;
  }

  /** The apex of the zone holding the name's data (the child's, at a zone cut). */
  Name zoneOf(Name name) {
    for (Name n = name; n.labels() > 1; n = parent(n)) {
      if (explicit.contains(n) || implicit.contains(n)) {
        return n;
      }
    }
    return Name.root;
  }

  /** The zone that answers a question: the parent's for DS at a zone cut (RFC 4035 §3.1.4.1). */
  Name answerZone(Name name, int type) {
    return type == Type.DS && isCut(name) ? zoneOf(parent(name)) : zoneOf(name);
  }

  boolean isCut(Name name) {
    return explicit.contains(name) || implicit.contains(name);
  }

  boolean isSigned(Name apex) {
    return signed.contains(apex);
  }

  /** The zones from the root down to {@code apex}, root first. */
  List<Name> path(Name apex) {
    List<Name> path = new ArrayList<>();
    for (Name z = apex; ; z = zoneOf(parent(z))) {
      path.add(z);
      if (z.equals(Name.root)) {
        break;
      }
    }
    Collections.reverse(path);
    return path;
  }

  /** True if a validator starting at the root reaches the zone's keys (no insecure zone above). */
  boolean isSecure(Name apex) {
    for (Name z : path(apex)) {
      if (!signed.contains(z)) {
        return false;
      }
    }
    return true;
  }

  /** True if records or a zone cut exist strictly below the name. */
  boolean hasDescendant(Name name) {
    for (Name owner : records.keySet()) {
      if (owner.subdomain(name) && !owner.equals(name)) {
        return true;
      }
    }
    for (Name apex : explicit) {
      if (apex.subdomain(name) && !apex.equals(name)) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- denial of existence

  /** The NSEC record owned by {@code name} in the signed zone, or null if the name has none. */
  NSECRecord nsecAt(Name zone, Name name) {
    Chain chain = chain(zone);
    int i = Collections.binarySearch(chain.names(), name);
    return i >= 0 ? chain.nsecs().get(i) : null;
  }

  /** The NSEC record whose span covers a name that has none: its canonical predecessor's. */
  NSECRecord covering(Name zone, Name name) {
    Chain chain = chain(zone);
    int i = Collections.binarySearch(chain.names(), name);
    if (i >= 0) {
      return chain.nsecs().get(i);
    }
    int insertion = -i - 1; // the apex sorts first, so a name in the zone has a predecessor
    return chain.nsecs().get(Math.max(0, insertion - 1));
  }

  /** True if the name owns an NSEC record in the zone or has one below it (an empty non-terminal). */
  boolean existsIn(Name zone, Name name) {
    Chain chain = chain(zone);
    int i = Collections.binarySearch(chain.names(), name);
    if (i >= 0) {
      return true;
    }
    int next = -i - 1;
    return next < chain.names().size() && chain.names().get(next).subdomain(name);
  }

  /**
   * The NSEC records proving that {@code name} does not exist in the zone (RFC 4035 §3.1.3.2): the
   * one covering the name, and the one covering the wildcard at its closest encloser.
   */
  List<NSECRecord> nameErrorProof(Name zone, Name name) {
    Name encloser = parent(name);
    while (encloser.labels() > zone.labels() && !existsIn(zone, encloser)) {
      encloser = parent(encloser);
    }
    List<NSECRecord> proof = new ArrayList<>(2);
    proof.add(covering(zone, name));
    try {
      NSECRecord wildcard = covering(zone, Name.concatenate(WILDCARD, encloser));
      if (!proof.contains(wildcard)) {
        proof.add(wildcard);
      }
    } catch (NameTooLongException e) {
      // No wildcard fits below a 254-octet encloser, so there is none to deny.
    }
    return proof;
  }

  private Chain chain(Name zone) {
    return chains.computeIfAbsent(zone, this::buildChain);
  }

  private Chain buildChain(Name zone) {
    TreeMap<Name, Set<Integer>> types = new TreeMap<>();
    Set<Integer> apexTypes = new HashSet<>(List.of(Type.SOA, Type.NS, Type.DNSKEY));
    apexTypes.addAll(records.getOrDefault(zone, Map.of()).keySet());
    types.put(zone, apexTypes);
    for (Map.Entry<Name, Map<Integer, List<Record>>> e : records.entrySet()) {
      Name owner = e.getKey();
      if (!owner.equals(zone) && !isCut(owner) && zoneOf(owner).equals(zone)) {
        types.put(owner, new HashSet<>(e.getValue().keySet()));
      }
    }
    Set<Name> cuts = new HashSet<>(explicit);
    cuts.addAll(implicit);
    for (Name cut : cuts) {
      if (!cut.equals(zone) && zoneOf(parent(cut)).equals(zone)) {
        types.put(cut, signed.contains(cut) ? Set.of(Type.NS, Type.DS) : Set.of(Type.NS));
      }
    }
    List<Name> names = new ArrayList<>(types.keySet());
    List<NSECRecord> nsecs = new ArrayList<>(names.size());
    long ttl = negativeTtl; // RFC 9077: the NSEC TTL is the SOA's negative-caching TTL
    for (int i = 0; i < names.size(); i++) {
      Name owner = names.get(i);
      Name next = names.get((i + 1) % names.size());
      Set<Integer> bitmap = new HashSet<>(types.get(owner));
      bitmap.add(Type.RRSIG);
      bitmap.add(Type.NSEC);
      int[] sorted = bitmap.stream().mapToInt(Integer::intValue).sorted().toArray();
      nsecs.add(new NSECRecord(owner, DClass.IN, ttl, next, sorted));
    }
    return new Chain(names, nsecs);
  }
}
