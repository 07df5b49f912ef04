package org.mtasts.javamail;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.mtasts.DeliveryDecision;
import org.mtasts.DeliveryPlan;
import org.mtasts.MtaSts;
import org.mtasts.MxCandidate;
import org.mtasts.report.ReportMailer;
import org.mtasts.report.SessionEndpoints;
import org.mtasts.tls.DaneRequirement;
import org.mtasts.tls.RefusalReason;
import org.mtasts.tls.TlsFacts;
import org.mtasts.tls.TlsRequirement;
import org.mtasts.javamail.MtaStsDeliveryException.Kind;
import org.mtasts.policy.Mode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MX walk of one domain (RFC 8461 §5): the core's {@link DeliveryPlan} in its order, an MX
 * outside an {@code enforce} policy refused without a connection, each session judged by the
 * core's {@link MtaSts#check} with the {@link TlsFacts} it got, a refused MX followed by the next,
 * never a plaintext retry under {@code enforce}, and the {@code TLS-Required: No} pass (RFC 8689)
 * after a compliant pass that failed. The sessions themselves are {@link Courier}'s; this class
 * decides which to open and what their results mean, into one {@link DomainDelivery}
 * (conventions point 8: the transport throws).
 *
 * <p>DANE (RFC 7672) by each candidate's {@link DaneRequirement}, in every policy mode: a host
 * whose DNSSEC lookups failed is not contacted ({@code dnssec-invalid}, STS-DANE-03); secure TLSA
 * records make STARTTLS mandatory with no plaintext retry (STS-DANE-04), and the core's check with
 * the candidate lets DANE decide where it has usable records (D-23), refusing a certificate that
 * matches none whatever MTA-STS says (STS-DANE-01). The {@code TLS-Required: No} pass ignores DANE
 * as it ignores MTA-STS (RFC 8689 §8.4).
 *
 * <p>One delivery is bounded (issue 12, item 2) by one {@link Deadline} ({@code
 * mail.mtasts.deliveryDeadline}) from the policy lookup on; once it has passed the remaining MX
 * hosts are not tried.
 *
 * <p>Used by one thread (the one in {@code sendMessage}), one domain at a time.
 */
final class MxWalk {
  private static final Logger log = LoggerFactory.getLogger(MxWalk.class);

  private final MtaSts sts;
  private final Courier courier;
  private final Settings settings;
  private final LongSupplier ticker;

  MxWalk(MtaSts sts, Courier courier, Settings settings, LongSupplier ticker) {
    this.sts = sts;
    this.courier = courier;
    this.settings = settings;
    this.ticker = ticker;
  }

  /** The mode of the policy that applies to {@code plan}, null without one. */
  static Mode mode(DeliveryPlan plan) {
    return plan.lookup().mode().orElse(null);
  }

  /** Delivers {@code message} to {@code recipients}, all of {@code domain}. */
  DomainDelivery deliver(String domain, Address[] recipients, Message message,
      boolean tlsRequiredNo) {
    // Issue 12, item 2: one deadline for the whole domain, from the policy lookup on.
    Deadline deadline = Deadline.after(settings.deliveryDeadlineMillis(), ticker);
    DeliveryPlan plan = sts.plan(domain);
    boolean recording = settings.tlsRptRecord() && !deliversReport(message);
    if (recording) {
      sts.recordDiscovery(plan.lookup()); // TLSRPT-DATA-06: once per delivery attempt
    }
    return new Walk(plan, deadline, recipients, message, recording).run(tlsRequiredNo);
  }

  /**
   * TLSRPT-DEL-07: whether {@code message} delivers a TLS report, whose sessions are never counted
   * in one: it carries {@value ReportMailer#REPORT_DOMAIN_HEADER}, as every RFC 8460 mail report
   * does.
   */
  static boolean deliversReport(Message message) {
    try {
      return message.getHeader(ReportMailer.REPORT_DOMAIN_HEADER) != null;
    } catch (MessagingException e) {
      return true; // headers that cannot be read: better not counted than a report counted
    }
  }

  /** The state of one domain's walk. */
  private final class Walk {
    private final DeliveryPlan plan;
    private final Deadline deadline;
    private final Address[] recipients;
    private final Message message;
    private final List<MxAttempt> attempts = new ArrayList<>();
    private final List<String> untried = new ArrayList<>();
    /** Whether an attempt ended because the deadline passed. */
    private boolean deadlineHit;
    /** Whether the sessions are counted for TLS-RPT. */
    private final boolean recording;

