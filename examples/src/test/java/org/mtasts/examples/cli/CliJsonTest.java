package org.mtasts.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The CLI's JSON output (jackson-core's generator): the shapes the commands print, and I-JSON. */
class CliJsonTest {

  @Test
  void values_objectsInOrder_arrays_numbers_nulls() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("z", "text");
    m.put("a", List.of(1, 2L, true));
    m.put("n", null);
    m.put("d", 1.5);
    m.put("nan", Double.NaN);
    m.put("big", new BigDecimal("12345678901234567890.5"));
    m.put("nested", Map.of("k", List.of()));
    m.put("raw", new CliJson.Raw("{\"x\":[1]}"));
    assertEquals("{\"z\":\"text\",\"a\":[1,2,true],\"n\":null,\"d\":1.5,\"nan\":null,"
        + "\"big\":12345678901234567890.5,\"nested\":{\"k\":[]},\"raw\":{\"x\":[1]}}",
        CliJson.write(m));
    assertEquals("\"plain\"", CliJson.write("plain"));
    assertEquals("null", CliJson.write(null));
  }

  @Test
  @DisplayName("SEC-20: hostile strings give I-JSON on one line: controls, DEL, C1, U+2028/9"
      + " escaped; unpaired surrogates and noncharacters replaced")
  void hostileStrings_iJson_SEC_20() {
    assertEquals("\"q\\\" b\\\\ n\\n r\\r t\\t bs\\u0008 ff\\u000c esc\\u001b[31m nul\\u0000\"",
        CliJson.write("q\" b\\ n\n r\r t\t bs\b ff\f esc\u001b[31m nul\u0000"));
    assertEquals("\"del\\u007f c1\\u0085\\u009b ls\\u2028 ps\\u2029\"",
        CliJson.write("del\u007f c1\u0085\u009b ls\u2028 ps\u2029"));
    assertEquals("\"lone \uFFFDx\uFFFD nonchar \uFFFD\uFFFD pair \uD83D\uDE00 \u00e9\"",
        CliJson.write("lone \uD800x\uDC00 nonchar \uFDD0\uFFFF pair \uD83D\uDE00 \u00e9"));
    assertEquals("{\"key\\n\":\"\uFFFD\"}", CliJson.write(Map.of("key\n", "\uDC00")));
  }

  @Test
  void randomStrings_alwaysOneLineOfValidJson_thatReadsBackAsTheWellFormedString()
      throws Exception {
    SplittableRandom random = new SplittableRandom(8461);
    JsonFactory json = new JsonFactory();
    for (int i = 0; i < 2_000; i++) {
      char[] chars = new char[random.nextInt(12)];
      for (int k = 0; k < chars.length; k++) {
        chars[k] = random.nextBoolean() ? (char) random.nextInt(0x100)
            : (char) random.nextInt(0x10000);
      }
      String s = new String(chars);
      String out = CliJson.write(List.of(s));
      assertEquals(1, out.lines().count(), Arrays.toString(chars));
      assertTrue(out.chars().noneMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f)
          || c == 0x2028 || c == 0x2029), Arrays.toString(chars));
      assertTrue(out == CliJson.wellFormed(out), "no unpaired surrogate, no noncharacter: "
          + Arrays.toString(chars));
      try (JsonParser p = json.createParser(out)) {
        assertEquals(JsonToken.START_ARRAY, p.nextToken());
        assertEquals(JsonToken.VALUE_STRING, p.nextToken());
        assertEquals(CliJson.wellFormed(s), p.getText(), Arrays.toString(chars));
        assertEquals(JsonToken.END_ARRAY, p.nextToken());
      }
    }
  }

  @Test
  void wellFormed_keepsTheSameInstance_whenNothingToReplace() {
    String s = "ok \uD83D\uDE00";
    assertTrue(s == CliJson.wellFormed(s));
    List<String> replaced = new ArrayList<>();
    for (String bad : List.of("\uD800", "\uDFFF", "\uFDD0", "\uFDEF", "\uFFFE", "\uFFFF",
        new String(Character.toChars(0x1FFFE)), new String(Character.toChars(0x10FFFF)))) {
      replaced.add(CliJson.wellFormed("a" + bad + "b"));
    }
    assertTrue(replaced.stream().allMatch("a\uFFFDb"::equals), replaced.toString());
  }
}
