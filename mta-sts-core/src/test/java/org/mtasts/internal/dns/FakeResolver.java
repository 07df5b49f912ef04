package org.mtasts.internal.dns;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Master;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/**
 * An in-memory dnsjava {@link Resolver}: answers queries from records given in zone-file syntax,
 * like an authoritative server for all of them, and can be told to fail. Thread-safe.
 *
 * <ul>
 *   <li>Records of the asked type at the name: answer.
 *   <li>A CNAME at the name: the CNAME alone, or, with {@link #chaseCnames}, the whole chain and
 *       what it ends in, as a recursive resolver sends it.
 *   <li>The name owns other records, or has records below it: NODATA, with the SOA of the closest
 *       enclosing zone in the authority section if one was added.
 *   <li>Otherwise NXDOMAIN, with that SOA.
 * </ul>
 */
public final class FakeResolver implements Resolver {

  /** The instant every test clock starts at. */
  public static final Instant NOW = Instant.parse("2026-01-15T10:00:00Z");

  private enum Failure {
    TIMEOUT,
    TRUNCATED,
    REFERRAL
  }

  private record Key(Name name, int type) {}

  private record Signer(Name zone, DNSKEYRecord key, PrivateKey privateKey) {}

  private final Map<Name, List<Record>> records = new HashMap<>();
  private final Map<Key, Object> failures = new HashMap<>();
  private final Map<Key, Record> tampered = new HashMap<>();
  private final List<String> queries = new ArrayList<>();
  private final List<Message> received = new ArrayList<>();
  private final java.util.Set<Name> withoutAd = new java.util.HashSet<>();
  private boolean chaseCnames;
  private boolean setAd;
  private Signer signer;

