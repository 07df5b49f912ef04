package org.mtasts.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReportSubmitterTest {

  @Test
  @DisplayName("TLSRPT-DEL-04: of() takes the submitter domain from the contact address")
  void of_takesDomainFromContact_TLSRPT_DEL_04() {
    ReportSubmitter s = ReportSubmitter.of("Example Inc.", "tlsrpt@Sender.Example.");
    assertEquals(new ReportSubmitter("Example Inc.", "tlsrpt@sender.example", "sender.example"),
        s);
    assertEquals("sender.example", s.domain());
    assertEquals("tlsrpt@sender.example", s.contactInfo());
  }

  @Test
  @DisplayName("TLSRPT-JSON-02: the domains are normalised to A-labels")
  void idn_toALabels_TLSRPT_JSON_02() {
    ReportSubmitter s = new ReportSubmitter("Bücher AG", "Tls.Rpt@Bücher.example",
        "xn--bcher-kva.example");
    assertEquals("Tls.Rpt@xn--bcher-kva.example", s.contactInfo());
    assertEquals("xn--bcher-kva.example", s.domain());
    assertEquals("Bücher AG", s.organizationName());
  }

  @Test
  @DisplayName("TLSRPT-DEL-04: a contact outside the submitter domain is refused")
  void contactInOtherDomain_refused_TLSRPT_DEL_04() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new ReportSubmitter("Org", "tlsrpt@sender.example", "mail.sender.example"));
    assertTrue(e.getMessage().contains("not in the submitter domain mail.sender.example"),
        e.getMessage());
  }

  @ParameterizedTest(name = "contact-info {0} is not an RFC 5322 addr-spec")
  @ValueSource(strings = {"", "tlsrpt", "@sender.example", "tlsrpt@", "a b@sender.example",
      ".a@sender.example", "a.@sender.example", "a..b@sender.example", "\"a@sender.example",
      "a\r\n@sender.example", "é@sender.example", "a@[192.0.2.1]", "a@sender..example",
      "a@-sender.example", "<a@sender.example>", "a@sender.example\r\nBcc: x@y.example",
      "\"a\\\"@sender.example",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@sender.example"})
  void notAnAddrSpec_refused(String contact) {
    assertThrows(IllegalArgumentException.class, () -> ReportSubmitter.of("Org", contact));
  }

  @ParameterizedTest(name = "contact-info {0} is an addr-spec")
  @ValueSource(strings = {"a@sender.example", "tls-rpt+x@sender.example", "a.b.c@sender.example",
      "\"john doe\"@sender.example", "\"a\\\"b\"@sender.example", "!#$%&'*+-/=?^_`{|}~@sender.example"})
  void addrSpec_accepted(String contact) {
    assertEquals(contact, ReportSubmitter.of("Org", contact).contactInfo());
  }

  @ParameterizedTest(name = "organization-name {0} is refused")
  @ValueSource(strings = {"", "   ", "a\nb", "a\u0000b", "a\u0085b", "a\u2028b", "a\ud800b"})
  void badOrganizationName_refused(String name) {
    assertThrows(IllegalArgumentException.class,
        () -> ReportSubmitter.of(name, "a@sender.example"));
  }

  @Test
  @DisplayName("null arguments are refused")
  void nulls() {
    assertThrows(NullPointerException.class, () -> ReportSubmitter.of(null, "a@b.example"));
    assertThrows(NullPointerException.class, () -> ReportSubmitter.of("Org", null));
    assertThrows(NullPointerException.class,
        () -> new ReportSubmitter("Org", "a@b.example", null));
  }
}
