package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Instant;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.registry.Registry;
import org.certdir.registry.SearchKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A registry whose certificates were recorded before RFC 4387 search keys existed gets them when it is opened. */
class SearchKeyBackfillIT {

    @TempDir
    Path data;

    @Test
    void open_fillsInMissingSearchKeys() throws Exception {
        Service.start(TestServices.config(data, 100), true, Clock.systemUTC()).close();
        Path file = data.resolve("registry.db");
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            // As a schema-4 registry upgraded to 5 holds it: certificates, no search keys.
            connection.createStatement().executeUpdate("DELETE FROM certificate_search_key");
        }
        X509Certificate alice = KeyFiles.readPem(data.resolve("demo/alice-encryption.pem")).get(0);
        try (Registry registry = Registry.open(file, Clock.systemUTC())) {
            var found = registry.certificatesBySearchKey("certHash", SearchKeys.of(alice).get("certHash"), Instant.now(), 5);
            assertEquals(1, found.size());
            assertEquals(alice, found.get(0).certificate());
        }
    }

    @Test
    void open_registryOfSchema6_replacesItsSkidHashesByRfc4387s() throws Exception {
        Service.start(TestServices.config(data, 100), true, Clock.systemUTC()).close();
        Path file = data.resolve("registry.db");
        X509Certificate alice = KeyFiles.readPem(data.resolve("demo/alice-encryption.pem")).get(0);
        byte[] identifier = org.bouncycastle.asn1.ASN1OctetString.getInstance(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(alice.getExtensionValue("2.5.29.14")).getOctets()).getOctets();
        String rfc = java.util.Base64.getEncoder().withoutPadding().encodeToString(java.security.MessageDigest.getInstance("SHA-1").digest(identifier));
        String old = java.util.Base64.getEncoder().withoutPadding().encodeToString(identifier);
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            // As schema 6 stored it: the identifier itself under sKIDHash.
            connection.createStatement().executeUpdate("UPDATE certificate_search_key SET value = (SELECT s.value FROM certificate_search_key s"
                    + " WHERE s.certificate_id = certificate_search_key.certificate_id AND s.kind = 'sKID') WHERE kind = 'sKIDHash'");
            connection.createStatement().executeUpdate("DELETE FROM schema_version WHERE version > 6");
            // What later schemas added that cannot be added twice (SQLite has no ADD COLUMN IF NOT EXISTS): schema 10's column.
            connection.createStatement().executeUpdate("ALTER TABLE ca DROP COLUMN crl_number_floor");
        }
        try (Registry registry = Registry.open(file, Clock.systemUTC())) {
            var found = registry.certificatesBySearchKey("sKIDHash", rfc, Instant.now(), 5);
            assertEquals(1, found.size());
            assertEquals(alice, found.get(0).certificate());
            assertEquals(1, registry.certificatesBySearchKey("sKIDHash", old, Instant.now(), 5).size(), "the old form still finds it, as sKID");
        }
    }
}
