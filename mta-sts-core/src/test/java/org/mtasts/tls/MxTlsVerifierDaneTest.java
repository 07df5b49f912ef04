package org.mtasts.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mtasts.tls.DaneTestData.rrset;
import static org.mtasts.tls.DaneTestData.tlsa;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mtasts.dns.TlsaRecord;
import org.mtasts.testkit.tls.IssuedCertificate;
import org.mtasts.testkit.tls.KeyType;
import org.mtasts.testkit.tls.TestCertificateAuthority;

/** {@link MxTlsVerifier#verify(DaneTlsa, X509Certificate[])}: DANE matching, RFC 7672 §3. */
class MxTlsVerifierDaneTest {
  private static final String MX = "mx1.example.com";
  private static final TestCertificateAuthority CA = TestCertificateAuthority.create("DANE CA");
  private static final TestCertificateAuthority OTHER_CA =
      TestCertificateAuthority.create("Other DANE CA");
  private static final MxTlsVerifier VERIFIER = MxTlsVerifier.create(CA.trustManager());

  private static final IssuedCertificate GOOD = CA.issue(MX);
  private static final IssuedCertificate OTHER = CA.issue(MX);

  private static X509Certificate[] chain(IssuedCertificate certificate) {
    return certificate.chain().toArray(new X509Certificate[0]);
  }

  private static void assertAuthenticated(CertificateCheck check) {
    assertTrue(check.passed(), check.toString());
    assertEquals(Optional.of(DaneResult.AUTHENTICATED), check.dane(), check.toString());
    assertEquals(Optional.empty(), check.refusal());
  }

  private static void assertFailed(CertificateCheck check) {
    assertFalse(check.passed(), check.toString());
    assertEquals(Optional.of(DaneResult.FAILED), check.dane(), check.toString());
    assertEquals(Optional.of(RefusalReason.TLSA_INVALID), check.refusal());
  }

  // ------------------------------------------------------- usage x selector x matching type

  static Stream<Arguments> combinations() {
    List<Arguments> rows = new ArrayList<>();
    for (int usage : new int[] {TlsaRecord.DANE_TA, TlsaRecord.DANE_EE}) {
      for (int selector : new int[] {TlsaRecord.SELECTOR_CERT, TlsaRecord.SELECTOR_SPKI}) {
        for (int matching : new int[] {
            TlsaRecord.MATCH_FULL, TlsaRecord.MATCH_SHA256, TlsaRecord.MATCH_SHA512}) {
          rows.add(Arguments.of(usage, selector, matching));
        }
      }
    }
    return rows.stream();
  }

  /** The certificate a record of {@code usage} names in a testkit chain: the root or the leaf. */
  private static X509Certificate named(int usage, IssuedCertificate issued) {
    return usage == TlsaRecord.DANE_TA ? issued.chain().get(1) : issued.certificate();
  }

  @ParameterizedTest(name = "STS-DANE-05 {0} {1} {2} matching -> authenticated")
  @MethodSource("combinations")
  void matchingRecord_authenticates_STS_DANE_05(int usage, int selector, int matching) {
    CertificateCheck check =
        VERIFIER.verify(rrset(MX, tlsa(usage, selector, matching, named(usage, GOOD))),
            chain(GOOD));
    assertAuthenticated(check);
    assertTrue(check.message().contains(usage + " " + selector + " " + matching + " "),
        check.message());
  }

  @ParameterizedTest(name = "STS-DANE-01 {0} {1} {2} of another certificate -> tlsa-invalid")
  @MethodSource("combinations")
  void otherCertificatesRecord_fails_STS_DANE_01(int usage, int selector, int matching) {
    X509Certificate other = usage == TlsaRecord.DANE_TA
        ? OTHER_CA.certificate() : OTHER.certificate();
    CertificateCheck check =
        VERIFIER.verify(rrset(MX, tlsa(usage, selector, matching, other)), chain(GOOD));
    assertFailed(check);
    assertTrue(check.message().contains(usage + " " + selector + " " + matching + " "),
        check.message());
    assertTrue(check.message().contains("_25._tcp." + MX), check.message());
  }

