package org.certdir.crl.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.certdir.crl.CrlPublisher;
import org.certdir.crl.CrlSettings;
import org.certdir.crl.distribution.HttpPoint;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.CertificateRecord;
import org.certdir.registry.CertificateStatus;
import org.certdir.registry.Registry;
import org.certdir.registry.RevocationReason;
import org.certdir.registry.Serial;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a mirrored CRL does to the registry, for what openssl cannot make (delta CRLs, invalidity dates): against a
 * real registry and a CA whose key only this test holds.
 */
class CrlMirrorTest {

    private static final Actor ADMIN = new Actor("test", "127.0.0.1");
    private static final X500Name CA_NAME = new X500Name("CN=Outside CA");

    @TempDir
    Path data;

    private Registry registry;
    private CaRecord ca;
    private KeyPair caKey;
    private CrlPublisher publisher;
    private CrlMirror mirror;
    private final HttpPoint point = new HttpPoint("http");
    private final Map<CaName, Instant> freshUntil = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        registry = Registry.open(data.resolve("registry.db"), Clock.systemUTC());
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        caKey = generator.generateKeyPair();
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(CA_NAME, BigInteger.ONE, Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(365))),
                CA_NAME, caKey.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        ca = registry.addCa(new CaName("outside-ca"), CertificateDetails.parse(builder.build(signer()).getEncoded()), null, ADMIN);
        List<Registry.Issued> issued = new ArrayList<>();
        for (int serial : new int[] {0x10, 0x11}) {
            issued.add(new Registry.Issued(ca, CertificateDetails.parse(new JcaX509v3CertificateBuilder(CA_NAME, BigInteger.valueOf(serial),
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(30))), new X500Name("CN=user " + serial), caKey.getPublic())
                    .build(signer()).getEncoded())));
        }
        registry.addCertificates(issued, ADMIN);
        CrlSettings settings = new CrlSettings(Duration.ofDays(3), Duration.ofDays(1), Duration.ofHours(2), Duration.ofHours(1), Duration.ZERO, true,
                Duration.ofSeconds(2));
        publisher = new CrlPublisher(registry, null, List.of(point), settings, Clock.systemUTC());
        publisher.start();
        mirror = new CrlMirror(registry, publisher, new CrlFetcher(Duration.ofSeconds(1), 1024, 0), List.of(), Clock.systemUTC(), freshUntil::put);
        mirror.start();
    }

    @AfterEach
    void stop() {
        mirror.close();
        publisher.close();
        registry.close();
    }

    private ContentSigner signer() throws Exception {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate());
    }

    /** An entry: serial, reason code (-1: none), invalidity date (null: none). */
    private record Entry(int serial, int reason, Instant invalidity) {
    }

    private byte[] crl(long number, Long base, Entry... entries) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        X509v2CRLBuilder builder = new X509v2CRLBuilder(CA_NAME, Date.from(now));
        builder.setNextUpdate(Date.from(now.plus(Duration.ofDays(1))));
        builder.addExtension(Extension.cRLNumber, false, new ASN1Integer(number));
        if (base != null) {
            builder.addExtension(Extension.deltaCRLIndicator, true, new ASN1Integer(base));
        }
        for (Entry entry : entries) {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            if (entry.reason() >= 0) {
                extensions.addExtension(Extension.reasonCode, false, CRLReason.lookup(entry.reason()));
            }
            if (entry.invalidity() != null) {
                extensions.addExtension(Extension.invalidityDate, false, new ASN1GeneralizedTime(Date.from(entry.invalidity())));
            }
            builder.addCRLEntry(BigInteger.valueOf(entry.serial()), Date.from(now.minusSeconds(30)), extensions.isEmpty() ? null : extensions.generate());
        }
        return builder.build(signer()).getEncoded();
    }

    private CertificateRecord record(int serial) {
        return registry.requireCertificate(ca.name(), new Serial(BigInteger.valueOf(serial)));
    }

    @Test
    void fullCrl_revokesWithReasonAndInvalidityDate_holds_andCountsUnregisteredSerials() throws Exception {
        Instant invalidity = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.SECONDS);
        byte[] der = crl(5, null, new Entry(0x10, CRLReason.keyCompromise, invalidity), new Entry(0x11, CRLReason.certificateHold, null),
                new Entry(0x99, -1, null));
        MirrorResult result = mirror.accept(ca.name(), der, "push");
        assertEquals(new MirrorResult(ca.name(), 5, null, 3, 1, 1, 0, 1, false), result);
        assertEquals(CertificateStatus.REVOKED, record(0x10).status());
        assertEquals(RevocationReason.KEY_COMPROMISE, record(0x10).reason());
        assertEquals(invalidity, record(0x10).invalidityDate());
        assertEquals(CertificateStatus.ON_HOLD, record(0x11).status());
        assertArrayEquals(der, registry.latestCrl(ca.name(), false).orElseThrow().der(), "recorded as the CA signed it");
        assertEquals(registry.latestCrl(ca.name(), false).orElseThrow().nextUpdate(), freshUntil.get(ca.name()));
    }

    @Test
    void deltaRemoveFromCrl_releasesTheHold() throws Exception {
        mirror.accept(ca.name(), crl(5, null, new Entry(0x11, CRLReason.certificateHold, null)), "push");
        MirrorResult result = mirror.accept(ca.name(), crl(6, 5L, new Entry(0x11, CRLReason.removeFromCRL, null)), "push");
        assertEquals(new MirrorResult(ca.name(), 6, 5L, 1, 0, 0, 1, 0, false), result);
        assertEquals(CertificateStatus.VALID, record(0x11).status());
        assertEquals(6, registry.latestCrl(ca.name(), true).orElseThrow().number());
    }

    @Test
    void deltaWithoutTheHeldSerial_leavesTheHold() throws Exception {
        mirror.accept(ca.name(), crl(5, null, new Entry(0x11, CRLReason.certificateHold, null)), "push");
        mirror.accept(ca.name(), crl(6, 5L), "push");
        assertEquals(CertificateStatus.ON_HOLD, record(0x11).status(), "a delta lists changes only: what it leaves out did not change");
    }

    @Test
    void crlWithoutNumber_refused() throws Exception {
        Instant now = Instant.now();
        X509v2CRLBuilder builder = new X509v2CRLBuilder(CA_NAME, Date.from(now));
        builder.setNextUpdate(Date.from(now.plus(Duration.ofDays(1))));
        MirrorRefused e = assertThrows(MirrorRefused.class, () -> mirror.accept(ca.name(), builder.build(signer()).getEncoded(), "push"));
        assertEquals("CRL refused for CA 'outside-ca': it has no CRL number (RFC 5280 §5.2.3), so its order cannot be told", e.getMessage());
    }

    @Test
    void notACrl_refused() {
        MirrorRefused e = assertThrows(MirrorRefused.class, () -> mirror.accept(ca.name(), "hello".getBytes(), "push"));
        assertEquals(true, e.getMessage().startsWith("CRL refused for CA 'outside-ca': not a DER or PEM CRL ("), e.getMessage());
    }

    @Test
    void pemCrl_taken() throws Exception {
        byte[] der = crl(7, null);
        String pem = "-----BEGIN X509 CRL-----\n" + java.util.Base64.getMimeEncoder().encodeToString(der) + "\n-----END X509 CRL-----\n";
        assertEquals(7, mirror.accept(ca.name(), pem.getBytes(), "push").number());
        assertArrayEquals(der, registry.latestCrl(ca.name(), false).orElseThrow().der());
    }

    /** A mirror of the test's CA that reads {@code drop} (never started: each test reads the directory when it says). */
    private CrlMirror dropMirror(Path drop) {
        return new CrlMirror(registry, publisher, new CrlFetcher(Duration.ofSeconds(1), 1024, 0),
                List.of(new MirrorSource(ca.name(), List.of(), drop, Duration.ofHours(1))), Clock.systemUTC(), freshUntil::put);
    }

    /** Writes a CRL file as a CA overwriting it would: new bytes, a modification time that moved on. */
    private static void write(Path file, byte[] bytes, int secondsLater) throws Exception {
        Files.write(file, bytes);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(secondsLater)));
    }

    @Test
    void dropDirectory_aFileIsTakenOnce_andAgainOnlyWhenTheCaOverwritesIt() throws Exception {
        Path drop = Files.createDirectory(data.resolve("drop"));
        try (CrlMirror files = dropMirror(drop)) {
            write(drop.resolve("outside.crl"), crl(5, null, new Entry(0x10, CRLReason.keyCompromise, null)), 0);
            List<MirrorResult> first = files.fetch(ca.name(), false);
            assertEquals(List.of(new MirrorResult(ca.name(), 5, null, 1, 1, 0, 0, 0, false)), first);
            assertEquals(CertificateStatus.REVOKED, record(0x10).status());
            assertEquals(List.of(), files.fetch(ca.name(), false), "unchanged since it was taken: not read again");

            write(drop.resolve("outside.crl"), crl(6, null, new Entry(0x10, CRLReason.keyCompromise, null), new Entry(0x11, CRLReason.superseded, null)), 5);
            List<MirrorResult> overwritten = files.fetch(ca.name(), false);
            assertEquals(List.of(6L), overwritten.stream().map(MirrorResult::number).toList());
            assertEquals(false, overwritten.get(0).unchanged());
            assertEquals(CertificateStatus.REVOKED, record(0x11).status());
            assertEquals(drop.resolve("outside.crl").toString(), files.states().get(0).source());

            List<MirrorResult> all = files.fetch(ca.name());
            assertEquals(1, all.size(), "an admin's fetch reads every file");
            assertEquals(true, all.get(0).unchanged());
        }
    }

    @Test
    void dropDirectory_aBaseAndItsDelta_takenLowestNumberFirst_otherNamesIgnored() throws Exception {
        Path drop = Files.createDirectory(data.resolve("drop"));
        try (CrlMirror files = dropMirror(drop)) {
            // Named so that the delta sorts first: the order comes from the CRL numbers.
            write(drop.resolve("a-outside+.crl"), crl(8, 7L, new Entry(0x11, CRLReason.certificateHold, null)), 0);
            write(drop.resolve("b-outside.crl"), crl(7, null), 0);
            Files.write(drop.resolve("outside.crl.tmp"), "half a CRL".getBytes());
            List<MirrorResult> results = files.fetch(ca.name(), false);
            assertEquals(List.of(7L, 8L), results.stream().map(MirrorResult::number).toList());
            assertEquals(CertificateStatus.ON_HOLD, record(0x11).status());
        }
    }

    @Test
    void dropDirectory_aBadFile_refusedNamingIt_andTriedAgain_whileTheGoodOneIsTaken() throws Exception {
        Path drop = Files.createDirectory(data.resolve("drop"));
        try (CrlMirror files = dropMirror(drop)) {
            write(drop.resolve("good.crl"), crl(5, null), 0);
            write(drop.resolve("junk.crl"), "not a CRL".getBytes(), 0);
            MirrorRefused first = assertThrows(MirrorRefused.class, () -> files.fetch(ca.name(), false));
            assertEquals(true, first.getMessage().startsWith(drop.resolve("junk.crl") + ": CRL refused for CA 'outside-ca': not a DER or PEM CRL ("),
                    first.getMessage());
            assertEquals(5, registry.latestCrl(ca.name(), false).orElseThrow().number(), "the good file is taken beside the bad one");
            MirrorRefused again = assertThrows(MirrorRefused.class, () -> files.fetch(ca.name(), false));
            assertEquals(first.getMessage(), again.getMessage(), "a refused file is read again: its reason may have gone");
            assertEquals(first.getMessage(), files.states().get(0).lastError());
        }
    }

    @Test
    void dropDirectory_tooLargeOrMissing_refusedNamingThePath() throws Exception {
        Path drop = data.resolve("share");
        try (CrlMirror files = dropMirror(drop)) {
            MirrorRefused missing = assertThrows(MirrorRefused.class, () -> files.fetch(ca.name(), false));
            assertEquals("drop directory " + drop + " does not exist or is not a directory (is the share mounted?)", missing.getMessage());
            Files.createDirectory(drop);
            Files.write(drop.resolve("big.crl"), new byte[2000]);
            MirrorRefused large = assertThrows(MirrorRefused.class, () -> files.fetch(ca.name(), false));
            assertEquals(drop.resolve("big.crl") + " is 2000 bytes, more than certdir.crl.mirror.max-size (1024)", large.getMessage());
        }
    }
}
