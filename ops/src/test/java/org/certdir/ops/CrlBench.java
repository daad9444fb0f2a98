package org.certdir.ops;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.certdir.crl.CrlIssuer;
import org.certdir.crl.CrlSettings;
import org.certdir.crl.distribution.DistributionPoint;
import org.certdir.crl.distribution.FilePoint;
import org.certdir.crl.distribution.HttpPoint;
import org.certdir.crl.distribution.LdapPoint;
import org.certdir.directory.embedded.DirectorySettings;
import org.certdir.directory.embedded.EmbeddedDirectory;
import org.certdir.directory.publication.DirectoryPublisher;
import org.certdir.ops.issuance.CaSigners;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.ops.issuance.PublicationUrls;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.CrlRecord;
import org.certdir.registry.Registry;
import org.certdir.registry.RevocationReason;
import org.certdir.schemas.Dit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (failsafe does not pick it up by name): a full CRL of 1,000,000 revoked certificates of
 * one CA (ECDSA P-256) built, signed, checked and published to a file, the embedded directory and the HTTP point;
 * a delta after one more revocation; and {@code openssl ca -gencrl} over an index.txt of the same entries, in the
 * same run. Run:
 * <pre>mvn -pl ops -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dit.test=CrlBench</pre>
 * or {@code ops/bench/run.sh --only CrlBench}. Figures go to stdout, {@code ops/target/CrlBench.txt} and the summary
 * rows. {@code -Dcrl.bench.entries=N} changes the size.
 */
class CrlBench {

    private static final Dit DIT = Dit.of("dc=example,dc=com");
    private static final int ROUNDS = BenchReport.size("bench.rounds", 3, 1);

    @TempDir
    Path data;

    private final BenchReport report = new BenchReport("CrlBench");