  @Test
  @DisplayName("STS-DANE-05 selector 1 matches the public key: a renewed certificate with the same"
      + " key still matches, selector 0 does not")
  void spkiSelector_survivesRenewalWithTheSameKey_STS_DANE_05() throws Exception {
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    java.security.KeyPair keys = generator.generateKeyPair();
    IssuedCertificate first = CA.leaf(MX).keyPair(keys).build();
    IssuedCertificate renewed = CA.leaf(MX).keyPair(keys).build();
    assertAuthenticated(
        VERIFIER.verify(rrset(MX, tlsa(3, 1, 1, first.certificate())), chain(renewed)));
    assertFailed(VERIFIER.verify(rrset(MX, tlsa(3, 0, 1, first.certificate())), chain(renewed)));
  }

  @Test
  void rsaKey_spkiMatches() {
    IssuedCertificate rsa = CA.leaf(MX).keyType(KeyType.RSA_2048).build();
    assertAuthenticated(VERIFIER.verify(rrset(MX, tlsa(3, 1, 2, rsa.certificate())), chain(rsa)));
  }

  // -------------------------------------------------------------------- unusable records

  static Stream<Arguments> unusableRecords() {
    X509Certificate leaf = GOOD.certificate();
    X509Certificate root = GOOD.chain().get(1);
    byte[] sha256 = tlsa(3, 1, 1, leaf).data();
    return Stream.of(
        Arguments.of("PKIX-TA(0) naming the root", tlsa(0, 0, 1, root)),
        Arguments.of("PKIX-EE(1) naming the leaf", tlsa(1, 1, 1, leaf)),
        Arguments.of("usage 4", TlsaRecord.of(4, 1, 1, sha256)),
        Arguments.of("selector 2", TlsaRecord.of(3, 2, 1, sha256)),
        Arguments.of("matching type 3", TlsaRecord.of(3, 1, 3, sha256)),
        Arguments.of("SHA-256 data one byte short",
            TlsaRecord.of(3, 1, 1, Arrays.copyOf(sha256, 31))),
        Arguments.of("SHA-256 data one byte long",
            TlsaRecord.of(3, 1, 1, Arrays.copyOf(sha256, 33))),
        Arguments.of("SHA-512 matching type with SHA-256 data", TlsaRecord.of(3, 1, 2, sha256)),
        Arguments.of("Full(0) with empty data", TlsaRecord.of(3, 1, 0, new byte[0])));
  }

  @ParameterizedTest(name = "STS-DANE-04 {0}: ignored, however well it matches")
  @MethodSource("unusableRecords")
  void unusableRecord_isIgnored_STS_DANE_04(String what, TlsaRecord unusable) {
    CertificateCheck alone = VERIFIER.verify(rrset(MX, unusable), chain(GOOD));
    assertFailed(alone);
    assertTrue(alone.message().contains("no usable record"), alone.message());

    CertificateCheck beside =
        VERIFIER.verify(rrset(MX, unusable, tlsa(3, 1, 1, OTHER.certificate())), chain(GOOD));
    assertFailed(beside);
    assertTrue(beside.message().contains("1 record unusable"), beside.message());

    assertAuthenticated(VERIFIER.verify(
        rrset(MX, unusable, tlsa(3, 1, 1, GOOD.certificate())), chain(GOOD)));
  }

