package org.mtasts.internal.tls;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.mtasts.dns.TlsaRecord;
import org.mtasts.internal.text.Texts;
import org.mtasts.tls.CertificateCheck;
import org.mtasts.tls.DaneTlsa;

/**
 * DANE authentication of an MX certificate chain against the host's secure TLSA RRset (RFC 7672
 * §3, RFC 7671 §5 and §9). The chain is authenticated when one usable record matches:
 *
 * <ul>
 *   <li><b>Usable records only</b> ({@link DaneTlsa#usable()}): DANE-TA(2) and DANE-EE(3) with
 *       selector 0 or 1, matching type 0, 1 or 2 and data of the right length; PKIX-TA(0) and
 *       PKIX-EE(1) are ignored for SMTP (RFC 7672 §3.1.3, STS-DANE-04).
 *   <li><b>Digest algorithm agility</b> (RFC 7671 §9): for each usage and selector, when records of
 *       both digest matching types are published, only those of the stronger one (SHA2-512(2) over
 *       SHA2-256(1)) are used, so that a deprecated digest published for old clients cannot be
 *       relied on. Full(0) records are not digests and are always used, as in the RFC's example
 *       (a key matching "3 1 0" or "3 1 2" is accepted, one matching only "3 1 1" is not).
 *   <li><b>DANE-EE(3)</b>: the leaf certificate (selector 0: its DER; selector 1: the DER of its
 *       SubjectPublicKeyInfo as encoded in the certificate) matches. No name check, no validity
 *       dates, no chain (RFC 7672 §3.1.1, STS-DANE-05).
 *   <li><b>DANE-TA(2)</b>: a certificate of the presented chain (or its public key) matches; the
 *       server must send the trust anchor (RFC 7672 §3.1.2), a chain without it fails. The path
 *       from the leaf up to that certificate is built from the presented certificates and
 *       validated by the JDK's PKIX implementation with that certificate (selector 0), or its
 *       subject and public key (selector 1), as the only trust anchor; revocation is not checked,
 *       the time is the {@link Clock}'s. The leaf must be within its validity period, and one of
 *       its subjectAltName DNS-IDs must match a {@linkplain DaneTlsa#referenceNames() reference
 *       name} — the TLSA base domain or the MX host name — under the rules of {@link
 *       DnsIdMatcher} (one whole leftmost-label wildcard, RFC 7672 §3.2.2–3.2.3). The subject
 *       Common Name is never used, even without a subjectAltName extension: the project's strict
 *       choice, the same as for MTA-STS (D-21), where RFC 7672 §3.2.2 would allow it. A DANE-TA
 *       record that matches the leaf itself makes the leaf the trust anchor: only its dates and
 *       names are then checked.
 * </ul>
 *
 * <p>The verdict is {@link CertificateCheck#daneAuthenticated} naming the record that matched, or
 * {@link CertificateCheck#daneFailed} listing every record tried and why it failed, and the
 * records left out. Text from the certificates goes through {@link Texts#printable}.
 *
 * <p>Immutable and thread-safe.
 */
public final class DaneVerification {
  /** Longest chain judged: each certificate may cost a path build (the JDK's own cap is 10). */
  static final int MAX_CHAIN = 16;
  private static final int MAX_RECORDS_IN_MESSAGE = 8;
  private static final int MAX_NAMES_IN_MESSAGE = 8;
  private static final int HEX_SHOWN = 16;
  private static final int MAX_TEXT = 120;

  private final Clock clock;

