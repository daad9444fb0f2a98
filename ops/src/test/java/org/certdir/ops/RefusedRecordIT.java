package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.certdir.ops.config.ServiceConfig;
import org.certdir.ops.demo.DemoPki;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;
import org.certdir.ops.issuance.CertificateIssuer.SmimePurpose;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CertificateDetails;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One record the directory cannot take (a 70,000-character mail address, written straight into the registry past
 * the admin API's checks) never stops the publication of the others: it is skipped, shown in /health, reported by a
 * republication, and a start with a rebuilt directory serves everybody else.
 */
class RefusedRecordIT {

    private static final String HUGE = "x".repeat(70_000) + "@example.com";

    @TempDir
    Path data;

    private static JsonObject health(Service service) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(service.publicUrl() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        return new JsonObject(response.body()).put("httpStatus", response.statusCode());
    }

    private static JsonObject awaitHealth(Service service, Predicate<JsonObject> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonObject health = health(service);
        while (!condition.test(health) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            health = health(service);
        }
        assertTrue(condition.test(health), "health never got there: " + health.encodePrettily());
        return health;
    }

    private static boolean refusesOne(JsonObject health) {
        return health.getJsonObject("publication").getLong("refused", 0L) == 1;
    }

    private static SearchResultEntry lookup(Service service, String mail) throws Exception {
        try (LDAPConnection ldap = new LDAPConnection("127.0.0.1", URI.create(service.ldapUrl()).getPort())) {
            return ldap.searchForEntry("dc=example,dc=com", SearchScope.SUB, Filter.createEqualityFilter("mail", mail), "userCertificate;binary");
        }
    }

    @Test
    void refusedRecord_isSkippedAndShown_republishReportsIt_andAStartWithARebuiltDirectoryServesTheOthers() throws Exception {
        ServiceConfig config = TestServices.config(data, 100);
        try (Service service = Service.start(config, true, Clock.systemUTC())) {
            char[] passphrase = Files.readString(data.resolve("keys/passphrase")).strip().toCharArray();
            KeyFiles.KeyEntry key = KeyFiles.readPkcs12(data.resolve("keys/demo-issuing-ca.p12"), passphrase);
            SigningCa issuing = new SigningCa(CaName.fromCommonName(DemoPki.ISSUING_CA), key.chain().get(0), key.key());
            CertificateDetails bad = CertificateDetails.parse(new TestPki(data).issuer().smime(issuing, HUGE, "Huge Address", "test",
                    SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256, Duration.ofDays(30)).certificate().getEncoded());
            service.registry().addCertificate(service.registry().requireCa(CaName.fromCommonName(DemoPki.ISSUING_CA)), bad, Actor.SERVICE);
            service.publicationWorker().wake();

            JsonObject health = awaitHealth(service, RefusedRecordIT::refusesOne);
            assertEquals(200, health.getInteger("httpStatus"));
            assertEquals("degraded", health.getString("status"));
            JsonObject refused = health.getJsonObject("publication").getJsonArray("refusedFirst").getJsonObject(0);
            assertEquals("directory.person", refused.getString("topic"));
            assertEquals("x".repeat(120) + "... (70012 characters)", refused.getString("subject"));
            assertTrue(refused.getString("error").contains("is 70012 characters long, more than the 1024 certdir writes into the directory"),
                    refused.getString("error"));

            AdminHttp.Answer republished = new AdminHttp(service).post("/admin/directory/republish", new JsonObject());
            assertEquals(200, republished.status(), republished.body().encode());
            JsonArray reported = republished.body().getJsonArray("refused");
            assertEquals(1, reported.size());
            assertEquals("x".repeat(120) + "... (70012 characters)", reported.getJsonObject(0).getString("subject"));
            assertNotNull(lookup(service, "alice@example.com").getAttribute("userCertificate;binary"));
        }

        // A rebuilt directory: the start republishes everything, skipping the refused record.
        try (Stream<Path> files = Files.walk(config.data().resolve("directory"))) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        try (Service service = Service.start(config, true, Clock.systemUTC())) {
            for (String mail : new String[] {"alice@example.com", "bob@example.com", "carol@example.com"}) {
                assertNotNull(lookup(service, mail).getAttribute("userCertificate;binary"), mail);
            }
            JsonObject health = awaitHealth(service, RefusedRecordIT::refusesOne);
            assertEquals("degraded", health.getString("status"));
        }
    }
}
