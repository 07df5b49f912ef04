package org.mtasts.javamail;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import jakarta.mail.Session;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mtasts.HostResolver;
import org.mtasts.MtaSts;
import org.mtasts.tls.TrustAnchors;

/** How the {@code mail.mtasts.*} properties are read: one place, the way Jakarta Mail reads. */
class SettingsTest {

  /**
   * A valid value, different from the default, for every text setting of the package-info table.
   * A setting added to {@code Settings} and the table must be added here too, or
   * {@link #item09_tableConstantsAndTestsAgree} fails.
   */
  static final Map<String, String> SAMPLES = new LinkedHashMap<>();
  /** The object-valued settings, with a sample object each. */
  static final Map<String, Object> OBJECTS = new LinkedHashMap<>();

  static {
    SAMPLES.put(Settings.PORT, "2525");
    SAMPLES.put(Settings.CONNECTION_TIMEOUT, "1234");
    SAMPLES.put(Settings.TIMEOUT, "5678");
    SAMPLES.put(Settings.EHLO, "client.example");
    SAMPLES.put(Settings.TLS_REQUIRED_HEADER, "false");
    SAMPLES.put(Settings.ENFORCE, "false");
    SAMPLES.put(Settings.DNS_SERVERS, "192.0.2.53 [2001:db8::53]:5353");
    SAMPLES.put(Settings.TRUST_STORE, "/nonexistent/trust.p12");
    SAMPLES.put(Settings.TRUST_STORE_PASSWORD, "s3cret #1");
    SAMPLES.put(Settings.ALLOW_PRIVATE_ADDRESSES, "true");
    SAMPLES.put(Settings.FETCH_TIMEOUT, "9000");
    SAMPLES.put(Settings.CACHE_DIRECTORY, "/nonexistent/mta-sts-cache");
    SAMPLES.put(Settings.OVERRIDES, "/nonexistent/mta-sts-overrides");
    SAMPLES.put(Settings.STORE, "/nonexistent/mta-sts-state");
    SAMPLES.put(Settings.MX_ADDRESS_LIMIT, "2");
    SAMPLES.put(Settings.DELIVERY_DEADLINE, "120000");
    SAMPLES.put(Settings.REPLY_TIMEOUT, "30000");
    SAMPLES.put(Settings.TLSRPT_RECORD, "false");
    SAMPLES.put(Settings.TLSRPT_DIR, "/nonexistent/tlsrpt");
    SAMPLES.put(Settings.DANE, "false");
    SAMPLES.put(Settings.DANE_STRICT, "true");
    SAMPLES.put(Settings.DNSSEC_TRUST_ANCHORS, "/nonexistent/dnssec-anchors.ds");
    OBJECTS.put(Settings.INSTANCE, null); // an MtaSts, made per test (it owns a thread)
    OBJECTS.put(Settings.TRUST_MANAGER, TrustAnchors.system());
    OBJECTS.put(Settings.HOST_RESOLVER, HostResolver.none());
  }

  /** What the transport reads from {@code p}: its own settings and the seams' settings. */
  private static List<Object> readAll(Properties p) {
    return List.of(Settings.of(Session.getInstance(p)), Gates.Given.read(p));
  }

  /** The base a setting needs to be valid at all (the password needs its trust store). */
  private static Properties base(String name) {
    Properties p = new Properties();
    if (name.equals(Settings.TRUST_STORE_PASSWORD)) {
      p.setProperty(Settings.TRUST_STORE, SAMPLES.get(Settings.TRUST_STORE));
    }
    return p;
  }

