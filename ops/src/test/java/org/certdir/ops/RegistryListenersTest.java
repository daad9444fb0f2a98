package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;
import org.certdir.ops.issuance.CertificateIssuer.SmimePurpose;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.PublicationUrls;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.Registry;
import org.certdir.registry.RevocationReason;
import org.certdir.schemas.Dit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the registry hands committed status changes to its listeners (the OCSP index, the publication worker). */
class RegistryListenersTest {

    @TempDir
    Path data;

    private Registry registry;
    private CertificateIssuer issuer;
    private SigningCa ca;
    private CaRecord caRecord;

    @BeforeEach
    void open() throws Exception {
        registry = Registry.open(data.resolve("registry.db"), Clock.systemUTC());
        issuer = new CertificateIssuer(new PublicationUrls("http://127.0.0.1:8080", "127.0.0.1", 10389, Dit.of("dc=example,dc=com")),
                Clock.systemUTC());
        Issued root = issuer.rootCa("Listeners CA", "test", KeyAlgorithm.EC_P256, Duration.ofDays(30));
        ca = new SigningCa(new CaName("listeners-ca"), root.certificate(), root.keyPair().getPrivate());
        caRecord = registry.addCa(ca.name(), CertificateDetails.parse(root.certificate().getEncoded()), null, Actor.SERVICE);
    }

    @AfterEach
    void close() {
        registry.close();
    }

    private CertificateDetails recorded(String mail) throws Exception {
        CertificateDetails details = CertificateDetails.parse(issuer.smime(ca, mail, "Test", "test", SmimePurpose.ENCRYPTION,
                KeyAlgorithm.EC_P256, Duration.ofDays(30)).certificate().getEncoded());
        registry.addCertificate(caRecord, details, Actor.SERVICE);
        return details;
    }

    @Test
    void onStatusChange_twoCommitsAtOnce_reachTheListenerInRevisionOrder() throws Exception {
        CertificateDetails first = recorded("first@example.com");
        CertificateDetails second = recorded("second@example.com");
        long before = registry.revision();
        List<Long> heard = new CopyOnWriteArrayList<>();
        CountDownLatch firstHeard = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        registry.onStatusChange(change -> {
            if (change.revision() == before + 1) {
                firstHeard.countDown();
                try {
                    // The listener is slow on revision N (a GC pause, a busy index) while N+1 commits.
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            heard.add(change.revision());
        });

        Thread revokingFirst = new Thread(() -> registry.revoke(ca.name(), first.serial(), RevocationReason.KEY_COMPROMISE, null, Actor.SERVICE));
        revokingFirst.start();
        assertTrue(firstHeard.await(10, TimeUnit.SECONDS));
        Thread revokingSecond = new Thread(() -> registry.revoke(ca.name(), second.serial(), RevocationReason.KEY_COMPROMISE, null, Actor.SERVICE));
        revokingSecond.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (registry.revision() < before + 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(before + 2, registry.revision(), "the second revocation committed");
        // It has committed: it is now either handing its change to the listener, or waiting its turn.
        while (revokingSecond.getState() != Thread.State.BLOCKED && revokingSecond.getState() != Thread.State.WAITING
                && revokingSecond.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        release.countDown();
        revokingFirst.join(10_000);
        revokingSecond.join(10_000);

        assertEquals(List.of(before + 1, before + 2), heard);
    }

    @Test
    void onStatusChange_aThrowingListener_doesNotStopTheOthers_norFailTheChange() throws Exception {
        CertificateDetails certificate = recorded("thrower@example.com");
        List<Long> heard = new CopyOnWriteArrayList<>();
        registry.onStatusChange(change -> {
            throw new IllegalStateException("a broken listener");
        });
        registry.onStatusChange(change -> heard.add(change.revision()));

        registry.revoke(ca.name(), certificate.serial(), RevocationReason.KEY_COMPROMISE, null, Actor.SERVICE);

        assertEquals(List.of(registry.revision()), heard);
    }
}
