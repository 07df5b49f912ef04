package org.mtasts.testkit.smtp;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.mtasts.testkit.tls.IssuedCertificate;

/**
 * What an {@link SmtpReceiver} does on one connection: whether and how it offers STARTTLS, which
 * certificate and TLS versions it uses, whether it insists on TLS, and which replies it gives to
 * {@code MAIL}, {@code RCPT} and the end of {@code DATA}.
 *
 * <pre>{@code
 * SmtpBehaviour good = SmtpBehaviour.startTls(ca.issue("mx1.example.com"));
 * SmtpBehaviour stripped = SmtpBehaviour.plaintext(); // STARTTLS removed by a man in the middle
 * SmtpBehaviour picky = SmtpBehaviour.builder()
 *     .startTls(ca.issue("mx1.example.com"))
 *     .tlsProtocols("TLSv1.2")
 *     .requireTls(true)
 *     .rcptReply("nobody@example.com", SmtpReply.of(550, "5.1.1 No such user"))
 *     .build();
 * }</pre>
 *
 * <p>The STARTTLS modes ({@link Builder#startTls}, {@link Builder#noStartTls}, {@link
 * Builder#startTlsRefused()}, {@link Builder#startTlsThenGarbage}, {@link
 * Builder#startTlsThenClose}, {@link Builder#legacyTlsOnly}) exclude each other; the last one set
 * on a builder wins. The default is {@link #plaintext()}.
 *
 * <p>Immutable and thread-safe; a receiver takes a snapshot of its behaviour when it accepts a
 * connection, so changing it affects only later connections.
 */
public final class SmtpBehaviour {
  /** The reply to STARTTLS when STARTTLS is advertised but refused. */
  static final SmtpReply TLS_NOT_AVAILABLE = SmtpReply.of(454, "4.7.0 TLS not available");

  /** The plaintext line {@link Builder#injectAfterStartTls()} sends after the 220. */
  public static final String DEFAULT_INJECTION = "250 injected";

  private static final Map<String, Integer> LEGACY_VERSIONS =
      Map.of("SSLv3", 0x0300, "TLSv1", 0x0301, "TLSv1.1", 0x0302);

  /** What the receiver does about STARTTLS. */
  enum StartTlsMode {
    NOT_OFFERED,
    OFFERED,
    REFUSED,
    THEN_GARBAGE,
    THEN_CLOSE,
    LEGACY_SERVER_HELLO
  }

  final StartTlsMode mode;
  final IssuedCertificate certificate;
  final SSLContext serverContext;
  final List<String> tlsProtocols;
  final String legacyProtocol;
  final int legacyVersion;
  final SmtpReply startTlsRefusal;
  final String injection;
  final boolean requireTls;
  final SmtpReply mailReply;
  final SmtpReply rcptReply;
  final Map<String, SmtpReply> rcptReplies;
  final SmtpReply dataReply;
  final Map<HostileReply.Stage, HostileReply> hostile;

  private SmtpBehaviour(Builder builder) {
    this.mode = builder.mode;
    this.certificate = builder.certificate;
    this.serverContext = builder.certificate == null ? null : builder.certificate.serverContext();
    this.tlsProtocols = List.copyOf(builder.tlsProtocols);
    this.legacyProtocol = builder.legacyProtocol;
    this.legacyVersion =
        builder.legacyProtocol == null ? 0 : LEGACY_VERSIONS.get(builder.legacyProtocol);
    this.startTlsRefusal = builder.startTlsRefusal;
    this.injection = builder.injection;
    this.requireTls = builder.requireTls;
    this.mailReply = builder.mailReply;
    this.rcptReply = builder.rcptReply;
    this.rcptReplies = Map.copyOf(builder.rcptReplies);
    this.dataReply = builder.dataReply;
    this.hostile = Map.copyOf(builder.hostile);
  }

  /** A receiver that does not advertise STARTTLS and accepts mail in plaintext. */
  public static SmtpBehaviour plaintext() {
    return builder().build();
  }

  /**
   * A receiver that offers STARTTLS and presents {@code certificate} (good or bad: the test
   * chooses) with the JDK's default TLS versions.
   *
   * @throws NullPointerException if {@code certificate} is null
   */
  public static SmtpBehaviour startTls(IssuedCertificate certificate) {
    return builder().startTls(certificate).build();
  }

  /** A builder with the defaults of {@link #plaintext()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from this behaviour's settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * The certificate the receiver presents after STARTTLS, if it has one (empty for plaintext
   * receivers and for behaviours that never complete a handshake without one).
   */
  public Optional<IssuedCertificate> certificate() {
    return Optional.ofNullable(certificate);
  }

