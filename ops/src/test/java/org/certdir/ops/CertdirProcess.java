package org.certdir.ops;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** The packaged {@code certdir.jar} run as a separate JVM, as a user runs it; its output collected line by line. */
final class CertdirProcess implements AutoCloseable {

    private final Process process;
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();

    private final Thread outReader;
    private final Thread errReader;

    private CertdirProcess(Process process) {
        this.process = process;
        this.outReader = collect(process.getInputStream(), out);
        this.errReader = collect(process.getErrorStream(), err);
    }

    static CertdirProcess start(String... args) throws IOException {
        return start(List.of("-Xmx256m"), args);
    }

    /** With the given JVM options only: none, as the {@code certdir} launcher runs it without CERTDIR_JAVA_OPTS. */
    static CertdirProcess start(List<String> jvmOptions, String... args) throws IOException {
        String jar = System.getProperty("certdir.jar");
        if (jar == null || !Files.exists(Path.of(jar))) {
            throw new IllegalStateException("certdir.jar not found at " + jar + ": run the integration tests with 'mvn verify'");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar));
        command.addAll(List.of(args));
        return new CertdirProcess(new ProcessBuilder(command).start());
    }

    private static Thread collect(InputStream stream, List<String> lines) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    /** Waits until a line of stdout contains {@code text}; fails with everything printed so far. */
    void awaitOutput(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (out.stream().anyMatch(line -> line.contains(text))) {
                return;
            }
            if (!process.isAlive() && out.stream().noneMatch(line -> line.contains(text))) {
                Thread.sleep(200);
                throw new AssertionError("certdir exited with " + process.exitValue() + " before printing '" + text + "'\nstdout: " + out + "\nstderr: " + err);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("certdir did not print '" + text + "' within " + timeout + "\nstdout: " + out + "\nstderr: " + err);
    }

    /** Waits for the process to end by itself and returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("certdir did not exit within " + timeout + "\nstdout: " + out + "\nstderr: " + err);
        }
        // Everything the process printed is read once both pipes reach their end.
        outReader.join(10_000);
        errReader.join(10_000);
        return process.exitValue();
    }

    /**
     * SIGTERM, as a service manager stops it. Through the process handle: {@code Process.destroy()} also closes
     * our ends of its pipes, and what the process prints while shutting down would be lost.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    /** SIGKILL: no shutdown hook, no flush, no close, as in a crash or an OOM kill. */
    void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    long pid() {
        return process.pid();
    }

    List<String> out() {
        return out;
    }

    List<String> err() {
        return err;
    }

    /** The lines of stderr that are not log lines (which start with a time of day). */
    List<String> errorLines() {
        return err.stream().filter(line -> !line.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*")).toList();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.toHandle().destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
