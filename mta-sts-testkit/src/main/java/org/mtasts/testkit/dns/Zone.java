package org.mtasts.testkit.dns;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.mtasts.testkit.dns.TestDnsServer.Fault;
import org.xbill.DNS.Address;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The server's world: resource records, injected faults and delays, and the resolution of one
 * question against them. All state is guarded by one lock, so a response is computed from a
 * consistent snapshot and changes made by a test are visible to the next query.
 */
final class Zone {
  static final Duration DEFAULT_TTL = Duration.ofSeconds(300);

  /** Like BIND's limit on in-server CNAME restarts; protects against long chains and loops. */
  static final int MAX_CNAME_CHAIN = 16;

  /** Type value used in fault keys for "every type of this name". */
  private static final int ALL_TYPES = -1;

  private static final long MAX_TTL_SECONDS = 0x7fffffffL;

  private final Object lock = new Object();

  /** Owner name (lower case, absolute) to RRsets by type, in insertion order. */
  private final Map<Name, Map<Integer, List<Record>>> records = new HashMap<>();

  private final Map<Key, Fault> faults = new HashMap<>();
  private final Map<Key, Duration> delays = new HashMap<>();
  private long defaultTtlSeconds = DEFAULT_TTL.getSeconds();
  private final Dnssec dnssec = new Dnssec();

  /** Bumped by every change of records or zones, so derived DNSSEC state is rebuilt. */
  private long version;

  private record Key(Name name, int type) {}

  /**
   * What the server does with one question. {@code secure}: a validator would call the answer
   * secure; {@code bogus}: it would reject it (both false when no zone is signed).
   */
  record Resolution(
      int rcode,
      List<Record> answers,
      List<Record> authority,
      Fault fault,
      Duration delay,
      boolean secure,
      boolean bogus) {

    Resolution(int rcode, List<Record> answers, List<Record> authority, Fault f, Duration delay) {
      this(rcode, answers, authority, f, delay, false, false);
    }

    Resolution(
        int rcode,
        List<Record> answers,
        List<Record> authority,
        Duration delay,
        Dnssec.View view) {
      this(
          rcode,
          answers,
          authority,
          null,
          delay,
          view != null && view.secure(),
          view != null && view.bogus());
    }
  }

  Dnssec dnssec() {
    return dnssec;
  }

  // ---------------------------------------------------------------- input normalisation

