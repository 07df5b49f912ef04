package org.mtasts.testkit.dns;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSOutput;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;

/**
 * Key material and signatures of the signed zones: one ECDSA P-256 (algorithm 13) key per zone,
 * used as a combined signing key (CSK, flags 257), and an RRSIG cache so that an unchanged RRset is
 * signed once per validity window. Keys outlive {@link Zone#reset()}, so the root's trust anchor
 * stays valid for the life of the server. Not thread-safe: used under the zone's lock.
 */
final class Signer {
  /** TTL of DNSKEY and DS records, and of the trust anchor. */
  static final long KEY_TTL = 3600;

  private static final int CSK_FLAGS = 257; // ZONE and SEP (RFC 4034 §2.1.1)
  private static final int PROTOCOL = 3;
  private static final Duration BEFORE = Duration.ofDays(1);
  private static final Duration AFTER = Duration.ofDays(30);
  private static final int CACHE_SIZE = 10_000;

  private record ZoneKey(KeyPair pair, DNSKEYRecord dnskey, DSRecord ds) {}

  private record CacheKey(Name signer, ByteBuffer rrset, long inception, long expiration) {}

  private final Map<Name, ZoneKey> keys = new HashMap<>();
  private final Map<CacheKey, RRSIGRecord> signatures =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<CacheKey, RRSIGRecord> eldest) {
          return size() > CACHE_SIZE;
        }
      };

  /** The zone's DNSKEY record, creating the key on first use. */
  DNSKEYRecord dnskey(Name apex) {
    return key(apex).dnskey();
  }

  /** The DS record (SHA-256 digest) the parent publishes for the zone's key. */
  DSRecord ds(Name apex) {
    return key(apex).ds();
  }

  private ZoneKey key(Name apex) {
    return keys.computeIfAbsent(apex, Signer::generate);
  }

  private static ZoneKey generate(Name apex) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      DNSKEYRecord dnskey =
          new DNSKEYRecord(
              apex,
              DClass.IN,
              KEY_TTL,
              CSK_FLAGS,
              PROTOCOL,
              DNSSEC.Algorithm.ECDSAP256SHA256,
              pair.getPublic());
      DSRecord ds = new DSRecord(apex, DClass.IN, KEY_TTL, DSRecord.SHA256_DIGEST_ID, dnskey);
      return new ZoneKey(pair, dnskey, ds);
    } catch (GeneralSecurityException | DNSSEC.DNSSECException e) {
      throw new IllegalStateException("cannot create an ECDSA P-256 key for " + apex, e);
    }
  }

  /**
   * The RRSIG records to send with an RRset of the zone {@code signer}: none for {@link
   * DnssecFault#MISSING_SIGNATURE}, otherwise one, valid from a day before {@code now} to 30 days
   * after it (or broken as the fault says).
   */
  List<Record> sign(Name signer, List<Record> rrset, DnssecFault fault, Instant now) {
    if (fault == DnssecFault.MISSING_SIGNATURE) {
      return List.of();
    }
    Instant inception = now.minus(BEFORE);
    Instant expiration = now.plus(AFTER);
    if (fault == DnssecFault.EXPIRED_SIGNATURE) {
      inception = now.minus(BEFORE).minus(AFTER);
      expiration = now.minus(BEFORE);
    }
    CacheKey cacheKey =
        new CacheKey(
            signer, wire(rrset), inception.getEpochSecond(), expiration.getEpochSecond());
    RRSIGRecord sig = signatures.get(cacheKey);
    if (sig == null) {
      sig = create(signer, rrset, inception, expiration);
      signatures.put(cacheKey, sig);
    }
    if (fault == DnssecFault.BAD_SIGNATURE) {
      byte[] bytes = sig.getSignature().clone();
      bytes[bytes.length / 2] ^= 0x01;
      sig =
          new RRSIGRecord(
              sig.getName(),
              sig.getDClass(),
              sig.getTTL(),
              sig.getTypeCovered(),
              sig.getAlgorithm(),
              sig.getOrigTTL(),
              sig.getExpire(),
              sig.getTimeSigned(),
              sig.getFootprint(),
              sig.getSigner(),
              bytes);
    }
    return List.of(sig);
  }

  private RRSIGRecord create(Name signer, List<Record> rrset, Instant inception, Instant end) {
    ZoneKey key = key(signer);
    RRset set = new RRset();
    for (Record r : rrset) {
      set.addRR(r);
    }
    try {
      return DNSSEC.sign(set, key.dnskey(), key.pair().getPrivate(), inception, end);
    } catch (DNSSEC.DNSSECException e) {
      throw new IllegalStateException("cannot sign " + set.getName() + " with " + signer, e);
    }
  }

  private static ByteBuffer wire(List<Record> rrset) {
    DNSOutput out = new DNSOutput();
    for (Record r : rrset) {
      out.writeByteArray(r.toWireCanonical());
    }
    return ByteBuffer.wrap(out.toByteArray());
  }
}
