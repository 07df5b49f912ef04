package org.mtasts.examples.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.mtasts.examples.cli.DemoObservation.Attempt;
import org.mtasts.examples.cli.DemoObservation.Event;
import org.mtasts.examples.cli.DemoObservation.MxSeen;
import org.mtasts.examples.cli.DemoObservation.Received;
import org.mtasts.examples.cli.DemoObservation.Refusal;
import org.mtasts.examples.cli.DemoObservation.Send;
import org.mtasts.testkit.Dane;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorld;
import org.mtasts.testkit.WorldDomain;

/**
 * The demo's world and its scenarios. Each scenario sends real mail through the MTA-STS transport
 * and then checks what the world observed against what RFC 8461 (for DANE, RFC 7672; for the TLS
 * report, RFC 8460) requires. The checks are pure functions of the observations, so a test can feed them a
 * wrong observation and see FAIL. The TLS reporting scenario is {@link DemoReportScenario}'s.
 */
final class DemoScenarios {
  private DemoScenarios() {}

  // 1. enforce, every MX with a good certificate
  static final String PANCAKES = "banana-pancakes.com";
  static final String PANCAKES_MX1 = "mx1.banana-pancakes.com";
  static final String PANCAKES_MX2 = "mx2.banana-pancakes.com";
  // 2. enforce, STARTTLS stripped on the first MX
  static final String STRIPPED = "monster-among-men.example";
  static final String STRIPPED_MX1 = "mx1.monster-among-men.example";
  static final String STRIPPED_MX2 = "mx2.monster-among-men.example";
  // 3. enforce, DNS names an MX the policy does not list
  static final String BALOR = "balor-club.example";
  static final String IMPOSTOR_MX = "mx.impostor.example";
  static final String BALOR_MX = "mx.balor-club.example";
  // 4. enforce, the only MX has an expired certificate
  static final String FLAIR = "nature-boy.example";
  static final String FLAIR_MX = "mx.nature-boy.example";
  // 5. testing, the MX has a self-signed certificate
  static final String SAVAGE = "macho-madness.example";
  static final String SAVAGE_MX = "mx.macho-madness.example";
  // 6. enforce, cached; then the policy host goes dark and STARTTLS is stripped
  static final String DARK = "pancake-house.example";
  static final String DARK_MX = "mx.pancake-house.example";
  // 7. no MTA-STS at all, an MX without STARTTLS
  static final String PLAIN = "plain-old-mail.example";
  static final String PLAIN_MX = "mx.plain-old-mail.example";
  // 8. DNSSEC-signed, enforce; a self-signed MX certificate matched by a DANE-EE TLSA record
  static final String DEADMAN = "the-deadman.example";
  static final String DEADMAN_MX = "mx.the-deadman.example";
  // 9. DNSSEC-signed, enforce; a WebPKI-valid MX certificate that the TLSA record does not name
  static final String STONE_COLD = "stone-cold.example";
  static final String STONE_COLD_MX = "mx.stone-cold.example";

  /** What a check concluded: PASS or FAIL, the observed outcome in one line, and the details. */
  record Verdict(boolean pass, String observed, List<String> details) {}

  /**
   * One scenario: who gets the mail, how the world is set up (a sentence), what the RFC expects,
   * how to run it (one or more sends, and what else it observes: {@code T}) and how to judge the
   * observations.
   */
  record Scenario<T>(
      String id,
      String title,
      String recipient,
      String world,
      String expected,
      String rule,
      Function<DemoWorld, T> run,
      Function<T, Verdict> check) {}

