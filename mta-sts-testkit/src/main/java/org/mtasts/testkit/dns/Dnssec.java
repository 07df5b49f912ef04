package org.mtasts.testkit.dns;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * The server's DNSSEC state: which zones are signed or explicitly insecure, their keys, injected
 * signature faults, and the modes that make the server look like a DNSSEC-stripping or a validating
 * resolver. Zone changes and faults are guarded by the {@link Zone}'s lock; the modes and the clock
 * are volatile and read without it.
 */
final class Dnssec {
  private static final int ALL_TYPES = -1;
  static final Name SOA_HOST = Name.fromConstantString("ns.testkit.invalid.");
  static final Name SOA_ADMIN = Name.fromConstantString("hostmaster.testkit.invalid.");

  private record Key(Name name, int type) {}

  private final Signer signer = new Signer();
  private final Set<Name> signedZones = new HashSet<>();
  private final Set<Name> insecureZones = new HashSet<>();
  private final Map<Key, DnssecFault> faults = new HashMap<>();
  private volatile Clock clock = Clock.systemUTC();
  private volatile boolean strip;
  private volatile boolean adBit;
  private ZoneTree tree;
  private long treeVersion = -1;

  // ---------------------------------------------------------------- configuration

  /** True once a zone is signed: from then on the root is signed and zones are cut. */
  boolean enabled() {
    return !signedZones.isEmpty();
  }

  void sign(Name apex) {
    insecureZones.remove(apex);
    signedZones.add(apex);
  }

  void insecure(Name apex) {
    if (apex.equals(Name.root)) {
      throw new IllegalArgumentException("the root is always signed once DNSSEC is on");
    }
    signedZones.remove(apex);
    insecureZones.add(apex);
  }

  /** The root's DS in zone-file format, fields separated by single spaces. */
  String trustAnchor() {
    DSRecord ds = signer.ds(Name.root);
    return ds.getName() + " " + ds.getTTL() + " IN DS " + ds.rdataToString();
  }

  void setFault(Name name, int type, DnssecFault fault) {
    faults.put(new Key(name, type < 0 ? ALL_TYPES : type), Objects.requireNonNull(fault, "fault"));
  }

  void clearFaults(Name name) {
    faults.keySet().removeIf(k -> k.name().equals(name));
  }

  void clearFaults() {
    faults.clear();
  }

  void clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  void strip(boolean on) {
    strip = on;
  }

  boolean strip() {
    return strip;
  }

  void adBit(boolean on) {
    adBit = on;
  }

  boolean adBit() {
    return adBit && !strip;
  }

  /** Forgets zones, faults and modes; keys (and so the trust anchor) and the clock stay. */
  void reset() {
    signedZones.clear();
    insecureZones.clear();
    faults.clear();
    strip = false;
    adBit = false;
    tree = null;
  }

  private DnssecFault fault(Name name, int type) {
    DnssecFault f = faults.get(new Key(name, type));
    return f != null ? f : faults.get(new Key(name, ALL_TYPES));
  }

  // ---------------------------------------------------------------- answering

  /**
   * A view for answering one question over the zone data at {@code version}, or null while no zone
   * is signed (the server then answers as a plain resolver). Call under the zone's lock.
   */
  View view(
      Map<Name, Map<Integer, List<Record>>> records,
      long version,
      long negativeTtl,
      boolean dnssecOk) {
    if (!enabled()) {
      return null;
    }
    if (tree == null || treeVersion != version) {
      tree = new ZoneTree(records, signedZones, insecureZones, negativeTtl);
      treeVersion = version;
    }
    return new View(tree, dnssecOk && !strip, clock.instant(), negativeTtl);
  }

  /**
   * Answers for one question: the records of each name as the zone that holds them has them (apex
   * records of signed zones, DS at zone cuts), their signatures, and the NSEC proofs of negative
   * answers. Also works out whether a validator would call the answer secure or bogus.
   */
  final class View {
    private final ZoneTree tree;
    private final boolean withSigs;
    private final Instant now;
    private final long ttl;
    private boolean secure = true;
    private boolean bogus;

    private View(ZoneTree tree, boolean withSigs, Instant now, long ttl) {
      this.tree = tree;
      this.withSigs = withSigs;
      this.now = now;
      this.ttl = ttl;
    }

