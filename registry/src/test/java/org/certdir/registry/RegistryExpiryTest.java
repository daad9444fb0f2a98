package org.certdir.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The expiry queries read the window of the {@code not_after} index, not every valid certificate: what SQLite's planner
 * chooses for them on the real schema, without statistics (as a registry that never ran ANALYZE has).
 */
class RegistryExpiryTest {

    @TempDir
    Path data;

    private List<String> plan(String sql) {
        Database database = Database.open(data.resolve("registry.db"));
        try {
            return database.query("EXPLAIN QUERY PLAN " + sql, statement -> { }, row -> row.getString(4));
        } finally {
            database.close();
        }
    }

    @Test
    void expiring_ofEveryCa_walksTheNotAfterIndex() {
        assertEquals(List.of("SEARCH c USING INDEX certificate_by_not_after (not_after>? AND not_after<?)",
                        "SEARCH ca USING INTEGER PRIMARY KEY (rowid=?)"),
                plan("SELECT c.id FROM certificate c JOIN ca ON ca.id = c.ca_id" + Registry.EXPIRING + " ORDER BY c.not_after, c.id LIMIT 100"));
    }

    @Test
    void expiring_ofOneCa_walksTheNotAfterIndex_notTheCasWholeKey() {
        assertEquals(List.of("SEARCH c USING INDEX certificate_by_not_after (not_after>? AND not_after<?)",
                        "SEARCH ca USING INTEGER PRIMARY KEY (rowid=?)"),
                plan("SELECT COUNT(*) FROM certificate c JOIN ca ON ca.id = c.ca_id" + Registry.EXPIRING_OF_CA));
    }

    @Test
    void expiringCounts_walkTheNotAfterIndex() {
        assertEquals("SEARCH c USING INDEX certificate_by_not_after (not_after>? AND not_after<?)",
                plan("SELECT ca.name, COUNT(*) FROM certificate c JOIN ca ON ca.id = c.ca_id" + Registry.EXPIRING + " GROUP BY ca.name").get(0));
    }
}