    @Test
    void millionEntryCrl() throws Exception {
        int entries = BenchReport.size("crl.bench.entries", 1_000_000, 10_000);
        line(String.format("entries: %,d (ECDSA P-256 CA), %d rounds after a warm-up", entries, ROUNDS));
        Path registryFile = data.resolve("registry.db");
        char[] passphrase = "bench-passphrase".toCharArray();
        CertificateIssuer issuer = new CertificateIssuer(new PublicationUrls("http://127.0.0.1:8080", "127.0.0.1", 10389, DIT), Clock.systemUTC());
        Issued root = issuer.rootCa("Bench CA", "bench", KeyAlgorithm.EC_P256, Duration.ofDays(3650));
        KeyFiles.writePkcs12(data.resolve("keys/bench-ca.p12"), passphrase,
                List.of(new KeyFiles.KeyEntry("bench-ca", root.keyPair().getPrivate(), List.of(root.certificate()))));

        CaRecord ca;
        try (Registry registry = Registry.open(registryFile, Clock.systemUTC())) {
            ca = registry.addCa(new CaName("bench-ca"), CertificateDetails.parse(root.certificate().getEncoded()), "keys/bench-ca.p12", Actor.SERVICE);
        }
        Instant revokedAt = Instant.now().minus(Duration.ofDays(1));
        Instant notAfter = Instant.now().plus(Duration.ofDays(365));
        long insertStart = System.nanoTime();
        BigInteger[] serials = insertRevoked(registryFile, ca, entries, revokedAt, notAfter);
        line(String.format("synthetic registry rows inserted in %.1f s", (System.nanoTime() - insertStart) / 1e9));

        int maxPdu = 256 * 1024 * 1024;
        List<Double> fullSeconds = new ArrayList<>();
        List<Double> toLastPoint = new ArrayList<>();
        List<Double> heapMiB = new ArrayList<>();
        List<Double> deltaIssued = new ArrayList<>();
        Map<String, List<Double>> deltaToPoint = new LinkedHashMap<>();
        Map<String, List<Double>> fullToPoint = new LinkedHashMap<>();
        long crlBytes = 0;
        try (Registry registry = Registry.open(registryFile, Clock.systemUTC());
             EmbeddedDirectory directory = EmbeddedDirectory.start(new DirectorySettings(data.resolve("directory"), DIT, "127.0.0.1", 0, 0, null, null,
                     "bench", 100, Duration.ofSeconds(60), maxPdu, 2, 1000));
             com.unboundid.ldap.sdk.LDAPConnection ldap = new com.unboundid.ldap.sdk.LDAPConnection(Service.directoryConnectionOptions(),
                     "127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, "bench")) {
            DirectoryPublisher publisher = new DirectoryPublisher(ldap, DIT);
            publisher.republish(registry);
            CrlIssuer crlIssuer = new CrlIssuer(registry, new CaSigners(data, passphrase), any -> List.of("http://127.0.0.1:8080/crl/" + any.name() + "-delta.crl"), CrlSettings.defaults(), Clock.systemUTC());
            List<DistributionPoint> points = List.of(new FilePoint("files", data.resolve("crl")), new LdapPoint("directory", publisher, maxPdu),
                    new HttpPoint("http"));

            // Round 0 is the warm-up: the JIT compiles the encoder, and the first publication creates the CRL attributes.
            for (int round = 0; round <= ROUNDS; round++) {
                System.gc();
                ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
                long start = System.nanoTime();
                CrlRecord full = crlIssuer.issueFull(ca);
                long built = System.nanoTime();
                long peakHeap = ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP)
                        .mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
                StringBuilder perPoint = new StringBuilder();
                for (DistributionPoint point : points) {
                    long before = System.nanoTime();
                    point.publish(ca, full);
                    double seconds = (System.nanoTime() - before) / 1e9;
                    perPoint.append(String.format(" %s %.2f s", point.name(), seconds));
                    if (round > 0) {
                        fullToPoint.computeIfAbsent(point.name(), name -> new ArrayList<>()).add(seconds);
                    }
                }
                double total = (System.nanoTime() - start) / 1e9;
                line(String.format("%s full CRL: %,d entries, %,d bytes; build + sign + check + record %.2f s; peak heap %,d MiB; to the last point %.2f s (%s)",
                        round == 0 ? "warm-up" : "round " + round, full.entries(), full.der().length, (built - start) / 1e9, peakHeap / (1024 * 1024), total,
                        perPoint.toString().strip()));
                if (round > 0) {
                    fullSeconds.add((built - start) / 1e9);
                    toLastPoint.add(total);
                    heapMiB.add(peakHeap / (1024.0 * 1024));
                    crlBytes = full.der().length;
                }
            }

            // Deltas, each after one more revocation; the first one is the warm-up (it also creates the CA entry's
            // deltaRevocationList, so the whole entry is written again, see DirectoryPublisher).
            for (int round = 0; round <= ROUNDS; round++) {
                Issued extra = issuer.smime(new CertificateIssuer.SigningCa(ca.name(), root.certificate(), root.keyPair().getPrivate()),
                        "late" + round + "@example.com", "Late", "bench", CertificateIssuer.SmimePurpose.SIGNING, KeyAlgorithm.EC_P256, Duration.ofDays(30));
                CertificateDetails extraDetails = CertificateDetails.parse(extra.certificate().getEncoded());
                registry.addCertificate(ca, extraDetails, Actor.SERVICE);
                registry.revoke(ca.name(), extraDetails.serial(), RevocationReason.KEY_COMPROMISE, null, Actor.SERVICE);
                long deltaStart = System.nanoTime();
                CrlRecord delta = crlIssuer.issueDelta(ca, registry.latestCrlSummary(ca.name(), false).orElseThrow());
                long deltaBuilt = System.nanoTime();
                StringBuilder perPoint = new StringBuilder();
                for (DistributionPoint point : points) {
                    long before = System.nanoTime();
                    point.publish(ca, delta);
                    double millis = (System.nanoTime() - before) / 1e6;
                    perPoint.append(String.format(" %s %.1f ms", point.name(), millis));
                    if (round > 0) {
                        deltaToPoint.computeIfAbsent(point.name(), name -> new ArrayList<>()).add(millis);
                    }
                }
                line(String.format("%s delta after one more revocation: %d entries, issued in %.1f ms, build to last point %.1f ms (%s)",
                        round == 0 ? "warm-up" : "round " + round, delta.entries(), (deltaBuilt - deltaStart) / 1e6,
                        (System.nanoTime() - deltaStart) / 1e6, perPoint.toString().strip()));
                if (round > 0) {
                    deltaIssued.add((deltaBuilt - deltaStart) / 1e6);
                }
            }
        }

        List<Double> openssl = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            openssl.add(openssl(root, serials, revokedAt, notAfter));
        }
        String size = String.format("%,d entries", entries);
        report.row("full CRL, " + size + ": build + sign, s (certdir also checks it and records it in the registry); peer: `openssl ca -gencrl`",
                BenchReport.spread(fullSeconds, "%.2f"), BenchReport.spread(openssl, "%.2f"),
                BenchReport.ratio(BenchReport.median(fullSeconds), BenchReport.median(openssl)));
        report.row("full CRL, " + size + ", " + String.format("%,d", crlBytes) + " bytes: built and at the last of the points, s ("
                + fullToPoint.entrySet().stream().map(point -> point.getKey() + " " + BenchReport.spread(point.getValue(), "%.2f"))
                        .collect(Collectors.joining(", ")) + ")", BenchReport.spread(toLastPoint, "%.2f"), "", "");
        report.row(String.format("full CRL, %s: heap in use at its highest while building, MiB (garbage included: with a %,d MiB maximum heap the"
                + " JVM collects late, so this bounds the need from above)", size, Runtime.getRuntime().maxMemory() / (1024 * 1024)),
                BenchReport.spread(heapMiB, "%,.0f"), "", "");
        report.row("delta CRL on that base after one more revocation: issued (build, sign, check, record), ms", BenchReport.spread(deltaIssued, "%.1f"),
                "(openssl has no deltas)", "");
        report.row("delta CRL: publication to each point, ms", deltaToPoint.entrySet().stream()
                .map(point -> point.getKey() + " " + BenchReport.spread(point.getValue(), "%.1f")).collect(Collectors.joining(", ")), "", "");
    }

    /**
     * Synthetic rows straight into the registry's table, {@code entries} revoked certificates of {@code ca}: only
     * what a CRL reads (serial, status, time, reason, expiry).
     */
    private static BigInteger[] insertRevoked(Path registryFile, CaRecord ca, int entries, Instant revokedAt, Instant notAfter) throws Exception {
        BigInteger[] serials = new BigInteger[entries];
        SecureRandom random = new SecureRandom();
        try (Connection sql = DriverManager.getConnection("jdbc:sqlite:" + registryFile)) {
            sql.setAutoCommit(false);
            try (PreparedStatement insert = sql.prepareStatement("INSERT INTO certificate (ca_id, serial, subject, issuer, not_before, not_after, usage,"
                    + " status, revoked_at, reason, sha256, der, created_at) VALUES (?, ?, 'CN=x', ?, ?, ?, 'signing', 'revoked', ?, 1, ?, x'00', ?)")) {
                for (int i = 0; i < entries; i++) {
                    serials[i] = new BigInteger(128, random).setBit(127);
                    insert.setLong(1, ca.id());
                    insert.setString(2, serials[i].toString(16));
                    insert.setString(3, ca.certificate().subject());
                    insert.setLong(4, revokedAt.toEpochMilli());
                    insert.setLong(5, notAfter.toEpochMilli());
                    insert.setLong(6, revokedAt.toEpochMilli());
                    insert.setString(7, serials[i].toString(16));
                    insert.setLong(8, revokedAt.toEpochMilli());
                    insert.addBatch();
                    if (i % 10_000 == 9_999) {
                        insert.executeBatch();
                    }
                }
                insert.executeBatch();
            }
            // A sKIDHash key each (what the registry looks for), so that opening it does not try to fill them in from the dummy DER.
            try (java.sql.Statement keys = sql.createStatement()) {
                keys.executeUpdate("INSERT INTO certificate_search_key (certificate_id, kind, value) SELECT id, 'sKIDHash', sha256 FROM certificate"
                        + " WHERE der = x'00' AND id NOT IN (SELECT certificate_id FROM certificate_search_key)");
            }
            sql.commit();
        }
        return serials;
    }

    /**
     * Issue 12: how long until a revocation is on the <em>full</em> CRL at every point (file, embedded directory,
     * HTTP), for the clients that ignore deltas, with the publisher running as the service runs it
     * (reference.conf's settings: 1 s debounce, a change-triggered full CRL at most every ten build times, within 5
     * minutes). Each revocation comes a few seconds after the previous one's full CRL reached every point, so at a
     * million entries the later ones wait for the spacing: p50 and max show both cases.
     */
    @Test
    void revocationToFullCrl() throws Exception {
        String sizes = System.getProperty("crl.bench.full-latency-sizes", BenchReport.QUICK ? "10000" : "10000,1000000");
        int revocations = BenchReport.size("crl.bench.full-latency-revocations", 4, 2);
        for (String size : sizes.split(",")) {
            revocationToFullCrl(Integer.parseInt(size.strip()), revocations);
        }
    }

    private void revocationToFullCrl(int entries, int revocations) throws Exception {
        Path dir = Files.createDirectories(data.resolve("latency-" + entries));
        char[] passphrase = "bench-passphrase".toCharArray();
        CertificateIssuer issuer = new CertificateIssuer(new PublicationUrls("http://127.0.0.1:8080", "127.0.0.1", 10389, DIT), Clock.systemUTC());
        Issued root = issuer.rootCa("Bench CA", "bench", KeyAlgorithm.EC_P256, Duration.ofDays(3650));
        KeyFiles.writePkcs12(dir.resolve("keys/bench-ca.p12"), passphrase,
                List.of(new KeyFiles.KeyEntry("bench-ca", root.keyPair().getPrivate(), List.of(root.certificate()))));
        Path registryFile = dir.resolve("registry.db");
        CaRecord ca;
        try (Registry registry = Registry.open(registryFile, Clock.systemUTC())) {
            ca = registry.addCa(new CaName("bench-ca"), CertificateDetails.parse(root.certificate().getEncoded()), "keys/bench-ca.p12", Actor.SERVICE);
        }
        insertRevoked(registryFile, ca, entries, Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(365)));

        int maxPdu = 256 * 1024 * 1024;
        List<Double> toEveryPoint = new ArrayList<>();
        try (Registry registry = Registry.open(registryFile, Clock.systemUTC());
             EmbeddedDirectory directory = EmbeddedDirectory.start(new DirectorySettings(dir.resolve("directory"), DIT, "127.0.0.1", 0, 0, null, null,
                     "bench", 100, Duration.ofSeconds(60), maxPdu, 2, 1000));
             com.unboundid.ldap.sdk.LDAPConnection ldap = new com.unboundid.ldap.sdk.LDAPConnection(Service.directoryConnectionOptions(),
                     "127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, "bench")) {
            DirectoryPublisher publisher = new DirectoryPublisher(ldap, DIT);
            publisher.republish(registry);
            CrlSettings settings = CrlSettings.defaults();
            List<DistributionPoint> points = List.of(new FilePoint("files", dir.resolve("crl")), new LdapPoint("directory", publisher, maxPdu),
                    new HttpPoint("http"));
            try (org.certdir.crl.CrlPublisher crl = new org.certdir.crl.CrlPublisher(registry, new CrlIssuer(registry, new CaSigners(dir, passphrase),
                    any -> List.of(), settings, Clock.systemUTC()), points, settings, Clock.systemUTC())) {
                crl.start();
                awaitEveryPoint(registry, ca, 1, Duration.ofMinutes(10));
                for (int round = 0; round < revocations; round++) {
                    Thread.sleep(3_000);
                    Issued extra = issuer.smime(new CertificateIssuer.SigningCa(ca.name(), root.certificate(), root.keyPair().getPrivate()),
                            "late" + round + "@example.com", "Late", "bench", CertificateIssuer.SmimePurpose.SIGNING, KeyAlgorithm.EC_P256, Duration.ofDays(30));
                    CertificateDetails details = CertificateDetails.parse(extra.certificate().getEncoded());
                    registry.addCertificate(ca, details, Actor.SERVICE);
                    registry.revoke(ca.name(), details.serial(), RevocationReason.KEY_COMPROMISE, null, Actor.SERVICE);
                    long acknowledged = System.nanoTime();
                    long revision = registry.revision();
                    long number = awaitFullCovering(registry, ca, revision, Duration.ofMinutes(10));
                    awaitEveryPoint(registry, ca, number, Duration.ofMinutes(10));
                    double seconds = (System.nanoTime() - acknowledged) / 1e9;
                    toEveryPoint.add(seconds);
                    line(String.format("%,d entries: revocation %d on full CRL %d at every point after %.2f s", entries, round + 1, number, seconds));
                }
            }
        }
        report.row(String.format("revocation acknowledged → on the full CRL at every point (file, directory, HTTP), %,d entries, s p50 / max"
                + " (%d revocations, each 3 s after the previous reached every point)", entries, revocations),
                String.format("%.2f / %.2f", BenchReport.median(toEveryPoint), BenchReport.percentile(toEveryPoint, 1.0)), "", "");
    }

    /** The number of the first full CRL issued at or after {@code revision} of the change feed. */
    private static long awaitFullCovering(Registry registry, CaRecord ca, long revision, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            var full = registry.latestCrlSummary(ca.name(), false);
            if (full.isPresent() && full.get().revision() >= revision) {
                return full.get().number();
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("no full CRL covered revision " + revision + " within " + limit);
    }

    private static void awaitEveryPoint(Registry registry, CaRecord ca, long number, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            List<org.certdir.registry.PointState> states = registry.pointStates().stream().filter(state -> state.ca().equals(ca.name())).toList();
            if (states.size() == 3 && states.stream().allMatch(state -> state.fullNumber() != null && state.fullNumber() >= number)) {
                return;
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("full CRL " + number + " did not reach every point within " + limit + ": " + registry.pointStates());
    }

    /** {@code openssl ca -gencrl} over an index.txt of the same entries, signed with the same key. */
    private double openssl(Issued root, BigInteger[] serials, Instant revokedAt, Instant notAfter) throws Exception {
        Path dir = data.resolve("openssl");
        Files.createDirectories(dir);
        Path key = dir.resolve("ca.key");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(root.keyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        Path cert = Files.writeString(dir.resolve("ca.pem"), KeyFiles.pem(List.of(root.certificate())));
        DateTimeFormatter utc = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
        StringBuilder index = new StringBuilder();
        for (BigInteger serial : serials) {
            index.append("R\t").append(utc.format(notAfter)).append('\t').append(utc.format(revokedAt)).append(",keyCompromise\t")
                    .append(serial.toString(16).toUpperCase()).append("\tunknown\t/CN=x\n");
        }
        Files.writeString(dir.resolve("index.txt"), index);
        Files.writeString(dir.resolve("crlnumber"), "01\n");
        Path config = Files.writeString(dir.resolve("openssl.cnf"), """
                [ ca ]
                default_ca = bench
                [ bench ]
                dir = %s
                database = $dir/index.txt
                crlnumber = $dir/crlnumber
                certificate = %s
                private_key = %s
                default_md = sha256
                default_crl_days = 7
                crl_extensions = crl_ext
                [ crl_ext ]
                authorityKeyIdentifier = keyid:always
                """.formatted(dir, cert, key));
        long start = System.nanoTime();
        Process process = new ProcessBuilder("openssl", "ca", "-gencrl", "-config", config.toString(), "-out", dir.resolve("crl.pem").toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = process.waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (code != 0) {
            throw new IllegalStateException("openssl ca -gencrl failed (" + code + "): " + output);
        }
        line(String.format("openssl ca -gencrl (%s): %.2f s for the same entries (PEM output, %,d bytes)",
                new String(new ProcessBuilder("openssl", "version").start().getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip(), seconds,
                Files.size(dir.resolve("crl.pem"))));
        return seconds;
    }

    private void line(String text) {
        report.line(text);
    }
}