  /**
   * Creates the checks.
   *
   * @param clock the time for DANE-TA validity checks
   */
  public DaneVerification(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Checks {@code chain}, as presented by the MX host of {@code tlsa}, against its records.
   *
   * @param tlsa the secure TLSA RRset and the names to check
   * @param chain the chain as presented, leaf first; may be empty
   * @return {@link CertificateCheck#daneAuthenticated} or {@link CertificateCheck#daneFailed}
   */
  public CertificateCheck verify(DaneTlsa tlsa, X509Certificate[] chain) {
    String host = tlsa.mxHost();
    if (chain.length == 0) {
      return CertificateCheck.daneFailed(host + " presented no certificate; DANE requires one"
          + " matching a TLSA record at " + tlsa.ownerName());
    }
    if (chain.length > MAX_CHAIN) {
      return CertificateCheck.daneFailed(host + " presented " + chain.length + " certificates;"
          + " at most " + MAX_CHAIN + " are considered for DANE");
    }
    List<TlsaRecord> usable = tlsa.usable();
    int unusable = tlsa.records().size() - usable.size();
    if (usable.isEmpty()) {
      return CertificateCheck.daneFailed("the TLSA RRset at " + tlsa.ownerName()
          + " has no usable record (" + unusable + " unusable, STS-DANE-04): DANE authenticates"
          + " no certificate of " + host);
    }
    List<TlsaRecord> used = new ArrayList<>();
    List<TlsaRecord> weaker = new ArrayList<>();
    selectByDigestAgility(usable, used, weaker);

    Presented presented = new Presented(chain);
    Instant now = clock.instant();
    List<String> failures = new ArrayList<>();
    // The anchor depends on the certificate and the selector only: records that differ in their
    // matching type alone share one path validation.
    Map<Integer, String> anchorProblems = new HashMap<>();
    for (TlsaRecord record : used) {
      if (record.usage() == TlsaRecord.DANE_EE) {
        String mismatch = presented.mismatch(0, record);
        if (mismatch == null) {
          return CertificateCheck.daneAuthenticated("the certificate of " + host
              + " matches TLSA record " + describe(record) + " at " + tlsa.ownerName()
              + " (DANE-EE: names and dates not checked)");
        }
        failures.add(describe(record) + ": " + mismatch);
        continue;
      }
      List<String> problems = new ArrayList<>();
      for (int i = 0; i < chain.length; i++) {
        if (presented.mismatch(i, record) != null) {
          continue;
        }
        int ta = i;
        String problem = anchorProblems.computeIfAbsent(i * 2 + record.selector(),
            k -> Objects.requireNonNullElse(trustAnchorProblem(tlsa, chain, ta, record, now), ""));
        if (problem.isEmpty()) {
          return CertificateCheck.daneAuthenticated("the certificate of " + host
              + " chains to the trust anchor " + presented.describe(i) + " of TLSA record "
              + describe(record) + " at " + tlsa.ownerName() + " (DANE-TA: chain, dates and"
              + " names checked)");
        }
        problems.add("matches " + presented.describe(i) + " but " + problem);
      }
      failures.add(describe(record) + ": " + (problems.isEmpty()
          ? "no certificate of the presented chain (" + chain.length + ") matches"
          : String.join("; ", problems)));
    }
    return CertificateCheck.daneFailed(failureMessage(tlsa, failures, weaker, unusable));
  }

  /**
   * RFC 7671 §9: for each usage and selector, digest records of a weaker matching type than the
   * strongest one present are left out; Full(0) is not a digest and is always used.
   */
  static void selectByDigestAgility(
      List<TlsaRecord> usable, List<TlsaRecord> used, List<TlsaRecord> weaker) {
    Map<Integer, Integer> strongest = new HashMap<>();
    for (TlsaRecord r : usable) {
      if (r.matchingType() != TlsaRecord.MATCH_FULL) {
        strongest.merge(r.usage() * 256 + r.selector(), r.matchingType(),
            (a, b) -> strength(a) >= strength(b) ? a : b);
      }
    }
    for (TlsaRecord r : usable) {
      if (r.matchingType() == TlsaRecord.MATCH_FULL
          || strongest.get(r.usage() * 256 + r.selector()) == r.matchingType()) {
        used.add(r);
      } else {
        weaker.add(r);
      }
    }
  }

  private static int strength(int matchingType) {
    return switch (matchingType) {
      case TlsaRecord.MATCH_SHA512 -> 2;
      case TlsaRecord.MATCH_SHA256 -> 1;
      default -> 0;
    };
  }

  /**
   * Why certificate {@code ta} of {@code chain}, which matched DANE-TA record {@code record}, does
   * not authenticate the leaf; null when it does.
   */
  private static String trustAnchorProblem(
      DaneTlsa tlsa, X509Certificate[] chain, int ta, TlsaRecord record, Instant now) {
    X509Certificate leaf = chain[0];
    if (now.isAfter(leaf.getNotAfter().toInstant())) {
      return "the leaf certificate expired at " + leaf.getNotAfter().toInstant();
    }
    if (now.isBefore(leaf.getNotBefore().toInstant())) {
      return "the leaf certificate is not valid before " + leaf.getNotBefore().toInstant();
    }
    if (ta > 0) {
      String pathProblem = pathProblem(chain, ta, record, now);
      if (pathProblem != null) {
        return "the chain from the leaf to it does not validate: " + pathProblem;
      }
    }
    List<String> dnsIds;
    try {
      dnsIds = DnsIdMatcher.dnsIds(leaf);
    } catch (CertificateParsingException e) {
      return "the subjectAltName of the leaf certificate cannot be read: "
          + Texts.printable(e.getMessage(), MAX_TEXT);
    }
    for (String reference : tlsa.referenceNames()) {
      if (DnsIdMatcher.matchesAny(reference, dnsIds)) {
        return null;
      }
    }
    if (dnsIds.isEmpty()) {
      return "the leaf certificate has no subjectAltName DNS name (the common name is not used)";
    }
    List<String> shown = new ArrayList<>();
    for (String id : dnsIds.subList(0, Math.min(dnsIds.size(), MAX_NAMES_IN_MESSAGE))) {
      shown.add(Texts.printable(id, MAX_TEXT));
    }
    return "the leaf certificate names none of " + tlsa.referenceNames() + "; its DNS names are "
        + shown + (dnsIds.size() > shown.size()
            ? " and " + (dnsIds.size() - shown.size()) + " more" : "");
  }

  /**
   * Builds and validates the path from the leaf to the trust anchor {@code chain[ta]} out of the
   * presented certificates (in any order, as TLS 1.3 allows), with the JDK's PKIX implementation:
   * signatures, validity at {@code now} of every certificate below the anchor, basic constraints,
   * key usage, name constraints and the JDK's algorithm constraints. Revocation is not checked.
   *
   * @return why no valid path exists, or null
   */
  private static String pathProblem(
      X509Certificate[] chain, int ta, TlsaRecord record, Instant now) {
    X509Certificate anchorCertificate = chain[ta];
    TrustAnchor anchor = record.selector() == TlsaRecord.SELECTOR_CERT
        ? new TrustAnchor(anchorCertificate, null)
        : new TrustAnchor(
            anchorCertificate.getSubjectX500Principal(), anchorCertificate.getPublicKey(), null);
    List<X509Certificate> others = new ArrayList<>();
    for (int i = 0; i < chain.length; i++) {
      if (i != ta) {
        others.add(chain[i]);
      }
    }
    try {
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(chain[0]);
      PKIXBuilderParameters parameters = new PKIXBuilderParameters(Set.of(anchor), target);
      parameters.setRevocationEnabled(false);
      parameters.setDate(Date.from(now));
      parameters.addCertStore(
          CertStore.getInstance("Collection", new CollectionCertStoreParameters(others)));
      CertPathBuilder.getInstance("PKIX").build(parameters);
      return null;
    } catch (InvalidAlgorithmParameterException | NoSuchAlgorithmException e) {
      // The JDK always has PKIX and a Collection store; if not, nothing can be authenticated.
      return "PKIX path building is not available: " + e;
    } catch (GeneralSecurityException e) {
      return Texts.printable(TlsFailures.rootMessage(e), MAX_TEXT);
    }
  }

  private static String failureMessage(
      DaneTlsa tlsa, List<String> failures, List<TlsaRecord> weaker, int unusable) {
    StringBuilder m = new StringBuilder("the certificate of ").append(tlsa.mxHost())
        .append(" matches no usable TLSA record at ").append(tlsa.ownerName()).append(": ");
    List<String> shown = failures.subList(0, Math.min(failures.size(), MAX_RECORDS_IN_MESSAGE));
    m.append(String.join("; ", shown));
    if (failures.size() > shown.size()) {
      m.append("; and ").append(failures.size() - shown.size()).append(" more records");
    }
    if (!weaker.isEmpty()) {
      List<String> left = new ArrayList<>();
      for (TlsaRecord r : weaker.subList(0, Math.min(weaker.size(), MAX_RECORDS_IN_MESSAGE))) {
        left.add(describe(r));
      }
      m.append("; not used, a stronger digest is published (RFC 7671 §9): ")
          .append(String.join(", ", left))
          .append(weaker.size() > left.size() ? " and " + (weaker.size() - left.size()) + " more"
              : "");
    }
    if (unusable > 0) {
      m.append("; ").append(unusable).append(unusable == 1 ? " record" : " records")
          .append(" unusable for SMTP ignored");
    }
    return m.toString();
  }

  /** A record in presentation form with its data cut short, e.g. {@code 3 1 1 0a1b2c3d...}. */
  static String describe(TlsaRecord record) {
    String hex = HexFormat.of().formatHex(record.data());
    return record.usage() + " " + record.selector() + " " + record.matchingType() + " "
        + (hex.length() > HEX_SHOWN ? hex.substring(0, HEX_SHOWN) + "..." : hex);
  }

  /**
   * The presented chain with the selected contents of its certificates and their digests, each
   * computed once when first asked: a large RRset costs one comparison per record and certificate.
   */
  private static final class Presented {
    private final X509Certificate[] chain;
    private final byte[][] certificates;
    private final byte[][] keys;
    /** [certificate][selector * 2 + SHA-256 (0) or SHA-512 (1)]. */
    private final byte[][][] digests;
    private final String[] problems;

    Presented(X509Certificate[] chain) {
      this.chain = chain;
      this.certificates = new byte[chain.length][];
      this.keys = new byte[chain.length][];
      this.digests = new byte[chain.length][4][];
      this.problems = new String[chain.length];
    }

    /** Why certificate {@code i} does not match {@code record}; null when it matches. */
    String mismatch(int i, TlsaRecord record) {
      byte[] content = selected(i, record.selector());
      if (content == null) {
        return problems[i];
      }
      byte[] actual = switch (record.matchingType()) {
        case TlsaRecord.MATCH_FULL -> content;
        case TlsaRecord.MATCH_SHA256 -> digest(i, record.selector(), 0, "SHA-256", content);
        case TlsaRecord.MATCH_SHA512 -> digest(i, record.selector(), 1, "SHA-512", content);
        default -> null; // unusable records never get here
      };
      if (actual != null && MessageDigest.isEqual(record.data(), actual)) {
        return null;
      }
      String what = record.selector() == TlsaRecord.SELECTOR_CERT ? "certificate" : "public key";
      return (i == 0 ? "the leaf " : "certificate " + i + " ") + what + " does not match";
    }

    private byte[] digest(int i, int selector, int which, String algorithm, byte[] content) {
      int slot = selector * 2 + which;
      if (digests[i][slot] == null) {
        try {
          digests[i][slot] = MessageDigest.getInstance(algorithm).digest(content);
        } catch (NoSuchAlgorithmException e) {
          throw new IllegalStateException("every JDK has " + algorithm, e);
        }
      }
      return digests[i][slot];
    }

    private byte[] selected(int i, int selector) {
      try {
        if (certificates[i] == null) {
          certificates[i] = chain[i].getEncoded();
        }
        if (selector == TlsaRecord.SELECTOR_CERT) {
          return certificates[i];
        }
        if (keys[i] == null) {
          keys[i] = Der.subjectPublicKeyInfo(certificates[i]);
        }
        return keys[i];
      } catch (CertificateEncodingException | IllegalArgumentException e) {
        problems[i] = "certificate " + i + " cannot be read: "
            + Texts.printable(e.getMessage(), MAX_TEXT);
        return null;
      }
    }

    String describe(int i) {
      return "certificate " + i + " ("
          + Texts.printable(chain[i].getSubjectX500Principal().getName(), MAX_TEXT) + ")";
    }
  }

  /**
   * Just enough DER to find the SubjectPublicKeyInfo of a certificate as it is encoded there
   * (RFC 5280 §4.1): what a TLSA record with selector SPKI(1) was computed from. Re-encoding the
   * parsed key could differ from the certificate's bytes, so the bytes are taken as they are.
   */
  static final class Der {
    private static final int SEQUENCE = 0x30;
    private static final int VERSION_TAG = 0xA0;

    private Der() {}

    /**
     * The DER of the SubjectPublicKeyInfo of certificate {@code der}.
     *
     * @throws IllegalArgumentException if {@code der} is not a certificate's DER
     */
    static byte[] subjectPublicKeyInfo(byte[] der) {
      int[] certificate = element(der, 0, der.length, SEQUENCE);
      int[] tbs = element(der, certificate[1], certificate[2], SEQUENCE);
      int p = tbs[1];
      if (p < tbs[2] && (der[p] & 0xFF) == VERSION_TAG) {
        p = element(der, p, tbs[2], VERSION_TAG)[2];
      }
      // serialNumber, signature, issuer, validity, subject
      p = element(der, p, tbs[2], 0x02)[2];
      for (int skip = 0; skip < 4; skip++) {
        p = element(der, p, tbs[2], SEQUENCE)[2];
      }
      int[] spki = element(der, p, tbs[2], SEQUENCE);
      byte[] out = new byte[spki[2] - p];
      System.arraycopy(der, p, out, 0, out.length);
      return out;
    }

    /**
     * The element at {@code start} with tag {@code tag}, ending at or before {@code limit}: {start,
     * content start, end}.
     */
    private static int[] element(byte[] der, int start, int limit, int tag) {
      if (start + 2 > limit || (der[start] & 0xFF) != tag) {
        throw new IllegalArgumentException("not a certificate: expected DER tag 0x"
            + Integer.toHexString(tag) + " at offset " + start);
      }
      int p = start + 1;
      int first = der[p++] & 0xFF;
      long length;
      if (first < 0x80) {
        length = first;
      } else {
        int bytes = first & 0x7F;
        if (bytes == 0 || bytes > 4 || p + bytes > limit) {
          throw new IllegalArgumentException("not a certificate: bad DER length at offset " + start);
        }
        length = 0;
        for (int i = 0; i < bytes; i++) {
          length = (length << 8) | (der[p++] & 0xFF);
        }
      }
      if (length > limit - p) {
        throw new IllegalArgumentException("not a certificate: DER element at offset " + start
            + " runs past its container");
      }
      return new int[] {start, p, p + (int) length};
    }
  }
}