  /** The world all scenarios run in; each scenario has its own domain and MX hosts. */
  static void world(TestWorld.Builder w) {
    w.domain(PANCAKES, d -> d
            .policy("enforce", PANCAKES_MX1, PANCAKES_MX2)
            .mx(10, PANCAKES_MX1, Mx.goodTls())
            .mx(20, PANCAKES_MX2, Mx.goodTls()))
        .domain(STRIPPED, d -> d
            .policy("enforce", STRIPPED_MX1, STRIPPED_MX2)
            .mx(10, STRIPPED_MX1, Mx.noStartTls())
            .mx(20, STRIPPED_MX2, Mx.goodTls()))
        .domain(BALOR, d -> d
            .policy("enforce", BALOR_MX)
            .mx(5, IMPOSTOR_MX, Mx.goodTls())
            .mx(10, BALOR_MX, Mx.goodTls()))
        .domain(FLAIR, d -> d
            .policy("enforce", FLAIR_MX)
            .mx(10, FLAIR_MX, Mx.expiredCertificate()))
        .domain(SAVAGE, d -> d
            .policy("testing", SAVAGE_MX)
            .mx(10, SAVAGE_MX, Mx.selfSignedCertificate()))
        .domain(DARK, d -> d
            .policy("enforce", DARK_MX)
            .mx(10, DARK_MX, Mx.goodTls()))
        .domain(PLAIN, d -> d.mx(10, PLAIN_MX, Mx.noStartTls()))
        .domain(DEADMAN, d -> d.signed()
            .policy("enforce", DEADMAN_MX)
            .mx(10, DEADMAN_MX, Mx.selfSignedCertificate(), Dane.ee()))
        .domain(STONE_COLD, d -> d.signed()
            .policy("enforce", STONE_COLD_MX)
            .mx(10, STONE_COLD_MX, Mx.goodTls(), Dane.mismatch()));
    DemoReportScenario.world(w);
  }

  /** Every scenario, in the order the demo runs them. */
  static List<Scenario<?>> all() {
    List<Scenario<?>> all = new ArrayList<>(mtaSts());
    all.addAll(dane());
    all.add(DemoReportScenario.scenario());
    return List.copyOf(all);
  }

  /** The scenarios of DANE (RFC 7672) beside MTA-STS: one send each. */
  static List<Scenario<List<Send>>> dane() {
    return List.of(
        new Scenario<>(
            "dane-authenticated",
            "DANE-EE authenticates a self-signed certificate",
            "undertaker@" + DEADMAN,
            DEADMAN + " is DNSSEC-signed and enforces MTA-STS for its MX, whose self-signed"
                + " certificate no CA vouches for; a DANE-EE TLSA record (3 1 1) names its key.",
            "delivered over TLS, dane: authenticated",
            "RFC 7672 sec. 3.1.1, RFC 8461 sec. 2 (D-23): a certificate matching a usable secure"
                + " TLSA record authenticates the MX; DANE decides, not WebPKI",
            w -> List.of(w.send("undertaker@" + DEADMAN, "Rest in peace")),
            s -> daneAuthenticated(s.get(0))),
        new Scenario<>(
            "dane-mismatch",
            "TLSA mismatch refuses what MTA-STS accepts",
            "austin@" + STONE_COLD,
            STONE_COLD + " is DNSSEC-signed and enforces MTA-STS; its MX presents a certificate"
                + " valid for its name from a trusted CA, but its TLSA record names another key.",
            "refused: tlsa-invalid, temporary failure, nothing sent",
            "RFC 8461 sec. 2, RFC 7672 sec. 2.2 (STS-DANE-01): a passing MTA-STS check never"
                + " overrides a failing DANE check",
            w -> List.of(w.send("austin@" + STONE_COLD, "Austin 3:16")),
            s -> daneMismatch(s.get(0))));
  }