    Walk(DeliveryPlan plan, Deadline deadline, Address[] recipients, Message message,
        boolean recording) {
      this.plan = plan;
      this.deadline = deadline;
      this.recipients = recipients;
      this.message = message;
      this.recording = recording;
    }

    DomainDelivery run(boolean tlsRequiredNo) {
      switch (plan.status()) {
        case NULL_MX:
          return failed(Kind.NULL_MX, "5.1.10", plan.message());
        case NO_SUCH_DOMAIN:
          return failed(Kind.NO_SUCH_DOMAIN, "5.1.2", plan.message());
        case NO_MAIL_HOST:
          return failed(Kind.NO_MAIL_HOST, "5.1.2", plan.message());
        case TEMPORARY_FAILURE:
          if (plan.candidates().isEmpty()) {
            return failed(Kind.DNS_TEMPORARY_FAILURE, "4.4.3", plan.message());
          }
          // STS-DANE-03: DNSSEC failed for every host that could be tried. The walk records each
          // host's refusal (and may take the TLS-Required: No pass); nothing is contacted here.
          break;
        default:
          break;
      }
      for (MxCandidate mx : plan.candidates()) {
        TlsRequirement tls = required(mx);
        if (mx.dane().status() == DaneRequirement.Status.DNSSEC_FAILED) {
          // STS-DANE-03, RFC 7672 §2.1.1: the lookups DANE rests on failed for a host that should
          // be DANE-protected; trying it anyway is the downgrade an attacker wants. Temporary: the
          // next attempt looks again. Whatever the policy mode, and with enforce=false too: DANE
          // is not report-only (mail.mtasts.dane=false turns it off).
          dnssecFailed(mx);
          continue;
        }
        if (!mx.allowed() && tls == TlsRequirement.VERIFIED) {
          // STS-MX-11, STS-APPLY-01: a host outside an enforce policy is never contacted.
          DeliveryDecision d = sts.check(plan.lookup(), mx, TlsFacts.noStartTls());
          record(mx, TlsFacts.noStartTls(), SessionEndpoints.unknown()); // D-26
          attempts.add(new MxAttempt(mx.host(), MxAttempt.Result.REFUSED, false,
              RefusalReason.MX_MISMATCH, RefusalReason.MX_MISMATCH.transientStatusCode(),
              d.message()));
          continue;
        }
        Optional<DomainDelivery> done =
            session(new MxSession(plan, mx, MxSession.Pass.COMPLIANT, tls, true, deadline));
        if (done.isPresent()) {
          return done.get();
        }
      }
      boolean refused = attempts.stream().anyMatch(a -> a.result() == MxAttempt.Result.REFUSED);
      if (refused && tlsRequiredNo && untried.isEmpty() && !deadline.passed()) {
        // RFC 8689 §4.2.2, STS-RTLS-01/03: the compliant path was tried first and failed; the
        // sender asked for delivery regardless of recipient policies. Safe by the sender's
        // choice; the refusals above were reported to the listener (STS-RTLS-07).
        log.warn("{}: delivering without MTA-STS enforcement because the message carries"
            + " 'TLS-Required: No' (RFC 8689); refusals: {}", plan.domain(), attempts);
        for (MxCandidate mx : plan.candidates()) {
          Optional<DomainDelivery> done = session(new MxSession(plan, mx,
              MxSession.Pass.TLS_REQUIRED_NO, TlsRequirement.OPPORTUNISTIC, true, deadline));
          if (done.isPresent()) {
            return done.get();
          }
        }
      }
      return undelivered(refused);
    }

    /**
     * A host the walk does not contact because its DNSSEC lookups failed (STS-DANE-03): refused
     * by the core's check (which tells the listener) and counted for TLS-RPT as {@code
     * dnssec-invalid}, without a session, as an MX outside an enforce policy is (D-26).
     */
    private void dnssecFailed(MxCandidate mx) {
      DeliveryDecision d = sts.check(plan.lookup(), mx, TlsFacts.noStartTls());
      record(mx, TlsFacts.noStartTls(), SessionEndpoints.unknown());
      RefusalReason reason = d.reason().orElse(RefusalReason.DNSSEC_INVALID);
      attempts.add(new MxAttempt(mx.host(), MxAttempt.Result.REFUSED, false, reason,
          reason.transientStatusCode(), d.message()));
    }

