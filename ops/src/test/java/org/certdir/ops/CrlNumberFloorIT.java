package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.Registry;
import org.certdir.registry.StatusConflictException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registry schema 10: the CRL number an imported CA continues from. A registry of schema 9 (the demo's, with CRLs issued)
 * opens with every row and every CA's last CRL number kept; a published-only CA whose key is imported becomes managed
 * with the last number it used, and no CRL at or below it can be recorded.
 */
class CrlNumberFloorIT {

    @TempDir
    Path data;

    @Test
    void registryOfSchema9_keepsEverything_andImportedCaContinuesItsCrlNumbers() throws Exception {
        Service.start(TestServices.config(data, 100), true, Clock.systemUTC()).close();
        Path file = data.resolve("registry.db");
        String[] tables = {"ca", "certificate", "status_change", "crl", "crl_point", "audit", "outbox", "certificate_search_key", "pending_ca"};
        long[] before = new long[tables.length];
        long issuingLast;
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            // What a registry certdir made before schema 10 holds: no crl_number_floor, version 9.
            connection.createStatement().execute("ALTER TABLE ca DROP COLUMN crl_number_floor");
            connection.createStatement().executeUpdate("DELETE FROM schema_version WHERE version >= 10");
            assertEquals(9, single(connection, "SELECT MAX(version) FROM schema_version"));
            for (int i = 0; i < tables.length; i++) {
                before[i] = single(connection, "SELECT COUNT(*) FROM " + tables[i]);
            }
            issuingLast = single(connection, "SELECT MAX(crl.number) FROM crl JOIN ca ON ca.id = crl.ca_id WHERE ca.name = 'demo-issuing-ca'");
        }
        assertTrue(issuingLast > 0, "the demo issued CRLs");
        try (Registry registry = Registry.open(file, Clock.systemUTC())) {
            try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file)) {
                assertEquals(11, single(connection, "SELECT MAX(version) FROM schema_version"));
                for (int i = 0; i < tables.length; i++) {
                    assertEquals(before[i], single(connection, "SELECT COUNT(*) FROM " + tables[i]), tables[i] + " kept");
                }
            }
            assertEquals(issuingLast, registry.lastCrlNumber(new CaName("demo-issuing-ca")));
            assertEquals(List.of("demo-root-ca", "demo-issuing-ca"), registry.cas().stream().map(ca -> ca.name().value()).toList());

            CertificateDetails ca = CertificateDetails.parse(selfSignedCa("CN=Moved CA"));
            CaRecord published = registry.addCa(new CaName("moved-ca"), ca, null, Actor.SERVICE);
            assertEquals(0, registry.lastCrlNumber(published.name()));
            CaRecord managed = registry.importCa(ca, "keys/moved-ca.p12", 500, Actor.SERVICE);
            assertEquals(published.id(), managed.id());
            assertEquals("moved-ca", managed.name().value(), "a published-only CA keeps its name");
            assertTrue(managed.managed());
            assertEquals(500, registry.lastCrlNumber(managed.name()));
            Instant now = Instant.now();
            StatusConflictException backwards = assertThrows(StatusConflictException.class,
                    () -> registry.recordCrl(managed, 500, null, registry.revision(), now, now.plusSeconds(3600), 0, new byte[] {0x30, 0x00}, Actor.SERVICE));
            assertEquals("CRL number 500 of CA 'moved-ca' is not greater than the last one issued, 500", backwards.getMessage());
            registry.recordCrl(managed, 501, null, registry.revision(), now, now.plusSeconds(3600), 0, new byte[] {0x30, 0x00}, Actor.SERVICE);
            assertEquals(501, registry.lastCrlNumber(managed.name()));
            StatusConflictException again = assertThrows(StatusConflictException.class,
                    () -> registry.importCa(ca, "keys/moved-ca.p12", 600, Actor.SERVICE));
            assertEquals("CA 'moved-ca' (CN=Moved CA) is managed already: its key is in keys/moved-ca.p12", again.getMessage());
            assertEquals("ca.import moved-ca " + ca.subject() + " (published only until now, managed from now on: key imported, CRL numbers continue"
                    + " after 500)", registry.auditTrail(10).stream().filter(record -> record.action().equals("ca.import"))
                    .map(record -> record.action() + " " + record.target() + " " + record.detail()).findFirst().orElseThrow());
        }
    }

    private static byte[] selfSignedCa(String subject) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(new X500Name(subject), BigInteger.ONE, Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(365))), new X500Name(subject), keys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())).getEncoded();
    }

    private static long single(Connection connection, String sql) throws Exception {
        try (ResultSet row = connection.createStatement().executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }
}
