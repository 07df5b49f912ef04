package org.mtasts.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ResultTypeTest {

  @Test
  @DisplayName("notes §3.4: exactly the 11 IANA result types, with their registered names")
  void registeredNames() {
    assertEquals(
        List.of(
            "starttls-not-supported",
            "certificate-host-mismatch",
            "certificate-expired",
            "certificate-not-trusted",
            "validation-failure",
            "tlsa-invalid",
            "dnssec-invalid",
            "dane-required",
            "sts-policy-fetch-error",
            "sts-policy-invalid",
            "sts-webpki-invalid"),
        Arrays.stream(ResultType.values()).map(ResultType::wireName).toList());
  }

  @ParameterizedTest(name = "{0} round-trips through its wire name")
  @EnumSource(ResultType.class)
  void fromWireName_roundTrip(ResultType type) {
    assertEquals(Optional.of(type), ResultType.fromWireName(type.wireName()));
  }

  @Test
  @DisplayName("unregistered and differently cased names are not result types")
  void fromWireName_unknown() {
    assertEquals(Optional.empty(), ResultType.fromWireName("mta-sts-mx-mismatch"));
    assertEquals(Optional.empty(), ResultType.fromWireName("STS-POLICY-INVALID"));
    assertEquals(Optional.empty(), ResultType.fromWireName(""));
  }
}
