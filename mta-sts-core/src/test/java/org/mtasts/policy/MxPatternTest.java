package org.mtasts.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MxPatternTest {

  @ParameterizedTest(name = "{0}: ''{1}'' -> ''{2}''")
  @CsvSource(
      delimiter = '|',
      value = {
        "STS-PARSE-09 exact host | mail.example.com | mail.example.com | false",
        "EDGE-67 trailing dot stripped, lower-cased | MAIL.Example.COM. | mail.example.com | false",
        "STS-PARSE-09 wildcard | *.example.com | *.example.com | true",
        "EDGE-67 wildcard with trailing dot | *.Example.NET. | *.example.net | true",
        "EDGE-68 wildcard under a TLD is valid | *.com | *.com | true",
        "EDGE-72 all-digit labels | 192.0.2.1 | 192.0.2.1 | false",
        "STS-MATCH-04 A-label | XN--BCHER-KVA.example | xn--bcher-kva.example | false",
        "STS-MATCH-04 wildcard A-label | *.xn--bcher-kva.example | *.xn--bcher-kva.example | true",
        "single label | localhost | localhost | false",
        "digits and hyphens | mx-01.123.example | mx-01.123.example | false",
      })
  void parse_valid(String rule, String input, String normalised, boolean wildcard) {
    MxPattern p = MxPattern.parse(input);
    assertEquals(normalised, p.toString());
    assertEquals(wildcard, p.isWildcard());
    assertEquals(p, MxPattern.parse(p.toString()));
  }

  @Test
  @DisplayName("EDGE-73 label of 63 and pattern of 253 characters are accepted")
  void parse_lengthLimits() {
    String label = "a".repeat(63);
    assertEquals(label + ".example", MxPattern.parse(label + ".example").toString());
    String name = label + "." + label + "." + label + "." + "b".repeat(61);
    assertEquals(253, name.length());
    assertEquals(name, MxPattern.parse(name).toString());
    String wildcard = "*." + label + "." + label + "." + label + "." + "b".repeat(59);
    assertEquals(253, wildcard.length());
    assertTrue(MxPattern.parse(wildcard).isWildcard());
  }

  @ParameterizedTest(name = "{0}: ''{1}'' rejected ({2})")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "EDGE-64 two wildcards | *.*.example.com | not the entire first label",
        "EDGE-65 partial-label wildcard | mail*.example.com | not the entire first label",
        "EDGE-65 wildcard without dot | *example.com | not the entire first label",
        "EDGE-65 bare star | * | bare '*'",
        "EDGE-65 star and dot only | *. | bare '*'",
        "mox double star | **.example | not the entire first label",
        "EDGE-66 draft-era suffix form | .example.com | draft-era",
        "EDGE-69 U-label | bücher.example | A-labels",
        "EDGE-69 U-label wildcard | *.bücher.example | A-labels",
        "EDGE-71 port | mail.example.com:25 | port",
        "EDGE-71 address literal | [192.0.2.1] | address literal",
        "EDGE-71 list | \"a.example, b.example\" | one pattern on each mx line",
        "EDGE-71 list without space | a.example,b.example | one pattern on each mx line",
        "EDGE-71 empty | \"\" | is empty",
        "EDGE-71 underscore | _mx.example.com | '_'",
        "EDGE-71 space | mx example.com | whitespace",
        "mox trailing hyphen | test.example- | hyphen",
        "leading hyphen after wildcard | *.-a.example | hyphen",
        "empty label | mail..example.com | empty label",
        "two trailing dots | example.com.. | more than one dot",
        "slash | mail.example.com/ | '/'",
      })
  void parse_invalid(String rule, String input, String reason) {
    InvalidDomainException e =
        assertThrows(InvalidDomainException.class, () -> MxPattern.parse(input));
    assertEquals(input, e.input());
    assertTrue(e.reason().contains(reason), () -> "reason was: " + e.reason());
    assertTrue(e.getMessage().startsWith("mx pattern '"), e.getMessage());
  }

  @Test
  @DisplayName("control characters are rejected")
  void parse_controlCharacters() {
    parse_invalid("NUL", "mail\u0000.example.com", "control character U+0000");
    parse_invalid("CR", "mail.example.com\r", "control character U+000D");
    parse_invalid("DEL", "mail\u007F.example.com", "control character U+007F");
  }

  @Test
  @DisplayName("EDGE-73 label of 64 or name over 253 characters is rejected")
  void parse_overLong() {
    assertThrows(InvalidDomainException.class, () -> MxPattern.parse("a".repeat(64) + ".example"));
    String label = "a".repeat(63);
    String name = label + "." + label + "." + label + "." + "b".repeat(62);
    assertThrows(InvalidDomainException.class, () -> MxPattern.parse(name));
    assertThrows(InvalidDomainException.class, () -> MxPattern.parse("*." + name.substring(2)));
  }

  @Test
  @DisplayName("EDGE-69 the error for a U-label suggests the A-label")
  void parse_uLabel_suggestsALabel() {
    InvalidDomainException e =
        assertThrows(InvalidDomainException.class, () -> MxPattern.parse("*.bücher.example"));
    assertTrue(e.getMessage().contains("'*.xn--bcher-kva.example'"), e.getMessage());
  }

  @ParameterizedTest(name = "{0}: ''{1}'' vs MX ''{2}'' -> {3}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "EDGE-62 case and trailing dot | mail.example.com | MAIL.Example.COM. | true",
        "STS-MATCH-02 identical | mail.example.com | mail.example.com | true",
        "STS-MATCH-02 different host | mail.example.com | mail2.example.com | false",
        "STS-MATCH-02 parent | mail.example.com | example.com | false",
        "STS-MATCH-02 child | mail.example.com | x.mail.example.com | false",
        "STS-MATCH-02 suffix only | ail.example.com | mail.example.com | false",
        "STS-MATCH-01 | mx1.example.com | mx2.example.com | false",
        "EDGE-63 wildcard one label | *.example.com | mail.example.com | true",
        "EDGE-63 EDGE-78 wildcard never matches its parent | *.example.com | example.com | false",
        "EDGE-63 wildcard parent with dot | *.example.com | example.com. | false",
        "EDGE-63 wildcard not two labels | *.example.com | a.b.example.com | false",
        "STS-MATCH-03 case-insensitive wildcard | *.Example.COM | MAIL.EXAMPLE.com. | true",
        "STS-MATCH-05 trailing dot | mx.example.com | mx.example.com. | true",
        "STS-MATCH-05 only one trailing dot | mx.example.com | mx.example.com.. | false",
        "STS-MATCH-06 EDGE-76 A-label label | *.example.com | xn--bcher-kva.example.com | true",
        "STS-MATCH-06 EDGE-76 all-digit label | *.example.com | 123.example.com | true",
        "STS-MATCH-08 EDGE-68 weak wildcard | *.com | anything.com | true",
        "EDGE-68 weak wildcard not the TLD | *.com | com | false",
        "STS-MATCH-04 A-label any case | XN--BCHER-KVA.example | xn--bcher-kva.example | true",
        "EDGE-70 U-label MX host converted | xn--bcher-kva.example | Bücher.example. | true",
        "EDGE-70 U-label under wildcard | *.example.com | bücher.example.com | true",
        "SEC-26 homograph A-label | xn--pple-43d.com | apple.com | false",
        "no folding of dotless i | ix.example.com | \u0131x.example.com | false",
        "EDGE-72 name that looks like an address | 192.0.2.1 | 192.0.2.1 | true",
        "EDGE-77 implicit MX | example.com | example.com | true",
        "wildcard label must be LDH | *.example.com | _x.example.com | false",
        "wildcard label no leading hyphen | *.example.com | -x.example.com | false",
        "wildcard label not empty | *.example.com | .example.com | false",
        "empty host | *.example.com | \"\" | false",
        "dot host | example.com | . | false",
        "invalid U-label host | *.example.com | faß.example.com | false",
        "suffix must start at a label | *.example.com | x.xexample.com | false",
      })
  void matches(String rule, String pattern, String host, boolean expected) {
    assertEquals(expected, MxPattern.parse(pattern).matches(host));
  }

  @Test
  @DisplayName("STS-MATCH-03 wildcard label may be up to 63 characters")
  void matches_wildcardLabelLength() {
    MxPattern p = MxPattern.parse("*.example.com");
    assertTrue(p.matches("a".repeat(63) + ".example.com"));
    assertFalse(p.matches("a".repeat(64) + ".example.com"));
  }

  @Test
  @DisplayName("SEC-18 STS-MATCH-08 wildcard directly under one label is flagged")
  void isTopLevelWildcard() {
    assertTrue(MxPattern.parse("*.com").isTopLevelWildcard());
    assertFalse(MxPattern.parse("*.example.com").isTopLevelWildcard());
    assertFalse(MxPattern.parse("com").isTopLevelWildcard());
    // documented limit: without a public-suffix list *.co.uk is not detected
    assertFalse(MxPattern.parse("*.co.uk").isTopLevelWildcard());
  }

  @Test
  void domain_isPartAfterWildcard() {
    assertEquals("example.com", MxPattern.parse("*.Example.com").domain());
    assertEquals("mx.example.com", MxPattern.parse("mx.example.com.").domain());
  }

  @Test
  void equality_isOnNormalisedText() {
    MxPattern a = MxPattern.parse("*.Example.COM.");
    MxPattern b = MxPattern.parse("*.example.com");
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertEquals("*.example.com", a.toString());
    assertNotEquals(MxPattern.parse("example.com"), b);
    assertNotEquals(b, "*.example.com");
  }

  @Test
  void nullArguments_throwNullPointerException() {
    assertThrows(NullPointerException.class, () -> MxPattern.parse(null));
    MxPattern p = MxPattern.parse("mx.example.com");
    assertThrows(NullPointerException.class, () -> p.matches(null));
  }
}
