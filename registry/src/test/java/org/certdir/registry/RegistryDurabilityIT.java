package org.certdir.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write the registry acknowledged survives kill -9 of the JVM that made it. */
class RegistryDurabilityIT {

    @TempDir
    Path data;

    @Test
    void acknowledgedWrites_surviveKill9() throws Exception {
        Path file = data.resolve("registry.db");
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), AcknowledgedWriter.class.getName(), file.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        long lastAck = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null && lastAck < 300; line = out.readLine()) {
                lastAck = Long.parseLong(line.substring("ack ".length()));
            }
            // SIGKILL while the writer is in the middle of further commits: no shutdown, no flush, no close.
            writer.destroyForcibly();
            assertTrue(writer.waitFor(30, TimeUnit.SECONDS), "writer did not die");
        }
        assertTrue(lastAck >= 300, "writer acknowledged only " + lastAck + " writes before it stopped printing");

        try (Registry registry = Registry.open(file, Clock.systemUTC())) {
            List<AuditRecord> newest = registry.auditTrail(1);
            long lastStored = Long.parseLong(newest.get(0).target());
            assertTrue(lastStored >= lastAck, "acknowledged write " + lastAck + " lost; the registry ends at " + lastStored);
            // Every acknowledged write is there, in order, with none missing in between.
            List<AuditRecord> all = registry.auditTrail((int) lastStored);
            assertEquals(lastStored, all.size());
            for (int i = 0; i < all.size(); i++) {
                assertEquals(Long.toString(lastStored - i), all.get(i).target());
            }
        }
    }
}