    /** True if every RRset added so far is in a zone a validator reaches, and none is broken. */
    boolean secure() {
      return secure && !bogus;
    }

    /** True if a validator would reject something added so far. */
    boolean bogus() {
      return bogus;
    }

    /** The records of a name for a question of this type, or null if the name does not exist. */
    Map<Integer, List<Record>> node(Name name, int qtype, Map<Integer, List<Record>> stored) {
      if (qtype == Type.DS && tree.isCut(name)) {
        Map<Integer, List<Record>> parentSide = new LinkedHashMap<>();
        if (tree.isSigned(name)) {
          parentSide.put(Type.DS, List.of(signer.ds(name)));
        }
        return parentSide;
      }
      if (!tree.isSigned(name)) { // not the apex of a signed zone
        return stored != null ? stored : tree.isCut(name) ? Map.of() : null;
      }
      Map<Integer, List<Record>> apex = new LinkedHashMap<>();
      if (stored != null) {
        apex.putAll(stored);
      }
      apex.putIfAbsent(Type.SOA, List.of(soa(name)));
      apex.putIfAbsent(Type.NS, List.of(new NSRecord(name, DClass.IN, ttl, SOA_HOST)));
      apex.put(Type.DNSKEY, List.of(signer.dnskey(name)));
      return apex;
    }

    /** True if the name has no records but names below it in its zone do (RFC 8020). */
    boolean isEmptyNonTerminal(Name name, int qtype) {
      Name zone = tree.answerZone(name, qtype);
      if (tree.isSigned(zone)) {
        return tree.existsIn(zone, name);
      }
      return tree.hasDescendant(name);
    }

    /** Adds an RRset of the answer section, with its RRSIG when the zone is signed. */
    void answer(List<Record> rrset, List<Record> out) {
      Record first = rrset.get(0);
      add(tree.answerZone(first.getName(), first.getType()), rrset, out);
    }

    /** The authority section of a NODATA or NXDOMAIN answer: SOA and, if signed, NSEC proofs. */
    List<Record> denial(Name name, int qtype, boolean nameError) {
      Name zone = tree.answerZone(name, qtype);
      List<Record> out = new ArrayList<>();
      add(zone, List.of(soa(zone)), out);
      if (withSigs && tree.isSigned(zone)) {
        List<NSECRecord> proof;
        if (nameError) {
          proof = tree.nameErrorProof(zone, name);
        } else {
          NSECRecord at = tree.nsecAt(zone, name);
          proof = List.of(at != null ? at : tree.covering(zone, name));
        }
        for (NSECRecord nsec : proof) {
          add(zone, List.of(nsec), out);
        }
      }
      return out;
    }

    /** The authority section of an NXDOMAIN injected by a fault: no proof, so bogus if signed. */
    List<Record> forgedNameError(Name name) {
      Name zone = tree.zoneOf(name);
      List<Record> out = new ArrayList<>();
      add(zone, List.of(soa(zone)), out);
      if (tree.isSecure(zone)) {
        bogus = true;
      }
      return out;
    }

    private void add(Name zone, List<Record> rrset, List<Record> out) {
      out.addAll(rrset);
      Record first = rrset.get(0);
      boolean signedZone = tree.isSigned(zone);
      DnssecFault fault = signedZone ? fault(first.getName(), first.getType()) : null;
      if (!tree.isSecure(zone)) {
        secure = false;
        bogus |= pathFault(zone);
      } else if (fault != null || pathFault(zone)) {
        bogus = true;
      }
      if (withSigs && signedZone) {
        out.addAll(signer.sign(zone, rrset, fault, now));
      }
    }

    /** True if a fault breaks the chain of trust from the root to the zone (DNSKEY, DS, NSEC). */
    private boolean pathFault(Name zone) {
      for (Name z : tree.path(zone)) {
        if (!tree.isSigned(z)) {
          return fault(z, Type.NSEC) != null; // the parent's proof that z has no DS
        }
        if ((!z.equals(Name.root) && fault(z, Type.DS) != null) || fault(z, Type.DNSKEY) != null) {
          return true;
        }
      }
      return false;
    }

    private SOARecord soa(Name zone) {
      return new SOARecord(zone, DClass.IN, ttl, SOA_HOST, SOA_ADMIN, 1, 3600, 600, 86400, ttl);
    }
  }
}