  /** The scenarios of RFC 8461 enforcement: one or more sends each. */
  static List<Scenario<List<Send>>> mtaSts() {
    return List.of(
        new Scenario<>(
            "enforce-verified-tls",
            "Enforce policy, verified TLS",
            "burritos@" + PANCAKES,
            PANCAKES + " publishes mode enforce for mx1 and mx2; both present valid certificates.",
            "delivered to mx1, TLS 1.2+",
            "RFC 8461 sec. 4.2, 5 (enforce): deliver only over TLS 1.2+ with a certificate valid"
                + " for the MX name",
            w -> List.of(w.send("burritos@" + PANCAKES, "Breakfast order")),
            s -> enforceVerifiedTls(s.get(0))),
        new Scenario<>(
            "starttls-stripped",
            "Man in the middle strips STARTTLS",
            "braunstrowman@" + STRIPPED,
            STRIPPED + " enforces mx1 and mx2; an attacker in front of mx1 removes STARTTLS from"
                + " its EHLO reply.",
            "mx1 refused; delivered to mx2 over TLS",
            "RFC 8461 sec. 5 (enforce): MUST NOT deliver to an MX without STARTTLS; try the next MX",
            w -> List.of(w.send("braunstrowman@" + STRIPPED, "Get these hands")),
            s -> starttlsStripped(s.get(0))),
        new Scenario<>(
            "mx-not-in-policy",
            "MX not in the policy",
            "finnbalor@" + BALOR,
            "Forged DNS puts " + IMPOSTOR_MX + " (valid certificate, preference 5) before "
                + BALOR_MX + "; the policy lists only " + BALOR_MX + ".",
            "impostor never contacted; delivered over TLS",
            "RFC 8461 sec. 4.1, 5 (enforce): an MX matching no mx pattern MUST NOT get the mail",
            w -> List.of(w.send("finnbalor@" + BALOR, "Too sweet")),
            s -> mxNotInPolicy(s.get(0))),
        new Scenario<>(
            "expired-certificate",
            "Expired MX certificate",
            "ricflair@" + FLAIR,
            FLAIR + " enforces " + FLAIR_MX + ", its only MX, whose certificate has expired.",
            "refused, temporary failure, nothing sent",
            "RFC 8461 sec. 4.2, 5 (enforce): a certificate that fails validation gets no mail;"
                + " the message stays queued",
            w -> List.of(w.send("ricflair@" + FLAIR, "Wooo")),
            s -> expiredCertificate(s.get(0))),
        new Scenario<>(
            "testing-mode",
            "Testing mode reports, does not block",
            "randysavage@" + SAVAGE,
            SAVAGE + " publishes mode testing; its MX presents a self-signed certificate.",
            "delivered; violation reported",
            "RFC 8461 sec. 5 (testing): deliver as if validation had passed; report the failure",
            w -> List.of(w.send("randysavage@" + SAVAGE, "Ooh yeah")),
            s -> testingMode(s.get(0))),
        new Scenario<>(
            "policy-server-dark",
            "Policy server gone dark after caching",
            "syrup@" + DARK,
            DARK + " enforces; one message goes out and the policy is cached. An hour later the"
                + " domain publishes a new id, mta-sts." + DARK + " answers 503, and an attacker"
                + " strips STARTTLS from its MX.",
            "cached enforce policy applied: refused",
            "RFC 8461 sec. 3.3: no live policy can be fetched but a valid one is cached: apply the"
                + " cached policy",
            DemoScenarios::goDark,
            DemoScenarios::policyServerDark),
        new Scenario<>(
            "no-mta-sts",
            "Domain without MTA-STS",
            "hello@" + PLAIN,
            PLAIN + " publishes no MTA-STS record; its MX offers no STARTTLS.",
            "delivered as usual (no policy)",
            "RFC 8461 sec. 3.3, 5: no policy, deliver as though the domain had not implemented"
                + " MTA-STS",
            w -> List.of(w.send("hello@" + PLAIN, "Plain old mail")),
            s -> noMtaSts(s.get(0))));
  }

  private static List<Send> goDark(DemoWorld w) {
    Send before = w.send("syrup@" + DARK, "First stack");
    WorldDomain domain = w.world.domain(DARK);
    domain.rotateId();
    domain.policyDown();
    w.world.setMx(DARK_MX, Mx.noStartTls());
    w.advanceClock(Duration.ofHours(1)); // the sender's clock: DNS answers and back-off age
    Send after = w.send("syrup@" + DARK, "Second stack");
    return List.of(before, after);
  }

  // ============================================================================== the checks

  /** Collects what was seen and which requirements failed. */
  static final class Findings {
    private final List<String> details = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    void saw(String line) {
      details.add(line);
    }

    void require(boolean ok, String problem) {
      if (!ok) {
        problems.add(problem);
      }
    }

    Verdict verdict(String observed) {
      List<String> lines = new ArrayList<>(details);
      problems.forEach(p -> lines.add("NOT AS REQUIRED: " + p));
      return new Verdict(problems.isEmpty(), observed, List.copyOf(lines));
    }
  }

