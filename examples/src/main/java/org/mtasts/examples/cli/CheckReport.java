package org.mtasts.examples.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of {@code mta-sts check}: items with a verdict, a detail and a fix for each problem,
 * plus structured facts for JSON. Renders as an aligned table or as one JSON object.
 */
final class CheckReport {
  /** How one item came out. */
  enum Verdict {
    OK,
    WARN,
    FAIL;

    String token() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One line of the report.
   *
   * @param item what was checked, e.g. {@code sts-record}, {@code starttls}
   * @param subject the name it was checked for, e.g. {@code _mta-sts.example.com}
   * @param verdict ok, warn or fail
   * @param detail one line saying what was found
   * @param fix one line saying what to do; null when the verdict is ok
   * @param notes extra lines for people (certificate facts); not in the JSON item
   */
  record Item(
      String item, String subject, Verdict verdict, String detail, String fix, List<String> notes) {
    Item {
      notes = List.copyOf(notes);
    }

    static Item ok(String item, String subject, String detail) {
      return new Item(item, subject, Verdict.OK, detail, null, List.of());
    }

    static Item of(String item, String subject, Verdict verdict, String detail, String fix) {
      return new Item(item, subject, verdict, detail, verdict == Verdict.OK ? null : fix,
          List.of());
    }

    Item withNotes(List<String> more) {
      return new Item(item, subject, verdict, detail, fix, more);
    }

    Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("item", item);
      json.put("subject", subject);
      json.put("verdict", verdict.token());
      json.put("detail", detail);
      json.put("fix", fix);
      return json;
    }
  }

  private final String domain;
  private final List<Item> items = new ArrayList<>();
  private final Map<String, Object> facts = new LinkedHashMap<>();

  CheckReport(String domain) {
    this.domain = domain;
  }

  void add(Item item) {
    items.add(item);
  }

  /** A structured sub-object of the JSON output, e.g. {@code policy}. */
  void fact(String name, Object value) {
    facts.put(name, value);
  }

  List<Item> items() {
    return items;
  }

  Verdict verdict() {
    Verdict worst = Verdict.OK;
    for (Item item : items) {
      if (item.verdict().compareTo(worst) > 0) {
        worst = item.verdict();
      }
    }
    return worst;
  }

  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("domain", domain);
    json.put("verdict", verdict().token());
    List<Object> list = new ArrayList<>();
    for (Item item : items) {
      list.add(item.toJson());
    }
    json.put("items", list);
    json.putAll(facts);
    return json;
  }

  /** Prints the aligned table; {@code color} adds ANSI colours to the verdicts. */
  void printHuman(PrintWriter out, boolean color) {
    int itemWidth = "CHECK".length();
    int subjectWidth = "SUBJECT".length();
    for (Item item : items) {
      itemWidth = Math.max(itemWidth, item.item().length());
      subjectWidth = Math.max(subjectWidth, item.subject().length());
    }
    String format = "%-6s %-" + itemWidth + "s  %-" + subjectWidth + "s  %s%n";
    String indent = " ".repeat(6 + 1 + itemWidth + 2 + subjectWidth + 2);
    out.println("MTA-STS check of " + domain);
    out.println();
    out.printf(Locale.ROOT, format, "RESULT", "CHECK", "SUBJECT", "DETAIL");
    for (Item item : items) {
      String verdict = String.format(Locale.ROOT, "%-6s", item.verdict().token());
      out.print(color ? paint(item.verdict(), verdict) : verdict);
      out.printf(Locale.ROOT, " %-" + itemWidth + "s  %-" + subjectWidth + "s  %s%n",
          item.item(), item.subject(), oneLine(item.detail()));
      for (String note : item.notes()) {
        out.println(indent + oneLine(note));
      }
      if (item.fix() != null) {
        out.println(indent + "fix: " + oneLine(item.fix()));
      }
    }
    out.println();
    int fail = 0;
    int warn = 0;
    int ok = 0;
    for (Item item : items) {
      switch (item.verdict()) {
        case FAIL -> fail++;
        case WARN -> warn++;
        default -> ok++;
      }
    }
    String summary = String.format(Locale.ROOT, "%s: %s (%d failed, %d %s, %d ok)", domain,
        verdict().token().toUpperCase(Locale.ROOT), fail, warn,
        warn == 1 ? "warning" : "warnings", ok);
    out.println(color ? paint(verdict(), summary) : summary);
  }

  private static String paint(Verdict verdict, String text) {
    String code = switch (verdict) {
      case OK -> "\u001b[32m";
      case WARN -> "\u001b[33m";
      case FAIL -> "\u001b[1;31m";
    };
    return code + text + "\u001b[0m";
  }

  /** Control characters (from DNS, HTTP or SMTP text) never reach the terminal raw. */
  static String oneLine(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * Whether standard output is a terminal. Up to JDK 21 {@link System#console()} is null unless
   * standard input and output are terminals; from JDK 22 it may exist anyway, and {@code
   * Console.isTerminal()} (looked up reflectively, this code targets Java 17) tells.
   */
  static boolean stdoutIsTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return true;
    }
  }

  /**
   * Whether to colour human output: standard output is a terminal and {@code NO_COLOR} is unset
   * or empty (https://no-color.org).
   */
  static boolean useColor(boolean terminal, Map<String, String> env) {
    String noColor = env.get("NO_COLOR");
    return terminal && (noColor == null || noColor.isEmpty());
  }
}