  @Test
  @DisplayName("STS-DANE-04 a DANE socket factory needs a usable record")
  void socketFactory_withoutUsableRecord_refused_STS_DANE_04() {
    DaneTlsa none = rrset(MX, tlsa(1, 1, 1, GOOD.certificate()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> VERIFIER.socketFactory(none, false, o -> {}));
    assertTrue(e.getMessage().contains("STS-DANE-04"), e.getMessage());
  }

  // ------------------------------------------------------------------ digest agility

  static Stream<Arguments> digestAgility() {
    X509Certificate good = GOOD.certificate();
    X509Certificate other = OTHER.certificate();
    return Stream.of(
        Arguments.of("3 1 1 matches, 3 1 2 does not: the weaker digest is not used",
            List.of(tlsa(3, 1, 1, good), tlsa(3, 1, 2, other)), false),
        Arguments.of("3 1 2 matches, 3 1 1 does not",
            List.of(tlsa(3, 1, 1, other), tlsa(3, 1, 2, good)), true),
        Arguments.of("3 1 1 and 3 1 2 both match",
            List.of(tlsa(3, 1, 1, good), tlsa(3, 1, 2, good)), true),
        Arguments.of("3 1 0 matches beside a 3 1 2 that does not: Full(0) is not a digest",
            List.of(tlsa(3, 1, 0, good), tlsa(3, 1, 1, other), tlsa(3, 1, 2, other)), true),
        Arguments.of("3 1 1 matches, 3 0 2 does not: another selector",
            List.of(tlsa(3, 1, 1, good), tlsa(3, 0, 2, other)), true),
        Arguments.of("3 1 1 matches, 2 1 2 does not: another usage",
            List.of(tlsa(3, 1, 1, good), tlsa(2, 1, 2, OTHER_CA.certificate())), true),
        Arguments.of("3 1 1 matches, an unusable 3 1 2 (bad length) does not count",
            List.of(tlsa(3, 1, 1, good), TlsaRecord.of(3, 1, 2, new byte[32])), true),
        Arguments.of("2 0 1 matches the root, 2 0 2 names another root",
            List.of(tlsa(2, 0, 1, GOOD.chain().get(1)), tlsa(2, 0, 2, OTHER_CA.certificate())),
            false));
  }

  @ParameterizedTest(name = "RFC 7671 §9 digest agility: {0}")
  @MethodSource("digestAgility")
  void digestAgility_strongestDigestPerUsageAndSelector(
      String what, List<TlsaRecord> records, boolean authenticated) {
    CertificateCheck check =
        VERIFIER.verify(new DaneTlsa(MX, MX, records), chain(GOOD));
    if (authenticated) {
      assertAuthenticated(check);
    } else {
      assertFailed(check);
      assertTrue(check.message().contains("RFC 7671 §9"), check.message());
    }
  }

  // ----------------------------------------------------------------------- DANE-EE(3)

  @Test
  @DisplayName("STS-DANE-05 DANE-EE: an expired self-signed certificate for another name is"
      + " authenticated; WebPKI refuses it")
  void daneEe_expiredSelfSignedWrongName_authenticated_STS_DANE_05() {
    IssuedCertificate odd = CA.leaf("wrong-name.invalid").selfSigned().expired().build();
    for (int selector : new int[] {0, 1}) {
      assertAuthenticated(
          VERIFIER.verify(rrset(MX, tlsa(3, selector, 1, odd.certificate())), chain(odd)));
    }
    assertFalse(VERIFIER.verify(MX, chain(odd)).passed());
  }

  @Test
  @DisplayName("STS-DANE-05 DANE-EE: a not-yet-valid certificate, a far future clock: still"
      + " authenticated")
  void daneEe_ignoresDates_STS_DANE_05() {
    IssuedCertificate notYet = CA.leaf(MX).notYetValid().build();
    MxTlsVerifier future = MxTlsVerifier.builder().trustManager(CA.trustManager())
        .clock(Clock.fixed(Instant.now().plus(Duration.ofDays(36500)), ZoneOffset.UTC)).build();
    assertAuthenticated(
        future.verify(rrset(MX, tlsa(3, 1, 1, notYet.certificate())), chain(notYet)));
  }

  @Test
  @DisplayName("STS-DANE-05 DANE-EE matches the leaf only, not another certificate of the chain")
  void daneEe_recordForTheRoot_doesNotMatch_STS_DANE_05() {
    assertFailed(VERIFIER.verify(rrset(MX, tlsa(3, 0, 1, GOOD.chain().get(1))), chain(GOOD)));
  }

  @Test
  @DisplayName("DANE needs no WebPKI trust store: the JDK's default one, self-signed leaf")
  void dane_doesNotUseTheTrustManager() {
    IssuedCertificate selfSigned = CA.leaf(MX).selfSigned().build();
    assertAuthenticated(MxTlsVerifier.create()
        .verify(rrset(MX, tlsa(3, 1, 1, selfSigned.certificate())), chain(selfSigned)));
  }

  // ----------------------------------------------------------------------- DANE-TA(2)

  static Stream<Arguments> daneTa() {
    return Stream.of(
        Arguments.of("good leaf for the MX", chain(CA.issue(MX)), true),
        Arguments.of("wildcard *.example.com", chain(CA.issue("*.example.com")), true),
        Arguments.of("MX among several names", chain(CA.issue("a.example.net", MX)), true),
        Arguments.of("expired leaf", chain(CA.leaf(MX).expired().build()), false),
        Arguments.of("leaf not yet valid", chain(CA.leaf(MX).notYetValid().build()), false),
        Arguments.of("wrong name", chain(CA.issue("mx2.example.com")), false),
        Arguments.of("partial wildcard mx*.example.com", chain(CA.issue("mx*.example.com")),
            false),
        Arguments.of("name only in the CN (project's strict choice)",
            chain(CA.leaf(MX).withoutSubjectAlternativeNames().build()), false),
        Arguments.of("leaf of another CA sent with this CA's root",
            new X509Certificate[] {OTHER_CA.issue(MX).certificate(), CA.certificate()}, false));
  }

  @ParameterizedTest(name = "STS-DANE-05 DANE-TA with the test CA, {0} -> {2}")
  @MethodSource("daneTa")
  void daneTa_chainDatesAndNames_STS_DANE_05(
      String what, X509Certificate[] presented, boolean authenticated) {
    for (int selector : new int[] {0, 1}) {
      CertificateCheck check =
          VERIFIER.verify(rrset(MX, tlsa(2, selector, 1, CA.certificate())), presented);
      if (authenticated) {
        assertAuthenticated(check);
      } else {
        assertFailed(check);
        assertTrue(check.message().contains("matches certificate 1"), check.message());
      }
    }
  }

  @Test
  @DisplayName("STS-DANE-05 DANE-TA name check: the TLSA base domain, then the MX host name")
  void daneTa_referenceNames_tlsaBaseDomainAndMxHost_STS_DANE_05() {
    TlsaRecord root = tlsa(2, 0, 1, CA.certificate());
    DaneTlsa cnamed = new DaneTlsa(MX, "mail.hosting.example", List.of(root));
    assertAuthenticated(VERIFIER.verify(cnamed, chain(CA.issue("mail.hosting.example"))));
    assertAuthenticated(VERIFIER.verify(cnamed, chain(CA.issue(MX))));
    CertificateCheck neither = VERIFIER.verify(cnamed, chain(CA.issue("example.com")));
    assertFailed(neither);
    assertTrue(neither.message().contains("[mail.hosting.example, " + MX + "]"),
        neither.message());
  }

  @Test
  @DisplayName("STS-DANE-05 DANE-TA dates at the verifier's clock: after the leaf's notAfter")
  void daneTa_clockAfterLeafExpiry_fails_STS_DANE_05() {
    Instant later = GOOD.certificate().getNotAfter().toInstant().plusSeconds(1);
    MxTlsVerifier future = MxTlsVerifier.builder().trustManager(CA.trustManager())
        .clock(Clock.fixed(later, ZoneOffset.UTC)).build();
    CertificateCheck check = future.verify(rrset(MX, tlsa(2, 0, 1, CA.certificate())),
        chain(GOOD));
    assertFailed(check);
    assertTrue(check.message().contains("expired"), check.message());
  }

  @Test
  @DisplayName("STS-DANE-05 DANE-TA: the trust anchor is an intermediate of the presented chain")
  void daneTa_intermediateAsTrustAnchor_STS_DANE_05() {
    DaneTestData.Chain c = DaneTestData.threeLevels(MX);
    X509Certificate[] full = {c.leaf(), c.intermediate(), c.root()};
    X509Certificate[] withoutRoot = {c.leaf(), c.intermediate()};
    for (int selector : new int[] {0, 1}) {
      for (int matching : new int[] {0, 1, 2}) {
        TlsaRecord intermediate = tlsa(2, selector, matching, c.intermediate());
        assertAuthenticated(VERIFIER.verify(rrset(MX, intermediate), full));
        assertAuthenticated(VERIFIER.verify(rrset(MX, intermediate), withoutRoot));
      }
    }
    TlsaRecord root = tlsa(2, 0, 1, c.root());
    assertAuthenticated(VERIFIER.verify(rrset(MX, root), full));
    // TLS 1.3 lets a server send the chain in another order after the leaf.
    assertAuthenticated(
        VERIFIER.verify(rrset(MX, root), new X509Certificate[] {c.leaf(), c.root(),
            c.intermediate()}));
  }

  @Test
  @DisplayName("STS-DANE-05 DANE-TA: a chain without the trust anchor fails (RFC 7672 §3.1.2)")
  void daneTa_chainMissingTheTrustAnchor_fails_STS_DANE_05() {
    DaneTestData.Chain c = DaneTestData.threeLevels(MX);
    CertificateCheck check = VERIFIER.verify(rrset(MX, tlsa(2, 1, 1, c.root())),
        new X509Certificate[] {c.leaf(), c.intermediate()});
    assertFailed(check);
    assertTrue(check.message().contains("no certificate of the presented chain"),
        check.message());
  }

  @Test
  @DisplayName("STS-DANE-05 DANE-TA: a gap in the chain (intermediate missing) fails")
  void daneTa_missingIntermediate_fails_STS_DANE_05() {
    DaneTestData.Chain c = DaneTestData.threeLevels(MX);
    CertificateCheck check = VERIFIER.verify(rrset(MX, tlsa(2, 0, 1, c.root())),
        new X509Certificate[] {c.leaf(), c.root()});
    assertFailed(check);
    assertTrue(check.message().contains("does not validate"), check.message());
  }

  @Test
  @DisplayName("STS-DANE-05 DANE-TA record matching the leaf: the leaf is the anchor, names and"
      + " dates still checked")
  void daneTa_matchingTheLeaf_namesStillChecked_STS_DANE_05() {
    IssuedCertificate selfSigned = CA.leaf(MX).selfSigned().build();
    assertAuthenticated(
        VERIFIER.verify(rrset(MX, tlsa(2, 0, 1, selfSigned.certificate())), chain(selfSigned)));
    IssuedCertificate wrongName = CA.leaf("other.example.com").selfSigned().build();
    assertFailed(
        VERIFIER.verify(rrset(MX, tlsa(2, 0, 1, wrongName.certificate())), chain(wrongName)));
  }

  // ------------------------------------------------------------------ verdict and API

  @Test
  void failureMessage_namesEveryRecordTriedAndWhy() {
    CertificateCheck check = VERIFIER.verify(
        rrset(MX, tlsa(3, 1, 1, OTHER.certificate()), tlsa(2, 0, 2, OTHER_CA.certificate()),
            tlsa(1, 1, 1, GOOD.certificate())),
        chain(GOOD));
    assertFailed(check);
    String m = check.message();
    assertTrue(m.startsWith("the certificate of " + MX + " matches no usable TLSA record at _25._tcp."
        + MX), m);
    assertTrue(m.contains("3 1 1 ") && m.contains("the leaf public key does not match"), m);
    assertTrue(m.contains("2 0 2 ") && m.contains("no certificate of the presented chain (2)"), m);
    assertTrue(m.contains("1 record unusable"), m);
  }

  @Test
  void emptyChain_fails() {
    assertFailed(VERIFIER.verify(rrset(MX, tlsa(3, 1, 1, GOOD.certificate())),
        new X509Certificate[0]));
  }

  @Test
  void overlongChain_failsBeforeAnyMatching_evenWithAMatchingLeaf() {
    // Bounds the work a server can cause: each certificate may cost a PKIX path build per
    // DANE-TA selector, and Conscrypt does not cap the chain as the JDK does.
    X509Certificate[] longChain = new X509Certificate[17];
    java.util.Arrays.fill(longChain, GOOD.certificate());
    CertificateCheck check =
        VERIFIER.verify(rrset(MX, tlsa(3, 1, 1, GOOD.certificate())), longChain);
    assertFailed(check);
    assertTrue(check.message().contains("17 certificates"), check.message());
  }

  @Test
  void classify_daneRefusal_isTlsaInvalid() {
    CertificateCheck check = VERIFIER.verify(rrset(MX, tlsa(3, 1, 1, OTHER.certificate())),
        chain(GOOD));
    javax.net.ssl.SSLHandshakeException e = new javax.net.ssl.SSLHandshakeException("aborted");
    e.initCause(new org.mtasts.internal.tls.MxCertificateException(
        check.refusal().orElseThrow(), check.message()));
    assertEquals(Optional.of(RefusalReason.TLSA_INVALID), MxTlsVerifier.classify(e));
  }

  @Test
  void nullParameters() {
    DaneTlsa dane = rrset(MX, tlsa(3, 1, 1, GOOD.certificate()));
    X509Certificate[] good = chain(GOOD);
    List<Executable> calls = List.of(
        () -> VERIFIER.verify((DaneTlsa) null, good),
        () -> VERIFIER.verify(dane, null),
        () -> VERIFIER.verify(dane, new X509Certificate[] {good[0], null}),
        () -> VERIFIER.socketFactory((DaneTlsa) null, false, o -> {}),
        () -> VERIFIER.socketFactory(dane, false, null),
        () -> VERIFIER.socketFactory(dane, false, o -> {}, null),
        () -> CertificateCheck.daneAuthenticated(null),
        () -> CertificateCheck.daneFailed(null),
        () -> TlsFacts.daneVerified(null),
        () -> TlsFacts.daneVerified(null, RefusalReason.CERTIFICATE_EXPIRED),
        () -> TlsFacts.daneVerified("TLSv1.3", null),
        () -> TlsFacts.handshakeFailed(null, DaneResult.FAILED),
        () -> TlsFacts.handshakeFailed(RefusalReason.TLSA_INVALID, null));
    for (Executable call : calls) {
      assertThrows(NullPointerException.class, call);
    }
  }

  @Test
  void values_equalityAndText() {
    CertificateCheck failed = CertificateCheck.daneFailed("no match");
    assertEquals(failed, CertificateCheck.daneFailed("no match"));
    assertEquals(failed.hashCode(), CertificateCheck.daneFailed("no match").hashCode());
    assertFalse(failed.equals(CertificateCheck.refused(RefusalReason.TLSA_INVALID, "no match")));
    assertTrue(failed.toString().contains("DANE tlsa-invalid"), failed.toString());
    assertEquals("CertificateCheck{DANE passed}",
        CertificateCheck.daneAuthenticated("matched").toString());
    assertEquals(Optional.empty(), CertificateCheck.ok().dane());
    assertEquals("authenticated", DaneResult.AUTHENTICATED.code());
    assertEquals("failed", DaneResult.FAILED.code());
  }
}
