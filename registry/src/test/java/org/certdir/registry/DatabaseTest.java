package org.certdir.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transaction plumbing under the registry, on a real SQLite file. */
class DatabaseTest {

    /** Stands for an OutOfMemoryError or StackOverflowError in the middle of a transaction. */
    private static final class JvmTrouble extends Error {
        private static final long serialVersionUID = 1L;

        JvmTrouble() {
            super("simulated JVM error inside a transaction");
        }
    }

    @TempDir
    Path data;

    private Database database;

    @BeforeEach
    void open() {
        database = Database.open(data.resolve("registry.db"));
    }

    @AfterEach
    void close() {
        database.close();
    }

    private long auditRows() {
        return database.query("SELECT COUNT(*) FROM audit", statement -> { }, row -> row.getLong(1)).get(0);
    }

    private void insertAudit() throws java.sql.SQLException {
        database.update("INSERT INTO audit (at, actor, action, target, detail, address) VALUES (1, 'test', 'test.action', 't', 'd', '127.0.0.1')",
                statement -> { });
    }

    @Test
    void transaction_anErrorMidway_rollsBackTheWorkDoneBeforeIt() {
        JvmTrouble thrown = assertThrows(JvmTrouble.class, () -> database.transaction(() -> {
            insertAudit();
            throw new JvmTrouble();
        }));

        assertEquals("simulated JVM error inside a transaction", thrown.getMessage());
        assertEquals(0, auditRows(), "the insert before the Error must not be committed");
        database.transaction(() -> {
            insertAudit();
            return null;
        });
        assertEquals(1, auditRows(), "the connection is usable (auto-commit restored) after the rollback");
    }
}
