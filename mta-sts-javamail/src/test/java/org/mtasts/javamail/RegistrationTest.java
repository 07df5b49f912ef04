package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Provider;
import jakarta.mail.Session;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The three registrations of the provider, under {@code smtp-mtasts} and never {@code smtp}. */
class RegistrationTest {
  private static final String LINE = "protocol=smtp-mtasts; type=transport;"
      + " class=org.mtasts.javamail.MtaStsTransport; vendor=mta-sts-java;";

  @Test
  void moduleProvidesTheProviderAndExportsOnlyTheApiPackage() throws Exception {
    ModuleDescriptor module;
    try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
      module = ModuleDescriptor.read(in);
    }
    assertEquals("org.mtasts.javamail", module.name());
    assertEquals(Set.of("org.mtasts.javamail"),
        module.exports().stream().map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toSet()));
    ModuleDescriptor.Provides provides = module.provides().stream()
        .filter(p -> p.service().equals("jakarta.mail.Provider")).findFirst().orElseThrow();
    assertEquals(List.of(MtaStsTransportProvider.class.getName()), provides.providers());
    assertTrue(module.requires().stream().anyMatch(r -> r.name().equals("jakarta.mail")
        && r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE)));
    assertFalse(module.requires().stream().anyMatch(r -> r.name().startsWith("org.eclipse.angus")),
        "no dependency on an Angus module name");
  }

  @Test
  void providerFilesAndServiceFile() throws Exception {
    for (String file : List.of("javamail.providers", "jakarta.providers")) {
      List<String> lines = Files.readAllLines(Path.of("target/classes/META-INF/" + file),
          StandardCharsets.UTF_8).stream().filter(l -> !l.startsWith("#")).toList();
      assertEquals(List.of(LINE), lines, file);
    }
    assertEquals(List.of(MtaStsTransportProvider.class.getName()), Files.readAllLines(
        Path.of("target/classes/META-INF/services/jakarta.mail.Provider")));
  }

  @Test
  void providerProtocolIsSmtpMtasts() {
    Provider p = new MtaStsTransportProvider();
    assertEquals(Provider.Type.TRANSPORT, p.getType());
    assertEquals("smtp-mtasts", p.getProtocol());
    assertEquals(MtaStsTransport.class.getName(), p.getClassName());
  }

  @Test
  void plainSessionKeepsAngusAsSmtp() throws Exception {
    Session s = Session.getInstance(new Properties());
    assertNotEquals(MtaStsTransport.class.getName(), s.getProvider("smtp").getClassName());
    assertInstanceOf(MtaStsTransport.class, s.getTransport("smtp-mtasts"));
    assertNotEquals(MtaStsTransport.class.getName(), Courier.smtpProvider(s).getClassName());
  }

  @Test
  void install_makesSmtpOurs_delegateStaysAngus() throws Exception {
    Session s = MtaStsMail.install(Session.getInstance(new Properties()));
    assertInstanceOf(MtaStsTransport.class, s.getTransport("smtp"));
    assertEquals(MtaStsTransport.class.getName(), s.getProperty("mail.smtp.class"));
    assertNotEquals(MtaStsTransport.class.getName(), Courier.smtpProvider(s).getClassName());
  }

  @Test
  void nullArguments() {
    assertThrows(NullPointerException.class, () -> MtaStsMail.install(null));
  }
}