  static Verdict enforceVerifiedTls(Send s) {
    Findings f = new Findings();
    describe(s, f);
    f.require(s.returnedNormally(), "the message was not delivered: " + failure(s));
    requireDeliveredOnceOverTls(s, PANCAKES_MX1, f);
    f.require(s.events("delivery-refused").isEmpty(), "an MX with a valid certificate was refused");
    return f.verdict(outcome(s, PANCAKES));
  }

  static Verdict starttlsStripped(Send s) {
    Findings f = new Findings();
    describe(s, f);
    f.require(s.at(STRIPPED_MX1).connections() > 0,
        "mx1 was never tried, so the stripped STARTTLS was not put to the test");
    f.require(s.at(STRIPPED_MX1).messages().isEmpty(),
        "mail went to mx1 although it offered no STARTTLS");
    f.require(refusedFor(s, STRIPPED_MX1, "starttls-not-supported"),
        "mx1 was not refused as starttls-not-supported");
    f.require(s.returnedNormally(), "the message was not delivered: " + failure(s));
    requireDeliveredOnceOverTls(s, STRIPPED_MX2, f);
    return f.verdict(outcome(s, STRIPPED));
  }

  static Verdict mxNotInPolicy(Send s) {
    Findings f = new Findings();
    MxSeen impostor = s.at(IMPOSTOR_MX);
    describe(s, f);
    f.require(impostor.connections() == 0,
        IMPOSTOR_MX + " was contacted " + impostor.connections() + " time(s)");
    f.require(impostor.messages().isEmpty(), IMPOSTOR_MX + " got the mail");
    f.require(s.returnedNormally(), "the message was not delivered: " + failure(s));
    requireDeliveredOnceOverTls(s, BALOR_MX, f);
    return f.verdict(outcome(s, BALOR));
  }

  static Verdict expiredCertificate(Send s) {
    Findings f = new Findings();
    describe(s, f);
    f.require(s.at(FLAIR_MX).connections() > 0,
        FLAIR_MX + " was never tried, so its certificate was not put to the test");
    f.require(s.received().isEmpty(), "mail was delivered despite the expired certificate");
    Refusal r = s.refusal();
    f.require(r != null, "no MtaStsDeliveryException: " + failure(s));
    if (r != null) {
      f.require(r.kind().equals("policy-refused"), "the failure is " + r.kind()
          + ", not policy-refused");
      f.require(!r.permanent(), "the failure is permanent; it must be temporary (retry later)");
      Optional<Attempt> a = r.attempt(FLAIR_MX);
      f.require(a.isPresent() && "refused".equals(a.get().result())
              && "certificate-expired".equals(a.get().reason()),
          FLAIR_MX + " was not refused as certificate-expired");
    }
    return f.verdict(outcome(s, FLAIR));
  }

  static Verdict testingMode(Send s) {
    Findings f = new Findings();
    describe(s, f);
    f.require(s.returnedNormally(), "the message was not delivered: " + failure(s));
    f.require(s.at(SAVAGE_MX).messages().size() == 1,
        SAVAGE_MX + " got " + s.at(SAVAGE_MX).messages().size() + " message(s), not 1");
    f.require(s.event("testing-violation", SAVAGE_MX).isPresent(),
        "no testing violation was reported for " + SAVAGE_MX);
    f.require(s.events("delivery-refused").isEmpty(), "testing mode refused an MX");
    return f.verdict(outcome(s, SAVAGE));
  }

