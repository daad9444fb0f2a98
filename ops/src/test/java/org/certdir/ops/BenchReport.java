package org.certdir.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What one benchmark reports: its log (stdout and {@code target/<name>.txt}) and its rows of the summary table
 * ({@code target/bench/<name>.md}), which {@code ops/bench/run.sh} collects into BENCHMARKS.md. A benchmark that
 * fails or is skipped writes no rows, and run.sh reports it as missing.
 */
final class BenchReport {

    /** Whether {@code ops/bench/run.sh --quick} runs it: small sizes that only prove the benchmark still works. */
    static final boolean QUICK = Boolean.getBoolean("bench.quick");

    private final String name;
    private final StringBuilder log = new StringBuilder();
    private final List<String> rows = new ArrayList<>();

    BenchReport(String name) {
        this.name = name;
    }

    /** A size for a full run, or for a quick one. */
    static int size(String property, int full, int quick) {
        return Integer.getInteger(property, QUICK ? quick : full);
    }

    void line(String text) {
        System.out.println(text);
        log.append(text).append('\n');
        write(Path.of("target", name + ".txt"), log.toString());
    }

    /** One row of the summary table; {@code ratio} is certdir's figure over the peer's, or empty where there is no peer. */
    void row(String figure, String certdir, String peer, String ratio) {
        rows.add("| " + String.join(" | ", figure, certdir, peer.isEmpty() ? "–" : peer, ratio.isEmpty() ? "–" : ratio,
                "`ops/bench/run.sh --only " + name + "`") + " |");
        write(Path.of("target", "bench", name + ".md"), String.join("\n", rows) + "\n");
    }

    static String ratio(double certdir, double peer) {
        return String.format(Locale.ROOT, "%.2f", certdir / peer);
    }

    /** "median (min–max) unit" of several rounds. */
    static String spread(List<Double> rounds, String format) {
        List<Double> sorted = new ArrayList<>(rounds);
        Collections.sort(sorted);
        String median = String.format(Locale.ROOT, format, median(rounds));
        return sorted.size() == 1 ? median : median + " (" + String.format(Locale.ROOT, format, sorted.get(0)) + "–"
                + String.format(Locale.ROOT, format, sorted.get(sorted.size() - 1)) + ")";
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    /** The value below which the given fraction of the values lie (nearest rank). */
    static double percentile(List<Double> values, double fraction) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * fraction) - 1));
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
