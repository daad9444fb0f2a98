package org.certdir.ops;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (failsafe does not pick it up by name): what {@code certdir demo} costs the machine, run from
 * the packaged jar with no JVM options, as the {@code certdir} launcher runs it. Start-up time (process start to the
 * banner, by then every listener accepts) on a fresh data directory, which creates the demo PKI, and again on the
 * data it left; resident memory idle and under OCSP load (wrk: cached GETs, then POSTs with a nonce). Side by side:
 * OpenLDAP {@code slapd} (mdb, empty) started the same way, the directory alone. Run (needs {@code wrk}, {@code slapd}):
 * <pre>mvn -pl ops -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dit.test=FootprintBench</pre>
 * or {@code ops/bench/run.sh --only FootprintBench}.
 */
class FootprintBench {

    private static final int ROUNDS = BenchReport.size("bench.rounds", 3, 1);
    private static final int SECONDS = BenchReport.size("footprint.bench.seconds", 10, 2);
    private static final Duration START = Duration.ofMinutes(2);

    @TempDir
    Path work;

    private final BenchReport report = new BenchReport("FootprintBench");

    /** The listener ports of each round's data directory: ldap, ldaps, http, admin. */
    private final List<int[]> ports = new ArrayList<>();

    @Test
    void startUpAndResidentMemory() throws Exception {
        Interop.require("wrk", "wrk");
        Interop.require("slapd", "slapd");
        List<Double> firstStart = new ArrayList<>();
        List<Double> restart = new ArrayList<>();
        for (int round = 0; round <= ROUNDS; round++) {
            Path data = work.resolve("data" + round);
            Path config = config(round);
            // Round 0 warms the file system cache for the jar and the JDK; it is not counted.
            double first = startAndStop(data, config);
            double again = startAndStop(data, config);
            report.line(String.format("round %d: first start %.2f s, restart %.2f s", round, first, again));
            if (round > 0) {
                firstStart.add(first);
                restart.add(again);
            }
        }

        List<Double> slapdStart = new ArrayList<>();
        long slapdRss = 0;
        for (int round = 0; round <= ROUNDS; round++) {
            int port = TestServices.freePort();
            try (Slapd slapd = new Slapd(work.resolve("slapd" + round), port, "unused")) {
                long started = System.nanoTime();
                slapd.start();
                double seconds = (System.nanoTime() - started) / 1e9;
                Thread.sleep(1_000);
                slapdRss = residentKiB(slapd.pid(), "VmRSS");
                if (round > 0) {
                    slapdStart.add(seconds);
                }
            }
        }
        report.line(String.format("slapd start-up %s s, resident %,d KiB idle", BenchReport.spread(slapdStart, "%.3f"), slapdRss));
        report.row("start-up of `certdir demo`, fresh data directory (creates the demo PKI), s; peer: slapd, empty mdb",
                BenchReport.spread(firstStart, "%.2f"), BenchReport.spread(slapdStart, "%.3f"),
                BenchReport.ratio(BenchReport.median(firstStart), BenchReport.median(slapdStart)));
        report.row("start-up of `certdir demo` on its existing data, s; peer: slapd, empty mdb", BenchReport.spread(restart, "%.2f"),
                BenchReport.spread(slapdStart, "%.3f"), BenchReport.ratio(BenchReport.median(restart), BenchReport.median(slapdStart)));

        Path data = work.resolve("data1");
        try (CertdirProcess demo = CertdirProcess.start(List.of(), "demo", "--data", data.toString(), "--config", config(1).toString())) {
            demo.awaitOutput("Stop with Ctrl-C.", START);
            Thread.sleep(SECONDS * 1_000L);
            long idle = residentKiB(demo.pid(), "VmRSS");
            String base = "http://127.0.0.1:" + httpPort(1);
            X509Certificate issuing = KeyFiles.readPem(data.resolve("demo/issuing-ca.pem")).get(0);
            X509Certificate alice = KeyFiles.readPem(data.resolve("demo/alice-encryption.pem")).get(0);
            String get = base + "/ocsp/" + URLEncoder.encode(Base64.getEncoder().encodeToString(
                    OcspBench.request(issuing, alice.getSerialNumber(), null)), StandardCharsets.US_ASCII);
            long cached = underLoad(demo.pid(), "-c64", get);
            Path nonce = OcspBench.postScript(work, OcspBench.request(issuing, alice.getSerialNumber(), new byte[16]), "nonce.lua");
            long signing = underLoad(demo.pid(), "-c64", "-s", nonce.toString(), base);
            long peak = residentKiB(demo.pid(), "VmHWM");
            report.line(String.format("certdir demo resident: idle %,d KiB, cached GETs %,d KiB, nonce POSTs %,d KiB, high-water mark %,d KiB",
                    idle, cached, signing, peak));
            report.row("resident memory of `certdir demo` (no JVM options), MiB, idle " + SECONDS + " s after start; peer: slapd, empty mdb, idle",
                    String.format("%,.0f", idle / 1024.0), String.format("%,.1f", slapdRss / 1024.0), BenchReport.ratio(idle, slapdRss));
            report.row("resident memory of `certdir demo`, MiB, highest during " + SECONDS + " s of OCSP load (cached GETs / POSTs with a nonce; wrk -c64)",
                    String.format("%,.0f / %,.0f", cached / 1024.0, signing / 1024.0), "", "");
        }
    }

