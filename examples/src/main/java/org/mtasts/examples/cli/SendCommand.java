package org.mtasts.examples.cli;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import javax.net.ssl.X509TrustManager;
import org.mtasts.MtaSts;
import org.mtasts.dns.DnsClient;
import org.mtasts.javamail.DomainDelivery;
import org.mtasts.javamail.MtaStsDeliveryException;
import org.mtasts.javamail.MtaStsMail;
import org.mtasts.javamail.MtaStsTransport;
import org.mtasts.javamail.MxAttempt;
import org.mtasts.tls.DaneResult;
import org.mtasts.tls.RefusalReason;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code mta-sts send}: deliver one message direct to the recipients' MX hosts, enforcing. */
@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    description = "Deliver a message direct to the recipients' MX hosts under their MTA-STS"
        + " policies (through the Jakarta Mail adapter). With --cache-dir DIR, what each MX"
        + " session showed is counted for TLS reports in DIR (mta-sts report).")
final class SendCommand implements Callable<Integer> {
  @ParentCommand MtaStsCommand parent;

  @Spec CommandSpec spec;

  @Option(names = "--from", required = true, paramLabel = "ADDR", description = "Sender.")
  String from;

  @Option(names = "--to", required = true, paramLabel = "ADDR",
      description = "Recipient (repeatable).")
  List<String> to = new ArrayList<>();

  @Option(names = "--subject", paramLabel = "S", description = "Subject (default: ${DEFAULT-VALUE}).")
  String subject = "MTA-STS test message";

  @Option(names = "--body", paramLabel = "TEXT", description = "Body text.")
  String body;

  @Option(names = "--body-file", paramLabel = "FILE", description = "Read the body from FILE.")
  Path bodyFile;

  @Option(names = "--ehlo", paramLabel = "NAME", description = "Name to give in EHLO.")
  String ehlo;

  @Option(names = "--deadline", paramLabel = "SECONDS",
      description = "Give up on a recipient domain after SECONDS for all its MX hosts together"
          + " (mail.mtasts.deliveryDeadline; default 300). Its recipients are then reported"
          + " as temporary failures.")
  Integer deadlineSeconds;

