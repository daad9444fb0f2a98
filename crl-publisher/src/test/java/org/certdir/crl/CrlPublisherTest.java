package org.certdir.crl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.certdir.crl.distribution.DistributionPoint;
import org.certdir.crl.distribution.HttpPoint;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.CrlRecord;
import org.certdir.registry.Registry;
import org.certdir.registry.RevocationReason;
import org.certdir.registry.Serial;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher's decisions against a real registry: what a crash or a failed issuance interrupted is issued
 * afterwards, a revocation reaches the full CRL too, and a point is never given a delta it cannot use.
 */
class CrlPublisherTest {

    private static final Actor ADMIN = new Actor("test", "127.0.0.1");
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path data;

    private Registry registry;
    private CaRecord ca;
    private KeyPair caKey;
    private final List<CrlPublisher> publishers = new ArrayList<>();

    @BeforeEach
    void createCa() throws Exception {
        registry = Registry.open(data.resolve("registry.db"), Clock.systemUTC());
        caKey = keyPair();
        X500Name name = new X500Name("CN=Test Issuing CA");
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(365))),
                name, caKey.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        ca = registry.addCa(CaName.fromCommonName("Test Issuing CA"), CertificateDetails.parse(builder.build(signer()).getEncoded()), "keys/test.p12", ADMIN);
    }

    @AfterEach
    void close() {
        publishers.forEach(CrlPublisher::close);
        registry.close();
    }

    private static KeyPair keyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private ContentSigner signer() throws Exception {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate());
    }

    private List<Serial> certificates(int count) throws Exception {
        KeyPair subject = keyPair();
        List<Registry.Issued> issued = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = 0; i < count; i++) {
            X509CertificateHolder certificate = new JcaX509v3CertificateBuilder(new X500Name("CN=Test Issuing CA"), BigInteger.valueOf(1000 + i),
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(30))), new X500Name("CN=user " + i), subject.getPublic())
                    .build(signer());
            issued.add(new Registry.Issued(ca, CertificateDetails.parse(certificate.getEncoded())));
        }
        return registry.addCertificates(issued, ADMIN).stream().map(added -> added.record().details().serial()).toList();
    }

    private CrlPublisher start(CrlSettings settings, java.util.function.Function<CaRecord, ContentSigner> signers, DistributionPoint... points) {
        CrlPublisher publisher = new CrlPublisher(registry, new CrlIssuer(registry, signers, any -> List.of("http://127.0.0.1/crl/delta.crl"), settings,
                Clock.systemUTC()), List.of(points), settings, Clock.systemUTC());
        publishers.add(publisher);
        publisher.start();
        return publisher;
    }

    private java.util.function.Function<CaRecord, ContentSigner> ourKey() {
        return any -> {
            try {
                return signer();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /**
     * Settings that react at once: no debounce, and a full CRL within 2 s of a change (the first builds of a cold JVM
     * take a second or two, which ten times over would outlast the test).
     */
    private static CrlSettings prompt() {
        return new CrlSettings(Duration.ofDays(3), Duration.ofDays(1), Duration.ofHours(2), Duration.ofHours(1), Duration.ZERO, true, Duration.ofSeconds(2));
    }

    private static X509CRL crl(HttpPoint point, String file) throws Exception {
        var served = point.served(file);
        return served.isEmpty() ? null
                : (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(served.get().der()));
    }

    private static Set<BigInteger> entries(X509CRL crl) {
        return crl == null || crl.getRevokedCertificates() == null ? Set.of()
                : crl.getRevokedCertificates().stream().map(java.security.cert.X509CRLEntry::getSerialNumber).collect(Collectors.toSet());
    }

    private static long extension(X509CRL crl, org.bouncycastle.asn1.ASN1ObjectIdentifier oid) throws Exception {
        return org.bouncycastle.asn1.ASN1Integer.getInstance(org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils.parseExtensionValue(
                crl.getExtensionValue(oid.getId()))).getValue().longValueExact();
    }

    /** What a client reading only the full CRL sees revoked at the point. */
    private static Set<BigInteger> seenByFullOnlyClient(HttpPoint point) throws Exception {
        return entries(crl(point, "test-issuing-ca.crl"));
    }

    /**
     * What a delta-aware client sees: the full CRL plus the delta, when the delta applies to it (its base not
     * newer than the full, its own number newer, RFC 5280 §5.2.4, as OpenSSL checks).
     */
    private static Set<BigInteger> seenByDeltaClient(HttpPoint point) throws Exception {
        X509CRL full = crl(point, "test-issuing-ca.crl");
        X509CRL delta = crl(point, "test-issuing-ca-delta.crl");
        Set<BigInteger> seen = new java.util.HashSet<>(entries(full));
        if (full != null && delta != null) {
            long fullNumber = extension(full, Extension.cRLNumber);
            if (extension(delta, Extension.deltaCRLIndicator) <= fullNumber && extension(delta, Extension.cRLNumber) > fullNumber) {
                seen.addAll(entries(delta));
            }
        }
        return seen;
    }

    private interface Seen {
        Set<BigInteger> at(HttpPoint point) throws Exception;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " within " + WAIT);
            }
            Thread.sleep(20);
        }
    }

    private static BooleanSupplier sees(Seen client, HttpPoint point, Set<BigInteger> serials) {
        return () -> {
            try {
                return client.at(point).containsAll(serials);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static Set<BigInteger> values(List<Serial> serials) {
        return serials.stream().map(Serial::value).collect(Collectors.toSet());
    }

    @Test
    void revocationsCommittedWhileNoPublisherRan_areIssuedAtTheNextStart() throws Exception {
        List<Serial> serials = certificates(20);
        CrlPublisher before = start(prompt(), ourKey(), new HttpPoint("http"));
        await("the first full and delta CRL", () -> registry.latestCrlSummary(ca.name(), true).isPresent());
        before.close();
        // As after kill -9 inside the debounce window: the revocations are committed, the publisher that heard of them is gone.
        for (Serial serial : serials) {
            registry.revoke(ca.name(), serial, RevocationReason.KEY_COMPROMISE, null, ADMIN);
        }

        HttpPoint http = new HttpPoint("http");
        start(prompt(), ourKey(), http);
        await("a delta-aware client seeing the 20 revocations", sees(CrlPublisherTest::seenByDeltaClient, http, values(serials)));
        await("a client of full CRLs only seeing the 20 revocations", sees(CrlPublisherTest::seenByFullOnlyClient, http, values(serials)));
    }

    @Test
    void failedIssuance_isRetried_andTheRevocationStillReachesBothCrls() throws Exception {
        List<Serial> serials = certificates(1);
        AtomicBoolean keyReadable = new AtomicBoolean(true);
        java.util.function.Function<CaRecord, ContentSigner> flaky = any -> {
            if (!keyReadable.get()) {
                throw new IllegalStateException("the key file keys/test.p12 cannot be read");
            }
            return ourKey().apply(any);
        };
        HttpPoint http = new HttpPoint("http");
        CrlPublisher publisher = start(prompt(), flaky, http);
        await("the first delta CRL", () -> http.served("test-issuing-ca-delta.crl").isPresent());

        keyReadable.set(false);
        registry.revoke(ca.name(), serials.get(0), RevocationReason.KEY_COMPROMISE, null, ADMIN);
        await("the failure shown", () -> publisher.issuanceErrors().containsKey(ca.name()));
        assertEquals("the key file keys/test.p12 cannot be read", publisher.issuanceErrors().get(ca.name()));

        keyReadable.set(true);
        await("a delta-aware client seeing the revocation", sees(CrlPublisherTest::seenByDeltaClient, http, values(serials)));
        await("a client of full CRLs only seeing the revocation", sees(CrlPublisherTest::seenByFullOnlyClient, http, values(serials)));
        await("the failure cleared", () -> publisher.issuanceErrors().isEmpty());
    }

    @Test
    void revocation_reachesTheFullCrl_andEveryCrlReachesThePointOnce() throws Exception {
        List<Serial> serials = certificates(3);
        Recording point = new Recording(Long.MAX_VALUE);
        HttpPoint http = new HttpPoint("http");
        start(prompt(), ourKey(), point, http);
        await("the first delta CRL", () -> http.served("test-issuing-ca-delta.crl").isPresent());
        for (Serial serial : serials) {
            registry.revoke(ca.name(), serial, RevocationReason.SUPERSEDED, null, ADMIN);
            Thread.sleep(300);
        }
        await("a client of full CRLs only seeing every revocation", sees(CrlPublisherTest::seenByFullOnlyClient, http, values(serials)));
        Thread.sleep(1500); // a few more ticks, in which a duplicate send would show
        List<Long> numbers = point.received.stream().map(CrlRecord::number).toList();
        assertEquals(numbers.stream().distinct().toList(), numbers, "no CRL sent twice to one point");
    }

    @Test
    void pointRefusingTheNewFullCrl_neverGetsADeltaOnIt() throws Exception {
        List<Serial> serials = certificates(2);
        HttpPoint http = new HttpPoint("http");
        // Holds the first full CRL (number 1) and refuses every later one, as the directory refuses a CRL over its size limit.
        long firstFull = 1;
        Recording stuck = new Recording(firstFull);
        start(prompt(), ourKey(), http, stuck);
        await("the first delta CRL", () -> http.served("test-issuing-ca-delta.crl").isPresent());
        await("the stuck point got the first full CRL and its delta", () -> stuck.received.size() == 2);

        registry.revoke(ca.name(), serials.get(0), RevocationReason.KEY_COMPROMISE, null, ADMIN);
        await("a newer full CRL", () -> registry.latestCrlSummary(ca.name(), false).orElseThrow().number() > firstFull);
        await("a delta-aware client of the other point seeing it", sees(CrlPublisherTest::seenByDeltaClient, http, values(serials.subList(0, 1))));
        // Deltas stay on the base of the full period, so the stuck point's delta-aware clients see the revocation too.
        await("the stuck point got a delta listing it", () -> stuck.received.stream()
                .anyMatch(crl -> crl.delta() && crl.baseNumber() == firstFull && crl.entries() == 1));
        Thread.sleep(1500);
        for (CrlRecord crl : stuck.received) {
            assertTrue(!crl.delta() || crl.baseNumber() <= firstFull,
                    "the point holding full CRL " + firstFull + " was sent delta " + crl.number() + " on base " + crl.baseNumber());
        }
    }

    @Test
    void deltaBase_staysForTheFullPeriod_whileChangeTriggeredFullCrlsComeAndGo() throws Exception {
        List<Serial> serials = certificates(3);
        HttpPoint http = new HttpPoint("http");
        start(prompt(), ourKey(), http);
        await("the first delta CRL", () -> http.served("test-issuing-ca-delta.crl").isPresent());
        for (Serial serial : serials) {
            registry.revoke(ca.name(), serial, RevocationReason.SUPERSEDED, null, ADMIN);
            await("a full CRL listing " + serial, sees(CrlPublisherTest::seenByFullOnlyClient, http, Set.of(serial.value())));
        }
        await("the delta listing all three", () -> {
            try {
                X509CRL delta = crl(http, "test-issuing-ca-delta.crl");
                return entries(delta).containsAll(values(serials)) && extension(delta, Extension.deltaCRLIndicator) == 1;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(registry.latestCrlSummary(ca.name(), false).orElseThrow().number() >= 4, "three change-triggered full CRLs after the first");
    }

    /** A point that takes CRLs up to a number and refuses the full ones after it. */
    private static final class Recording implements DistributionPoint {
        final List<CrlRecord> received = new CopyOnWriteArrayList<>();
        private final long lastFullTaken;

        Recording(long lastFullTaken) {
            this.lastFullTaken = lastFullTaken;
        }

        @Override
        public String name() {
            return "recording-" + lastFullTaken;
        }

        @Override
        public void publish(CaRecord ca, CrlRecord crl) {
            if (!crl.delta() && crl.number() > lastFullTaken) {
                throw new IllegalStateException("CRL " + crl.number() + " exceeds the size limit");
            }
            received.add(crl);
        }
    }
}