  /** The hostile reply for {@code stage}, or null to answer normally. */
  HostileReply hostile(HostileReply.Stage stage) {
    return hostile.get(stage);
  }

  /** Whether the EHLO reply advertises STARTTLS before TLS is active. */
  boolean advertisesStartTls() {
    return mode != StartTlsMode.NOT_OFFERED;
  }

  /** The scripted reply for {@code recipient}, or null to accept it. */
  SmtpReply rcptReplyFor(String recipient) {
    SmtpReply specific = rcptReplies.get(recipient.toLowerCase(Locale.ROOT));
    return specific != null ? specific : rcptReply;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("SmtpBehaviour{").append(mode);
    if (certificate != null) {
      s.append(", certificate=").append(certificate.dnsNames());
    }
    if (!tlsProtocols.isEmpty()) {
      s.append(", tlsProtocols=").append(tlsProtocols);
    }
    if (legacyProtocol != null) {
      s.append(", legacy=").append(legacyProtocol);
    }
    if (mode == StartTlsMode.REFUSED) {
      s.append(", refusal=").append(startTlsRefusal);
    }
    if (injection != null) {
      s.append(", injection=").append(injection);
    }
    if (requireTls) {
      s.append(", requireTls");
    }
    if (mailReply != null) {
      s.append(", mail=").append(mailReply);
    }
    if (rcptReply != null) {
      s.append(", rcpt=").append(rcptReply);
    }
    if (!rcptReplies.isEmpty()) {
      s.append(", rcptFor=").append(rcptReplies);
    }
    if (dataReply != null) {
      s.append(", data=").append(dataReply);
    }
    if (!hostile.isEmpty()) {
      s.append(", hostile=").append(new EnumMap<>(hostile));
    }
    return s.append('}').toString();
  }

  /**
   * Builds an {@link SmtpBehaviour}. Every method checks its arguments at once and names the bad
   * value. Not thread-safe; {@link #build()} copies everything, so a builder may be reused.
   */
  public static final class Builder {
    private StartTlsMode mode = StartTlsMode.NOT_OFFERED;
    private IssuedCertificate certificate;
    private List<String> tlsProtocols = List.of();
    private String legacyProtocol;
    private SmtpReply startTlsRefusal = TLS_NOT_AVAILABLE;
    private String injection;
    private boolean requireTls;
    private SmtpReply mailReply;
    private SmtpReply rcptReply;
    private final Map<String, SmtpReply> rcptReplies = new LinkedHashMap<>();
    private SmtpReply dataReply;
    private final Map<HostileReply.Stage, HostileReply> hostile =
        new EnumMap<>(HostileReply.Stage.class);

    private Builder() {}

    private Builder(SmtpBehaviour from) {
      this.mode = from.mode;
      this.certificate = from.certificate;
      this.tlsProtocols = from.tlsProtocols;
      this.legacyProtocol = from.legacyProtocol;
      this.startTlsRefusal = from.startTlsRefusal;
      this.injection = from.injection;
      this.requireTls = from.requireTls;
      this.mailReply = from.mailReply;
      this.rcptReply = from.rcptReply;
      this.rcptReplies.putAll(from.rcptReplies);
      this.dataReply = from.dataReply;
      this.hostile.putAll(from.hostile);
    }

    /**
     * Advertises STARTTLS and, on the command, answers {@code 220} and completes a real JDK TLS
     * handshake presenting {@code certificate} with its chain. The receiver never checks the
     * client's SNI against the certificate: it presents what the test gave it.
     *
     * @throws NullPointerException if {@code certificate} is null
     */
    public Builder startTls(IssuedCertificate certificate) {
      this.certificate = Objects.requireNonNull(certificate, "certificate");
      return mode(StartTlsMode.OFFERED);
    }

    /**
     * Leaves STARTTLS out of the EHLO reply, as a man in the middle that strips it would, and
     * answers the command with {@code 502 5.5.1}.
     */
    public Builder noStartTls() {
      return mode(StartTlsMode.NOT_OFFERED);
    }

    /** Advertises STARTTLS but answers the command with {@code 454 4.7.0 TLS not available}. */
    public Builder startTlsRefused() {
      return startTlsRefused(TLS_NOT_AVAILABLE);
    }

