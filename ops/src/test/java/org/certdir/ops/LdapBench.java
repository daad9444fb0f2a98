package org.certdir.ops;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.examples.SearchRate;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.certdir.directory.embedded.EmbeddedDirectory;
import org.certdir.ops.config.ServiceConfig;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (failsafe does not pick it up by name): LDAP lookups as a mail client makes them,
 * {@code (mail=user<n>@example.com)} returning {@code userCertificate;binary}, anonymous, with UnboundID's
 * {@code searchrate} (8 threads), against certdir's embedded directory and against OpenLDAP {@code slapd} (mdb, the
 * same entries, an equality index on mail) started on another port, in the same run; once on long-lived connections
 * and once with a new connection per lookup ({@code --iterationsBeforeReconnect 1}, as Thunderbird does). Run
 * (needs {@code slapd}, {@code slapadd}):
 * <pre>mvn -pl ops -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dit.test=LdapBench</pre>
 * or {@code ops/bench/run.sh --only LdapBench}. Figures go to stdout, {@code ops/target/LdapBench.txt} and the
 * summary rows; {@code -Dldap.bench.entries=N} changes the size. With {@code -Dbench.profile=true} the long-lived
 * lookups against certdir are recorded with JFR ({@code settings=profile}), the long-lived and the reconnecting ones
 * apart, into {@code ops/target/LdapBench-long-lived.jfr} and {@code ops/target/LdapBench-reconnect.jfr}.
 */
class LdapBench {

    private static final int ENTRIES = BenchReport.size("ldap.bench.entries", 100_000, 1_000);
    private static final int INTERVAL_SECONDS = BenchReport.size("ldap.bench.interval-seconds", 10, 1);
    private static final int INTERVALS = BenchReport.size("bench.rounds", 3, 2);
    private static final String SUFFIX = "dc=example,dc=com";

    @TempDir
    Path data;

    @TempDir
    Path slapdDir;

    private final BenchReport report = new BenchReport("LdapBench");

