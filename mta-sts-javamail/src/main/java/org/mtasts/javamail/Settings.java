package org.mtasts.javamail;

import jakarta.mail.Session;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.mtasts.NetworkText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code mail.mtasts.*} settings of one session, read once per message. See the table in
 * {@code package-info.java}.
 *
 * <p>This is the one place where session properties are read. Values are looked up the way
 * Jakarta Mail and Angus read theirs ({@code PropUtil}): {@link Properties#get} first (so a
 * {@code String}, {@code Integer} or {@code Boolean} put into the properties counts), then
 * {@link Properties#getProperty}, which also sees the {@code Properties}' defaults (Apache Commons
 * Email builds its session as {@code new Properties(System.getProperties())}, so {@code -D}
 * settings arrive as defaults). Object-valued settings ({@code mail.mtasts.instance}, {@code
 * trustManager}, {@code hostResolver}) are read with {@code get} only, as Jakarta Mail reads its
 * socket factories and executors: {@code Properties} offers no way to read a non-{@code String}
 * default, so such a default is refused by {@link #check}, never silently ignored. A setting that
 * is given but cannot be applied fails with an {@link IllegalArgumentException} naming the
 * property; the transport turns it into a {@code MessagingException}.
 */
record Settings(int port, int connectTimeoutMillis, int readTimeoutMillis, String ehlo,
    boolean honourTlsRequiredNo, boolean enforce, int mxAddressLimit, int deliveryDeadlineMillis,
    int replyTimeoutMillis, boolean tlsRptRecord) {
  private static final Logger log = LoggerFactory.getLogger(Settings.class);

  static final String PREFIX = "mail.mtasts.";
  static final String INSTANCE = PREFIX + "instance";
  static final String HOST_RESOLVER = PREFIX + "hostResolver";
  static final String TRUST_MANAGER = PREFIX + "trustManager";
  static final String PORT = PREFIX + "port";
  static final String CONNECTION_TIMEOUT = PREFIX + "connectiontimeout";
  static final String TIMEOUT = PREFIX + "timeout";
  static final String EHLO = PREFIX + "ehlo";
  static final String TLS_REQUIRED_HEADER = PREFIX + "tlsRequiredHeader";
  static final String ENFORCE = PREFIX + "enforce";
  static final String DNS_SERVERS = PREFIX + "dns.servers";
  static final String TRUST_STORE = PREFIX + "trustStore";
  static final String TRUST_STORE_PASSWORD = PREFIX + "trustStorePassword";
  static final String ALLOW_PRIVATE_ADDRESSES = PREFIX + "allowPrivateAddresses";
  static final String FETCH_TIMEOUT = PREFIX + "fetchTimeout";
  static final String CACHE_DIRECTORY = PREFIX + "cacheDirectory";
  static final String OVERRIDES = PREFIX + "overrides";
  static final String STORE = PREFIX + "store";
  static final String MX_ADDRESS_LIMIT = PREFIX + "mxAddressLimit";
  static final String DELIVERY_DEADLINE = PREFIX + "deliveryDeadline";
  static final String REPLY_TIMEOUT = PREFIX + "replyTimeout";
  /** {@code false}: this session's messages count nothing for TLS reports. */
  static final String TLSRPT_RECORD = PREFIX + "tlsrpt.record";
  /** The default client counts TLS-RPT results in {@code ReportStore.directory} of this path. */
  static final String TLSRPT_DIR = PREFIX + "tlsrpt.dir";
  /** {@code false}: the default client plans without DANE (RFC 7672), MTA-STS alone. */
  static final String DANE = PREFIX + "dane";
  /** {@code true}: a DANE-authenticated MX host must satisfy MTA-STS too (D-23's strict mode). */
  static final String DANE_STRICT = PREFIX + "daneStrict";
  /** A file of DNSSEC trust anchors for the default client's DANE lookups (not the root's). */
  static final String DNSSEC_TRUST_ANCHORS = PREFIX + "dnssecTrustAnchors";

  static final int DEFAULT_PORT = 25;
  static final int DEFAULT_CONNECT_TIMEOUT = 30_000;
  static final int DEFAULT_TIMEOUT = 300_000;
  /** Postfix's {@code smtp_mx_address_limit} default. */
  static final int DEFAULT_MX_ADDRESS_LIMIT = 5;
  static final int DEFAULT_DELIVERY_DEADLINE = 300_000;
  static final int DEFAULT_REPLY_TIMEOUT = 60_000;

  /**
   * Every {@code mail.mtasts.*} property this version knows: the {@code static final String}
   * constants of this class that start with {@link #PREFIX}. Found by reflection so that a
   * setting added as a constant is known at once; any other {@code mail.mtasts.*} name (a typo
   * such as {@code mail.mtasts.enforced}) is refused instead of being silently ignored.
   */
  static final Set<String> NAMES = names();

  /** Configurations already warned about (protection switched off); bounded. */
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();
  private static final int MAX_WARNED = 1024;

  /** Settings that record TLS-RPT results (the default of {@link #TLSRPT_RECORD}). */
  Settings(int port, int connectTimeoutMillis, int readTimeoutMillis, String ehlo,
      boolean honourTlsRequiredNo, boolean enforce, int mxAddressLimit, int deliveryDeadlineMillis,
      int replyTimeoutMillis) {
    this(port, connectTimeoutMillis, readTimeoutMillis, ehlo, honourTlsRequiredNo, enforce,
        mxAddressLimit, deliveryDeadlineMillis, replyTimeoutMillis, true);
  }

  static Settings of(Session session) {
    Properties p = session.getProperties();
    check(p);
    Settings s = new Settings(
        intProperty(p, PORT, DEFAULT_PORT, 1, 65535),
        intProperty(p, CONNECTION_TIMEOUT,
            intProperty(p, "mail.smtp.connectiontimeout", DEFAULT_CONNECT_TIMEOUT, 1, Integer.MAX_VALUE),
            1, Integer.MAX_VALUE),
        intProperty(p, TIMEOUT,
            intProperty(p, "mail.smtp.timeout", DEFAULT_TIMEOUT, 1, Integer.MAX_VALUE),
            1, Integer.MAX_VALUE),
        stringProperty(p, EHLO, stringProperty(p, "mail.smtp.localhost", null)),
        booleanProperty(p, TLS_REQUIRED_HEADER, true),
        booleanProperty(p, ENFORCE, true),
        intProperty(p, MX_ADDRESS_LIMIT, DEFAULT_MX_ADDRESS_LIMIT, 1, 1000),
        intProperty(p, DELIVERY_DEADLINE, DEFAULT_DELIVERY_DEADLINE, 1, Integer.MAX_VALUE),
        intProperty(p, REPLY_TIMEOUT, DEFAULT_REPLY_TIMEOUT, 1, Integer.MAX_VALUE),
        booleanProperty(p, TLSRPT_RECORD, true));
    if (!s.enforce()) {
      warnOnce(p, ENFORCE, ENFORCE + "=false: MTA-STS protection is OFF for sessions with this"
          + " configuration. Policies in enforce mode are treated like testing: mail goes to MX"
          + " hosts the policy does not list and over connections without valid TLS, and each"
          + " violation is only logged. Use it for staged roll-out and tests only.");
    }
    return s;
  }

  /**
   * Refuses what would otherwise be silently ignored: a {@code mail.mtasts.*} name this version
   * does not know, and a setting hidden in the {@code Properties}' defaults as a non-{@code
   * String} value (which neither {@code getProperty} nor Jakarta Mail can read).
   *
   * @throws IllegalArgumentException naming the property
   */
  static void check(Properties p) {
    for (String name : allNames(p)) {
      if (!name.startsWith(PREFIX)) {
        continue;
      }
      if (!NAMES.contains(name)) {
        throw new IllegalArgumentException(quote(name, 200)
            + " is not a setting of this version of mta-sts-javamail (known: " + NAMES + ")");
      }
      if (p.get(name) == null && p.getProperty(name) == null) {
        throw new IllegalArgumentException(name + " is set in the Properties' defaults to a"
            + " value that is not a String, which Properties.getProperty (and so Jakarta Mail)"
            + " cannot read; put it into the session's Properties object itself");
      }
    }
  }

  /**
   * The value of {@code name} as Jakarta Mail sees it: {@code get}, then {@code getProperty}
   * (which follows the defaults); {@code null} if unset.
   */
  static Object value(Properties p, String name) {
    Object v = p.get(name);
    return v != null ? v : p.getProperty(name);
  }

  /**
   * A text setting, trimmed; {@code dflt} if unset or blank. {@code String}, {@code Number} and
   * {@code Boolean} values are accepted (Angus accepts {@code Integer} and {@code Boolean}
   * objects for its own settings).
   *
   * @throws IllegalArgumentException if the value is of another type, or carries what looks like
   *     an inline comment ({@code .properties} files have none: the comment would become part of
   *     the value)
   */
  static String stringProperty(Properties p, String name, String dflt) {
    String s = text(p, name);
    if (s == null) {
      return dflt;
    }
    s = s.trim();
    if (s.isEmpty()) {
      return dflt;
    }
    int hash = s.indexOf('#');
    if (hash > 0 && Character.isWhitespace(s.charAt(hash - 1))) {
      throw new IllegalArgumentException(name + " is " + quote(s, 200) + ", which looks"
          + " like a value followed by a comment; .properties files have no inline comments:"
          + " put the comment on a line of its own");
    }
    return s;
  }

  /**
   * A secret setting, as given (not trimmed, never in a message); {@code null} if unset or
   * empty.
   */
  static String secretProperty(Properties p, String name) {
    String s = text(p, name);
    return s == null || s.isEmpty() ? null : s;
  }

  private static String text(Properties p, String name) {
    Object v = value(p, name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof CharSequence || v instanceof Number || v instanceof Boolean)) {
      throw new IllegalArgumentException(name + " must be a String, is a "
          + v.getClass().getName());
    }
    return v.toString();
  }

  static int intProperty(Properties p, String name, int dflt, int min, int max) {
    String s = stringProperty(p, name, null);
    if (s == null) {
      return dflt;
    }
    int value;
    try {
      value = Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, is " + quote(s), e);
    }
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be between " + min + " and " + max + ", is " + value);
    }
    return value;
  }

  static boolean booleanProperty(Properties p, String name, boolean dflt) {
    String s = stringProperty(p, name, null);
    if (s == null) {
      return dflt;
    }
    if (s.equalsIgnoreCase("true")) {
      return true;
    }
    if (s.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException(name + " must be true or false, is " + quote(s));
  }

  /**
   * An object-valued setting, read with {@code get} as Jakarta Mail reads its objects; {@code
   * null} if unset.
   *
   * @throws IllegalArgumentException if the value is not a {@code type}, e.g. a class name given
   *     as text in a {@code .properties} file or system property
   */
  static <T> T objectProperty(Properties p, String name, Class<T> type) {
    Object v = p.get(name);
    if (v == null) {
      String s = p.getProperty(name);
      if (s == null) {
        return null;
      }
      v = s; // a String given as a default, e.g. a -D system property
    }
    if (!type.isInstance(v)) {
      throw new IllegalArgumentException(name + " must be a " + type.getName() + " object, is "
          + (v instanceof String s ? "the text " + quote(s)
              + " (this setting cannot be given in a .properties file or system property)"
              : "a " + v.getClass().getName()));
    }
    return type.cast(v);
  }

  /**
   * Logs {@code message} at WARN once per distinct {@code mail.mtasts.*} configuration, so that
   * an operator sees each session configuration that switches protection off without a line
   * per message.
   */
  static void warnOnce(Properties p, String what, String message) {
    String key = what + " " + describe(p);
    if (WARNED.size() >= MAX_WARNED) {
      WARNED.clear(); // warn again rather than grow without bound
    }
    if (WARNED.add(key)) {
      log.warn(message);
    }
  }

  /** The {@code mail.mtasts.*} settings of {@code p}, secrets hidden, objects by identity. */
  private static String describe(Properties p) {
    TreeMap<String, String> m = new TreeMap<>();
    for (String name : allNames(p)) {
      if (!name.startsWith(PREFIX)) {
        continue;
      }
      Object v = value(p, name);
      m.put(name, v == null ? "?" : name.equals(TRUST_STORE_PASSWORD) ? "***"
          : v instanceof CharSequence || v instanceof Number || v instanceof Boolean
              ? v.toString() : v.getClass().getName() + "@" + System.identityHashCode(v));
    }
    return m.toString();
  }

  /** Every property name of {@code p}, its defaults included. */
  private static Set<String> allNames(Properties p) {
    Set<String> names = new TreeSet<>();
    try {
      for (Enumeration<?> e = p.propertyNames(); e.hasMoreElements(); ) {
        names.add((String) e.nextElement());
      }
    } catch (ClassCastException e) { // a key that is not a String: Jakarta Mail ignores those
      names.addAll(p.stringPropertyNames());
      for (Object key : p.keySet()) {
        if (key instanceof String s) {
          names.add(s);
        }
      }
    }
    return names;
  }

  private static Set<String> names() {
    Set<String> names = new TreeSet<>();
    for (Field f : Settings.class.getDeclaredFields()) {
      int m = f.getModifiers();
      if (Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType() == String.class) {
        try {
          String name = (String) f.get(null);
          if (name.startsWith(PREFIX) && name.length() > PREFIX.length()) {
            names.add(name);
          }
        } catch (IllegalAccessException e) {
          throw new AssertionError("a class reads its own fields", e);
        }
      }
    }
    return Collections.unmodifiableSet(names);
  }

  /** Quotes a value the user gave for a message: printable, cut after 80 characters. */
  static String quote(CharSequence s) {
    return quote(s, 80);
  }

  /** Quotes a value the user gave for a message: printable, cut after {@code max} characters. */
  static String quote(CharSequence s, int max) {
    return s == null ? "null" : "'" + NetworkText.printable(s, max) + "'";
  }
}
