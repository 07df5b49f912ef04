package org.mtasts.examples;

import java.io.PrintStream;
import org.mtasts.MtaSts;
import org.mtasts.PolicyLookup;

/**
 * Looking up a policy with the API. Run with a domain: {@code java -cp examples/target/mta-sts.jar
 * org.mtasts.examples.LookupPolicyExample example.com}.
 */
public final class LookupPolicyExample {
  private LookupPolicyExample() {}

  /** Looks up the policy of {@code args[0]} with the system's DNS and trust store. */
  public static void main(String[] args) {
    try (MtaSts sts = MtaSts.builder().build()) {
      print(sts, args.length > 0 ? args[0] : "example.com", System.out);
    }
  }

  /** Resolves {@code domain} and prints what a mail sender would do. */
  public static void print(MtaSts sts, String domain, PrintStream out) {
    PolicyLookup lookup = sts.resolve(domain);
    switch (lookup.status()) {
      case VALID -> {
        var policy = lookup.policy().orElseThrow();
        out.printf("%s publishes mode %s (id %s, %s), mx %s, max_age %d s%n", domain,
            policy.mode().token(), lookup.recordId().orElse("?"),
            lookup.source().orElseThrow(), policy.mxPatterns(), policy.maxAge().toSeconds());
        out.println(lookup.isEnforced()
            ? "mail to " + domain + " goes only to those MX hosts, over verified TLS"
            : "mail to " + domain + " is delivered as usual; failures are only reported");
      }
      case NO_POLICY -> out.println(domain + " publishes no MTA-STS policy");
      // Fetch errors, invalid policies and DNS failures with nothing cached: deliver as without
      // a policy (RFC 8461 §3.3, project decision D-01), but say why.
      default -> out.println(domain + ": " + lookup.status() + " — "
          + lookup.failure().map(f -> f.message()).orElse("no details"));
    }
  }
}
