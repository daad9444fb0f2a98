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
 * Figures go to stdout and {@code ops/target/ldap-bench.txt}; {@code -Dldap.bench.entries=N} changes the size.
 */
class LdapBench {

    private static final int ENTRIES = Integer.getInteger("ldap.bench.entries", 100_000);
    private static final String SUFFIX = "dc=example,dc=com";

    @TempDir
    Path data;

    @TempDir
    Path slapdDir;

    private final StringBuilder report = new StringBuilder();

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
            line(String.format("certdir: %,d people added over LDAP in %.1f s", ENTRIES, (System.nanoTime() - started) / 1e9));

            int slapdPort = TestServices.freePort();
            Process slapd = startSlapd(slapdPort, certificate);
            try {
                line("LDAP benchmark: " + ENTRIES + " people, certdir with " + config.ldap().requestThreads() + " request threads and an entry cache of "
                        + config.ldap().entryCache() + ", searchrate 8 threads, 3 intervals of 10 s after 1 warm-up interval; "
                        + Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version"));
                for (boolean reconnect : new boolean[] {false, true}) {
                    double certdir = searchRate(certdirPort, reconnect);
                    double openldap = searchRate(slapdPort, reconnect);
                    line(String.format("%-40s certdir %,9.0f/s   slapd %,9.0f/s   ratio %.2f", reconnect ? "new connection per lookup" : "long-lived connections",
                            certdir, openldap, certdir / openldap));
                }
            } finally {
                slapd.destroy();
                slapd.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            Files.writeString(Path.of("target/ldap-bench.txt"), report);
        }
    }

    /** The people, each with the same encryption certificate, added as the service account (4 connections). */
    private static void load(int port, String password, byte[] certificate) throws Exception {
        try (LDAPConnectionPool pool = new LDAPConnectionPool(new LDAPConnection("127.0.0.1", port, EmbeddedDirectory.SERVICE_ACCOUNT, password), 4)) {
            ExecutorService threads = Executors.newFixedThreadPool(4);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int first = t;
                work.add(threads.submit(() -> {
                    for (int i = first + 1; i <= ENTRIES; i += 4) {
                        pool.add(person(i, certificate));
                    }
                    return null;
                }));
            }
            for (Future<?> done : work) {
                done.get();
            }
            threads.shutdown();
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

    /** searchrate's overall searches per second over the measured intervals. */
    private double searchRate(int port, boolean reconnect) throws Exception {
        List<String> args = new ArrayList<>(List.of("--hostname", "127.0.0.1", "--port", String.valueOf(port), "--baseDN", SUFFIX,
                "--scope", "sub", "--filter", "(mail=user[1-" + ENTRIES + "]@example.com)", "--attribute", "userCertificate;binary",
                "--numThreads", "8", "--intervalDuration", "10", "--numIntervals", "3", "--warmUpIntervals", "1", "--csv"));
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
        // CSV: timestamp, recent searches/s, recent avg ms, recent errors/s, overall searches/s, overall avg ms
        String last = text.lines().filter(line -> !line.isBlank() && Character.isDigit(line.strip().charAt(0)) || line.startsWith("\"")).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException("searchrate printed no figures: " + text));
        String[] columns = last.replace("\"", "").split(",");
        double errors = Double.parseDouble(columns[3]);
        if (errors > 0) {
            line("  (searchrate reported " + errors + " errors/s on port " + port + ")");
        }
        return Double.parseDouble(columns[4]);
    }

    private void line(String text) {
        System.out.println(text);
        report.append(text).append('\n');
    }
}
