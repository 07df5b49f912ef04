package org.mtasts.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.mtasts.report.FailureDetail;
import org.mtasts.report.PolicyType;
import org.mtasts.report.ReportPolicy;
import org.mtasts.report.ResultType;

/**
 * The stored form of the keys a report is counted under ({@link ReportPolicy}, {@link
 * FailureDetail}): a list of fields, each written as its length, a colon and its characters, or
 * {@code -} for an absent one, so that any text from the network survives unchanged. Equal values
 * give equal encodings, and their hash names them in the store.
 */
final class ReportCodec {
  private static final String POLICY_V1 = "P1";
  private static final String DETAIL_V1 = "D1";

  private ReportCodec() {}

  static String encode(ReportPolicy p) {
    List<String> f = new ArrayList<>();
    f.add(POLICY_V1);
    f.add(p.type().name());
    f.add(p.domain());
    f.add(Integer.toString(p.policyString().size()));
    f.addAll(p.policyString());
    f.addAll(p.mxHost());
    return join(f);
  }

  /**
   * Decodes a policy.
   *
   * @throws IllegalArgumentException if the text is not an encoded policy
   */
  static ReportPolicy decodePolicy(String s) {
    List<String> f = split(s);
    if (f.size() < 4 || !POLICY_V1.equals(f.get(0))) {
      throw new IllegalArgumentException("not an encoded report policy");
    }
    int lines = Integer.parseInt(f.get(3));
    if (lines < 0 || 4 + lines > f.size() || f.contains(null)) {
      throw new IllegalArgumentException("damaged report policy");
    }
    return new ReportPolicy(PolicyType.valueOf(f.get(1)), f.get(2), f.subList(4, 4 + lines),
        f.subList(4 + lines, f.size()));
  }

  static String encode(FailureDetail d) {
    List<String> f = new ArrayList<>();
    f.add(DETAIL_V1);
    f.add(d.resultType().name());
    f.add(d.sendingMtaIp());
    f.add(d.receivingMxHostname());
    f.add(d.receivingMxHelo());
    f.add(d.receivingIp());
    f.add(d.failureReasonCode());
    f.add(d.additionalInformation());
    return join(f);
  }

  /**
   * Decodes a failure detail.
   *
   * @throws IllegalArgumentException if the text is not an encoded detail
   */
  static FailureDetail decodeDetail(String s) {
    List<String> f = split(s);
    if (f.size() != 8 || !DETAIL_V1.equals(f.get(0)) || f.get(1) == null) {
      throw new IllegalArgumentException("not an encoded failure detail");
    }
    return new FailureDetail(ResultType.valueOf(f.get(1)), f.get(2), f.get(3), f.get(4), f.get(5),
        f.get(6), f.get(7));
  }

  /** A short name for an encoded value: 128 bits of its SHA-256, in hex. */
  static String hash(String encoded) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256")
          .digest(encoded.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  static String join(List<String> fields) {
    StringBuilder b = new StringBuilder();
    for (String s : fields) {
      if (s == null) {
        b.append('-');
      } else {
        b.append(s.length()).append(':').append(s);
      }
    }
    return b.toString();
  }

  /**
   * Splits what {@link #join} wrote.
   *
   * @throws IllegalArgumentException if the text is not such a list
   */
  static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      if (s.charAt(i) == '-') {
        out.add(null);
        i++;
        continue;
      }
      int colon = s.indexOf(':', i);
      if (colon < 0 || colon == i || colon - i > 9) {
        throw new IllegalArgumentException("damaged field list at " + i);
      }
      int n;
      try {
        n = Integer.parseInt(s, i, colon, 10);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("damaged field length at " + i, e);
      }
      if (n < 0 || colon + 1 + n > s.length()) {
        throw new IllegalArgumentException("truncated field at " + i);
      }
      out.add(s.substring(colon + 1, colon + 1 + n));
      i = colon + 1 + n;
    }
    return out;
  }
}