    /**
     * Advertises STARTTLS but answers the command with {@code reply}.
     *
     * @throws IllegalArgumentException if {@code reply} is positive (2xx)
     * @throws NullPointerException if {@code reply} is null
     */
    public Builder startTlsRefused(SmtpReply reply) {
      Objects.requireNonNull(reply, "reply");
      if (reply.isPositive()) {
        throw new IllegalArgumentException("a refusal must not be 2xx: " + reply);
      }
      this.startTlsRefusal = reply;
      return mode(StartTlsMode.REFUSED);
    }

    /**
     * Advertises STARTTLS, answers {@code 220}, reads the client's ClientHello and then sends bytes
     * that are not TLS, and closes the connection: the client's handshake fails.
     */
    public Builder startTlsThenGarbage() {
      return mode(StartTlsMode.THEN_GARBAGE);
    }

    /**
     * Advertises STARTTLS, answers {@code 220}, reads the client's ClientHello and closes the
     * connection without answering: the client's handshake fails.
     */
    public Builder startTlsThenClose() {
      return mode(StartTlsMode.THEN_CLOSE);
    }

    /**
     * Plays an MX that speaks only {@code protocol} ({@code "TLSv1.1"}, {@code "TLSv1"} or {@code
     * "SSLv3"}). The JDK cannot complete such a handshake without changing the process-wide {@code
     * jdk.tls.disabledAlgorithms} security property, which the testkit never does; so this is an
     * emulation on the wire: after the {@code 220} the receiver reads the ClientHello and answers
     * with a hand-made ServerHello for {@code protocol} that picks a CBC cipher suite the client
     * offered (or a {@code handshake_failure} alert when the client offered none), then records the
     * alert the client sends and closes. A client that refuses the version fails exactly as against
     * a real legacy server; a client that accepts it fails later, because no Certificate message
     * follows.
     *
     * @throws IllegalArgumentException if {@code protocol} is not one of the three names
     * @throws NullPointerException if {@code protocol} is null
     */
    public Builder legacyTlsOnly(String protocol) {
      Objects.requireNonNull(protocol, "protocol");
      if (!LEGACY_VERSIONS.containsKey(protocol)) {
        throw new IllegalArgumentException(
            "legacy protocol must be one of " + LEGACY_VERSIONS.keySet() + ": " + protocol);
      }
      this.legacyProtocol = protocol;
      return mode(StartTlsMode.LEGACY_SERVER_HELLO);
    }

    /**
     * Restricts the real handshake of {@link #startTls} to {@code protocols}, e.g. {@code
     * "TLSv1.2"} or {@code "TLSv1.3"}. No arguments restores the JDK defaults. Only versions this
     * JVM enables are accepted; for TLS 1.1 and older use {@link #legacyTlsOnly(String)}.
     *
     * @throws IllegalArgumentException if a protocol is unknown or disabled in this JVM
     * @throws NullPointerException if the array or an element is null
     */
    public Builder tlsProtocols(String... protocols) {
      List<String> list = new ArrayList<>();
      for (String protocol : Objects.requireNonNull(protocols, "protocols")) {
        Objects.requireNonNull(protocol, "protocol");
        if (!EnabledProtocols.SET.contains(protocol)) {
          throw new IllegalArgumentException(
              protocol
                  + " is not enabled in this JVM (enabled: "
                  + EnabledProtocols.SET
                  + "). JDK 17 disables TLSv1 and TLSv1.1 through the jdk.tls.disabledAlgorithms"
                  + " security property, which the testkit never changes; use"
                  + " legacyTlsOnly(\""
                  + protocol
                  + "\") to play an MX that speaks only an old version");
        }
        list.add(protocol);
      }
      this.tlsProtocols = List.copyOf(list);
      return this;
    }

    /**
     * After the {@code 220} reply to STARTTLS, sends {@link #DEFAULT_INJECTION} in the same write
     * (one TCP segment on loopback), before any TLS byte: the response-injection attack of RFC 3207
     * §4.2 / SEC-19. A correct client discards it; the receiver then goes on as its STARTTLS mode
     * says.
     */
    public Builder injectAfterStartTls() {
      return injectAfterStartTls(DEFAULT_INJECTION);
    }

    /**
     * Like {@link #injectAfterStartTls()} with {@code line} (sent with a CRLF) as the injected
     * plaintext.
     *
     * @throws IllegalArgumentException if {@code line} contains CR or LF
     * @throws NullPointerException if {@code line} is null
     */
    public Builder injectAfterStartTls(String line) {
      Objects.requireNonNull(line, "line");
      if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("injected line must not contain CR or LF: " + line);
      }
      this.injection = line;
      return this;
    }

