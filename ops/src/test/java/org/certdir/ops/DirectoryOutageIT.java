package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With the directory's listener down, revocations still succeed; the queue grows, then drains when it returns. */
class DirectoryOutageIT {

    @TempDir
    Path data;

    private Service service;

    @BeforeEach
    void start() {
        service = Service.start(TestServices.config(data, 100), true, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        service.close();
    }

    private JsonObject health() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(service.publicUrl() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        return new JsonObject(response.body()).put("httpStatus", response.statusCode());
    }

    private String encryptionSerial(AdminHttp admin, String mail) throws Exception {
        return admin.get("/admin/certificates?mail=" + mail + "&status=valid").body().getJsonArray("certificates").stream()
                .map(JsonObject.class::cast).filter(c -> c.getString("usage").equals("encryption")).findFirst().orElseThrow().getString("serial");
    }

    @Test
    void revocationsDuringAnOutage_areAcknowledged_andPublishedWhenTheDirectoryReturns() throws Exception {
        AdminHttp admin = new AdminHttp(service);
        String alice = encryptionSerial(admin, "alice@example.com");
        String bob = encryptionSerial(admin, "bob@example.com");

        // The demo's own publication tasks are done before the outage starts, so the queue then holds only ours.
        awaitHealth(h -> h.getJsonObject("publication").getLong("depth") == 0);
        service.directory().suspendListeners();
        assertEquals(200, admin.post("/admin/certificates/demo-issuing-ca/" + alice + "/revoke", new JsonObject().put("reason", "keyCompromise")).status());
        assertEquals(200, admin.post("/admin/certificates/demo-issuing-ca/" + bob + "/hold", new JsonObject()).status());

        JsonObject down = awaitHealth(h -> h.getJsonObject("publication").getLong("failing") > 0);
        assertEquals(503, down.getInteger("httpStatus"));
        assertEquals("down", down.getJsonObject("directory").getString("status"));
        assertEquals(2, down.getJsonObject("publication").getLong("depth"), down.encode());
        assertEquals("degraded", down.getJsonObject("publication").getString("status"));
        assertEquals("revoked", admin.get("/admin/certificates/demo-issuing-ca/" + alice).body().getString("status"), "the registry has it");

        service.directory().resumeListeners();
        JsonObject up = awaitHealth(h -> h.getJsonObject("publication").getLong("depth") == 0 && "ok".equals(h.getString("status")));
        assertEquals(200, up.getInteger("httpStatus"));
        try (LDAPConnection ldap = new LDAPConnection("127.0.0.1", URI.create(service.ldapUrl()).getPort())) {
            for (String mail : new String[] {"alice@example.com", "bob@example.com"}) {
                SearchResultEntry entry = ldap.searchForEntry("dc=example,dc=com", SearchScope.SUB, Filter.createEqualityFilter("mail", mail),
                        "userCertificate;binary");
                assertEquals(null, entry.getAttribute("userCertificate;binary"), mail + " still has a published certificate");
            }
            SearchResultEntry carol = ldap.searchForEntry("dc=example,dc=com", SearchScope.SUB, Filter.createEqualityFilter("mail", "carol@example.com"),
                    "userCertificate;binary");
            assertEquals(KeyFiles.readPem(data.resolve("demo/carol-encryption.pem")).get(0).getSerialNumber().toString(16),
                    org.certdir.registry.CertificateDetails.parse(carol.getAttributeValueBytes("userCertificate;binary")).serial().hex(),
                    "other people are untouched");
        }
    }

    /** Waits for the health report to meet {@code condition}; failed tasks come due again after a few seconds of backoff. */
    private JsonObject awaitHealth(java.util.function.Predicate<JsonObject> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonObject health = health();
        while (!condition.test(health) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            health = health();
        }
        assertTrue(condition.test(health), "health never got there: " + health.encodePrettily());
        return health;
    }
}