  @Override
  public Integer call() throws Exception {
    GlobalOptions options = parent.options;
    options.validate();
    if (body != null && bodyFile != null) {
      throw new GlobalOptions.UsageException("send: give --body or --body-file, not both");
    }
    if (deadlineSeconds != null && (deadlineSeconds < 1 || deadlineSeconds > 2_000_000)) {
      throw new GlobalOptions.UsageException(
          "send: --deadline wants 1 to 2000000 seconds, not " + deadlineSeconds);
    }
    String text = bodyFile != null ? Files.readString(bodyFile, StandardCharsets.UTF_8)
        : body != null ? body : "Sent by mta-sts-java under the recipients' MTA-STS policies.\n";
    InternetAddress sender = address(from, "--from");
    List<InternetAddress> recipients = new ArrayList<>();
    for (String r : to) {
      recipients.add(address(r, "--to"));
    }
    DnsClient dns = options.dnsClient();
    MtaSts.Builder builder = options.sendingClientBuilder(spec.commandLine().getErr(), true);
    if (options.keepsState()) {
      // TLS-RPT (RFC 8460): every session is counted where `mta-sts report` reads
      builder.reportStore(options.stores().reportStore());
    }
    try (MtaSts client = builder.build()) {
      Properties props = new Properties();
      props.put("mail.mtasts.hostResolver", options.hostResolver(dns));
      X509TrustManager trust = options.trustManager();
      if (trust != null) {
        props.put("mail.mtasts.trustManager", trust);
      }
      if (ehlo != null) {
        props.put("mail.mtasts.ehlo", ehlo);
      }
      if (options.timeoutSeconds != null) {
        props.put("mail.mtasts.connectiontimeout", String.valueOf(options.timeoutSeconds * 1000));
        props.put("mail.mtasts.timeout", String.valueOf(options.timeoutSeconds * 1000));
      }
      if (deadlineSeconds != null) {
        props.put("mail.mtasts.deliveryDeadline", String.valueOf(deadlineSeconds * 1000));
      }
      Session session = MtaStsMail.session(props, client);
      MimeMessage message = new MimeMessage(session);
      message.setFrom(sender);
      message.setRecipients(Message.RecipientType.TO, recipients.toArray(new Address[0]));
      message.setSubject(subject, "UTF-8");
      message.setText(text, "UTF-8");
      message.saveChanges();

      MtaStsTransport transport = (MtaStsTransport) session.getTransport(MtaStsTransport.PROTOCOL);
      transport.connect();
      try {
        transport.sendMessage(message, message.getAllRecipients());
      } catch (SendFailedException expected) {
        // Per-recipient outcomes are read from lastDeliveries() below.
      } finally {
        transport.close();
      }
      List<Map<String, Object>> results = results(recipients, transport.lastDeliveries());
      PrintWriter out = spec.commandLine().getOut();
      if (options.json) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("results", results);
        // What DANE could do in this run (text mode said it on stderr when unavailable).
        json.put("dane", options.dane(spec.commandLine().getErr(), true).toJson());
        out.println(CliJson.write(json));
      } else {
        for (Map<String, Object> result : results) {
          out.println(human(result));
        }
      }
      boolean all = results.stream().allMatch(r -> Boolean.TRUE.equals(r.get("delivered")));
      return all ? MtaStsCommand.OK : MtaStsCommand.BAD;
    }
  }

  private static InternetAddress address(String text, String option)
      throws GlobalOptions.UsageException {
    try {
      InternetAddress address = new InternetAddress(text, true);
      if (address.getAddress().lastIndexOf('@') <= 0) {
        throw new AddressException("no domain");
      }
      return address;
    } catch (AddressException e) {
      throw new GlobalOptions.UsageException(option + ": '" + text + "' is not a mail address ("
          + e.getMessage() + ")");
    }
  }

  /**
   * One result per recipient, for JSON and for people. Every string in it is {@linkplain
   * CheckReport#printable printable}: SMTP replies and other network text never reach the
   * terminal or the JSON with control characters (SEC-20).
   */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> results(List<InternetAddress> recipients,
      List<DomainDelivery> deliveries) {
    return (List<Map<String, Object>>) CheckReport.printableTree(rawResults(recipients,
        deliveries));
  }

  private static List<Map<String, Object>> rawResults(List<InternetAddress> recipients,
      List<DomainDelivery> deliveries) {
    List<Map<String, Object>> results = new ArrayList<>();
    for (InternetAddress recipient : recipients) {
      String address = recipient.getAddress();
      String domain = address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
      DomainDelivery delivery = deliveries.stream()
          .filter(d -> d.sent().contains(recipient) || d.unsent().contains(recipient)
              || d.invalid().contains(recipient))
          .findFirst().orElse(null);
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("recipient", address);
      result.put("domain", delivery != null ? delivery.domain() : domain);
      boolean delivered = delivery != null && delivery.sent().contains(recipient);
      result.put("delivered", delivered);
      Optional<MxAttempt> took = delivered ? delivery.deliveredBy() : Optional.empty();
      result.put("mx", took.map(MxAttempt::host).orElse(null));
      result.put("tls", took.flatMap(MxAttempt::tlsProtocol).orElse(null));
      result.put("dane", delivery == null ? null : dane(delivery, delivered));
      result.put("mode", delivery == null ? null : delivery.mode().map(m -> m.token()).orElse(null));
      result.put("reason", delivered || delivery == null ? null : reason(delivery));
      List<Map<String, Object>> attempts = new ArrayList<>();
      if (delivery != null) {
        for (MxAttempt attempt : delivery.attempts()) {
          Map<String, Object> a = new LinkedHashMap<>();
          a.put("mx", attempt.host());
          a.put("outcome", attempt.result().name().toLowerCase(Locale.ROOT).replace('_', '-'));
          a.put("reason", attempt.reason().map(r -> r.code()).orElse(null));
          a.put("status", attempt.statusCode().orElse(null));
          a.put("tls", attempt.tlsProtocol().orElse(null));
          a.put("message", attempt.message());
          a.put("dane", dane(attempt));
          attempts.add(a);
        }
      }
      result.put("attempts", attempts);
      if (!delivered && delivery != null) {
        result.put("temporary", delivery.unsent().contains(recipient));
        result.put("message", delivery.failure().map(MessagingException::getMessage).orElse(null));
      }
      results.add(result);
    }
    return results;
  }

  /**
   * The {@code "dane"} of a result (a fixed contract): {@code "authenticated"} when the message was
   * delivered over TLS whose certificate matched a usable TLSA record; for a message not
   * delivered, what DANE found on the first MX host where it found a problem: {@code "failed"}
   * (secure TLSA records, the certificate matched none) or {@code "bogus"} (DNSSEC validation of
   * a lookup DANE depends on failed); otherwise null (DANE did not apply).
   */
  static String dane(DomainDelivery delivery, boolean delivered) {
    if (delivered) {
      return delivery.deliveredBy().map(SendCommand::dane)
          .filter("authenticated"::equals).orElse(null);
    }
    for (MxAttempt attempt : delivery.attempts()) {
      String dane = dane(attempt);
      if ("failed".equals(dane) || "bogus".equals(dane)) {
        return dane;
      }
    }
    return null;
  }

  /**
   * What DANE found on one MX host: {@code "authenticated"}, {@code "failed"}, {@code "bogus"}
   * (not contacted: {@code dnssec-invalid}), or null.
   */
  static String dane(MxAttempt attempt) {
    if (attempt.reason().orElse(null) == RefusalReason.DNSSEC_INVALID) {
      return "bogus";
    }
    return attempt.dane().map(DaneResult::code).orElse(null);
  }

  private static String reason(DomainDelivery delivery) {
    for (MxAttempt attempt : delivery.attempts()) {
      if (attempt.reason().isPresent()) {
        return attempt.reason().get().code();
      }
    }
    return delivery.failure()
        .filter(f -> f instanceof MtaStsDeliveryException)
        .map(f -> ((MtaStsDeliveryException) f).kind().name().toLowerCase(Locale.ROOT)
            .replace('_', '-'))
        .orElse("smtp-failure");
  }

  @SuppressWarnings("unchecked")
  private static String human(Map<String, Object> result) {
    String who = (String) result.get("recipient");
    String mode = result.get("mode") == null ? "no policy" : "mode " + result.get("mode");
    if (Boolean.TRUE.equals(result.get("delivered"))) {
      return who + ": delivered to " + result.get("mx") + " over "
          + (result.get("tls") == null ? "plaintext" : result.get("tls")) + " (" + mode
          + (result.get("dane") == null ? "" : ", DANE " + result.get("dane")) + ")";
    }
    StringBuilder line = new StringBuilder(who + ": NOT delivered ("
        + (Boolean.TRUE.equals(result.get("temporary")) ? "temporary" : "permanent") + ", "
        + mode + ")");
    for (Map<String, Object> a : (List<Map<String, Object>>) result.get("attempts")) {
      line.append("\n  ").append(a.get("mx")).append(": ").append(a.get("outcome"));
      if (a.get("reason") != null) {
        line.append(' ').append(a.get("reason"));
      }
      if (a.get("status") != null) {
        line.append(" (").append(a.get("status")).append(')');
      }
      if (a.get("dane") != null) {
        line.append(" DANE ").append(a.get("dane"));
      }
      if (a.get("message") != null) {
        line.append("\n    ").append(a.get("message"));
      }
    }
    if (result.get("message") != null) {
      line.append("\n  ").append(result.get("message"));
    }
    return line.toString();
  }
}
