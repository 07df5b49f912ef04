package org.mtasts.examples.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mtasts.NetworkText;

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
      // SEC-20: details quote DNS, HTTP and SMTP text; table and JSON show them escaped.
      subject = printable(subject);
      detail = printable(detail);
      fix = printable(fix);
      notes = notes.stream().map(CheckReport::printable).toList();
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

  /**
   * A structured sub-object of the JSON output, e.g. {@code policy}; its strings are made
   * {@linkplain #printable printable} when the JSON is made.
   */
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
    @SuppressWarnings("unchecked")
    Map<String, Object> printableFacts = (Map<String, Object>) printableTree(facts);
    json.putAll(printableFacts);
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
    String domain = printable(this.domain);
    String format = "%-6s %-" + itemWidth + "s  %-" + subjectWidth + "s  %s%n";
    String indent = " ".repeat(6 + 1 + itemWidth + 2 + subjectWidth + 2);
    out.println("MTA-STS check of " + domain);
    out.println();
    out.printf(Locale.ROOT, format, "RESULT", "CHECK", "SUBJECT", "DETAIL");
    for (Item item : items) {
      String verdict = String.format(Locale.ROOT, "%-6s", item.verdict().token());
      out.print(color ? paint(item.verdict(), verdict) : verdict);
      out.printf(Locale.ROOT, " %-" + itemWidth + "s  %-" + subjectWidth + "s  %s%n",
          item.item(), item.subject(), item.detail());
      for (String note : item.notes()) {
        out.println(indent + note);
      }
      if (item.fix() != null) {
        out.println(indent + "fix: " + item.fix());
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

  /** Longest network-derived string the command prints; the rest is cut. */
  static final int MAX_PRINTED = 2000;

  /**
   * The command's one way to print text that came from the network (SEC-20): text with a control
   * character or any character outside printable US-ASCII goes through {@code NetworkText}
   * (CR, LF, ESC become {@code \}{@code uXXXX}), so neither tables nor JSON carry them raw. Text
   * that is printable already, such as the library's escaped messages, is only cut after {@link
   * #MAX_PRINTED} characters (escaping it again would double its backslashes).
   *
   * @param text the text; {@code null} gives {@code null}
   */
  static String printable(String text) {
    if (text == null) {
      return null;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c >= 0x7f) {
        return NetworkText.printable(text, MAX_PRINTED);
      }
    }
    return text.length() <= MAX_PRINTED ? text : text.substring(0, MAX_PRINTED) + "...";
  }

  /**
   * {@link #printable(String)} applied to every string (and map key) of a JSON-like tree of
   * maps, lists and plain values; other values are kept.
   */
  static Object printableTree(Object value) {
    if (value instanceof String s) {
      return printable(s);
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        copy.put(printable(String.valueOf(e.getKey())), printableTree(e.getValue()));
      }
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object o : list) {
        copy.add(printableTree(o));
      }
      return copy;
    }
    return value;
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