  static Stream<String> textSettings() {
    return SAMPLES.keySet().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("textSettings")
  @DisplayName("item 9: a setting given as a Properties default (-D via Commons Email) is applied")
  void item09_settingInPropertiesDefaults_isApplied(String name) {
    Properties direct = base(name);
    direct.setProperty(name, SAMPLES.get(name));
    Properties defaults = base(name);
    defaults.setProperty(name, SAMPLES.get(name));
    Properties viaDefaults = new Properties(defaults); // as new Properties(System.getProperties())

    List<Object> expected = readAll(direct);
    assertNotEquals(readAll(base(name)), expected, "the sample must change something");
    assertEquals(expected, readAll(viaDefaults));
  }

  @Test
  @DisplayName("item 9: the package-info table, the Settings constants and this test agree")
  void item09_tableConstantsAndTestsAgree() throws IOException {
    String doc = Files.readString(
        Path.of("src/main/java/org/mtasts/javamail/package-info.java"), StandardCharsets.UTF_8);
    Set<String> table = new TreeSet<>();
    Matcher m = Pattern.compile("<tr><td>\\{@code (mail\\.mtasts\\.[A-Za-z.]+)\\}</td>")
        .matcher(doc);
    while (m.find()) {
      table.add(m.group(1));
    }
    Set<String> tested = new TreeSet<>(SAMPLES.keySet());
    tested.addAll(OBJECTS.keySet());
    assertEquals(Settings.NAMES, table, "package-info table vs Settings constants");
    assertEquals(Settings.NAMES, tested, "SettingsTest.SAMPLES/OBJECTS vs Settings constants");
  }

  @Test
  @DisplayName("item 9: Integer and Boolean objects count, as Angus reads its own settings")
  void item09_numberAndBooleanObjects_areRead() {
    Properties p = new Properties();
    p.put(Settings.PORT, 2525);
    p.put(Settings.ENFORCE, Boolean.FALSE);
    Settings s = Settings.of(Session.getInstance(p));
    assertEquals(2525, s.port());
    assertEquals(false, s.enforce());
  }

  @Test
  @DisplayName("item 9: the mail.smtp.* fallbacks are read through the defaults as well")
  void item09_smtpFallbacksInDefaults_areRead() {
    Properties defaults = new Properties();
    defaults.setProperty("mail.smtp.connectiontimeout", "1111");
    defaults.setProperty("mail.smtp.timeout", "2222");
    defaults.setProperty("mail.smtp.localhost", "fallback.example");
    Settings s = Settings.of(Session.getInstance(new Properties(defaults)));
    assertEquals(1111, s.connectTimeoutMillis());
    assertEquals(2222, s.readTimeoutMillis());
    assertEquals("fallback.example", s.ehlo());
  }

  @Test
  @DisplayName("item 9: object settings given directly are used")
  void item09_objectSettings_direct() {
    try (MtaSts sts = MtaSts.builder().build()) {
      Properties p = new Properties();
      p.put(Settings.INSTANCE, sts);
      p.put(Settings.TRUST_MANAGER, OBJECTS.get(Settings.TRUST_MANAGER));
      p.put(Settings.HOST_RESOLVER, OBJECTS.get(Settings.HOST_RESOLVER));
      Gates.Given g = Gates.Given.read(p);
      assertEquals(sts, g.sts());
      assertEquals(OBJECTS.get(Settings.TRUST_MANAGER), g.tm());
      assertEquals(OBJECTS.get(Settings.HOST_RESOLVER), g.hr());
    }
  }

  static Stream<String> objectSettings() {
    return OBJECTS.keySet().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("objectSettings")
  @DisplayName("item 9: an object setting hidden in the Properties' defaults is refused, not lost")
  void item09_objectInDefaults_isRefused(String name) {
    try (MtaSts sts = MtaSts.builder().build()) {
      Properties defaults = new Properties();
      defaults.put(name, name.equals(Settings.INSTANCE) ? sts : OBJECTS.get(name));
      Properties p = new Properties(defaults);

      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Gates.validate(p));
      assertTrue(e.getMessage().contains(name) && e.getMessage().contains("defaults"),
          e.getMessage());
      IllegalArgumentException viaSession = assertThrows(IllegalArgumentException.class,
          () -> MtaStsMail.session(p, sts));
      assertTrue(viaSession.getMessage().contains(name), viaSession.getMessage());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("objectSettings")
  @DisplayName("item 11: an object setting given as text (a class name, -D) is refused")
  void item11_objectSettingAsText_isRefused(String name) {
    Properties defaults = new Properties();
    defaults.setProperty(name, "com.example.Something");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Gates.validate(new Properties(defaults)));
    assertTrue(e.getMessage().contains(name), e.getMessage());
    assertTrue(e.getMessage().contains("cannot be given in a .properties file"), e.getMessage());
  }

  static Stream<Arguments> invalidValues() {
    return Stream.of(
        Arguments.of(Settings.PORT, "smtp"),
        Arguments.of(Settings.PORT, "0"),
        Arguments.of(Settings.PORT, "65536"),
        Arguments.of(Settings.CONNECTION_TIMEOUT, "-1"),
        Arguments.of(Settings.TIMEOUT, "5s"),
        Arguments.of("mail.smtp.timeout", "never"),
        Arguments.of(Settings.TLS_REQUIRED_HEADER, "yes"),
        Arguments.of(Settings.ENFORCE, "maybe"),
        Arguments.of(Settings.ENFORCE, "false   # staging only"),
        Arguments.of(Settings.ALLOW_PRIVATE_ADDRESSES, "1"),
        Arguments.of(Settings.FETCH_TIMEOUT, "0"),
        Arguments.of(Settings.FETCH_TIMEOUT, "3600001"),
        Arguments.of(Settings.DNS_SERVERS, "dns.google"),
        Arguments.of(Settings.CACHE_DIRECTORY, "/var/lib/app/mta-sts   # survives restarts"),
        Arguments.of(Settings.EHLO, "client.example # our name"),
        Arguments.of(Settings.TRUST_STORE, "/etc/app/trust.pem #pem"),
        Arguments.of(Settings.TRUST_STORE_PASSWORD, "set without a trust store"),
        Arguments.of(Settings.DANE, "maybe"),
        Arguments.of(Settings.DANE_STRICT, "yes"),
        Arguments.of(Settings.DNSSEC_TRUST_ANCHORS, "/etc/app/anchors.ds # the lab root"),
        Arguments.of("mail.mtasts.enforced", "true"),
        Arguments.of("mail.mtasts.truststore", "/etc/app/trust.pem"));
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("invalidValues")
  @DisplayName("item 11: an invalid or unknown setting is refused with its name, never ignored")
  void item11_invalidSetting_isRefusedNamingIt(String name, String value) {
    for (boolean viaDefaults : new boolean[] {false, true}) {
      Properties given = new Properties();
      given.setProperty(name, value);
      Properties p = viaDefaults ? new Properties(given) : given;
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> readAll(p));
      assertTrue(e.getMessage().contains(name), e.getMessage());
      assertTrue(!name.equals(Settings.TRUST_STORE_PASSWORD) || !e.getMessage().contains(value),
          "the password is never in a message: " + e.getMessage());
    }
  }

  @Test
  @DisplayName("item 11: a non-text object for a text setting is refused")
  void item11_objectForTextSetting_isRefused() {
    Properties p = new Properties();
    p.put(Settings.CACHE_DIRECTORY, new Object());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> readAll(p));
    assertTrue(e.getMessage().contains(Settings.CACHE_DIRECTORY), e.getMessage());
  }

  static Stream<Arguments> ignoredCombinations() {
    return Stream.of(
        Arguments.of(Settings.CACHE_DIRECTORY, Map.of(Settings.CACHE_DIRECTORY, "/tmp/x")),
        Arguments.of(Settings.OVERRIDES, Map.of(Settings.OVERRIDES, "/tmp/overrides")),
        Arguments.of(Settings.ALLOW_PRIVATE_ADDRESSES,
            Map.of(Settings.ALLOW_PRIVATE_ADDRESSES, "true")),
        Arguments.of(Settings.FETCH_TIMEOUT, Map.of(Settings.FETCH_TIMEOUT, "1000")),
        Arguments.of(Settings.DNS_SERVERS, Map.of(Settings.DNS_SERVERS, "192.0.2.53",
            Settings.HOST_RESOLVER, HostResolver.none())),
        Arguments.of(Settings.TRUST_STORE, Map.of(Settings.TRUST_STORE, "/tmp/t.pem",
            Settings.TRUST_MANAGER, TrustAnchors.system())),
        Arguments.of(Settings.DANE, Map.of(Settings.DANE, "false")),
        Arguments.of(Settings.DANE_STRICT, Map.of(Settings.DANE_STRICT, "true")),
        Arguments.of(Settings.DNSSEC_TRUST_ANCHORS,
            Map.of(Settings.DNSSEC_TRUST_ANCHORS, "/tmp/anchors.ds")));
  }

  @ParameterizedTest(name = "{0} with dane=false")
  @ValueSource(strings = {Settings.DANE_STRICT, Settings.DNSSEC_TRUST_ANCHORS})
  @DisplayName("STS-DANE-06: a DANE setting that dane=false would ignore is refused")
  void daneSettingWithDaneOff_isRefused_STS_DANE_06(String name) {
    Properties p = new Properties();
    p.setProperty(Settings.DANE, "false");
    p.setProperty(name, SAMPLES.get(name));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> readAll(p));
    assertTrue(e.getMessage().contains(name) && e.getMessage().contains(Settings.DANE),
        e.getMessage());
    p.setProperty(Settings.DANE, "true");
    readAll(p); // the same setting with DANE on is fine
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ignoredCombinations")
  @DisplayName("item 11: a setting that an explicit object would override is refused")
  void item11_settingWithoutEffect_isRefused(String name, Map<String, Object> settings) {
    try (MtaSts sts = MtaSts.builder().build()) {
      Properties p = new Properties();
      p.putAll(settings);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> MtaStsMail.session(p, sts));
      assertTrue(e.getMessage().contains(name), e.getMessage());
      p.put(Settings.INSTANCE, sts);
      assertThrows(IllegalArgumentException.class, () -> Gates.validate(p));
    }
  }