  /** Adds records, one per line, absolute names, default TTL 300, class IN. */
  public synchronized FakeResolver add(String... lines) {
    String text = String.join("\n", lines) + "\n";
    try (Master master =
        new Master(
            new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), Name.root, 300)) {
      Record r;
      while ((r = master.nextRecord()) != null) {
        records.computeIfAbsent(r.getName(), n -> new ArrayList<>()).add(r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Answers queries for {@code name}/{@code type} with this response code, no records. */
  public synchronized FakeResolver rcode(String name, int type, int rcode) {
    failures.put(key(name, type), rcode);
    return this;
  }

  /** Fails queries for {@code name}/{@code type} as dnsjava does when no answer arrives. */
  public synchronized FakeResolver timeout(String name, int type) {
    failures.put(key(name, type), Failure.TIMEOUT);
    return this;
  }

  /** Answers {@code name}/{@code type} normally again after a failure was set. */
  public synchronized FakeResolver clearFailure(String name, int type) {
    failures.remove(key(name, type));
    return this;
  }

  /** Answers queries for {@code name}/{@code type} with the TC flag and no records. */
  public synchronized FakeResolver truncate(String name, int type) {
    failures.put(key(name, type), Failure.TRUNCATED);
    return this;
  }

  /** Answers {@code name}/{@code type} with a referral (NS, no SOA), as a non-recursive server. */
  public synchronized FakeResolver referral(String name, int type) {
    failures.put(key(name, type), Failure.REFERRAL);
    return this;
  }

  /** Sends whole CNAME chains in one answer, as recursive resolvers do. */
  public synchronized FakeResolver chaseCnames(boolean chase) {
    this.chaseCnames = chase;
    return this;
  }

  /** Sets the AD flag on every response, as an upstream validating resolver would claim. */
  public synchronized FakeResolver setAdFlag(boolean ad) {
    this.setAd = ad;
    return this;
  }

  /**
   * With {@link #setAdFlag}, leaves the AD flag off responses to questions for {@code name}: a
   * validating resolver that found that part insecure.
   */
  public synchronized FakeResolver withoutAdFlag(String name) {
    withoutAd.add(name(name));
    return this;
  }

  /** Every query received so far, as received (header flags, OPT record), in order. */
  public synchronized List<Message> received() {
    return List.copyOf(received);
  }

  /** Signs every answer RRset in {@code zone} with this key; validity a day around {@link #NOW}. */
  public synchronized FakeResolver signWith(String zone, DNSKEYRecord key, PrivateKey privateKey) {
    this.signer = new Signer(name(zone), key, privateKey);
    return this;
  }

  /**
   * Answers {@code name}/{@code type} with {@code forged} in place of the real records, but with
   * the real records' signature: what an attacker without the key can do.
   */
  public synchronized FakeResolver tamper(String name, int type, String forgedLine) {
    Record forged = parse(forgedLine);
    tampered.put(key(name, type), forged);
    return this;
  }

  /** Every question asked so far, as {@code "name TYPE"} with the name in lower case. */
  public synchronized List<String> queries() {
    return List.copyOf(queries);
  }

  /** How often {@code name}/{@code type} was asked. */
  public synchronized long count(String name, int type) {
    String q = name(name).toString().toLowerCase() + " " + Type.string(type);
    return queries.stream().filter(q::equals).count();
  }

  /** Default test settings: no retries, cache of 100, clock fixed at {@link #NOW}. */
  public static DnsjavaClient.Settings settings() {
    return settings(100, 8, null, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  public static DnsjavaClient.Settings settings(
      int cacheSize, int maxCnameChain, String trustAnchors, Clock clock) {
    return new DnsjavaClient.Settings(
        List.of(),
        Duration.ofSeconds(5),
        0,
        maxCnameChain,
        cacheSize,
        trustAnchors,
        false,
        null,
        clock);
  }

  /** A client on this fake with {@link #settings()}. */
  public DnsjavaClient client() {
    return client(settings());
  }

  /** A client on this fake, named as server {@code 192.0.2.53:53} in messages. */
  public DnsjavaClient client(DnsjavaClient.Settings settings) {
    return DnsjavaClient.create(settings, this, "192.0.2.53:53");
  }

  @Override
  public CompletionStage<Message> sendAsync(Message query, Executor executor) {
    try {
      return answer(query);
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private synchronized CompletionStage<Message> answer(Message query) throws Exception {
    Record question = query.getQuestion();
    Name qname = question.getName();
    int qtype = question.getType();
    queries.add(qname.toString().toLowerCase() + " " + Type.string(qtype));
    received.add(query.clone());

    Message response = new Message(query.getHeader().getID());
    response.getHeader().setFlag(Flags.QR);
    response.getHeader().setFlag(Flags.RA);
    if (query.getHeader().getFlag(Flags.RD)) {
      response.getHeader().setFlag(Flags.RD);
    }
    if (setAd && !withoutAd.contains(qname)) {
      response.getHeader().setFlag(Flags.AD);
    }
    response.addRecord(question, Section.QUESTION);

    Object failure = failures.get(new Key(qname, qtype));
    if (failure == Failure.TIMEOUT) {
      return CompletableFuture.failedFuture(new SocketTimeoutException("Query timed out"));
    }
    if (failure == Failure.TRUNCATED) {
      response.getHeader().setFlag(Flags.TC);
      return CompletableFuture.completedFuture(response);
    }
    if (failure == Failure.REFERRAL) {
      response.getHeader().unsetFlag(Flags.RA);
      response.addRecord(parse("com. 172800 IN NS a.gtld-servers.net."), Section.AUTHORITY);
      return CompletableFuture.completedFuture(response);
    }
    if (failure instanceof Integer) {
      response.getHeader().setRcode((Integer) failure);
      return CompletableFuture.completedFuture(response);
    }

    Name current = qname;
    for (int hops = 0; hops < 64; hops++) {
      List<Record> matching = recordsAt(current, qtype);
      if (!matching.isEmpty()) {
        addSigned(response, matching, new Key(current, qtype));
        return CompletableFuture.completedFuture(response);
      }
      List<Record> cname = recordsAt(current, Type.CNAME);
      if (!cname.isEmpty() && qtype != Type.CNAME) {
        addSigned(response, cname, new Key(current, Type.CNAME));
        Name target = ((org.xbill.DNS.CNAMERecord) cname.get(0)).getTarget();
        if (!chaseCnames) {
          return CompletableFuture.completedFuture(response);
        }
        current = target;
        continue;
      }
      if (!exists(current)) {
        response.getHeader().setRcode(Rcode.NXDOMAIN);
      }
      Record soa = soaFor(current);
      if (soa != null) {
        response.addRecord(soa, Section.AUTHORITY);
      }
      return CompletableFuture.completedFuture(response);
    }
    return CompletableFuture.completedFuture(response);
  }

  private void addSigned(Message response, List<Record> rrs, Key key) throws Exception {
    Record forged = tampered.get(key);
    List<Record> shown = forged == null ? rrs : List.of(forged);
    for (Record r : shown) {
      response.addRecord(r, Section.ANSWER);
    }
    if (signer != null && rrs.get(0).getName().subdomain(signer.zone())) {
      RRset set = new RRset();
      rrs.forEach(set::addRR);
      response.addRecord(
          DNSSEC.sign(
              set,
              signer.key(),
              signer.privateKey(),
              NOW.minus(Duration.ofDays(1)),
              NOW.plus(Duration.ofDays(1))),
          Section.ANSWER);
    }
  }

  private List<Record> recordsAt(Name name, int type) {
    List<Record> out = new ArrayList<>();
    for (Record r : records.getOrDefault(name, List.of())) {
      if (r.getType() == type) {
        out.add(r);
      }
    }
    return out;
  }

  private boolean exists(Name name) {
    for (Name owner : records.keySet()) {
      if (owner.subdomain(name)) {
        return true;
      }
    }
    return false;
  }

  private Record soaFor(Name name) {
    Record best = null;
    for (Map.Entry<Name, List<Record>> e : records.entrySet()) {
      if (!name.subdomain(e.getKey())) {
        continue;
      }
      for (Record r : e.getValue()) {
        if (r.getType() == Type.SOA
            && (best == null || r.getName().labels() > best.getName().labels())) {
          best = r;
        }
      }
    }
    return best;
  }

  private static Key key(String name, int type) {
    return new Key(name(name), type);
  }

  private static Name name(String name) {
    return Name.fromConstantString(name.endsWith(".") ? name : name + ".");
  }

  private static Record parse(String line) {
    try (Master master =
        new Master(
            new ByteArrayInputStream((line + "\n").getBytes(StandardCharsets.UTF_8)),
            Name.root,
            300)) {
      return master.nextRecord();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void setPort(int port) {}

  @Override
  public void setTCP(boolean flag) {}

  @Override
  public void setIgnoreTruncation(boolean flag) {}

  @Override
  public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {}

  @Override
  public void setTSIGKey(TSIG key) {}

  @Override
  public void setTimeout(Duration timeout) {}

  @Override
  public String toString() {
    return "FakeResolver";
  }
}
