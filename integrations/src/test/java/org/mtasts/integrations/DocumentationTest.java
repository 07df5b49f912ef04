package org.mtasts.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code .properties} snippets of the READMEs can be pasted as they are: no inline comments
 * (which {@code .properties} files do not have), and only settings that exist.
 */
class DocumentationTest {
  private static final Path ROOT = Path.of("..");
  private static final List<String> DOCS = List.of("README.md", "mta-sts-javamail/README.md");
  private static final Pattern BLOCK =
      Pattern.compile("```properties\\n(.*?)```", Pattern.DOTALL);

  record Block(String file, int index, String text) {
    @Override
    public String toString() {
      return file + " block " + index;
    }
  }

  static Stream<Block> propertiesBlocks() throws IOException {
    List<Block> blocks = new ArrayList<>();
    for (String doc : DOCS) {
      Matcher m = BLOCK.matcher(Files.readString(ROOT.resolve(doc), StandardCharsets.UTF_8));
      for (int i = 1; m.find(); i++) {
        blocks.add(new Block(doc, i, m.group(1)));
      }
    }
    assertTrue(blocks.size() >= 3, "the READMEs show properties blocks: " + blocks);
    return blocks.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("propertiesBlocks")
  @DisplayName("item 12: README .properties blocks have comments on their own lines only")
  void item12_propertiesBlocks_haveNoInlineComments(Block block) {
    for (String line : block.text().split("\n")) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#") || t.startsWith("!")) {
        continue;
      }
      assertFalse(t.matches(".*\\s[#!].*"), block + ": inline comment in '" + line + "'");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("propertiesBlocks")
  @DisplayName("item 12: README .properties blocks name only settings of the property table")
  void item12_propertiesBlocks_nameKnownSettings(Block block) throws IOException {
    Set<String> known = tableNames();
    Properties p = new Properties();
    p.load(new StringReader(block.text()));
    for (String key : p.stringPropertyNames()) {
      String name = key.startsWith("spring.mail.properties.")
          ? key.substring("spring.mail.properties.".length()) : key;
      if (name.startsWith("mail.mtasts.")) {
        assertTrue(known.contains(name), block + ": " + name + " is not in the table " + known);
      }
      assertFalse(p.getProperty(key).contains("#"), block + ": " + key + "=" + p.getProperty(key));
    }
  }

  private static Set<String> tableNames() throws IOException {
    String doc = Files.readString(
        ROOT.resolve("mta-sts-javamail/src/main/java/org/mtasts/javamail/package-info.java"),
        StandardCharsets.UTF_8);
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("<tr><td>\\{@code (mail\\.mtasts\\.[A-Za-z.]+)\\}</td>")
        .matcher(doc);
    while (m.find()) {
      names.add(m.group(1));
    }
    assertEquals(true, names.contains("mail.mtasts.trustStorePassword"), names.toString());
    return names;
  }
}