    /**
     * When true, {@code MAIL} before STARTTLS is answered {@code 530 5.7.0 Must issue a STARTTLS
     * command first} (RFC 3207 §4).
     */
    public Builder requireTls(boolean requireTls) {
      this.requireTls = requireTls;
      return this;
    }

    /**
     * Answers every {@code MAIL FROM} with {@code reply}; a 2xx reply accepts the sender, others
     * refuse it. Null restores the default {@code 250 2.1.0 Sender OK}.
     */
    public Builder mailReply(SmtpReply reply) {
      this.mailReply = reply;
      return this;
    }

    /**
     * Answers every {@code RCPT TO} without a per-recipient reply with {@code reply}; a 2xx reply
     * accepts the recipient, others refuse it. Null restores the default {@code 250 2.1.5}.
     */
    public Builder rcptReply(SmtpReply reply) {
      this.rcptReply = reply;
      return this;
    }

    /**
     * Answers {@code RCPT TO:<recipient>} with {@code reply}, compared without regard to ASCII
     * case. Takes precedence over {@link #rcptReply(SmtpReply)}.
     *
     * @throws NullPointerException if an argument is null
     */
    public Builder rcptReply(String recipient, SmtpReply reply) {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(reply, "reply");
      rcptReplies.put(recipient.toLowerCase(Locale.ROOT), reply);
      return this;
    }

    /**
     * Answers the end of message data (the final dot) with {@code reply}; a 2xx reply accepts the
     * message (it is captured), others refuse it (it is not). Null restores the default {@code 250
     * 2.0.0}.
     */
    public Builder dataReply(SmtpReply reply) {
      this.dataReply = reply;
      return this;
    }

    /**
     * Sends {@code reply} instead of the normal reply at {@code stage} (see {@link HostileReply});
     * null restores the normal reply. One hostile reply per stage; the last one set wins.
     *
     * @throws NullPointerException if {@code stage} is null
     */
    public Builder hostile(HostileReply.Stage stage, HostileReply reply) {
      Objects.requireNonNull(stage, "stage");
      if (reply == null) {
        hostile.remove(stage);
      } else {
        hostile.put(stage, reply);
      }
      return this;
    }

    /**
     * Makes the behaviour.
     *
     * @throws IllegalStateException if {@link #tlsProtocols} is set without {@link #startTls},
     *     {@link #injectAfterStartTls} with a mode that never answers {@code 220} to STARTTLS, or a
     *     hostile reply for {@link HostileReply.Stage#EHLO_AFTER_TLS} without {@link #startTls}
     */
    public SmtpBehaviour build() {
      if (hostile.containsKey(HostileReply.Stage.EHLO_AFTER_TLS)
          && mode != StartTlsMode.OFFERED) {
        throw new IllegalStateException(
            "a hostile EHLO reply after TLS needs startTls(certificate), mode is " + mode);
      }
      if (!tlsProtocols.isEmpty() && mode != StartTlsMode.OFFERED) {
        throw new IllegalStateException(
            "tlsProtocols " + tlsProtocols + " needs startTls(certificate), mode is " + mode);
      }
      if (injection != null && (mode == StartTlsMode.NOT_OFFERED || mode == StartTlsMode.REFUSED)) {
        throw new IllegalStateException(
            "injectAfterStartTls needs a mode that answers 220 to STARTTLS, mode is " + mode);
      }
      return new SmtpBehaviour(this);
    }

    private Builder mode(StartTlsMode mode) {
      this.mode = mode;
      if (mode != StartTlsMode.OFFERED) {
        this.certificate = null;
      }
      if (mode != StartTlsMode.LEGACY_SERVER_HELLO) {
        this.legacyProtocol = null;
      }
      if (mode != StartTlsMode.REFUSED) {
        this.startTlsRefusal = TLS_NOT_AVAILABLE;
      }
      return this;
    }
  }

  /** The protocols a fresh JDK TLS context enables by default, computed once. */
  private static final class EnabledProtocols {
    static final Set<String> SET = compute();

    private static Set<String> compute() {
      try {
        SSLContext context = SSLContext.getInstance("TLS");
        // Empty managers: nothing is loaded from the default trust store.
        context.init(new KeyManager[0], new TrustManager[0], null);
        return Set.copyOf(Arrays.asList(context.getDefaultSSLParameters().getProtocols()));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("no TLS in this JVM", e);
      }
    }
  }
}
