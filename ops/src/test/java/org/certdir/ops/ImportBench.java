package org.certdir.ops;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (failsafe does not pick it up by name): bulk import through the CLI, run as its own
 * JVM from the packaged jar as an admin runs it, into a freshly started service (cold) and again with new
 * certificates (warm); then how long the directory takes to publish 10,000 encryption certificates. Run:
 * <pre>mvn -pl ops -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dit.test=ImportBench</pre>
 * or {@code ops/bench/run.sh --only ImportBench}. Figures go to stdout, {@code ops/target/ImportBench.txt} and the
 * summary rows; {@code -Dimport.bench.certificates=N} changes the size.
 */
class ImportBench {

    private static final int COUNT = BenchReport.size("import.bench.certificates", 10_000, 300);

    @TempDir
    Path data;

    @TempDir
    Path files;

    @Test
    void importRate() throws Exception {
        try (Service service = Service.start(TestServices.config(data, 100), true, Clock.systemUTC())) {
            TestPki pki = new TestPki(data);
            BenchReport report = new BenchReport("ImportBench");
            String[] rounds = {"signing certificates, service cold", "signing certificates, service warm", "encryption certificates (each also published)"};
            for (int round = 0; round < rounds.length; round++) {
                Path dir = files.resolve("round" + round);
                pki.bulk(dir, COUNT, round == 2);
                long start = System.nanoTime();
                try (CertdirProcess cli = CertdirProcess.start("cert", "import", "--url", service.adminUrl(), "--token-file",
                        service.data().adminToken().toString(), dir.toString())) {
                    int code = cli.awaitExit(Duration.ofMinutes(10));
                    if (code != 0) {
                        throw new AssertionError("import failed: " + cli.out() + cli.errorLines());
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                report.line(String.format("%-40s %6d certificates in %5.1f s: %6.0f certificates/s (CLI JVM start included)",
                        rounds[round], COUNT, seconds, COUNT / seconds));
                report.row(String.format("import of %,d %s with `certdir cert import` (its JVM start included), certificates/s", COUNT, rounds[round]),
                        String.format("%,.0f", COUNT / seconds), "", "");
                if (round == 2) {
                    AdminHttp admin = new AdminHttp(service);
                    while (admin.get("/admin/health").body().getJsonObject("publication").getLong("depth") > 0) {
                        Thread.sleep(200);
                    }
                    double caughtUp = (System.nanoTime() - start) / 1e9;
                    report.line(String.format("%-40s %6d people published %5.1f s after the import began: %6.0f entries/s",
                            "directory caught up", COUNT, caughtUp, COUNT / caughtUp));
                    report.row(String.format("import → directory caught up with %,d new people, s after the import began (entries/s)", COUNT),
                            String.format("%.1f (%,.0f/s)", caughtUp, COUNT / caughtUp), "", "");
                }
            }
        }
    }
}
