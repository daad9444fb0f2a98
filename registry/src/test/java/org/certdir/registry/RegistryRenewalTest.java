package org.certdir.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Registry#renewCa}: the CA keeps its row, name and key file and gets the new certificate; the one it replaces
 * is listed as previous while valid, and its expiry queues the CA entry again; anything but the same subject and key
 * is refused, and so is a renewal of a certificate the CA no longer has.
 */
class RegistryRenewalTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @TempDir
    Path data;

    @Test
    void renewCa_keepsTheCa_andListsThePreviousCertificateWhileItIsValid() throws Exception {
        KeyPair keys = keys();
        try (Registry registry = Registry.open(data.resolve("registry.db"), Clock.fixed(NOW, ZoneOffset.UTC))) {
            CertificateDetails first = certificate("CN=Renewed CA", keys, NOW.plus(Duration.ofDays(10)));
            CaRecord ca = registry.createCa(new CaName("renewed-ca"), first, "keys/renewed-ca.p12", "test", Actor.SERVICE);
            CertificateDetails second = certificate("CN=Renewed CA", keys, NOW.plus(Duration.ofDays(400)));

            CaRecord renewed = registry.renewCa(ca, second, "same key", Actor.SERVICE);

            assertEquals(ca.id(), renewed.id());
            assertEquals(ca.name(), renewed.name());
            assertEquals("keys/renewed-ca.p12", renewed.keyFile());
            assertEquals(second.sha256(), registry.ca(ca.name()).orElseThrow().certificate().sha256());
            assertEquals(ca.id(), registry.caBySha256(second.sha256()).orElseThrow().id());
            assertEquals(List.of(first.sha256()), registry.previousCaCertificates(ca.name(), NOW).stream().map(CertificateDetails::sha256).toList());
            assertEquals(List.of(), registry.previousCaCertificates(ca.name(), NOW.plus(Duration.ofDays(10))), "gone once expired");
            AuditRecord audit = registry.auditTrail(1).get(0);
            assertEquals("ca.renew", audit.action());
            assertEquals("renewed-ca", audit.target());
        }
    }

    @Test
    void renewCa_refusesAnotherKeyOrSubject_andACertificateTheCaNoLongerHas() throws Exception {
        KeyPair keys = keys();
        try (Registry registry = Registry.open(data.resolve("registry.db"), Clock.fixed(NOW, ZoneOffset.UTC))) {
            CaRecord ca = registry.createCa(new CaName("refusing-ca"), certificate("CN=Refusing CA", keys, NOW.plus(Duration.ofDays(10))),
                    "keys/refusing-ca.p12", "test", Actor.SERVICE);
            CertificateDetails otherKey = certificate("CN=Refusing CA", keys(), NOW.plus(Duration.ofDays(400)));
            IllegalArgumentException wrongKey = assertThrows(IllegalArgumentException.class, () -> registry.renewCa(ca, otherKey, "x", Actor.SERVICE));
            assertEquals(otherKey + " does not certify the subject and key of CA 'refusing-ca': not a renewal", wrongKey.getMessage());
            CertificateDetails otherName = certificate("CN=Refusing CA 2", keys, NOW.plus(Duration.ofDays(400)));
            assertThrows(IllegalArgumentException.class, () -> registry.renewCa(ca, otherName, "x", Actor.SERVICE));

            registry.renewCa(ca, certificate("CN=Refusing CA", keys, NOW.plus(Duration.ofDays(400))), "first", Actor.SERVICE);
            StatusConflictException stale = assertThrows(StatusConflictException.class,
                    () -> registry.renewCa(ca, certificate("CN=Refusing CA", keys, NOW.plus(Duration.ofDays(500))), "second", Actor.SERVICE));
            assertEquals("CA 'refusing-ca' no longer has the certificate " + ca.certificate().sha256() + " (renewed meanwhile?): 'certdir ca list'"
                    + " shows its current one", stale.getMessage());
            assertEquals(1, registry.previousCaCertificates(ca.name(), NOW).size());
        }
    }

    @Test
    void queueExpiredOwners_queuesTheEntryOfACaWhosePreviousCertificateExpired() throws Exception {
        KeyPair keys = keys();
        Path file = data.resolve("registry.db");
        try (Registry registry = Registry.open(file, Clock.fixed(NOW, ZoneOffset.UTC))) {
            CaRecord ca = registry.createCa(new CaName("expiring-ca"), certificate("CN=Expiring CA", keys, NOW.plus(Duration.ofMinutes(1))),
                    "keys/expiring-ca.p12", "test", Actor.SERVICE);
            registry.renewCa(ca, certificate("CN=Expiring CA", keys, NOW.plus(Duration.ofDays(400))), "renewed", Actor.SERVICE);
            assertEquals(0, registry.queueExpiredOwners());
            List<Outbox.Task> due = registry.outbox().due(Outbox.DIRECTORY_CA, 10);
            registry.outbox().complete(Outbox.DIRECTORY_CA, "expiring-ca", due.get(due.size() - 1).id());
        }
        try (Registry registry = Registry.open(file, Clock.fixed(NOW.plus(Duration.ofMinutes(2)), ZoneOffset.UTC))) {
            assertEquals(1, registry.queueExpiredOwners());
            assertEquals(List.of("expiring-ca"), registry.outbox().due(Outbox.DIRECTORY_CA, 10).stream().map(Outbox.Task::subject).toList());
        }
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    /** A self-signed CA certificate for {@code keys}, valid from a day before NOW until {@code notAfter}. */
    private static CertificateDetails certificate(String subject, KeyPair keys, Instant notAfter) throws Exception {
        X500Name name = new X500Name(subject);
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(System.nanoTime()),
                Date.from(NOW.minus(Duration.ofDays(1))), Date.from(notAfter), name, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        return CertificateDetails.parse(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())).getEncoded());
    }
}