    /**
     * Counts a judged session for TLS-RPT (TLSRPT-DATA-02), unless this message delivers a report
     * (TLSRPT-DEL-07). The plaintext retry and the {@code TLS-Required: No} pass are not judged:
     * their MX was counted with the session before them.
     */
    private void record(MxCandidate mx, TlsFacts facts, SessionEndpoints endpoints) {
      if (recording) {
        // Under DANE as policy type tlsa, for the TLSA base domain (STS-DANE-08).
        sts.recordSession(plan.lookup(), mx, facts, endpoints);
      }
    }

    /** The candidate's TLS, report-only when {@code mail.mtasts.enforce=false}. */
    private TlsRequirement required(MxCandidate mx) {
      return mx.tls() == TlsRequirement.VERIFIED && !settings.enforce()
          ? TlsRequirement.VERIFY_AND_REPORT : mx.tls();
    }

    /**
     * One MX session (and, unless enforcing, a plaintext retry after a failed handshake). Returns
     * the domain's delivery when the MX took part in an SMTP transaction, empty to try the next.
     */
    private Optional<DomainDelivery> session(MxSession s) {
      if (deadline.passed()) {
        untried.add(s.host()); // issue 12, item 2: no MX after the deadline
        return Optional.empty();
      }
      Courier.Opened opened = courier.open(s);
      if (opened instanceof Courier.Failed f) {
        attempts.add(f.attempt());
        deadlineHit |= f.deadlineCrossed();
        return Optional.empty();
      }
      if (opened instanceof Courier.TlsFailed t) {
        return tlsFailed(s, t);
      }
      Courier.Connected c = (Courier.Connected) opened;
      if (s.judged()) {
        record(s.mx(), c.facts(), c.endpoints());
      }
      try (Courier.Connection connection = c.connection()) {
        DeliveryDecision d = s.judged() ? check(s, c.facts()) : null;
        if (d != null && !d.isAllowed()) {
          RefusalReason reason = d.reason().orElseThrow();
          if (s.tls() == TlsRequirement.VERIFIED || isDane(reason)) {
            attempts.add(new MxAttempt(s.host(), MxAttempt.Result.REFUSED, true, reason,
                reason.transientStatusCode(), d.message(), null,
                c.facts().dane().orElse(null)));
            return Optional.empty();
          }
          // enforce switched to report-only by configuration: deliver and report. Never for a
          // DANE failure, which that setting does not cover.
          log.warn("{} (delivering anyway: {}=false)", d.message(), Settings.ENFORCE);
        }
        RefusalReason violation = d == null ? null : d.reason().orElse(null);
        return courier.send(connection, s, violation, recipients, message, attempts);
      }
    }

    private Optional<DomainDelivery> tlsFailed(MxSession s, Courier.TlsFailed t) {
      if (s.judged()) {
        record(s.mx(), t.facts(), t.endpoints());
      }
      DeliveryDecision d = s.judged() ? check(s, t.facts()) : null;
      if (s.tlsMandatory() || isDane(t.reason())) {
        // STS-TLS-10: no plaintext retry under enforce; the next MX is tried. The same for a host
        // with secure TLSA records (STS-DANE-04) and for a certificate no usable TLSA record
        // matched (STS-DANE-01), whatever the policy.
        boolean judged = d != null && !d.isAllowed();
        RefusalReason reason = judged ? d.reason().orElseThrow() : t.reason();
        attempts.add(new MxAttempt(s.host(), MxAttempt.Result.REFUSED, true, reason,
            reason.transientStatusCode(), judged ? d.message()
                : s.host() + ": " + t.reason().code() + ": " + t.detail(),
            null, t.facts().dane().orElse(null)));
        return Optional.empty();
      }
      if (!s.startTls()) {
        attempts.add(new MxAttempt(s.host(), MxAttempt.Result.SMTP_FAILED, true, null, "4.4.2",
            "SMTP session with " + s.host() + " failed: " + t.detail()));
        return Optional.empty();
      }
      // testing / opportunistic: STS-TLS-11 allows falling back to plaintext where the local
      // opportunistic configuration would; the failure was reported above under testing.
      if (deadline.passed()) {
        deadlineHit = true;
        return Optional.empty();
      }
      Mode mode = mode(plan);
      log.info("{}: TLS failed ({}); retrying without STARTTLS (mode {})", s.host(),
          t.reason().code(),
          s.pass() == MxSession.Pass.TLS_REQUIRED_NO || mode == null ? "no policy" : mode.token());
      return session(s.plaintext());
    }

