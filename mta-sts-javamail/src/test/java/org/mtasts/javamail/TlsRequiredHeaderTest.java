package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TlsRequiredHeaderTest {

  @ParameterizedTest(name = "STS-RTLS-05, D-24: {0} → honoured {1}")
  @CsvSource(delimiter = '|', value = {
      "No | true",
      "no | true",
      "NO | true",
      "' No ' | true",
      "Yes | false",
      "No, really | false",
      "No;No | false",   // two headers
      "'' | false",
  })
  void header(String values, boolean honoured) throws Exception {
    MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
    if (!values.isEmpty()) {
      for (String v : values.split(";")) {
        m.addHeader("TLS-Required", v);
      }
    }
    assertEquals(honoured, TlsRequiredHeader.isNo(m));
  }

  @ParameterizedTest(name = "no header → not honoured")
  @CsvSource("x")
  void noHeader(String unused) throws Exception {
    MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
    assertEquals(false, TlsRequiredHeader.isNo(m));
  }
}