  static Verdict policyServerDark(List<Send> sends) {
    Findings f = new Findings();
    Send first = sends.get(0);
    Send second = sends.get(1);
    f.saw("first message:");
    describe(first, f);
    f.require(first.returnedNormally() && first.at(DARK_MX).messages().size() == 1
            && first.at(DARK_MX).messages().get(0).tls12OrLater(),
        "the first message was not delivered over TLS, so no policy was cached: "
            + outcome(first, DARK));
    f.saw("an hour later: new id, policy host dark, STARTTLS stripped; second message:");
    f.saw("policy requests during the second send: " + second.policyRequests());
    describe(second, f);
    f.require(second.policyRequests() > 0,
        "the new policy id was never fetched, so the dark policy host was not put to the test");
    f.require(!second.events("stale-served").isEmpty(),
        "the cached policy was not applied (no stale-served event)");
    f.require(second.at(DARK_MX).connections() > 0,
        DARK_MX + " was never tried, so the stripped STARTTLS was not put to the test");
    f.require(second.received().isEmpty(),
        "the second message was delivered although the cached policy is enforce and STARTTLS"
            + " was stripped");
    Refusal r = second.refusal();
    f.require(r != null && r.kind().equals("policy-refused")
            && r.attempt(DARK_MX).map(a -> "starttls-not-supported".equals(a.reason()))
                .orElse(false),
        DARK_MX + " was not refused as starttls-not-supported: " + failure(second));
    String fetch = second.policyRequests() == 0 ? "no policy fetch; "
        : second.events("stale-served").isEmpty() ? "policy fetched, cached policy not applied; "
            : "policy fetch failed, cached policy applied; ";
    return f.verdict("1st: " + outcome(first, DARK) + "; 2nd: " + fetch + outcome(second, DARK));
  }

  static Verdict noMtaSts(Send s) {
    Findings f = new Findings();
    describe(s, f);
    f.require(s.returnedNormally(), "the message was not delivered: " + failure(s));
    f.require(s.at(PLAIN_MX).messages().size() == 1,
        PLAIN_MX + " got " + s.at(PLAIN_MX).messages().size() + " message(s), not 1");
    f.require(s.events().isEmpty(), "MTA-STS events for a domain without MTA-STS: "
        + s.events().stream().map(Event::type).toList());
    return f.verdict(outcome(s, PLAIN));
  }

  static Verdict daneAuthenticated(Send s) {
    Findings f = new Findings();
    describe(s, f);
    f.require(s.returnedNormally(), "the message was not delivered: " + failure(s));
    requireDeliveredOnceOverTls(s, DEADMAN_MX, f);
    f.require("authenticated".equals(s.attempt(DEADMAN_MX).map(Attempt::dane).orElse(null)),
        DEADMAN_MX + " was not authenticated by DANE: " + s.attempt(DEADMAN_MX)
            .map(Attempt::toString).orElse("no attempt"));
    f.require(s.events("delivery-refused").isEmpty(),
        "a DANE-authenticated MX was refused (MTA-STS overrode DANE)");
    return f.verdict(outcome(s, DEADMAN) + "; dane: "
        + s.attempt(DEADMAN_MX).map(Attempt::dane).orElse("not checked"));
  }

  static Verdict daneMismatch(Send s) {
    Findings f = new Findings();
    describe(s, f);
    f.require(s.at(STONE_COLD_MX).connections() > 0,
        STONE_COLD_MX + " was never tried, so its certificate was not put to the test");
    f.require(s.received().isEmpty(),
        "mail was delivered although the certificate matches no TLSA record");
    Refusal r = s.refusal();
    f.require(r != null, "no MtaStsDeliveryException: " + failure(s));
    if (r != null) {
      f.require(!r.permanent(), "the failure is permanent; it must be temporary (retry later)");
      Optional<Attempt> a = r.attempt(STONE_COLD_MX);
      f.require(a.isPresent() && "refused".equals(a.get().result())
              && "tlsa-invalid".equals(a.get().reason()) && "failed".equals(a.get().dane()),
          STONE_COLD_MX + " was not refused as tlsa-invalid with dane: failed: "
              + a.map(Attempt::toString).orElse("no attempt"));
    }
    return f.verdict(outcome(s, STONE_COLD) + "; dane: "
        + s.attempt(STONE_COLD_MX).map(Attempt::dane).orElse("not checked"));
  }

  // ============================================================================== helpers

  private static void requireDeliveredOnceOverTls(Send s, String host, Findings f) {
    List<Received> all = s.received();
    f.require(all.size() == 1 && all.get(0).host().equals(host),
        "expected one message at " + host + ", got " + all.size() + " at "
            + all.stream().map(Received::host).distinct().toList());
    for (Received r : all) {
      f.require(r.tls12OrLater(), r.host() + " got the mail " + r.how() + ", not over TLS 1.2+");
      f.require(!r.tls() || r.host().equals(r.sni()), r.host() + " was sent SNI " + r.sni());
    }
  }