  @Test
  @DisplayName("item 11: MtaStsMail.session refuses to replace another mail.mtasts.instance")
  void item11_sessionWithOtherInstance_isRefused() {
    try (MtaSts sts = MtaSts.builder().build(); MtaSts other = MtaSts.builder().build()) {
      Properties p = new Properties();
      p.put(Settings.INSTANCE, other);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> MtaStsMail.session(p, sts));
      assertTrue(e.getMessage().contains(Settings.INSTANCE), e.getMessage());
    }
  }

  @Test
  @DisplayName("item 11: switching protection off is logged at WARN once per configuration")
  void item11_protectionOff_warnsOncePerConfiguration() {
    String ehlo = "warn-" + System.nanoTime() + ".example"; // a configuration no test used
    Properties p = new Properties();
    p.setProperty(Settings.ENFORCE, "false");
    p.setProperty(Settings.EHLO, ehlo);
    Properties other = new Properties();
    other.putAll(p);
    other.setProperty(Settings.PORT, "2525");

    String log = stderrOf(() -> {
      for (int i = 0; i < 3; i++) {
        Settings.of(Session.getInstance(p));
        Settings.of(Session.getInstance(new Properties(p))); // the same settings, as defaults
      }
      Settings.of(Session.getInstance(other));
    });
    assertEquals(2, count(log, "mail.mtasts.enforce=false: MTA-STS protection is OFF"), log);
    assertTrue(log.contains("WARN"), log);
  }

  @Test
  @DisplayName("item 11: the enforce default (true) logs nothing")
  void item11_protectionOn_noWarning() {
    Properties p = new Properties();
    p.setProperty(Settings.EHLO, "quiet-" + System.nanoTime() + ".example");
    String log = stderrOf(() -> Settings.of(Session.getInstance(p)));
    assertEquals("", log);
  }

  // ---- item 8b: mail.mtasts.dns.servers takes IP literals only ----------------------------------

  static Stream<Arguments> literals() {
    return Stream.of(
        Arguments.of("192.0.2.53", "192.0.2.53", 53),
        Arguments.of("192.0.2.53:5353", "192.0.2.53", 5353),
        Arguments.of("0.0.0.0", "0.0.0.0", 53),
        Arguments.of("255.255.255.255:65535", "255.255.255.255", 65535),
        Arguments.of("::1", "::1", 53),
        Arguments.of("[::1]:5353", "::1", 5353),
        Arguments.of("[2001:db8::53]", "2001:db8::53", 53),
        Arguments.of("2001:DB8:0:0:0:0:0:53", "2001:db8::53", 53),
        Arguments.of("2001:db8::", "2001:db8::", 53),
        Arguments.of("::", "::", 53),
        Arguments.of("64:ff9b::192.0.2.53", "64:ff9b::c000:235", 53),
        Arguments.of("[1:2:3:4:5:6:1.2.3.4]:53", "1:2:3:4:5:6:102:304", 53));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("literals")
  @DisplayName("item 8b: IP literals are parsed without a lookup")
  void item08b_ipLiterals_areParsed(String entry, String address, int port) throws Exception {
    InetSocketAddress a = Gates.server(entry);
    assertArrayEquals(InetAddress.getByName(address).getAddress(), a.getAddress().getAddress());
    assertEquals(port, a.getPort());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"face.b00c", "cafe", "dead.beef", "abc:53", "[cafe]:53", "localhost",
      "dns.google", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4:0",
      "1.2.3.4:65536", "1.2.3.4:dns", "[::1", "[::1]53", "::1%lo", "[fe80::1%eth0]:53",
      "1:2:3:4:5:6:7:8:9", "1::2::3", ":1:2:3:4:5:6:7", "12345::1", "1.2.3.4::",
      "[1.2.3.4]:53", "١.٢.٣.٤"})
  @DisplayName("item 8b: anything but an IP literal is refused, and the JVM resolver is not asked")
  void item08b_hostNames_areRefusedWithoutLookup(String entry) {
    try (RecordingNameLookups lookups = RecordingNameLookups.open(Set.of())) {
      assumeTrue(lookups != null, "needs a security manager to watch InetAddress lookups");
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Gates.server(entry));
      assertTrue(e.getMessage().contains(Settings.DNS_SERVERS), e.getMessage());
      assertEquals(List.of(), lookups.lookups(), "names given to the JVM's resolver");
    }
  }

  @Test
  @DisplayName("item 8b: a host name in dns.servers fails the session, naming the property")
  void item08b_hostNameInProperties_isRefused() {
    try (MtaSts sts = MtaSts.builder().build()) {
      Properties p = new Properties();
      p.setProperty(Settings.DNS_SERVERS, "192.0.2.53 face.b00c");
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> MtaStsMail.session(p, sts));
      assertTrue(e.getMessage().contains("face.b00c"), e.getMessage());
      assertTrue(e.getMessage().contains(Settings.DNS_SERVERS), e.getMessage());
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  /** What slf4j-simple (the test binding, writing to the current System.err) logged. */
  static String stderrOf(Runnable r) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      r.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
