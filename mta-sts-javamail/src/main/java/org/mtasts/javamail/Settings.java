package org.mtasts.javamail;

import jakarta.mail.Session;
import java.util.Properties;

/**
 * The {@code mail.mtasts.*} settings of one session, read once per message. See the table in
 * {@code package-info.java}.
 */
record Settings(int port, int connectTimeoutMillis, int readTimeoutMillis, String ehlo,
    boolean honourTlsRequiredNo, boolean enforce, int mxAddressLimit, int deliveryDeadlineMillis,
    int replyTimeoutMillis) {

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
  static final String ALLOW_PRIVATE_ADDRESSES = PREFIX + "allowPrivateAddresses";
  static final String FETCH_TIMEOUT = PREFIX + "fetchTimeout";
  static final String CACHE_DIRECTORY = PREFIX + "cacheDirectory";
  static final String MX_ADDRESS_LIMIT = PREFIX + "mxAddressLimit";
  static final String DELIVERY_DEADLINE = PREFIX + "deliveryDeadline";
  static final String REPLY_TIMEOUT = PREFIX + "replyTimeout";

  static final int DEFAULT_PORT = 25;
  static final int DEFAULT_CONNECT_TIMEOUT = 30_000;
  static final int DEFAULT_TIMEOUT = 300_000;
  /** Postfix's {@code smtp_mx_address_limit} default. */
  static final int DEFAULT_MX_ADDRESS_LIMIT = 5;
  static final int DEFAULT_DELIVERY_DEADLINE = 300_000;
  static final int DEFAULT_REPLY_TIMEOUT = 60_000;

  static Settings of(Session session) {
    Properties p = session.getProperties();
    return new Settings(
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
        intProperty(p, REPLY_TIMEOUT, DEFAULT_REPLY_TIMEOUT, 1, Integer.MAX_VALUE));
  }

  static String stringProperty(Properties p, String name, String dflt) {
    Object v = p.get(name);
    if (v == null) {
      return dflt;
    }
    String s = v.toString().trim();
    return s.isEmpty() ? dflt : s;
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
      throw new IllegalArgumentException(name + " must be an integer, is '" + s + "'", e);
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
    throw new IllegalArgumentException(name + " must be true or false, is '" + s + "'");
  }
}
