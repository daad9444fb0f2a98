package org.certdir.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** registry.db and its WAL and shared-memory files are the owner's alone: the audit trail names people. */
class RegistryFileModeTest {

    @TempDir
    Path data;

    private static String mode(Path file) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    @Test
    void open_newRegistry_createsItsFilesWithMode0600() throws Exception {
        Path file = data.resolve("registry.db");
        try (Registry registry = Registry.open(file, Clock.systemUTC())) {
            registry.recordAction(Actor.SERVICE, "test", "mode", "a write, so the WAL holds something");
            for (String name : new String[] {"registry.db", "registry.db-wal", "registry.db-shm"}) {
                assertEquals("rw-------", mode(data.resolve(name)), name);
            }
        }
    }

    @Test
    void open_registryLeftWorldReadable_narrowsItTo0600() throws Exception {
        Path file = data.resolve("registry.db");
        try (Registry registry = Registry.open(file, Clock.systemUTC())) {
            registry.recordAction(Actor.SERVICE, "test", "mode", "first");
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        try (Registry registry = Registry.open(file, Clock.systemUTC())) {
            registry.recordAction(Actor.SERVICE, "test", "mode", "second");
            assertEquals("rw-------", mode(file));
            assertEquals("rw-------", mode(data.resolve("registry.db-wal")));
        }
    }
}