    /** Starts the demo, waits for its banner, stops it with SIGTERM; returns the seconds to the banner. */
    private static double startAndStop(Path data, Path config) throws Exception {
        long started = System.nanoTime();
        try (CertdirProcess demo = CertdirProcess.start(List.of(), "demo", "--data", data.toString(), "--config", config.toString())) {
            demo.awaitOutput("Stop with Ctrl-C.", START);
            double seconds = (System.nanoTime() - started) / 1e9;
            demo.terminate();
            // 143: ended by SIGTERM, as a service manager stops it.
            if (demo.awaitExit(Duration.ofSeconds(30)) != 143) {
                throw new IllegalStateException("certdir demo did not stop cleanly: " + demo.errorLines());
            }
            return seconds;
        }
    }

    /** The highest resident size sampled every 100 ms while wrk runs. */
    private static long underLoad(long pid, String... wrkArguments) throws Exception {
        AtomicLong highest = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    highest.accumulateAndGet(residentKiB(pid, "VmRSS"), Math::max);
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        sampler.start();
        List<String> command = new ArrayList<>(List.of("wrk", "-t2", "-d" + SECONDS + "s"));
        command.addAll(List.of(wrkArguments));
        Interop.Run run = Interop.run(command.toArray(String[]::new));
        sampler.interrupt();
        sampler.join();
        if (run.exitCode() != 0 || !run.out().contains("Requests/sec") || run.out().contains("Non-2xx")) {
            throw new IllegalStateException("wrk failed: " + run.out() + run.err());
        }
        return highest.get();
    }

    /** A field of /proc/PID/status, in KiB. */
    private static long residentKiB(long pid, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no " + field + " in /proc/" + pid + "/status");
    }

    /** A configuration with free ports for the data directory of a round (the same ports for its restart). */
    private Path config(int round) throws Exception {
        while (ports.size() <= round) {
            ports.add(new int[] {TestServices.freePort(), TestServices.freePort(), TestServices.freePort(), TestServices.freePort()});
        }
        int[] p = ports.get(round);
        return Files.writeString(work.resolve("certdir-" + round + ".conf"), """
                certdir.ldap.port = %d
                certdir.ldap.ldaps-port = %d
                certdir.http.port = %d
                certdir.admin.port = %d
                """.formatted(p[0], p[1], p[2], p[3]));
    }

    private int httpPort(int round) {
        return ports.get(round)[2];
    }
}
