package org.mtasts.testkit.dns;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * An independent validating client for the tests: dnsjava's {@link ValidatingResolver} over a
 * {@link SimpleResolver}, with the server's trust anchor and a clock of the test's choosing.
 */
public final class Validator {
  /** The security status RFC 4035 §4.3 gives an answer. */
  public enum Status {
    SECURE,
    INSECURE,
    BOGUS
  }

  /** The validated answer, its status and the validator's reason (bogus and insecure answers). */
  public record Result(Message response, Status status, String reason) {
    /** The response's rcode. */
    public int rcode() {
      return response.getRcode();
    }

    @Override
    public String toString() {
      return status + " " + Rcode.string(response.getRcode()) + " (" + reason + ")";
    }
  }

  private final ValidatingResolver resolver;

  Validator(TestDnsServer dns, Clock clock) {
    this(dns, dns.dnssecTrustAnchor(), clock);
  }

  Validator(TestDnsServer dns, String trustAnchor, Clock clock) {
    this(dns.address(), trustAnchor, clock);
  }

  /** A validator asking {@code server}, trusting only {@code trustAnchor}. */
  public Validator(InetSocketAddress server, String trustAnchor, Clock clock) {
    SimpleResolver upstream = new SimpleResolver(server);
    upstream.setTimeout(DnsClient.TIMEOUT);
    resolver = new ValidatingResolver(upstream, clock);
    try {
      resolver.loadTrustAnchors(
          new ByteArrayInputStream(trustAnchor.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Asks one question and says how the validator judged the answer. */
  public Result validate(String name, String type) throws IOException {
    Message response = resolver.send(DnsClient.query(name, type));
    String reason = null;
    for (Record r : response.getSection(Section.ADDITIONAL)) {
      if (r instanceof TXTRecord txt
          && r.getDClass() == ValidatingResolver.VALIDATION_REASON_QCLASS) {
        reason = String.join("", txt.getStrings());
      }
    }
    Status status;
    if (response.getHeader().getFlag(Flags.AD)) {
      status = Status.SECURE;
    } else if (response.getRcode() == Rcode.SERVFAIL) {
      status = Status.BOGUS;
    } else {
      status = Status.INSECURE;
    }
    return new Result(response, status, reason);
  }
}
