package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.ops.issuance.PublicationUrls;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.Registry;
import org.certdir.schemas.Dit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pending CAs in the registry: schema 9 over a registry of schema 8, and a pending CA across a restart. */
class PendingCaIT {

    @TempDir
    Path data;

    @Test
    void registryOfSchema8_opensWithEverythingKept_andTakesPendingCas() throws Exception {
        Service.start(TestServices.config(data, 100), true, Clock.systemUTC()).close();
        Path file = data.resolve("registry.db");
        String[] tables = {"ca", "certificate", "status_change", "crl", "crl_point", "audit", "outbox", "certificate_search_key"};
        long[] before = new long[tables.length];
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            // What a registry certdir made before schema 9 holds: no pending_ca table (nor schema 10's CRL number floor), version 8.
            connection.createStatement().execute("DROP TABLE pending_ca");
            connection.createStatement().execute("ALTER TABLE ca DROP COLUMN crl_number_floor");
            connection.createStatement().executeUpdate("DELETE FROM schema_version WHERE version >= 9");
            assertEquals(8, single(connection, "SELECT MAX(version) FROM schema_version"));
            for (int i = 0; i < tables.length; i++) {
                before[i] = single(connection, "SELECT COUNT(*) FROM " + tables[i]);
            }
        }
        try (Registry registry = Registry.open(file, Clock.systemUTC())) {
            assertEquals(List.of("demo-root-ca", "demo-issuing-ca"), registry.cas().stream().map(ca -> ca.name().value()).toList());
            assertEquals(List.of(), registry.pendingCas());
            try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file)) {
                assertEquals(11, single(connection, "SELECT MAX(version) FROM schema_version"));
                for (int i = 0; i < tables.length; i++) {
                    assertEquals(before[i], single(connection, "SELECT COUNT(*) FROM " + tables[i]), tables[i] + " kept");
                }
            }
            registry.addPendingCa(new CaName("later-ca"), "CN=Later CA", new byte[] {0x30, 0x00}, "keys/later-ca.p12", Actor.SERVICE);
            assertEquals("later-ca", registry.pendingCas().get(0).name().value());
        }
    }

    @Test
    void pendingCa_survivesARestart_andIsInstalledAndServedAfterIt() throws Exception {
        String csrPem;
        try (Service service = Service.start(TestServices.reachableConfig(data), false, Clock.systemUTC())) {
            AdminHttp.Answer created = new AdminHttp(service).post("/admin/cas", new JsonObject().put("subject", "CN=Restart CA,O=Example").put("csr", true));
            assertEquals(201, created.status(), created.body().encode());
            assertEquals("restart-ca", created.body().getJsonObject("pending").getString("name"));
            csrPem = created.body().getString("csr");
        }

        // The root kept elsewhere signs the CSR (here a root made in this test: certdir never sees its key).
        PKCS10CertificationRequest csr;
        try (PEMParser parser = new PEMParser(new StringReader(csrPem))) {
            csr = (PKCS10CertificationRequest) parser.readObject();
        }
        CertificateIssuer elsewhere = new CertificateIssuer(new PublicationUrls("http://root.example.org", "root.example.org", 389,
                Dit.of("dc=example,dc=org")), Clock.systemUTC());
        Issued root = elsewhere.rootCa("Restart Root CA", "Example", KeyAlgorithm.EC_P256, Duration.ofDays(3650));
        X509Certificate issued = elsewhere.subordinateCa(new SigningCa(new CaName("restart-root-ca"), root.certificate(), root.keyPair().getPrivate()),
                X500Name.getInstance(csr.getSubject()), new JcaPKCS10CertificationRequest(csr).getPublicKey(), Duration.ofDays(365), 0);

        try (Service service = Service.start(TestServices.reachableConfig(data), false, Clock.systemUTC())) {
            AdminHttp admin = new AdminHttp(service);
            JsonObject listed = admin.get("/admin/cas").body();
            assertEquals(0, listed.getJsonArray("cas").size());
            assertEquals("restart-ca", listed.getJsonArray("pending").getJsonObject(0).getString("name"));
            assertEquals(csrPem, listed.getJsonArray("pending").getJsonObject(0).getString("csr"), "the CSR is kept for the admin");

            AdminHttp.Answer installed = admin.post("/admin/cas/install", new JsonObject().put("certificate", KeyFiles.pem(List.of(issued)))
                    .put("chain", KeyFiles.pem(List.of(root.certificate()))));
            assertEquals(200, installed.status(), installed.body().encode());
            assertEquals("restart-ca", installed.body().getJsonObject("ca").getString("name"));
            assertEquals("restart-root-ca", installed.body().getJsonArray("casAdded").getJsonObject(0).getString("name"));
            assertTrue(Files.exists(data.resolve("keys/ocsp/restart-ca.p12")), "its delegated OCSP signer is issued at once");
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest crl = HttpRequest.newBuilder(URI.create(service.publicUrl() + "/crl/restart-ca.crl")).build();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int status = http.send(crl, HttpResponse.BodyHandlers.discarding()).statusCode();
            while (status != 200 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                status = http.send(crl, HttpResponse.BodyHandlers.discarding()).statusCode();
            }
            assertEquals(200, status, "its first CRL is at the HTTP point");
            List<String> audit = service.registry().auditTrail(20).stream().map(record -> record.action() + " " + record.target() + " " + record.actor())
                    .toList();
            assertTrue(audit.contains("ca.install restart-ca admin"), audit.toString());
            assertTrue(audit.contains("ca.add restart-root-ca admin"), audit.toString());
        }
    }

    private static long single(Connection connection, String sql) throws Exception {
        try (ResultSet row = connection.createStatement().executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }
}