  private static boolean refusedFor(Send s, String host, String reason) {
    return s.event("delivery-refused", host).map(e -> reason.equals(e.reason())).orElse(false);
  }

  /** One line per thing that happened, in the order a mail engineer reads a log. */
  private static void describe(Send s, Findings f) {
    for (Event e : s.events()) {
      switch (e.type()) {
        case "delivery-refused" -> {
          MxSeen mx = s.at(e.host());
          int got = mx.messages().size();
          f.saw("mx-mismatch".equals(e.reason())
              ? e.host() + ": skipped (mx-mismatch, " + e.statusCode() + "), "
                  + mx.connections() + " connection(s)"
              : e.host() + ": refused (" + e.reason() + ", " + e.statusCode() + ") after "
                  + mx.connections() + " connection(s), "
                  + (got == 0 ? "nothing sent to it" : "yet it got " + got + " message(s)"));
        }
        case "testing-violation" -> f.saw(e.host() + ": " + e.reason()
            + " - reported, delivery goes on (testing)");
        case "stale-served" -> f.saw("policy fetch failed (" + e.detail()
            + "); cached policy applied");
        default -> f.saw(e.type() + " " + e.host());
      }
    }
    for (Attempt a : s.attempts()) {
      if (a.dane() != null) {
        f.saw(a.host() + ": DANE " + a.dane() + ("failed".equals(a.dane())
            ? ": the certificate matches no TLSA record; the handshake was aborted before any"
                + " SMTP command"
            : ": the certificate matches its TLSA record"));
      }
    }
    for (Received r : s.received()) {
      f.saw(r.host() + ": delivered " + r.how() + (r.tls() ? ", SNI " + r.sni() : ""));
    }
    if (s.refusal() != null) {
      Refusal r = s.refusal();
      f.saw("not delivered: " + r.kind() + " " + r.statusCode() + " ("
          + (r.permanent() ? "permanent" : "temporary: queue and retry") + ")");
    }
    if (s.error() != null) {
      f.saw("send failed: " + s.error());
    }
  }

  /** The observed outcome of a send, one short phrase, host names shortened within domain. */
  static String outcome(Send s, String domain) {
    List<String> parts = new ArrayList<>();
    for (Event e : s.events("delivery-refused")) {
      String host = shortHost(e.host(), domain);
      parts.add("mx-mismatch".equals(e.reason())
          ? host + " skipped (mx-mismatch), " + s.at(e.host()).connections() + " connections"
          : host + " refused: " + e.reason() + " " + e.statusCode());
    }
    for (Event e : s.events("testing-violation")) {
      parts.add(shortHost(e.host(), domain) + " reported: " + e.reason());
    }
    List<Received> received = s.received();
    if (!received.isEmpty()) {
      parts.add("delivered to " + received.stream()
          .map(r -> shortHost(r.host(), domain) + " " + r.how())
          .collect(Collectors.joining(", ")));
    }
    Refusal r = s.refusal();
    if (r != null) {
      parts.add("not delivered" + ("policy-refused".equals(r.kind()) ? "" : ": " + r.kind())
          + (r.permanent() ? " (permanent " : " (temporary ") + r.statusCode() + ")");
    }
    if (s.error() != null) {
      parts.add("error: " + s.error());
    }
    if (parts.isEmpty()) {
      parts.add(s.returnedNormally() ? "sent, but no MX got it" : "nothing happened");
    }
    return String.join("; ", parts);
  }

  static String failure(Send s) {
    if (s.refusal() != null) {
      return s.refusal().kind() + " " + s.refusal().statusCode() + " " + s.refusal().attempts();
    }
    return s.error() != null ? s.error() : "no exception";
  }

  static String shortHost(String host, String domain) {
    return host != null && host.endsWith("." + domain)
        ? host.substring(0, host.length() - domain.length() - 1) : host;
  }
}
