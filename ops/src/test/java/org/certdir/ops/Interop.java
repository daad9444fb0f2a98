package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs clients nobody here wrote (ldapsearch, openssl). Without the client the test is skipped with a warning
 * naming the Debian package; with {@code -Dinterop.required=true} (as CI runs) it fails instead.
 */
final class Interop {

    /** What a client printed and how it ended. */
    record Run(int exitCode, String out, String err) {
    }

    private Interop() {
    }

    static void require(String command, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return;
            }
        }
        String message = command + " is not installed: apt-get install " + debianPackage;
        if (Boolean.getBoolean("interop.required")) {
            fail(message + " (interop.required is set)");
        }
        System.err.println("WARNING: skipping interoperability test: " + message);
        Assumptions.abort(message);
    }

    static Run run(Map<String, String> environment, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Path out = Files.createTempFile("interop", ".out");
        Path err = Files.createTempFile("interop", ".err");
        try {
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within 60 s");
            }
            return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs {@code openssl ARGS} and fails the test, with the command and its output, unless it exits 0. */
    static void openssl(String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        Run run = run(command);
        if (run.exitCode() != 0) {
            fail(String.join(" ", command) + ": exit " + run.exitCode() + ": " + run.out() + run.err());
        }
    }

    static Run run(String... command) throws IOException, InterruptedException {
        return run(Map.of(), command);
    }

    static List<String> lines(String text) {
        return text.lines().toList();
    }
}
