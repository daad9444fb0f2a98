package org.certdir.ops.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.certdir.ops.CliFailure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code certdir cert import}: sends certificate files to the admin API in batches, with a progress bar, and
 * ends with a summary. A file that cannot be read or imported is reported and skipped; the rest go on.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Import certificates: PEM (one or many), DER, PKCS#7 (.p7b/.p7c) files, or directories of them",
                "(*.pem, *.crt, *.cer, *.der, *.p7b, *.p7c, searched recursively). CA certificates are registered as CAs",
                "(published only); others under the registered CA whose key signed them. Already known certificates are skipped.",
                "Exit code 0 when everything was imported or known, 1 when something was rejected."})
final class ImportCommand implements Callable<Integer> {

    private static final List<String> EXTENSIONS = List.of(".pem", ".crt", ".cer", ".der", ".p7b", ".p7c");
    private static final long BATCH_BYTES = 8L * 1024 * 1024;

    @ParentCommand
    CertCommand parent;

    @Spec
    CommandSpec spec;

    @Mixin
    AdminConnection admin;

    @Parameters(paramLabel = "FILE|DIR", arity = "1..*", description = "Files or directories to import.")
    List<Path> paths;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "500", description = "Files per request (default ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() {
        if (batch < 1) {
            throw new CliFailure("--batch must be at least 1, was " + batch);
        }
        PrintWriter out = parent.parent.out;
        PrintWriter err = spec.commandLine().getErr();
        List<String> rejected = new ArrayList<>();
        List<Path> files = collect(rejected);
        AdminClient client = admin.client();
        Progress progress = new Progress(err, files.size());
        Totals totals = new Totals();
        // Two batches in flight: the next one is read and sent while the service works on the last.
        java.util.ArrayDeque<Sent> inFlight = new java.util.ArrayDeque<>();
        int index = 0;
        while (index < files.size() || !inFlight.isEmpty()) {
            if (index < files.size() && inFlight.size() < 2) {
                JsonArray batchFiles = new JsonArray();
                long bytes = 0;
                int count = 0;
                while (index < files.size() && count < batch && bytes < BATCH_BYTES) {
                    Path file = files.get(index++);
                    try {
                        byte[] content = Files.readAllBytes(file);
                        bytes += content.length;
                        batchFiles.add(encode(file, content));
                        count++;
                    } catch (IOException e) {
                        rejected.add(file + ": cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
                        progress.advance(1);
                    }
                }
                if (!batchFiles.isEmpty()) {
                    inFlight.add(new Sent(client.postAsync("/admin/certificates/import", new JsonObject().put("files", batchFiles)), count));
                }
                continue;
            }
            Sent sent = inFlight.poll();
            JsonObject report;
            try {
                report = sent.answer().join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof CliFailure failure ? failure : new CliFailure("import failed: " + e.getCause().getMessage());
            }
            totals.add(report, rejected);
            progress.advance(sent.files());
        }
        progress.finish();
        out.printf("imported %d certificate(s), %d CA(s)%s; %d already known; %d rejected%s%n", totals.imported, totals.casAdded,
                totals.crossCertificates == 0 ? "" : ", " + totals.crossCertificates + " cross-certificate(s)", totals.known, rejected.size(),
                rejected.isEmpty() ? "" : ":");
        rejected.forEach(line -> out.println("  " + line));
        out.printf("%d file(s) in %.1f s (%.0f files/s)%n", files.size(), progress.seconds(), progress.rate());
        return rejected.isEmpty() ? 0 : 1;
    }

    private record Sent(java.util.concurrent.CompletableFuture<JsonObject> answer, int files) {
    }

    /** PEM goes as text, anything else as base64: PEM is already text, and most bulk imports are PEM. */
    private static JsonObject encode(Path file, byte[] content) {
        JsonObject item = new JsonObject().put("name", file.toString());
        boolean ascii = content.length > 0;
        for (byte b : content) {
            if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii && new String(content, 0, Math.min(content.length, 64), java.nio.charset.StandardCharsets.US_ASCII).contains("-----BEGIN ")) {
            return item.put("text", new String(content, java.nio.charset.StandardCharsets.US_ASCII));
        }
        return item.put("data", Base64.getEncoder().encodeToString(content));
    }

    /** Counts over all answers; rejections go to the shared list. */
    private static final class Totals {
        long imported;
        long known;
        long casAdded;
        long crossCertificates;

        void add(JsonObject report, List<String> rejected) {
            crossCertificates += report.getJsonArray("crossCertificates").size();
            imported += report.getJsonArray("imported").size();
            known += report.getJsonArray("known").size() + report.getJsonArray("casKnown").size();
            casAdded += report.getJsonArray("casAdded").size();
            JsonArray refused = report.getJsonArray("rejected");
            for (int i = 0; i < refused.size(); i++) {
                JsonObject item = refused.getJsonObject(i);
                rejected.add(item.getString("source") + (item.containsKey("subject") ? " (" + item.getString("subject") + ")" : "")
                        + ": " + item.getString("reason"));
            }
        }
    }

    private List<Path> collect(List<String> rejected) {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> walk = Files.walk(path)) {
                    walk.filter(Files::isRegularFile)
                            .filter(file -> EXTENSIONS.stream().anyMatch(file.getFileName().toString().toLowerCase(Locale.ROOT)::endsWith))
                            .sorted()
                            .forEach(files::add);
                } catch (IOException | java.io.UncheckedIOException e) {
                    rejected.add(path + ": cannot be listed (" + e.getMessage() + ")");
                }
            } else if (Files.isRegularFile(path)) {
                files.add(path);
            } else {
                rejected.add(path + ": no such file or directory");
            }
        }
        return files;
    }

    /** A one-line progress bar on stderr with rate and ETA, redrawn at most ten times a second. */
    static final class Progress {
        private static final int WIDTH = 30;
        private final PrintWriter err;
        private final long total;
        private final long started = System.nanoTime();
        private long done;
        private long lastDraw;

        Progress(PrintWriter err, long total) {
            this.err = err;
            this.total = total;
        }

        void advance(long count) {
            done += count;
            long now = System.nanoTime();
            if (now - lastDraw > 100_000_000L || done == total) {
                lastDraw = now;
                draw();
            }
        }

        void finish() {
            if (total > 0) {
                draw();
                err.println();
            }
        }

        double seconds() {
            return (System.nanoTime() - started) / 1e9;
        }

        double rate() {
            double seconds = seconds();
            return seconds > 0 ? done / seconds : 0;
        }

        private void draw() {
            int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
            double rate = rate();
            String eta = rate > 0 && done < total ? Math.round((total - done) / rate) + "s" : "-";
            err.printf("\r[%s%s] %,d/%,d %3d%%  %,.0f/s  ETA %s   ", "#".repeat(filled), "-".repeat(WIDTH - filled), done, total,
                    total == 0 ? 100 : done * 100 / total, rate, eta);
            err.flush();
        }
    }
}
