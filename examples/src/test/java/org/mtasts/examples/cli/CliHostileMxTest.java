package org.mtasts.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mtasts.testkit.Mx;
import org.mtasts.testkit.TestWorldExtension;
import org.mtasts.testkit.smtp.HostileReply;
import org.mtasts.testkit.smtp.HostileReply.Stage;

/**
 * The {@code mta-sts} command against hostile MX hosts (issue 12): SMTP reply text with CR, LF
 * and terminal escapes reaches neither the tables nor the JSON raw (item 4, SEC-20), and {@code
 * send --deadline} bounds a delivery to a server that trickles (item 2).
 */
class CliHostileMxTest {
  private static final String EVIL_RCPT = "550-bad\u001b[31m red\r550-bare CR\n"
      + "550 5.1.1 \u0007end\r\n";
  private static final String EVIL_GREETING = "554-go\u001b]0;owned\u0007\r\n554 away\r\n";
  /** Angus puts the reply to the end of DATA into its exception's message. */
  private static final String EVIL_DATA_END = "554-clear\u001b[2J\r554 5.6.0 no\r\n";

  @RegisterExtension
  static final TestWorldExtension world = TestWorldExtension.create(w -> w
      .domain("evil.example", d -> d
          .mx(10, "mx.evil.example", Mx.goodTls().with(b -> b
              .hostile(Stage.RCPT, HostileReply.raw(EVIL_RCPT)))))
      .domain("evildata.example", d -> d
          .mx(10, "mx.evildata.example", Mx.goodTls().with(b -> b
              .hostile(Stage.DATA_END, HostileReply.raw(EVIL_DATA_END)))))
      .domain("evilgreeting.example", d -> d
          .policy("enforce", "mx.evilgreeting.example")
          .mx(10, "mx.evilgreeting.example", Mx.goodTls().with(b -> b
              .hostile(Stage.GREETING, HostileReply.raw(EVIL_GREETING)))))
      .domain("slow.example", d -> d
          .policy("enforce", "*.slow.example")
          .mx(10, "mx1.slow.example", Mx.goodTls().with(b -> b
              .hostile(Stage.GREETING, HostileReply.slowLines(220, Duration.ofMillis(50)))))
          .mx(20, "mx2.slow.example", Mx.goodTls())));

  @TempDir static Path dir;
  static Path trustPem;

  @BeforeAll
  static void writeTrust() {
    trustPem = world.writeTrustPem(dir.resolve("ca.pem"));
  }

  private static CliRun run(String... args) {
    List<String> all = new ArrayList<>(List.of("--timeout", "10"));
    all.addAll(List.of(args));
    return CliRun.inWorld(world, trustPem, all.toArray(new String[0]));
  }

  /** No control character but the line feeds that separate output lines. */
  private static void assertNoControlCharacters(String output) {
    for (String line : output.split("\n", -1)) {
      assertTrue(line.chars().allMatch(c -> c >= 0x20 && c < 0x7f),
          "raw control character in: " + line.replace("\u001b", "<ESC>").replace("\r", "<CR>")
              .replace("\u0007", "<BEL>"));
    }
  }

  @Test
  @DisplayName("item04: send prints SMTP reply text escaped in the table and the JSON (SEC-20)")
  void item04_send_replyTextEscaped_SEC_20() {
    for (String format : List.of("table", "json")) {
      List<String> args = new ArrayList<>(List.of("send", "--from", "me@sender.example",
          "--to", "victim@evil.example", "--to", "other@evilgreeting.example",
          "--to", "third@evildata.example"));
      if (format.equals("json")) {
        args.add("--json");
      }
      CliRun r = run(args.toArray(new String[0]));
      assertEquals(1, r.exit(), r.out() + r.err());
      assertNoControlCharacters(r.out());
      assertNoControlCharacters(r.err());
      // JSON escapes the escape's backslash once more.
      String escaped = format.equals("json") ? "\\\\u001b[31m red" : "\\u001b[31m red";
      assertTrue(r.out().contains("550-bad" + escaped), r.out());
      assertTrue(r.out().contains("554-go"), r.out());
      assertTrue(r.out().contains("554-clear" + escaped.replace("[31m red", "[2J")), r.out());
    }
  }

  @Test
  @DisplayName("item04: check prints a hostile greeting escaped in the table and the JSON")
  void item04_check_greetingEscaped_SEC_20() {
    for (boolean json : new boolean[] {false, true}) {
      CliRun r = json ? run("check", "evilgreeting.example", "--json")
          : run("check", "evilgreeting.example");
      assertNoControlCharacters(r.out());
      assertNoControlCharacters(r.err());
      assertTrue(r.out().contains(json ? "554-go\\\\u001b]0;owned\\\\u0007"
          : "554-go\\u001b]0;owned\\u0007"), r.out());
    }
  }

  @Test
  @DisplayName("item02: send --deadline gives up on a trickling domain in time, temporarily")
  void item02_sendDeadline_boundsATricklingDomain() {
    long start = System.nanoTime();
    CliRun r = run("send", "--deadline", "2", "--from", "me@sender.example",
        "--to", "someone@slow.example", "--json");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(1, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("\"delivered\":false"), r.out());
    assertTrue(r.out().contains("\"reason\":\"deadline-exceeded\""), r.out());
    assertTrue(r.out().contains("\"temporary\":true"), r.out());
    assertTrue(r.out().contains("not tried: mx2.slow.example"), r.out());
    assertEquals(0, world.smtp("mx2.slow.example").connectionCount());
    assertTrue(took.compareTo(Duration.ofSeconds(30)) < 0, "bounded: " + took);
  }

  @Test
  void item02_sendDeadline_mustBePositive() {
    CliRun r = run("send", "--deadline", "0", "--from", "me@sender.example",
        "--to", "someone@slow.example");
    assertEquals(2, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains("--deadline"), r.err());
  }
}
