package org.mtasts.dns;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * One TLSA resource record (RFC 6698 §2): certificate usage, selector, matching type and the
 * certificate association data, as published at {@code _25._tcp.<host>} for DANE for SMTP (RFC
 * 7672).
 *
 * <p>Only DANE-TA(2) and DANE-EE(3) records with selector 0 or 1 and matching type 0, 1 or 2 whose
 * data has the right length are {@linkplain #isUsableForSmtp() usable}; PKIX-TA(0) and PKIX-EE(1)
 * are unusable for SMTP (RFC 7672 §3.1.3, STS-DANE-04). Any field values are accepted, so that an
 * RRset can be reported as published.
 *
 * <p>Immutable and thread-safe; equal when all four fields are.
 */
public final class TlsaRecord {

  /** Certificate usage DANE-TA(2): the record names a trust anchor of the server's chain. */
  public static final int DANE_TA = 2;

  /** Certificate usage DANE-EE(3): the record names the server's own certificate or key. */
  public static final int DANE_EE = 3;

  /** Selector 0: the whole certificate, DER. */
  public static final int SELECTOR_CERT = 0;

  /** Selector 1: the SubjectPublicKeyInfo, DER. */
  public static final int SELECTOR_SPKI = 1;

  /** Matching type 0: the selected content itself. */
  public static final int MATCH_FULL = 0;

  /** Matching type 1: SHA-256 of the selected content. */
  public static final int MATCH_SHA256 = 1;

  /** Matching type 2: SHA-512 of the selected content. */
  public static final int MATCH_SHA512 = 2;

  private final int usage;
  private final int selector;
  private final int matchingType;
  private final byte[] data;

  private TlsaRecord(int usage, int selector, int matchingType, byte[] data) {
    this.usage = usage;
    this.selector = selector;
    this.matchingType = matchingType;
    this.data = data;
  }

  /**
   * A record with the given fields.
   *
   * @param usage certificate usage, 0 to 255
   * @param selector selector, 0 to 255
   * @param matchingType matching type, 0 to 255
   * @param data certificate association data (copied)
   * @return the record
   * @throws IllegalArgumentException if a field is outside 0 to 255
   * @throws NullPointerException if {@code data} is null
   */
  public static TlsaRecord of(int usage, int selector, int matchingType, byte[] data) {
    checkOctet(usage, "usage");
    checkOctet(selector, "selector");
    checkOctet(matchingType, "matchingType");
    return new TlsaRecord(usage, selector, matchingType, Objects.requireNonNull(data, "data").clone());
  }

  /**
   * Parses the presentation form {@code "3 1 1 0a1b..."}: three numbers and the data in
   * hexadecimal (which may be split by spaces).
   *
   * @param text the record data
   * @return the record
   * @throws IllegalArgumentException if the text is not a TLSA record's presentation form
   * @throws NullPointerException if {@code text} is null
   */
  public static TlsaRecord parse(String text) {
    String[] parts = text.trim().split("\\s+");
    if (parts.length < 4) {
      throw new IllegalArgumentException("a TLSA record needs usage, selector, matching type and data: " + text);
    }
    try {
      StringBuilder hex = new StringBuilder();
      for (int i = 3; i < parts.length; i++) {
        hex.append(parts[i]);
      }
      return of(
          Integer.parseInt(parts[0]),
          Integer.parseInt(parts[1]),
          Integer.parseInt(parts[2]),
          HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a TLSA record: " + text + " (" + e.getMessage() + ")", e);
    }
  }

  /** The certificate usage: {@link #DANE_TA}, {@link #DANE_EE}, or another (unusable) value. */
  public int usage() {
    return usage;
  }

  /** The selector: {@link #SELECTOR_CERT}, {@link #SELECTOR_SPKI}, or another value. */
  public int selector() {
    return selector;
  }

  /** The matching type: {@link #MATCH_FULL}, {@link #MATCH_SHA256}, {@link #MATCH_SHA512}, or another. */
  public int matchingType() {
    return matchingType;
  }

  /** The certificate association data (a copy). */
  public byte[] data() {
    return data.clone();
  }

  /**
   * Whether DANE for SMTP can use this record (RFC 7672 §3.1): usage DANE-TA(2) or DANE-EE(3),
   * selector 0 or 1, matching type 0, 1 or 2, and data of the length the matching type implies
   * (32 bytes for SHA-256, 64 for SHA-512, not empty for full content).
   *
   * @return true if usable
   */
  public boolean isUsableForSmtp() {
    if (usage != DANE_TA && usage != DANE_EE) {
      return false;
    }
    if (selector != SELECTOR_CERT && selector != SELECTOR_SPKI) {
      return false;
    }
    return switch (matchingType) {
      case MATCH_FULL -> data.length > 0;
      case MATCH_SHA256 -> data.length == 32;
      case MATCH_SHA512 -> data.length == 64;
      default -> false;
    };
  }

  /**
   * The presentation form, {@code "3 1 1 0a1b..."} with the data in lower-case hexadecimal — the
   * form TLS-RPT reports as a {@code policy-string} line (STS-DANE-08).
   */
  @Override
  public String toString() {
    return usage + " " + selector + " " + matchingType + " "
        + HexFormat.of().formatHex(data).toLowerCase(Locale.ROOT);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TlsaRecord t
        && t.usage == usage
        && t.selector == selector
        && t.matchingType == matchingType
        && Arrays.equals(t.data, data);
  }

  @Override
  public int hashCode() {
    return ((usage * 31 + selector) * 31 + matchingType) * 31 + Arrays.hashCode(data);
  }

  private static void checkOctet(int value, String what) {
    if (value < 0 || value > 255) {
      throw new IllegalArgumentException(what + " must be between 0 and 255: " + value);
    }
  }
}