  /**
   * Parses a host name given by a test: absolute or relative (taken as absolute), any case. Stored
   * and compared in lower case.
   */
  static Name name(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("empty name; use \".\" for the root");
    }
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) > 0x7e || name.charAt(i) < 0x21) {
        throw new IllegalArgumentException(
            "name must be printable ASCII without spaces (use the A-label, xn--...): \""
                + name
                + "\"");
      }
    }
    try {
      return Name.fromString(name, Name.root).canonicalize();
    } catch (TextParseException e) {
      throw new IllegalArgumentException("invalid name \"" + name + "\": " + e.getMessage(), e);
    }
  }

  /** Parses a record type mnemonic such as {@code "TXT"} (any case) or {@code "TYPE65"}. */
  static int type(String type) {
    Objects.requireNonNull(type, "type");
    int value = Type.value(type.toUpperCase(java.util.Locale.ROOT));
    if (value < 0) {
      throw new IllegalArgumentException("unknown record type \"" + type + "\"");
    }
    return value;
  }

  static long ttlSeconds(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.getSeconds() > MAX_TTL_SECONDS) {
      throw new IllegalArgumentException("TTL out of range 0.." + MAX_TTL_SECONDS + " s: " + ttl);
    }
    return ttl.getSeconds();
  }

  // ---------------------------------------------------------------- records

  void addA(String name, String ipv4) {
    Name owner = name(name);
    byte[] address = Address.toByteArray(Objects.requireNonNull(ipv4, "ipv4"), Address.IPv4);
    if (address == null) {
      throw new IllegalArgumentException("not an IPv4 address literal: \"" + ipv4 + "\"");
    }
    add(owner, Type.A, ttl -> Record.newRecord(owner, Type.A, DClass.IN, ttl, address));
  }

  void addAaaa(String name, String ipv6) {
    Name owner = name(name);
    byte[] address = Address.toByteArray(Objects.requireNonNull(ipv6, "ipv6"), Address.IPv6);
    if (address == null) {
      throw new IllegalArgumentException("not an IPv6 address literal: \"" + ipv6 + "\"");
    }
    add(owner, Type.AAAA, ttl -> Record.newRecord(owner, Type.AAAA, DClass.IN, ttl, address));
  }

  void addMx(String name, int preference, String exchange) {
    Name owner = name(name);
    Name target = name(Objects.requireNonNull(exchange, "exchange"));
    if (preference < 0 || preference > 0xffff) {
      throw new IllegalArgumentException("MX preference out of range 0..65535: " + preference);
    }
    add(owner, Type.MX, ttl -> new MXRecord(owner, DClass.IN, ttl, preference, target));
  }

  void addTxt(String name, List<String> characterStrings) {
    Name owner = name(name);
    Objects.requireNonNull(characterStrings, "characterStrings");
    if (characterStrings.isEmpty()) {
      throw new IllegalArgumentException("a TXT record needs at least one character-string");
    }
    ByteArrayOutputStream rdata = new ByteArrayOutputStream();
    for (String s : characterStrings) {
      byte[] bytes = Objects.requireNonNull(s, "character-string").getBytes(StandardCharsets.UTF_8);
      if (bytes.length > 255) {
        throw new IllegalArgumentException(
            "a TXT character-string holds at most 255 bytes, got "
                + bytes.length
                + "; split it with txt(name, List.of(...))");
      }
      rdata.write(bytes.length);
      rdata.write(bytes, 0, bytes.length);
    }
    byte[] wire = rdata.toByteArray();
    add(owner, Type.TXT, ttl -> Record.newRecord(owner, Type.TXT, DClass.IN, ttl, wire));
  }

  void addTlsa(String name, int usage, int selector, int matchingType, byte[] data) {
    Name owner = name(name);
    checkOctet("usage", usage);
    checkOctet("selector", selector);
    checkOctet("matching type", matchingType);
    byte[] copy = Objects.requireNonNull(data, "data").clone();
    add(
        owner,
        Type.TLSA,
        ttl -> new TLSARecord(owner, DClass.IN, ttl, usage, selector, matchingType, copy));
  }

  private static void checkOctet(String field, int value) {
    if (value < 0 || value > 255) {
      throw new IllegalArgumentException("TLSA " + field + " out of range 0..255: " + value);
    }
  }

  void setCname(String name, String target) {
    Name owner = name(name);
    Name alias = name(Objects.requireNonNull(target, "target"));
    synchronized (lock) {
      Map<Integer, List<Record>> node = records.get(owner);
      if (node != null && !node.isEmpty() && !node.containsKey(Type.CNAME)) {
        throw new IllegalStateException(
            owner
                + " already has "
                + typesOf(node)
                + " records; a CNAME cannot coexist with"
                + " other data (RFC 1034 §3.6.2), remove(name) first");
      }
      long ttl = node == null ? defaultTtlSeconds : ttlOf(node, Type.CNAME);
      List<Record> set = new ArrayList<>(1);
      set.add(new CNAMERecord(owner, DClass.IN, ttl, alias));
      records.computeIfAbsent(owner, k -> new LinkedHashMap<>()).put(Type.CNAME, set);
      version++;
    }
  }

  private interface RecordFactory {
    Record create(long ttl);
  }

  private void add(Name owner, int type, RecordFactory factory) {
    synchronized (lock) {
      Map<Integer, List<Record>> node = records.getOrDefault(owner, Map.of());
      if (node.containsKey(Type.CNAME)) {
        throw new IllegalStateException(
            owner
                + " is a CNAME; other data cannot coexist with it (RFC 1034 §3.6.2),"
                + " remove(name) first");
      }
      List<Record> set = node.get(type);
      // Records of one RRset share a TTL (RFC 2181 §5.2): a new member joins with the set's TTL.
      Record record = factory.create(set == null ? defaultTtlSeconds : set.get(0).getTTL());
      if (set == null) {
        set = new ArrayList<>();
        records.computeIfAbsent(owner, k -> new LinkedHashMap<>()).put(type, set);
      }
      if (!set.contains(record)) { // an RRset is a set: identical RDATA is stored once
        set.add(record);
        version++;
      }
    }
  }

  private long ttlOf(Map<Integer, List<Record>> node, int type) {
    List<Record> set = node.get(type);
    return set == null ? defaultTtlSeconds : set.get(0).getTTL();
  }

  private static String typesOf(Map<Integer, List<Record>> node) {
    List<String> names = new ArrayList<>();
    for (int t : node.keySet()) {
      names.add(Type.string(t));
    }
    return String.join("/", names);
  }

  void setTtl(String name, String type, Duration ttl) {
    Name owner = name(name);
    int rrType = type(type);
    long seconds = ttlSeconds(ttl);
    synchronized (lock) {
      Map<Integer, List<Record>> node = records.get(owner);
      List<Record> set = node == null ? null : node.get(rrType);
      if (set == null) {
        throw new IllegalStateException("no " + Type.string(rrType) + " records at " + owner);
      }
      set.replaceAll(
          r ->
              Record.newRecord(
                  r.getName(), r.getType(), r.getDClass(), seconds, r.rdataToWireCanonical()));
      version++;
    }
  }

  void setDefaultTtl(Duration ttl) {
    long seconds = ttlSeconds(ttl);
    synchronized (lock) {
      defaultTtlSeconds = seconds;
      version++;
    }
  }

  /** Returns true if anything was removed. */
  boolean remove(String name) {
    Name owner = name(name);
    synchronized (lock) {
      version++;
      return records.remove(owner) != null;
    }
  }

  /** Returns true if anything was removed. */
  boolean remove(String name, String type) {
    Name owner = name(name);
    int rrType = type(type);
    synchronized (lock) {
      Map<Integer, List<Record>> node = records.get(owner);
      if (node == null || node.remove(rrType) == null) {
        return false;
      }
      version++;
      if (node.isEmpty()) {
        records.remove(owner);
      }
      return true;
    }
  }

  int recordCount() {
    synchronized (lock) {
      int n = 0;
      for (Map<Integer, List<Record>> node : records.values()) {
        for (List<Record> set : node.values()) {
          n += set.size();
        }
      }
      return n;
    }
  }

  // ---------------------------------------------------------------- faults

  void setFault(String name, String type, Fault fault) {
    Key key = new Key(name(name), type == null ? ALL_TYPES : type(type));
    Objects.requireNonNull(fault, "fault");
    synchronized (lock) {
      faults.put(key, fault);
    }
  }

  void setDelay(String name, String type, Duration delay) {
    Key key = new Key(name(name), type == null ? ALL_TYPES : type(type));
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("negative delay: " + delay);
    }
    synchronized (lock) {
      if (delay.isZero()) {
        delays.remove(key);
      } else {
        delays.put(key, delay);
      }
    }
  }

  void clearFaults(String name) {
    Name owner = name(name);
    synchronized (lock) {
      faults.keySet().removeIf(k -> k.name().equals(owner));
      delays.keySet().removeIf(k -> k.name().equals(owner));
      dnssec.clearFaults(owner);
    }
  }

  void clearFaults() {
    synchronized (lock) {
      faults.clear();
      delays.clear();
      dnssec.clearFaults();
    }
  }

  // ---------------------------------------------------------------- DNSSEC

  void signZone(String apex) {
    Name name = name(apex);
    synchronized (lock) {
      dnssec.sign(name);
      version++;
    }
  }

  void insecureZone(String apex) {
    Name name = name(apex);
    synchronized (lock) {
      dnssec.insecure(name);
      version++;
    }
  }

  void setDnssecFault(String name, String type, DnssecFault fault) {
    Name owner = name(name);
    int rrType = type == null ? ALL_TYPES : type(type);
    synchronized (lock) {
      dnssec.setFault(owner, rrType, fault);
    }
  }

  String trustAnchor() {
    synchronized (lock) {
      return dnssec.trustAnchor();
    }
  }

  void reset() {
    synchronized (lock) {
      records.clear();
      faults.clear();
      delays.clear();
      defaultTtlSeconds = DEFAULT_TTL.getSeconds();
      dnssec.reset();
      version++;
    }
  }

  // ---------------------------------------------------------------- resolution

  /**
   * Answers one question (class IN) the way a recursive resolver in front of authoritative servers
   * holding this data would: follows CNAMEs inside the data and reports the rcode of the last name
   * in the chain (RFC 6604). A fault or delay set on any name of the chain applies, as if that
   * name's authoritative server misbehaved; {@link Fault#TRUNCATE} applies to UDP only. Once a zone
   * is signed, answers come from the zones as {@link ZoneTree} cuts them, with RRSIG and NSEC
   * records if {@code dnssecOk} (the query's DO bit).
   */
  Resolution resolve(Name qname, int qtype, boolean overTcp, boolean dnssecOk) {
    synchronized (lock) {
      Dnssec.View view = dnssec.view(records, version, defaultTtlSeconds, dnssecOk);
      List<Record> answers = new ArrayList<>();
      Set<Name> visited = new HashSet<>();
      Duration delay = Duration.ZERO;
      Name current = qname.canonicalize();
      while (true) {
        visited.add(current);
        Duration d = lookup(delays, current, qtype);
        if (d != null && d.compareTo(delay) > 0) {
          delay = d;
        }
        Fault fault = lookup(faults, current, qtype);
        if (fault == Fault.NXDOMAIN) {
          List<Record> authority = view == null ? soa() : view.forgedNameError(current);
          return new Resolution(Rcode.NXDOMAIN, answers, authority, delay, view);
        }
        if (fault != null && !(fault == Fault.TRUNCATE && overTcp)) {
          return new Resolution(Rcode.NOERROR, List.of(), List.of(), fault, delay);
        }

        Map<Integer, List<Record>> stored = records.get(current);
        Map<Integer, List<Record>> node = view == null ? stored : view.node(current, qtype, stored);
        if (node == null) {
          boolean ent =
              view == null ? isEmptyNonTerminal(current) : view.isEmptyNonTerminal(current, qtype);
          List<Record> authority = view == null ? soa() : view.denial(current, qtype, !ent);
          return new Resolution(
              ent ? Rcode.NOERROR : Rcode.NXDOMAIN, answers, authority, delay, view);
        }
        if (qtype == Type.ANY) {
          for (List<Record> set : node.values()) {
            answer(view, set, answers);
          }
          return new Resolution(Rcode.NOERROR, answers, List.of(), delay, view);
        }
        List<Record> set = node.get(qtype);
        if (set != null) {
          answer(view, set, answers);
          return new Resolution(Rcode.NOERROR, answers, List.of(), delay, view);
        }
        List<Record> cname = node.get(Type.CNAME);
        if (cname == null) { // NODATA
          List<Record> authority = view == null ? soa() : view.denial(current, qtype, false);
          return new Resolution(Rcode.NOERROR, answers, authority, delay, view);
        }
        answer(view, cname, answers);
        Name target = ((CNAMERecord) cname.get(0)).getTarget();
        if (visited.contains(target) || visited.size() >= MAX_CNAME_CHAIN) {
          // A loop or an overlong chain: hand back the chain so far, like an authoritative server
          // that stops following; the client sees the CNAMEs and applies its own limits.
          return new Resolution(Rcode.NOERROR, answers, List.of(), delay, view);
        }
        current = target;
      }
    }
  }

  private static void answer(Dnssec.View view, List<Record> rrset, List<Record> out) {
    if (view == null) {
      out.addAll(rrset);
    } else {
      view.answer(rrset, out);
    }
  }

  private static <V> V lookup(Map<Key, V> map, Name name, int type) {
    V specific = map.get(new Key(name, type));
    return specific != null ? specific : map.get(new Key(name, ALL_TYPES));
  }

  /** A name with no records of its own but with records below it exists (RFC 8020). */
  private boolean isEmptyNonTerminal(Name name) {
    for (Name owner : records.keySet()) {
      if (owner.subdomain(name) && !owner.equals(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The SOA for negative answers. Its owner is the root, an ancestor of every name, so caching
   * resolvers accept it; its TTL and MINIMUM (the negative-caching TTL, RFC 2308) are the default
   * TTL.
   */
  private List<Record> soa() {
    long ttl = defaultTtlSeconds;
    return List.of(
        new SOARecord(
            Name.root, DClass.IN, ttl, Dnssec.SOA_HOST, Dnssec.SOA_ADMIN, 1, 3600, 600, 86400, ttl));
  }
}
