package org.mtasts.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.tls.MxTlsVerifier;
import org.mtasts.dns.DnsClient;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.smtp.ReceivedMessage;

/** The DATA encoding of the example SMTP client that people copy (issue 12, item 8). */
class CustomSmtpClientExampleTest {
  @RegisterExtension
  static final TestWorldExtension world =
      TestWorldExtension.create(w -> w
          .domain("example.com", d -> d
              .policy("enforce", "mx.example.com")
              .mx(10, "mx.example.com", Mx.goodTls())));

  @Test
  void item08_dotOnTheFirstLine_isStuffed_RFC5321_4_5_2() {
    assertEquals("..hidden\r\nbody\r\n.\r\n", CustomSmtpClientExample.dataBlock(".hidden\r\nbody"));
  }

  @Test
  void item08_dotAfterBareLf_isStuffed_andTheLfBecomesCrlf() {
    assertEquals("a\r\n..\r\nb\r\n.\r\n", CustomSmtpClientExample.dataBlock("a\n.\r\nb"));
    assertEquals("a\r\n..\r\nb\r\n.\r\n", CustomSmtpClientExample.dataBlock("a\r\n.\nb"));
    assertEquals("a\r\n..\r\nb\r\n.\r\n", CustomSmtpClientExample.dataBlock("a\r.\rb"));
  }

  @Test
  void item08_noSequenceInTheMessageEndsTheDataBlockEarly() {
    String[] smuggles = {
      "x\r\n.\r\nMAIL FROM:<a@b>", "x\n.\nMAIL FROM:<a@b>", "x\r.\rMAIL FROM:<a@b>",
      "x\n.\r\nMAIL FROM:<a@b>", "x\r\n.\nMAIL FROM:<a@b>", ".\r\nMAIL FROM:<a@b>"
    };
    for (String message : smuggles) {
      String block = CustomSmtpClientExample.dataBlock(message);
      assertEquals(block.length() - 5, block.indexOf("\r\n.\r\n"), "one end, at the end: " + block);
      assertTrue(block.replace("\r\n", "").indexOf('\r') < 0, block);
      assertTrue(block.replace("\r\n", "").indexOf('\n') < 0, block);
    }
  }

  @Test
  void item08_messageEndingInCrlf_getsNoExtraEmptyLine() {
    assertEquals("a\r\n.\r\n", CustomSmtpClientExample.dataBlock("a\r\n"));
    assertEquals(".\r\n", CustomSmtpClientExample.dataBlock(""));
  }

  @Test
  void item08_smugglingAttempt_arrivesAsOneMessage_withItsTextIntact() throws Exception {
    try (MtaSts sts = MtaSts.builder()
        .dnsClient(DnsClient.builder().server(world.dnsAddress()).build())
        .hostResolver(HostResolver.overriding(world.hostMap(), HostResolver.none()))
        .trustManager(world.trustManager())
        .allowPrivateAddresses(true)
        .build()) {
      CustomSmtpClientExample client = new CustomSmtpClientExample(sts,
          MxTlsVerifier.create(world.trustManager()), HostResolver.overriding(world.hostMap(),
              HostResolver.none()), 25);
      String message = "Subject: smuggle\r\n\r\n.first\n.\r\nMAIL FROM:<evil@attacker.example>\r\n"
          + "RCPT TO:<victim@example.com>\r\nDATA\r\nforged\r\n.\r\nlast";
      List<CustomSmtpClientExample.Attempt> attempts =
          client.send("sender@client.example", "burritos@example.com", message);
      assertTrue(attempts.get(attempts.size() - 1).delivered(), attempts.toString());
      List<ReceivedMessage> got =
          world.smtp("mx.example.com").awaitMessages(1, Duration.ofSeconds(10));
      assertEquals(1, world.smtp("mx.example.com").messages().size());
      ReceivedMessage received = got.get(0);
      assertEquals(List.of("burritos@example.com"), received.recipients());
      assertTrue(received.body().contains(".first"), received.body());
      assertTrue(received.body().contains("forged"), received.body());
      assertTrue(received.body().endsWith("last\r\n") || received.body().endsWith("last"),
          received.body());
    }
  }
}
