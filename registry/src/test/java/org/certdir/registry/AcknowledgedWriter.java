package org.certdir.registry;

import java.nio.file.Path;
import java.time.Clock;

/**
 * Run as a separate JVM by {@link RegistryDurabilityIT}: appends audit records one after another and prints
 * "ack N" only after the registry returned, i.e. after the commit, until it is killed.
 */
public final class AcknowledgedWriter {

    private AcknowledgedWriter() {
    }

    public static void main(String[] args) {
        Registry registry = Registry.open(Path.of(args[0]), Clock.systemUTC());
        Actor actor = new Actor("durability-test", "local");
        for (long i = 1; ; i++) {
            registry.recordAction(actor, "test.write", Long.toString(i), "acknowledged write " + i);
            System.out.println("ack " + i);
            System.out.flush();
        }
    }
}