    @Test
    void mailLookups_certdirAgainstSlapd() throws Exception {
        Interop.require("slapd", "slapd");
        Interop.require("slapadd", "slapd");
        // The directory as reference.conf sets it up (the test configuration keeps it small), with its entry cache
        // sized to the published entries as reference.conf advises.
        ServiceConfig base = TestServices.config(data, 100);
        ServiceConfig.Ldap ldap = base.ldap();
        ServiceConfig.Ldap defaults = ServiceConfig.defaults().ldap();
        ServiceConfig config = new ServiceConfig(base.data(), new ServiceConfig.Ldap(ldap.host(), ldap.port(), ldap.ldapsPort(), ldap.dit(),
                ldap.sizeLimit(), ldap.timeLimit(), ldap.maxPduSize(), defaults.requestThreads(), Math.max(defaults.entryCache(), ENTRIES + 100)),
                base.http(), base.admin(), base.crl(), base.demo(), base.ocsp(), base.trust());
        try (Service service = Service.start(config, true, Clock.systemUTC())) {
            byte[] certificate = KeyFiles.readPem(data.resolve("demo/alice-encryption.pem")).get(0).getEncoded();
            int certdirPort = URI.create(service.ldapUrl()).getPort();
            long started = System.nanoTime();
            load(certdirPort, DataDirectory.secret(data.resolve("ldap-admin.password")), certificate);
            double certdirLoad = (System.nanoTime() - started) / 1e9;
            line(String.format("certdir: %,d people added over LDAP in %.1f s", ENTRIES, certdirLoad));

            int slapdPort = TestServices.freePort();
            started = System.nanoTime();
            Process slapd = startSlapd(slapdPort, certificate);
            double slapdLoad = (System.nanoTime() - started) / 1e9;
            try {
                line("LDAP benchmark: " + ENTRIES + " people, certdir with " + config.ldap().requestThreads() + " request threads and an entry cache of "
                        + config.ldap().entryCache() + ", searchrate 8 threads, " + INTERVALS + " intervals of " + INTERVAL_SECONDS
                        + " s after 1 warm-up interval; " + Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version"));
                // Every entry read once first: ApacheDS fills its entry cache only from reads (adds bypass it), so
                // without this the measured intervals would still be warming it. The first reads are a figure too:
                // what mail clients see after a restart or a bulk publication.
                double certdirCold = readEveryone(certdirPort);
                double slapdCold = readEveryone(slapdPort);
                line(String.format("%-40s certdir %,9.0f/s   slapd %,9.0f/s   ratio %.2f", "first read of every entry", certdirCold, slapdCold,
                        certdirCold / slapdCold));
                report.row(String.format("LDAP `(mail=…)` lookups/s, %,d people, first read of each entry (cold entry cache), 8 threads on"
                        + " long-lived connections; peer: slapd (mdb)", ENTRIES), String.format("%,.0f", certdirCold), String.format("%,.0f", slapdCold),
                        BenchReport.ratio(certdirCold, slapdCold));
                for (boolean reconnect : new boolean[] {false, true}) {
                    List<Double> certdir = profiled(reconnect ? "reconnect" : "long-lived", () -> searchRate(certdirPort, reconnect));
                    List<Double> openldap = searchRate(slapdPort, reconnect);
                    String what = reconnect ? "new connection per lookup" : "long-lived connections";
                    line(String.format("%-40s certdir %s/s   slapd %s/s   ratio %.2f", what, BenchReport.spread(certdir, "%,.0f"),
                            BenchReport.spread(openldap, "%,.0f"), BenchReport.median(certdir) / BenchReport.median(openldap)));
                    report.row(String.format("LDAP `(mail=…)` lookups/s returning `userCertificate;binary`, %,d people, searchrate 8 threads, %s; "
                            + "peer: slapd (mdb)", ENTRIES, what), BenchReport.spread(certdir, "%,.0f"), BenchReport.spread(openldap, "%,.0f"),
                            BenchReport.ratio(BenchReport.median(certdir), BenchReport.median(openldap)));
                }
                System.gc();
                long heap = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / (1024 * 1024);
                line(String.format("heap in use after a GC, certdir's service and searchrate in one JVM: %,d MiB", heap));
                report.row(String.format("LDAP: heap in use after the lookups and a GC, %,d people published (certdir's service, whole; the"
                        + " benchmark's JVM), MiB", ENTRIES), String.format("%,d", heap), "", "");
                report.row(String.format("LDAP: loading %,d people, s (certdir: over LDAP; slapd: `slapadd` offline)", ENTRIES),
                        String.format("%.1f", certdirLoad), String.format("%.1f", slapdLoad), BenchReport.ratio(certdirLoad, slapdLoad));
            } finally {
                slapd.destroy();
                slapd.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Looks every person up once, anonymously, 8 threads on long-lived connections; returns lookups per second. */
    private static double readEveryone(int port) throws Exception {
        long started = System.nanoTime();
        try (LDAPConnectionPool pool = new LDAPConnectionPool(new LDAPConnection("127.0.0.1", port), 8)) {
            forEachPerson(8, i -> {
                if (pool.searchForEntry(SUFFIX, com.unboundid.ldap.sdk.SearchScope.SUB, "(mail=user" + i + "@example.com)",
                        "userCertificate;binary") == null) {
                    throw new IllegalStateException("user" + i + "@example.com not found on port " + port);
                }
            });
        }
        return ENTRIES / ((System.nanoTime() - started) / 1e9);
    }

    private interface PersonTask {
        void run(int person) throws Exception;
    }

    /** Runs the task for people 1 to ENTRIES, spread over the given number of threads; fails with the first failure. */
    private static void forEachPerson(int threadCount, PersonTask task) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(threadCount);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threadCount; t++) {
                int first = t + 1;
                work.add(threads.submit(() -> {
                    for (int i = first; i <= ENTRIES; i += threadCount) {
                        task.run(i);
                    }
                    return null;
                }));
            }
            for (Future<?> done : work) {
                done.get();
            }
        } finally {
            threads.shutdown();
        }
    }

    private interface Measurement {
        List<Double> run() throws Exception;
    }

    /** Runs the measurement under a JFR recording, into {@code target/LdapBench-<name>.jfr}, when {@code -Dbench.profile=true}. */
    private List<Double> profiled(String name, Measurement measurement) throws Exception {
        if (!Boolean.getBoolean("bench.profile")) {
            return measurement.run();
        }
        try (jdk.jfr.Recording recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"))) {
            recording.start();
            List<Double> result = measurement.run();
            recording.stop();
            Path file = Path.of("target", "LdapBench-" + name + ".jfr");
            recording.dump(file);
            line("JFR recording of the " + name + " lookups against certdir: ops/" + file);
            return result;
        }
    }

    /** The people, each with the same encryption certificate, added as the service account (4 connections). */
    private static void load(int port, String password, byte[] certificate) throws Exception {
        try (LDAPConnectionPool pool = new LDAPConnectionPool(new LDAPConnection("127.0.0.1", port, EmbeddedDirectory.SERVICE_ACCOUNT, password), 4)) {
            forEachPerson(4, i -> pool.add(person(i, certificate)));
        }
    }

    private static Entry person(int i, byte[] certificate) {
        String mail = "user" + i + "@example.com";
        return new Entry("uid=" + mail + ",ou=people," + SUFFIX, new Attribute("objectClass", "top", "person", "organizationalPerson", "inetOrgPerson"),
                new Attribute("uid", mail), new Attribute("cn", "User " + i), new Attribute("sn", "User"), new Attribute("mail", mail),
                new Attribute("userCertificate;binary", certificate));
    }

    /** slapd with mdb, loaded offline with slapadd from an LDIF of the same entries, anonymous read allowed (its default). */
    private Process startSlapd(int port, byte[] certificate) throws Exception {
        Files.createDirectories(slapdDir.resolve("db"));
        String modules = Files.isDirectory(Path.of("/usr/lib/ldap")) ? "modulepath /usr/lib/ldap\nmoduleload back_mdb\n" : "";
        Path config = Files.writeString(slapdDir.resolve("slapd.conf"), """
                include /etc/ldap/schema/core.schema
                include /etc/ldap/schema/cosine.schema
                include /etc/ldap/schema/inetorgperson.schema
                pidfile %s/slapd.pid
                %s
                sizelimit 100
                database mdb
                maxsize 4294967296
                suffix "%s"
                rootdn "cn=admin,%s"
                rootpw unused-%d
                directory %s/db
                index objectClass eq
                index mail eq
                index uid eq
                """.formatted(slapdDir, modules, SUFFIX, SUFFIX, System.nanoTime(), slapdDir));
        Path ldif = slapdDir.resolve("people.ldif");
        String value = Base64.getEncoder().encodeToString(certificate);
        try (var out = Files.newBufferedWriter(ldif)) {
            out.write("dn: " + SUFFIX + "\nobjectClass: dcObject\nobjectClass: organization\no: example\ndc: example\n\n");
            out.write("dn: ou=people," + SUFFIX + "\nobjectClass: organizationalUnit\nou: people\n\n");
            for (int i = 1; i <= ENTRIES; i++) {
                String mail = "user" + i + "@example.com";
                out.write("dn: uid=" + mail + ",ou=people," + SUFFIX + "\nobjectClass: inetOrgPerson\nuid: " + mail + "\ncn: User " + i
                        + "\nsn: User\nmail: " + mail + "\nuserCertificate;binary:: " + value + "\n\n");
            }
        }
        long started = System.nanoTime();
        Interop.Run add = Interop.run("slapadd", "-q", "-f", config.toString(), "-l", ldif.toString());
        if (add.exitCode() != 0) {
            throw new IllegalStateException("slapadd failed: " + add.err());
        }
        line(String.format("slapd: %,d people loaded with slapadd in %.1f s", ENTRIES, (System.nanoTime() - started) / 1e9));
        Process slapd = new ProcessBuilder("slapd", "-f", config.toString(), "-h", "ldap://127.0.0.1:" + port + "/", "-d", "0")
                .redirectErrorStream(true).redirectOutput(slapdDir.resolve("slapd.log").toFile()).start();
        TestServices.awaitListening(slapd, port, "slapd", slapdDir.resolve("slapd.log"));
        return slapd;
    }

    /** searchrate's searches per second in each measured interval. */
    private List<Double> searchRate(int port, boolean reconnect) throws Exception {
        List<String> args = new ArrayList<>(List.of("--hostname", "127.0.0.1", "--port", String.valueOf(port), "--baseDN", SUFFIX,
                "--scope", "sub", "--filter", "(mail=user[1-" + ENTRIES + "]@example.com)", "--attribute", "userCertificate;binary",
                "--numThreads", "8", "--intervalDuration", String.valueOf(INTERVAL_SECONDS), "--numIntervals", String.valueOf(INTERVALS),
                "--warmUpIntervals", "1", "--csv"));
        if (reconnect) {
            args.addAll(List.of("--iterationsBeforeReconnect", "1"));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ResultCode result = SearchRate.main(args.toArray(String[]::new), out, err);
        String text = out.toString(StandardCharsets.UTF_8);
        if (result != ResultCode.SUCCESS) {
            throw new IllegalStateException("searchrate on port " + port + " ended with " + result + ": " + text + err.toString(StandardCharsets.UTF_8));
        }
        Files.writeString(Path.of("target", "LdapBench-searchrate.csv"), "# port " + port + (reconnect ? ", reconnecting\n" : "\n") + text,
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        // CSV: a header line naming the columns, then a line per interval (the warm-up one too, so the last ones count).
        List<String[]> lines = text.lines().filter(line -> line.contains(",")).map(line -> line.replace("\"", "").split(",")).toList();
        List<String> header = lines.stream().filter(columns -> List.of(columns).contains("Recent Searches/Sec")).findFirst()
                .map(List::of).orElseThrow(() -> new IllegalStateException("searchrate printed no CSV header: " + text));
        int rate = header.indexOf("Recent Searches/Sec");
        int errorRate = header.indexOf("Recent Errors/Sec");
        List<String[]> printed = lines.stream().filter(columns -> columns.length == header.size() && columns[rate].matches("[0-9.]+")).toList();
        if (printed.size() < INTERVALS) {
            throw new IllegalStateException("searchrate printed " + printed.size() + " intervals instead of " + INTERVALS + ": " + text);
        }
        List<String[]> intervals = printed.subList(printed.size() - INTERVALS, printed.size());
        double errors = intervals.stream().mapToDouble(columns -> Double.parseDouble(columns[errorRate])).sum();
        if (errors > 0) {
            line("  (searchrate reported errors on port " + port + ": " + errors + " errors/s summed over the intervals)");
        }
        return intervals.stream().map(columns -> Double.parseDouble(columns[rate])).toList();
    }

    private void line(String text) {
        report.line(text);
    }
}