    /**
     * The core's decision on a judged session: MTA-STS, and DANE first where the candidate has
     * secure TLSA records (D-23).
     */
    private DeliveryDecision check(MxSession s, TlsFacts facts) {
      return sts.check(plan.lookup(), s.mx(), facts);
    }

    /** No MX took the message: why, in order of what matters most to the sender. */
    private DomainDelivery undelivered(boolean refused) {
      if (!untried.isEmpty() || deadlineHit) {
        // Issue 12, item 2: temporary; the next try starts with a new deadline.
        return failed(Kind.DEADLINE_EXCEEDED, "4.4.2",
            "delivery to " + plan.domain() + " stopped: its deadline of " + deadline.millis()
                + " ms (" + Settings.DELIVERY_DEADLINE + ") passed"
                + (untried.isEmpty() ? "" : "; not tried: " + String.join(", ", untried))
                + (attempts.isEmpty() ? "" : "; " + describe(attempts)));
      }
      if (plan.status() == DeliveryPlan.Status.NO_MATCHING_MX && !refused) {
        return failed(Kind.NO_MATCHING_MX, "4.7.5", plan.message());
      }
      if (refused) {
        MxAttempt first = attempts.stream()
            .filter(a -> a.result() == MxAttempt.Result.REFUSED).findFirst().orElseThrow();
        boolean allNotContacted = attempts.stream().allMatch(a -> !a.connected()
            && a.result() == MxAttempt.Result.REFUSED);
        boolean dnssec = attempts.stream()
            .anyMatch(a -> a.reason().orElse(null) == RefusalReason.DNSSEC_INVALID);
        boolean dane = attempts.stream().anyMatch(a -> a.reason().filter(MxWalk::isDane)
            .isPresent() || a.dane().isPresent());
        Mode mode = mode(plan);
        Kind kind = allNotContacted
            ? (dnssec ? Kind.DNSSEC_FAILED : Kind.NO_MATCHING_MX) : Kind.POLICY_REFUSED;
        return failed(kind, first.statusCode().orElse("4.7.5"),
            "no MX host of " + plan.domain() + " passed MTA-STS"
                + (dane ? " and DANE (RFC 7672)" : "") + " validation under "
                + (mode == null ? "no policy" : "mode " + mode.token()) + ": "
                + describe(attempts));
      }
      return failed(Kind.NO_REACHABLE_MX, "4.4.1",
          "no MX host of " + plan.domain() + " accepted the message: " + describe(attempts));
    }

    private DomainDelivery failed(Kind kind, String status, String text) {
      Mode mode = mode(plan);
      MtaStsDeliveryException e = new MtaStsDeliveryException(plan.domain(), kind, mode,
          status, attempts, recipients.clone(), status + " " + text);
      List<Address> all = List.of(recipients);
      return kind.isPermanent()
          ? new DomainDelivery(plan.domain(), mode, List.of(), List.of(), all, attempts, e)
          : new DomainDelivery(plan.domain(), mode, List.of(), all, List.of(), attempts, e);
    }
  }

  /** Whether {@code reason} is a DANE failure, which no MTA-STS setting makes report-only. */
  static boolean isDane(RefusalReason reason) {
    return reason == RefusalReason.TLSA_INVALID || reason == RefusalReason.DNSSEC_INVALID;
  }

  private static String describe(List<MxAttempt> attempts) {
    StringBuilder b = new StringBuilder();
    for (MxAttempt a : attempts) {
      if (b.length() > 0) {
        b.append("; ");
      }
      b.append(a.host()).append(' ').append(a.result().name().toLowerCase(Locale.ROOT));
      a.reason().ifPresent(r -> b.append(' ').append(r.code()));
      a.statusCode().ifPresent(c -> b.append(" (").append(c).append(')'));
      if (a.reason().isEmpty() && a.result() != MxAttempt.Result.DELIVERED) {
        b.append(" [").append(a.message()).append(']'); // printable already (MxAttempt)
      }
    }
    return b.toString();
  }
}
