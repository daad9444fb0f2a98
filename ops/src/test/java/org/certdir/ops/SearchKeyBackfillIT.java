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
}
