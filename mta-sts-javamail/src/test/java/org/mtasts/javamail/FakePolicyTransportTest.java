package org.mtasts.javamail;

import java.util.List;
import java.util.Properties;
import org.mtasts.HostResolver;
import org.mtasts.MxTlsVerifier;
import org.mtasts.RefusalReason;
import org.mtasts.javamail.PolicyGate.Verdict;

/** The transport scenarios with hand-written policy routes and the core's MX TLS verifier. */
class FakePolicyTransportTest extends MtaStsTransportTest {
  private FakePolicyGate policy;

  @Override
  void configure(Properties props) {
    policy = fakePolicy();
    props.put(Settings.INSTANCE, new Gates(policy, new VerifierTlsGate(MxTlsVerifier.create(world.trustManager())),
        HostResolver.overriding(world.hostMap(), HostResolver.none())));
  }

  @Override
  List<RefusalReason> violations() {
    return policy.violations.stream().map(Verdict::reason).toList();
  }
}
