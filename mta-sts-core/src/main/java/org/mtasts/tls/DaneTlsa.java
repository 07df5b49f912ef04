package org.mtasts.tls;

import java.util.List;
import java.util.Objects;
import org.mtasts.dns.TlsaRecord;
import org.mtasts.policy.DomainNames;

/**
 * The DNSSEC-validated ("secure") TLSA RRset of one MX host, and the names DANE checks against it
 * (RFC 7672 §2.2.3, §3.2.2).
 *
 * <p>{@code tlsaBaseDomain} is the name the records were found under ({@code
 * _25._tcp.<tlsaBaseDomain>}): the MX host name, or the target of its secure CNAME chain. It is the
 * SNI name (STS-DANE-07) and, for DANE-TA(2), the first reference identifier; the MX host name
 * is the second when it differs (§3.2.2). DANE-EE(3) ignores names (STS-DANE-05).
 *
 * <p>Immutable and thread-safe.
 *
 * @param mxHost the MX host name from DNS, normalised
 * @param tlsaBaseDomain the TLSA base domain, normalised
 * @param records the RRset as published, in the order the DNS gave it; may hold unusable records
 */
public record DaneTlsa(String mxHost, String tlsaBaseDomain, List<TlsaRecord> records) {

  /**
   * Normalises and copies the components.
   *
   * @throws IllegalArgumentException if a name is not a host name, or {@code records} is empty
   * @throws NullPointerException if an argument or a record is null
   */
  public DaneTlsa {
    mxHost = DomainNames.normalize(mxHost);
    tlsaBaseDomain = DomainNames.normalize(tlsaBaseDomain);
    records = List.copyOf(records);
    if (records.isEmpty()) {
      throw new IllegalArgumentException("a TLSA RRset has at least one record");
    }
  }

  /**
   * The records DANE for SMTP can use ({@link TlsaRecord#isUsableForSmtp()}), in published order.
   *
   * @return the usable records; empty when none is usable (STS-DANE-04)
   */
  public List<TlsaRecord> usable() {
    return records.stream().filter(TlsaRecord::isUsableForSmtp).toList();
  }

  /**
   * The reference identifiers for DANE-TA(2) name checks: the TLSA base domain, then the MX host
   * name when it differs (RFC 7672 §3.2.2).
   *
   * @return one or two names
   */
  public List<String> referenceNames() {
    return mxHost.equals(tlsaBaseDomain) ? List.of(tlsaBaseDomain) : List.of(tlsaBaseDomain, mxHost);
  }

  /** The TLSA owner name, {@code _25._tcp.<tlsaBaseDomain>}. */
  public String ownerName() {
    return "_25._tcp." + tlsaBaseDomain;
  }

  @Override
  public String toString() {
    Objects.requireNonNull(records);
    return "DaneTlsa{" + ownerName() + (mxHost.equals(tlsaBaseDomain) ? "" : " for " + mxHost)
        + ", " + records + "}";
  }
}
