package org.certdir.ops.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.certdir.ops.CliFailure;

/**
 * The check made before a command asks the service for anything that ends in a file: a key issued into a file that
 * cannot be written is lost, and an existing file (another user's keys) is never overwritten.
 */
final class NewFile {

    private NewFile() {
    }

    /** Refuses {@code file}, given with {@code option} (e.g. "--out"), when it exists or its folder cannot be written. */
    static void require(Path file, String option) {
        if (Files.exists(file)) {
            throw new CliFailure(file + " exists already: give another " + option + " or move it away");
        }
        Path folder = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(folder) || !Files.isWritable(folder)) {
            throw new CliFailure("cannot write " + file + ": " + folder + " is not a writable folder; give another " + option);
        }
    }
}
