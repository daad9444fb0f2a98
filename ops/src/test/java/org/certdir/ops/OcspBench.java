package org.certdir.ops;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.Registry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (failsafe does not pick it up by name): OCSP GET answers from the cache over 10,000
 * distinct certificates of the demo issuing CA, with wrk, side by side in one run with (a) a Vert.x route that
 * returns a fixed OCSP response (the machine's ceiling for this HTTP stack) and (b) {@code openssl ocsp -index}
 * serving the same CA and certificates with the same delegated signer; and the nonce path (every answer signed).
 * Run (needs {@code wrk} and {@code openssl}):
 * <pre>mvn -pl ops -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dit.test=OcspBench</pre>
 * or {@code ops/bench/run.sh --only OcspBench}, which also measures the raw signing rate with JMH and passes it as
 * {@code -Dbench.raw-sign-rate}. Figures go to stdout, {@code ops/target/OcspBench.txt} and the summary rows.
 * {@code -Docsp.bench.certificates=N}, {@code -Docsp.bench.seconds=S} and {@code -Docsp.bench.connections=C}
 * change the load.
 */
class OcspBench {

    private static final int CERTIFICATES = BenchReport.size("ocsp.bench.certificates", 10_000, 1_000);
    private static final int SECONDS = BenchReport.size("ocsp.bench.seconds", 10, 1);
    private static final int WARM_UP_SECONDS = BenchReport.size("ocsp.bench.warm-up-seconds", 5, 1);
    private static final int CONNECTIONS = Integer.getInteger("ocsp.bench.connections", 64);
    private static final int ROUNDS = BenchReport.size("bench.rounds", 3, 1);
    private static final int REVOCATIONS = BenchReport.size("ocsp.bench.revocations", 50, 10);

    @TempDir
    Path data;

    private final BenchReport report = new BenchReport("OcspBench");

    @Test
    void cachedGet_nonce_againstFixedBytesAndOpensslOcsp() throws Exception {
        Interop.require("wrk", "wrk");
        Interop.require("openssl", "openssl");
        try (Service service = Service.start(TestServices.config(data, 100), true, Clock.systemUTC())) {
            Path demo = data.resolve("demo");
            X509Certificate issuing = KeyFiles.readPem(demo.resolve("issuing-ca.pem")).get(0);
            List<BigInteger> serials = registerCertificates(service.registry());
            List<byte[]> requests = new ArrayList<>();
            for (BigInteger serial : serials) {
                requests.add(request(issuing, serial, null));
            }
            Path certdirScript = getScript(requests, "/ocsp/", "certdir-get.lua");
            Path opensslScript = getScript(requests, "/", "openssl-get.lua");
            String base = service.publicUrl();
            byte[] sample = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/ocsp/"
                    + URLEncoder.encode(Base64.getEncoder().encodeToString(requests.get(0)), StandardCharsets.US_ASCII))).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body();

            awaitPublication(service.registry());
            line("OCSP benchmark: " + CERTIFICATES + " certificates, wrk -t2 -c" + CONNECTIONS + " -d" + SECONDS + "s, median of " + ROUNDS
                    + " rounds (min-max); " + Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version"));
            warmUp(base, requests);
            wrk(base, certdirScript, WARM_UP_SECONDS);
            Rounds certdir = rounds("certdir cached GET", base, certdirScript);

            // As many instances as the public listener runs: one per core, each on its own event loop.
            Vertx vertx = Vertx.vertx();
            int fixedPort = TestServices.freePort();
            for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
                HttpServer fixed = vertx.createHttpServer().requestHandler(request -> request.response()
                        .putHeader("Content-Type", "application/ocsp-response")
                        .putHeader("Cache-Control", "max-age=3600, public, no-transform, must-revalidate")
                        .end(Buffer.buffer(sample))).listen(fixedPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
            }
            String fixedBase = "http://127.0.0.1:" + fixedPort;
            wrk(fixedBase, certdirScript, WARM_UP_SECONDS);
            Rounds ceiling = rounds("Vert.x fixed bytes (bare request handler)", fixedBase, certdirScript);
            // The same behind a vertx-web Router with one route, as certdir's listener routes: the router's share.
            io.vertx.ext.web.Router router = io.vertx.ext.web.Router.router(vertx);
            router.get("/ocsp/*").handler(context -> context.response()
                    .putHeader("Content-Type", "application/ocsp-response")
                    .putHeader("Cache-Control", "max-age=3600, public, no-transform, must-revalidate")
                    .end(Buffer.buffer(sample)));
            int routedPort = TestServices.freePort();
            for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
                vertx.createHttpServer().requestHandler(router).listen(routedPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
            }
            String routedBase = "http://127.0.0.1:" + routedPort;
            wrk(routedBase, certdirScript, WARM_UP_SECONDS);
            Rounds routed = rounds("Vert.x fixed bytes (Router route)", routedBase, certdirScript);
            vertx.close().toCompletionStage().toCompletableFuture().get();

            Rounds openssl = opensslOcsp(demo, serials, opensslScript);

            Path nonceScript = postScript(data, request(issuing, serials.get(1), new byte[16]), "nonce-post.lua");
            wrk(base, nonceScript, WARM_UP_SECONDS);
            Rounds nonce = rounds("certdir POST with nonce (signed each time)", base, nonceScript);

            List<Double> revocation = revocationToOcsp(service, issuing, serials.subList(100, 100 + REVOCATIONS));

            line("");
            line(String.format("cached GET / fixed bytes, bare handler: %.2f", certdir.rate() / ceiling.rate()));
            line(String.format("cached GET / fixed bytes, Router route: %.2f", certdir.rate() / routed.rate()));
            line(String.format("cached GET / openssl ocsp: %.1f", certdir.rate() / openssl.rate()));
            line(String.format("nonce path: %.0f signed responses/s (compare with the JMH raw signing rate)", nonce.rate()));

            String load = String.format("%,d certificates, wrk -c%d, %d s rounds", CERTIFICATES, CONNECTIONS, SECONDS);
            report.row("OCSP cached GET, req/s (p99), " + load + "; peer: fixed response bytes from Vert.x",
                    certdir.text(), ceiling.text(), BenchReport.ratio(certdir.rate(), ceiling.rate()));
            report.row("OCSP cached GET, req/s (p99); peer: `openssl ocsp -index -multi " + Runtime.getRuntime().availableProcessors() + "`",
                    certdir.text(), openssl.text(), BenchReport.ratio(certdir.rate(), openssl.rate()));
            String rawSign = System.getProperty("bench.raw-sign-rate", "");
            report.row("OCSP POST with nonce, signed responses/s (p99); peer: raw ECDSA P-256 signing, JMH `rawSignBouncyCastle`", nonce.text(),
                    rawSign.isEmpty() ? "" : String.format("%,.0f", Double.parseDouble(rawSign)),
                    rawSign.isEmpty() ? "" : BenchReport.ratio(nonce.rate(), Double.parseDouble(rawSign)));
            report.row("revocation acknowledged → OCSP answers revoked, ms p50 / max (" + revocation.size() + " revocations)",
                    String.format("%.2f / %.2f", BenchReport.median(revocation), BenchReport.percentile(revocation, 1.0)), "", "");
        }
    }

    /** Records {@link #CERTIFICATES} valid certificates of the demo issuing CA straight into the registry. */
    private List<BigInteger> registerCertificates(Registry registry) throws Exception {
        Path pems = data.resolve("bench-certificates");
        new TestPki(data).bulk(pems, CERTIFICATES, false);
        CaRecord ca = registry.ca(CaName.fromCommonName(org.certdir.ops.demo.DemoPki.ISSUING_CA)).orElseThrow();
        List<Registry.Issued> batch = new ArrayList<>();
        List<BigInteger> serials = new ArrayList<>();
        try (Stream<Path> files = Files.walk(pems)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".pem")).toList()) {
                X509Certificate certificate = KeyFiles.readPem(file).get(0);
                serials.add(certificate.getSerialNumber());
                batch.add(new Registry.Issued(ca, CertificateDetails.parse(certificate.getEncoded())));
            }
        }
        registry.addCertificates(batch, Actor.SERVICE);
        return serials;
    }

    /**
     * Milliseconds from the admin API acknowledging a revocation to the first OCSP answer saying revoked, asked
     * without a nonce (so a cached "good" exists and must not be served), one certificate after another.
     */
    private List<Double> revocationToOcsp(Service service, X509Certificate issuing, List<BigInteger> serials) throws Exception {
        AdminHttp admin = new AdminHttp(service);
        HttpClient client = HttpClient.newHttpClient();
        List<Double> millis = new ArrayList<>();
        int polls = 0;
        for (BigInteger serial : serials) {
            HttpRequest ask = HttpRequest.newBuilder(URI.create(service.publicUrl() + "/ocsp")).header("Content-Type", "application/ocsp-request")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request(issuing, serial, null))).build();
            client.send(ask, HttpResponse.BodyHandlers.ofByteArray());
            if (admin.post("/admin/certificates/demo-issuing-ca/" + serial.toString(16) + "/revoke",
                    new io.vertx.core.json.JsonObject().put("reason", "keyCompromise")).status() != 200) {
                throw new IllegalStateException("revocation of " + serial.toString(16) + " failed");
            }
            long acknowledged = System.nanoTime();
            while (true) {
                polls++;
                byte[] answer = client.send(ask, HttpResponse.BodyHandlers.ofByteArray()).body();
                var status = ((org.bouncycastle.cert.ocsp.BasicOCSPResp) new org.bouncycastle.cert.ocsp.OCSPResp(answer).getResponseObject())
                        .getResponses()[0].getCertStatus();
                if (status instanceof org.bouncycastle.cert.ocsp.RevokedStatus) {
                    break;
                }
            }
            millis.add((System.nanoTime() - acknowledged) / 1e6);
        }
        List<Double> sorted = millis.stream().sorted().toList();
        line(String.format("revocation acknowledged -> OCSP says revoked: p50 %.2f ms, max %.2f ms over %d revocations (%d OCSP requests: "
                + "the first answer after each acknowledgement already said revoked when this equals the count)", sorted.get(sorted.size() / 2),
                sorted.get(sorted.size() - 1), sorted.size(), polls));
        return millis;
    }

    /** Asks for every certificate once, so the measured rounds find each answer signed and cached. */
    private void warmUp(String base, List<byte[]> requests) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long started = System.nanoTime();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Integer>> answers = new ArrayList<>();
            for (byte[] request : requests) {
                answers.add(pool.submit(() -> client.send(HttpRequest.newBuilder(URI.create(base + "/ocsp/"
                        + URLEncoder.encode(Base64.getEncoder().encodeToString(request), StandardCharsets.US_ASCII))).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode()));
            }
            for (java.util.concurrent.Future<Integer> answer : answers) {
                if (answer.get() != 200) {
                    throw new IllegalStateException("warm-up request answered " + answer.get());
                }
            }
        } finally {
            pool.shutdown();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        line(String.format("first answers (each signed, then cached): %d in %.1f s, %.0f/s", requests.size(), seconds, requests.size() / seconds));
    }

    /** The directory publication of the new certificates would compete for the CPU: let it finish first. */
    private static void awaitPublication(Registry registry) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (registry.outbox().stats(org.certdir.registry.Outbox.DIRECTORY_PERSON, org.certdir.registry.Outbox.DIRECTORY_CA).depth() > 0
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    static byte[] request(X509Certificate issuer, BigInteger serial, byte[] nonce) throws Exception {
        OCSPReqBuilder builder = new OCSPReqBuilder().addRequest(new CertificateID(
                new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1), new JcaX509CertificateHolder(issuer), serial));
        if (nonce != null) {
            builder.setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                    new DEROctetString(nonce).getEncoded())));
        }
        return builder.build().getEncoded();
    }

    /** A wrk script cycling through one GET per certificate (each wrk thread starts at its own offset). */
    private Path getScript(List<byte[]> requests, String prefix, String name) throws Exception {
        StringBuilder lua = new StringBuilder("local paths = {\n");
        for (byte[] request : requests) {
            lua.append("\"").append(prefix).append(URLEncoder.encode(Base64.getEncoder().encodeToString(request), StandardCharsets.US_ASCII))
                    .append("\",\n");
        }
        lua.append("}\nlocal i = math.random(#paths)\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n");
        return Files.writeString(data.resolve(name), lua);
    }

    /** A wrk script POSTing the same OCSP request again and again. */
    static Path postScript(Path dir, byte[] body, String name) throws Exception {
        StringBuilder escaped = new StringBuilder();
        for (byte b : body) {
            escaped.append('\\').append(b & 0xff);
        }
        String lua = "wrk.method = \"POST\"\nwrk.path = \"/ocsp\"\nwrk.headers[\"Content-Type\"] = \"application/ocsp-request\"\n"
                + "wrk.body = \"" + escaped + "\"\n";
        return Files.writeString(dir.resolve(name), lua);
    }

    /**
     * {@code openssl ocsp} as a responder over an index.txt of the same certificates, signing with certdir's own
     * delegated signer; {@code -multi 2} forks a child per core. It signs every answer: it has no cache.
     */
    private Rounds opensslOcsp(Path demo, List<BigInteger> serials, Path script) throws Exception {
        Path dir = Files.createDirectories(data.resolve("openssl-ocsp"));
        char[] passphrase = DataDirectory.secret(data.resolve("keys/passphrase")).toCharArray();
        KeyFiles.KeyEntry signer = KeyFiles.readPkcs12(data.resolve("keys/ocsp/demo-issuing-ca.p12"), passphrase);
        Files.writeString(dir.resolve("signer.pem"), KeyFiles.pem(List.of(signer.chain().get(0))));
        Files.writeString(dir.resolve("signer.key"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(signer.key().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        String expiry = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(java.time.Instant.now().plusSeconds(86_400 * 365));
        StringBuilder index = new StringBuilder();
        for (BigInteger serial : serials) {
            String hex = serial.toString(16).toUpperCase();
            // index.txt holds whole octets: an odd number of hex digits makes openssl refuse the file.
            index.append("V\t").append(expiry).append("\t\t").append(hex.length() % 2 == 0 ? hex : "0" + hex).append("\tunknown\t/CN=bulk").append(index.length()).append('\n');
        }
        Files.writeString(dir.resolve("index.txt"), index);
        List<String> command = List.of("openssl", "ocsp", "-index", dir.resolve("index.txt").toString(), "-port", "PORT",
                "-rsigner", dir.resolve("signer.pem").toString(), "-rkey", dir.resolve("signer.key").toString(), "-CA", demo.resolve("issuing-ca.pem").toString(),
                "-nmin", "60", "-multi", String.valueOf(Runtime.getRuntime().availableProcessors()));
        List<Result> results = new ArrayList<>();
        for (int round = 0; round <= ROUNDS; round++) {
            // openssl 3.0's responder stops answering once wrk has closed its connections at the end of a run (its
            // children spin on them), so every round gets a fresh one; round 0 only checks that it answers.
            int port = TestServices.freePort();
            Process server = new ProcessBuilder(command.stream().map(arg -> arg.equals("PORT") ? String.valueOf(port) : arg).toList())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
            try {
                String base = "http://127.0.0.1:" + port;
                // Waits for its ACCEPT line: a probe connection that sends nothing would hang one of its children.
                for (int attempt = 0; attempt < 100 && !Files.readString(dir.resolve("server.log")).contains("ACCEPT"); attempt++) {
                    Thread.sleep(100);
                }
                Thread.sleep(500);
                if (round == 0) {
                    Interop.Run check = Interop.run("openssl", "ocsp", "-issuer", demo.resolve("issuing-ca.pem").toString(), "-serial",
                            "0x" + serials.get(0).toString(16), "-url", base, "-CAfile", demo.resolve("chain.pem").toString());
                    line("openssl ocsp check: " + (check.out() + check.err()).replace('\n', ' ').strip());
                    if (check.exitCode() != 0) {
                        throw new IllegalStateException("openssl ocsp does not answer: " + Files.readString(dir.resolve("server.log")));
                    }
                } else {
                    Result result = wrk(base, script, SECONDS);
                    System.out.printf("  openssl round %d: %.0f req/s, p99 %s%n", round, result.rate, result.p99);
                    results.add(result);
                }
            } finally {
                server.descendants().forEach(ProcessHandle::destroyForcibly);
                server.destroyForcibly();
                server.waitFor(10, TimeUnit.SECONDS);
            }
        }
        return summarize("openssl ocsp -index -multi " + Runtime.getRuntime().availableProcessors(), results);
    }

    private record Result(double rate, String p99) {
    }

    /** The rounds of one load: the median round's rate and p99, and the spread of the rates. */
    private record Rounds(List<Result> results) {

        private Result median() {
            return results.stream().sorted(java.util.Comparator.comparingDouble(Result::rate)).toList().get(results.size() / 2);
        }

        double rate() {
            return BenchReport.median(results.stream().map(Result::rate).toList());
        }

        String text() {
            return BenchReport.spread(results.stream().map(Result::rate).toList(), "%,.0f") + ", p99 " + median().p99();
        }
    }

    private Rounds rounds(String what, String base, Path script) throws Exception {
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            Result round = wrk(base, script, SECONDS);
            System.out.printf("  %s round %d: %.0f req/s, p99 %s%n", what, i + 1, round.rate, round.p99);
            results.add(round);
        }
        return summarize(what, results);
    }

    private Rounds summarize(String what, List<Result> results) {
        Rounds rounds = new Rounds(results);
        line(String.format("%-45s %s req/s", what, rounds.text()));
        return rounds;
    }

    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern P99 = Pattern.compile("\\s99%\\s+(\\S+)");

    private Result wrk(String base, Path script, int seconds) throws Exception {
        Interop.Run run = Interop.run("wrk", "-t2", "-c" + CONNECTIONS, "-d" + seconds + "s", "--latency", "-s", script.toString(), base);
        Matcher rate = RATE.matcher(run.out());
        Matcher p99 = P99.matcher(run.out());
        if (!rate.find() || !p99.find()) {
            throw new IllegalStateException("wrk printed no figures: " + run.out() + run.err());
        }
        if (run.out().contains("Non-2xx")) {
            line("  (wrk: " + run.out().lines().filter(l -> l.contains("Non-2xx") || l.contains("Socket errors")).toList() + ")");
        }
        return new Result(Double.parseDouble(rate.group(1)), p99.group(1));
    }

    private void line(String text) {
        report.line(text);
    }
}
