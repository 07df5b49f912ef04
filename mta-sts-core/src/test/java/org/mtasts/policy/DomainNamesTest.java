package org.mtasts.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DomainNamesTest {

  private static final String LABEL_63 = "a".repeat(63);
  /** 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 characters. */
  private static final String NAME_253 =
      LABEL_63 + "." + LABEL_63 + "." + LABEL_63 + "." + "b".repeat(61);

  @ParameterizedTest(name = "{0}: ''{1}'' -> ''{2}''")
  @CsvSource(
      delimiter = '|',
      value = {
        "SEC-13 upper case and trailing dot share one key | Example.COM. | example.com",
        "STS-SCOPE-06 U-label to A-label | Bücher.Example. | xn--bcher-kva.example",
        "STS-SCOPE-06 A-label stays | XN--BCHER-KVA.example | xn--bcher-kva.example",
        "STS-MATCH-05 one trailing dot removed | mx.example.com. | mx.example.com",
        "IDNA maps full-width letters | ｅｘａｍｐｌｅ.com | example.com",
        "IDNA maps the ideographic full stop | example.com\u3002 | example.com",
        "all-digit inner labels are LDH | 123.example | 123.example",
        "single label | LOCALHOST | localhost",
        "hyphens inside labels | A-B.c-d.example | a-b.c-d.example",
      })
  void normalize_validInput_returnsNormalForm(String rule, String input, String expected) {
    assertEquals(expected, DomainNames.normalize(input));
    assertTrue(DomainNames.isNormalized(expected));
  }

  @ParameterizedTest(name = "already normal ''{0}'' is returned as the same instance")
  @ValueSource(strings = {"example.com", "xn--bcher-kva.example", "a", "mx-1.example.co.uk"})
  void normalize_alreadyNormal_returnsSameInstance(String input) {
    String copy = new String(input); // a distinct instance, to see that no new one is made
    assertSame(copy, DomainNames.normalize(copy));
  }

  @Test
  @DisplayName("label of 63 characters and name of 253 characters are accepted")
  void normalize_lengthLimits_accepted() {
    assertEquals(LABEL_63 + ".example", DomainNames.normalize(LABEL_63 + ".example"));
    assertEquals(253, NAME_253.length());
    assertSame(NAME_253, DomainNames.normalize(NAME_253));
    assertEquals(NAME_253, DomainNames.normalize(NAME_253.toUpperCase() + "."));
  }

  @ParameterizedTest(name = "{0}: ''{1}'' rejected ({2})")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "empty | \"\" | is empty",
        "only a dot | . | is empty",
        "empty label | a..b | empty label",
        "leading dot | .example.com | starts with a dot",
        "two trailing dots | example.com.. | more than one dot",
        "leading hyphen | -a.example | starts or ends with a hyphen",
        "trailing hyphen | a-.example | starts or ends with a hyphen",
        "underscore | _mta-sts.example.com | '_'",
        "SEC-13 slash | example.com/path | '/'",
        "SEC-13 URL | https://example.com/ | ':'",
        "SEC-13 at sign | user@example.com | '@'",
        "SEC-13 colon and port | example.com:443 | ':'",
        "SEC-13 space | exa mple.com | whitespace",
        "SEC-13 tab | exa\tmple.com | whitespace",
        "SEC-13 no-break space | exa\u00A0mple.com | whitespace",
        "C1 control | x\u0085y.example | control",
        "STS-SCOPE-03 IPv4 address | 192.0.2.1 | looks like an IP address",
        "STS-SCOPE-03 IPv4 shorthand | 127.1 | looks like an IP address",
        "STS-SCOPE-03 all-digit name | 2130706433 | looks like an IP address",
        "STS-SCOPE-03 address literal | [192.0.2.1] | IP address literal",
        "STS-SCOPE-03 IPv6 literal | [IPv6:2001:db8::1] | IP address literal",
        "STS-SCOPE-03 bare IPv6 | 2001:db8::1 | IP address literal",
        "IDNA deviation sharp s | faß.de | deviation character",
        "IDNA deviation final sigma | ς.example | deviation character",
        "IDNA deviation ZWJ | a\u200Db.example | deviation character",
        "IDNA deviation ZWNJ | a\u200Cb.example | deviation character",
        "character unknown to IDNA2003 | \uD83D\uDE00.example | not a valid internationalised",
        "non-LDH in a U-label name | ü_x.example | '_'",
      })
  void normalize_invalidInput_throwsWithReason(String rule, String input, String reason) {
    InvalidDomainException e =
        assertThrows(InvalidDomainException.class, () -> DomainNames.normalize(input));
    assertEquals(input, e.input());
    assertTrue(e.reason().contains(reason), () -> "reason was: " + e.reason());
    assertTrue(e.getMessage().startsWith("domain '"), e.getMessage());
    assertFalse(DomainNames.isNormalized(input));
  }

  static Stream<Arguments> controlCharacters() {
    return Stream.of(
        Arguments.of("SEC-20 CRLF", "x\r\ny.example", "whitespace"),
        Arguments.of("NUL", "x\u0000y.example", "control character U+0000"),
        Arguments.of("DEL", "x\u007Fy.example", "U+007F"),
        Arguments.of("escape", "x\u001By.example", "control character U+001B"));
  }

  @ParameterizedTest(name = "{0} rejected")
  @MethodSource("controlCharacters")
  void normalize_controlCharacters_rejected(String rule, String input, String reason) {
    normalize_invalidInput_throwsWithReason(rule, input, reason);
  }

  @Test
  @DisplayName("label of 64 and name of 254 characters are rejected")
  void normalize_overLong_rejected() {
    InvalidDomainException label =
        assertThrows(
            InvalidDomainException.class, () -> DomainNames.normalize("a".repeat(64) + ".example"));
    assertTrue(label.reason().contains("longer than 63"), label.reason());
    InvalidDomainException name =
        assertThrows(InvalidDomainException.class, () -> DomainNames.normalize(NAME_253 + "b"));
    assertTrue(name.reason().contains("longer than 253"), name.reason());
  }

  @Test
  @DisplayName("very long input is rejected before IDNA conversion, message cut short")
  void normalize_hugeInput_rejectedEarly() {
    String huge = "ü".repeat(100_000);
    InvalidDomainException e =
        assertThrows(InvalidDomainException.class, () -> DomainNames.normalize(huge));
    assertEquals("has 100000 characters; a host name has at most 253", e.reason());
    // at most 80 input characters are quoted, each escaped to at most 6
    assertTrue(e.getMessage().length() < 600, e.getMessage());
  }

  @Test
  @DisplayName("SEC-20 the message escapes control characters of the input")
  void message_escapesControlCharacters() {
    InvalidDomainException e =
        assertThrows(InvalidDomainException.class, () -> DomainNames.normalize("a\r\nb"));
    assertEquals("domain 'a\\u000d\\u000ab' contains whitespace", e.getMessage());
  }

  @Test
  @DisplayName("STS-SCOPE-06 the IDNA2003 deviation is refused, not mapped to another domain")
  void normalize_sharpS_isNotMappedToSs() {
    InvalidDomainException e =
        assertThrows(InvalidDomainException.class, () -> DomainNames.normalize("faß.de"));
    assertTrue(e.reason().contains("U+00DF"), e.reason());
    // the A-label form is the way to name such a domain
    assertEquals("xn--fa-hia.de", DomainNames.normalize("xn--fa-hia.de"));
  }

  @ParameterizedTest(name = "isNormalized(''{0}'') is false")
  @ValueSource(strings = {"", "Example.com", "example.com.", "a..b", "-a.b", "192.0.2.1", "ü.de"})
  void isNormalized_falseForNonNormalForms(String input) {
    assertFalse(DomainNames.isNormalized(input));
  }

  @Test
  void normalize_null_throwsNullPointerException() {
    assertThrows(NullPointerException.class, () -> DomainNames.normalize(null));
  }
}
