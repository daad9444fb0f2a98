package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.certdir.directory.publication.CertsOnlyPkcs7;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SmimePurpose;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every rule of the admin API, through real HTTP against the running service and its real directory. */
class AdminApiIT {

    private static final String CA = "demo-issuing-ca";

    @RegisterExtension
    static final DemoService DEMO = new DemoService();

    static Service service;
    static AdminHttp admin;
    static TestPki pki;

    @BeforeAll
    static void start() throws Exception {
        service = DEMO.service();
        admin = new AdminHttp(service);
        pki = new TestPki(DEMO.data());
    }

    /** Imports a new encryption certificate for {@code mail} and returns its serial. */
    private static String importEncryption(String mail) throws Exception {
        Issued issued = pki.smime(mail, SmimePurpose.ENCRYPTION);
        AdminHttp.Answer answer = admin.post("/admin/certificates/import", "application/x-pem-file", TestPki.pem(issued).getBytes(StandardCharsets.US_ASCII));
        assertEquals(200, answer.status(), answer.body().encode());
        assertEquals(1, answer.body().getJsonArray("imported").size(), answer.body().encode());
        return issued.certificate().getSerialNumber().toString(16);
    }

    private static AdminHttp.Answer revoke(String serial, JsonObject body) throws Exception {
        return admin.post("/admin/certificates/" + CA + "/" + serial + "/revoke", body);
    }

    /** The serials published for {@code mail}, as an anonymous mail client sees them. */
    private static Set<String> published(String mail) throws Exception {
        try (LDAPConnection ldap = new LDAPConnection("127.0.0.1", URI.create(service.ldapUrl()).getPort())) {
            SearchResultEntry entry = ldap.searchForEntry("dc=example,dc=com", SearchScope.SUB, Filter.createEqualityFilter("mail", mail),
                    "userCertificate;binary");
            if (entry == null || entry.getAttribute("userCertificate;binary") == null) {
                return Set.of();
            }
            return java.util.Arrays.stream(entry.getAttribute("userCertificate;binary").getValueByteArrays())
                    .map(der -> org.certdir.registry.CertificateDetails.parse(der).serial().hex())
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    private static Set<String> awaitPublished(String mail, Set<String> expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Set<String> seen = published(mail);
        while (!seen.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            seen = published(mail);
        }
        return seen;
    }

    @Test
    void revoke_unknownCa_is404() throws Exception {
        AdminHttp.Answer answer = admin.post("/admin/certificates/no-such-ca/1234/revoke", new JsonObject().put("reason", "superseded"));
        assertEquals(404, answer.status());
        assertEquals("no CA named 'no-such-ca' is registered ('certdir ca list' shows them)", answer.error());
    }

    @Test
    void revoke_unknownSerial_is404() throws Exception {
        AdminHttp.Answer answer = revoke("abcdef", new JsonObject().put("reason", "superseded"));
        assertEquals(404, answer.status());
        assertEquals("CA 'demo-issuing-ca' has no certificate with serial abcdef", answer.error());
    }

    @Test
    void revoke_malformedSerial_is400NamingTheField() throws Exception {
        AdminHttp.Answer answer = revoke("12xz", new JsonObject().put("reason", "superseded"));
        assertEquals(400, answer.status());
        assertEquals("serial", answer.field());
        assertEquals("serial number '12xz' is not hexadecimal", answer.error());
    }

    @Test
    void revoke_unknownReason_is400NamingTheField() throws Exception {
        String serial = importEncryption("reason@example.com");
        AdminHttp.Answer answer = revoke(serial, new JsonObject().put("reason", "lost"));
        assertEquals(400, answer.status());
        assertEquals("reason", answer.field());
        assertTrue(answer.error().startsWith("revocation reason 'lost' is not one of unspecified, keyCompromise,"), answer.error());
        AdminHttp.Answer hold = revoke(serial, new JsonObject().put("reason", "certificateHold"));
        assertEquals(400, hold.status());
        assertEquals("reason certificateHold is not a revocation: use the hold or release endpoint", hold.error());
    }

    @Test
    void revoke_malformedOrFutureInvalidityDate_is400NamingTheField() throws Exception {
        String serial = importEncryption("dates@example.com");
        AdminHttp.Answer malformed = revoke(serial, new JsonObject().put("reason", "keyCompromise").put("invalidityDate", "yesterday"));
        assertEquals(400, malformed.status());
        assertEquals("invalidityDate", malformed.field());
        assertEquals("invalidityDate 'yesterday' is not a date: give 2026-11-20 or 2026-11-20T08:30:00Z", malformed.error());
        String tomorrow = Instant.now().plus(Duration.ofDays(1)).toString();
        AdminHttp.Answer future = revoke(serial, new JsonObject().put("reason", "keyCompromise").put("invalidityDate", tomorrow));
        assertEquals(400, future.status());
        assertEquals("invalidityDate " + tomorrow + " is in the future", future.error());
        assertEquals("valid", admin.get("/admin/certificates/" + CA + "/" + serial).body().getString("status"), "nothing was revoked");
    }

    @Test
    void revoke_notJson_is400() throws Exception {
        String serial = importEncryption("json@example.com");
        AdminHttp.Answer answer = admin.post("/admin/certificates/" + CA + "/" + serial + "/revoke", "application/json", "{reason".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, answer.status());
        assertEquals("body", answer.field());
    }

    @Test
    void revokeTwice_is409_butRaisingToKeyCompromiseKeepsTheTime() throws Exception {
        String serial = importEncryption("twice@example.com");
        AdminHttp.Answer first = revoke(serial, new JsonObject().put("reason", "superseded"));
        assertEquals(200, first.status(), first.body().encode());
        String revokedAt = first.body().getString("revokedAt");

        AdminHttp.Answer again = revoke(serial, new JsonObject().put("reason", "affiliationChanged"));
        assertEquals(409, again.status());
        assertEquals("certificate " + serial + " of CA 'demo-issuing-ca' is already revoked (superseded, since " + revokedAt
                + "); only raising the reason to keyCompromise is allowed", again.error());

        AdminHttp.Answer raised = revoke(serial, new JsonObject().put("reason", "keyCompromise").put("invalidityDate", "2026-01-02"));
        assertEquals(200, raised.status(), raised.body().encode());
        assertEquals("keyCompromise", raised.body().getString("reason"));
        assertEquals(revokedAt, raised.body().getString("revokedAt"));
        assertEquals("2026-01-02T00:00:00Z", raised.body().getString("invalidityDate"));
        assertEquals(409, revoke(serial, new JsonObject().put("reason", "keyCompromise")).status());
    }

    @Test
    void revoke_removesOnlyThatCertificateFromTheDirectory_andRelease_putsItBack() throws Exception {
        String kept = importEncryption("frank@example.com");
        String held = importEncryption("frank@example.com");
        assertEquals(Set.of(kept, held), awaitPublished("frank@example.com", Set.of(kept, held)));

        AdminHttp.Answer hold = admin.post("/admin/certificates/" + CA + "/" + held + "/hold", new JsonObject());
        assertEquals(200, hold.status(), hold.body().encode());
        assertEquals("on-hold", hold.body().getString("status"));
        assertEquals("certificateHold", hold.body().getString("reason"));
        assertEquals(Set.of(kept), awaitPublished("frank@example.com", Set.of(kept)));

        AdminHttp.Answer release = admin.post("/admin/certificates/" + CA + "/" + held + "/release", new JsonObject());
        assertEquals(200, release.status(), release.body().encode());
        assertEquals("valid", release.body().getString("status"));
        assertEquals(Set.of(kept, held), awaitPublished("frank@example.com", Set.of(kept, held)));

        assertEquals(200, revoke(kept, new JsonObject().put("reason", "keyCompromise")).status());
        assertEquals(Set.of(held), awaitPublished("frank@example.com", Set.of(held)));
    }

    @Test
    void release_ofAValidCertificate_is409() throws Exception {
        String serial = importEncryption("release@example.com");
        AdminHttp.Answer answer = admin.post("/admin/certificates/" + CA + "/" + serial + "/release", new JsonObject());
        assertEquals(409, answer.status());
        assertEquals("certificate " + serial + " of CA 'demo-issuing-ca' is valid, not on hold: only a held certificate can be released", answer.error());
    }

    @Test
    void import_pemBundle_der_andPkcs7_isIdempotent() throws Exception {
        Issued a = pki.smime("bundle-a@example.com", SmimePurpose.ENCRYPTION);
        Issued b = pki.smime("bundle-b@example.com", SmimePurpose.SIGNING);
        Issued c = pki.smime("bundle-c@example.com", SmimePurpose.ENCRYPTION);
        byte[] bundle = (TestPki.pem(a) + TestPki.pem(b)).getBytes(StandardCharsets.US_ASCII);
        AdminHttp.Answer pem = admin.post("/admin/certificates/import", "application/x-pem-file", bundle);
        assertEquals(2, pem.body().getJsonArray("imported").size(), pem.body().encode());

        AdminHttp.Answer der = admin.post("/admin/certificates/import", "application/pkix-cert", c.certificate().getEncoded());
        assertEquals(1, der.body().getJsonArray("imported").size(), der.body().encode());

        byte[] p7b = CertsOnlyPkcs7.encode(List.of(a.certificate(), b.certificate(), c.certificate()));
        AdminHttp.Answer pkcs7 = admin.post("/admin/certificates/import", "application/pkcs7-mime", p7b);
        assertEquals(200, pkcs7.status());
        assertEquals(0, pkcs7.body().getJsonArray("imported").size());
        assertEquals(3, pkcs7.body().getJsonArray("known").size(), "importing again changes nothing");
        assertEquals(0, pkcs7.body().getJsonArray("rejected").size());
    }

    @Test
    void import_rejectsGarbageAndUnknownIssuers_withReasons_andImportsTheRest() throws Exception {
        Issued good = pki.smime("mixed@example.com", SmimePurpose.ENCRYPTION);
        Issued foreignRoot = pki.issuer().rootCa("Partner Root", "partner", KeyAlgorithm.EC_P256, Duration.ofDays(30));
        org.certdir.ops.issuance.CertificateIssuer.SigningCa partner = new org.certdir.ops.issuance.CertificateIssuer.SigningCa(
                new org.certdir.registry.CaName("partner-root"), foreignRoot.certificate(), foreignRoot.keyPair().getPrivate());
        Issued partnerUser = pki.issuer().smime(partner, "p@partner.example", "P", "partner", SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256,
                Duration.ofDays(30));
        JsonObject batch = new JsonObject().put("files", new JsonArray()
                .add(file("good.pem", TestPki.pem(good).getBytes(StandardCharsets.US_ASCII)))
                .add(file("garbage.pem", "not a certificate".getBytes(StandardCharsets.US_ASCII)))
                .add(file("partner-user.pem", TestPki.pem(partnerUser).getBytes(StandardCharsets.US_ASCII))));
        AdminHttp.Answer answer = admin.post("/admin/certificates/import", batch);
        assertEquals(200, answer.status());
        assertEquals(1, answer.body().getJsonArray("imported").size());
        JsonArray rejected = answer.body().getJsonArray("rejected");
        assertEquals(2, rejected.size(), rejected.encode());
        assertEquals(new JsonObject().put("source", "garbage.pem").put("reason",
                "not a certificate file: expected PEM, DER or PKCS#7 (it starts with neither '-----BEGIN' nor a DER SEQUENCE)"), rejected.getJsonObject(0));
        assertEquals("its issuer CN=Partner Root,O=partner is not a registered CA: import the CA certificate first",
                rejected.getJsonObject(1).getString("reason"));

        // With the partner's CA imported first (published only), its user's certificate is accepted.
        AdminHttp.Answer caImport = admin.post("/admin/certificates/import", "application/x-pem-file",
                (TestPki.pem(foreignRoot) + TestPki.pem(partnerUser)).getBytes(StandardCharsets.US_ASCII));
        assertEquals(1, caImport.body().getJsonArray("casAdded").size(), caImport.body().encode());
        assertEquals("partner-root", caImport.body().getJsonArray("casAdded").getJsonObject(0).getString("name"));
        assertEquals(false, caImport.body().getJsonArray("casAdded").getJsonObject(0).getBoolean("managed"));
        assertEquals(1, caImport.body().getJsonArray("imported").size(), caImport.body().encode());
    }

    private static JsonObject file(String name, byte[] content) {
        return new JsonObject().put("name", name).put("data", Base64.getEncoder().encodeToString(content));
    }

    @Test
    void issue_returnsBothKeysInAPkcs12_andPublishesTheEncryptionCertificate() throws Exception {
        AdminHttp.Answer answer = admin.post("/admin/certificates/issue", new JsonObject().put("mail", "Grace@Example.com").put("name", "Grace Hopper"));
        assertEquals(201, answer.status(), answer.body().encode());
        JsonObject encryption = answer.body().getJsonObject("encryption");
        assertEquals("encryption", encryption.getString("usage"));
        assertEquals("signing", answer.body().getJsonObject("signing").getString("usage"));
        assertEquals(List.of("grace@example.com"), encryption.getJsonArray("mail").getList());

        KeyStore p12 = KeyStore.getInstance("PKCS12");
        char[] password = answer.body().getString("password").toCharArray();
        p12.load(new ByteArrayInputStream(Base64.getDecoder().decode(answer.body().getString("pkcs12"))), password);
        assertEquals(List.of("encryption", "signing"), Collections.list(p12.aliases()).stream().sorted().toList());
        java.security.cert.X509Certificate inStore = (java.security.cert.X509Certificate) p12.getCertificate("encryption");
        assertEquals(encryption.getString("serial"), inStore.getSerialNumber().toString(16));
        assertEquals(3, p12.getCertificateChain("encryption").length, "leaf, issuing CA, root");

        assertEquals(Set.of(encryption.getString("serial")), awaitPublished("grace@example.com", Set.of(encryption.getString("serial"))));
    }

    @Test
    void issue_badMail_is400NamingTheField() throws Exception {
        AdminHttp.Answer answer = admin.post("/admin/certificates/issue", new JsonObject().put("mail", "grace(at)example.com").put("name", "Grace"));
        assertEquals(400, answer.status());
        assertEquals("mail", answer.field());
        assertEquals("mail 'grace(at)example.com' is not a mail address like alice@example.com", answer.error());
        AdminHttp.Answer noName = admin.post("/admin/certificates/issue", new JsonObject().put("mail", "grace@example.com"));
        assertEquals("name", noName.field());
        AdminHttp.Answer externalCa = admin.post("/admin/certificates/issue",
                new JsonObject().put("mail", "grace@example.com").put("name", "G").put("ca", "nope"));
        assertEquals(404, externalCa.status());
    }

    @Test
    void status_byCertificateFile_andBySerial() throws Exception {
        Issued issued = pki.smime("lookup@example.com", SmimePurpose.SIGNING);
        admin.post("/admin/certificates/import", "application/pkix-cert", issued.certificate().getEncoded());
        AdminHttp.Answer byFile = admin.post("/admin/certificates/lookup", "application/x-pem-file", TestPki.pem(issued).getBytes(StandardCharsets.US_ASCII));
        assertEquals(200, byFile.status());
        String serial = issued.certificate().getSerialNumber().toString(16);
        assertEquals(serial, byFile.body().getString("serial"));
        assertEquals(byFile.body(), admin.get("/admin/certificates/" + CA + "/" + serial).body());

        Issued unknown = pki.smime("unknown@example.com", SmimePurpose.SIGNING);
        AdminHttp.Answer notFound = admin.post("/admin/certificates/lookup", "application/pkix-cert", unknown.certificate().getEncoded());
        assertEquals(404, notFound.status());
        assertEquals("the registry does not know " + org.certdir.registry.CertificateDetails.parse(unknown.certificate().getEncoded()), notFound.error());
    }

    @Test
    void list_filtersByMailStatusAndCa_withPaging() throws Exception {
        AdminHttp.Answer revoked = admin.get("/admin/certificates?mail=mallory@example.com&status=revoked");
        assertEquals(1, revoked.body().getLong("total"));
        assertEquals("keyCompromise", revoked.body().getJsonArray("certificates").getJsonObject(0).getString("reason"));

        AdminHttp.Answer page = admin.get("/admin/certificates?ca=" + CA + "&limit=2&offset=1");
        assertEquals(2, page.body().getJsonArray("certificates").size());
        assertTrue(page.body().getLong("total") >= 9, page.body().encode());

        AdminHttp.Answer badStatus = admin.get("/admin/certificates?status=expired");
        assertEquals(400, badStatus.status());
        assertEquals("status", badStatus.field());
        AdminHttp.Answer badLimit = admin.get("/admin/certificates?limit=5000");
        assertEquals("limit must be between 1 and 1000, was 5000", badLimit.error());
    }

    @Test
    void audit_andChangeFeed_recordWhoDidWhat() throws Exception {
        String serial = importEncryption("audited@example.com");
        long before = admin.get("/admin/changes?since=0&limit=1").body().getLong("revision");
        revoke(serial, new JsonObject().put("reason", "cessationOfOperation"));
        JsonObject changes = admin.get("/admin/changes?since=" + before).body();
        assertEquals(before + 1, changes.getLong("revision"));
        JsonObject change = changes.getJsonArray("changes").getJsonObject(0);
        assertEquals(serial, change.getString("serial"));
        assertEquals("revoked", change.getString("status"));
        assertEquals("cessationOfOperation", change.getString("reason"));

        // The CRL publisher may have recorded a CRL since: the revocation is the newest certificate action (oldest first).
        JsonArray audit = admin.get("/admin/audit?limit=10").body().getJsonArray("audit");
        JsonObject last = audit.stream().map(JsonObject.class::cast).filter(record -> record.getString("action").startsWith("certificate."))
                .reduce((older, newer) -> newer).orElseThrow(() -> new AssertionError("no certificate action among " + audit.encode()));
        assertEquals("admin", last.getString("actor"));
        assertEquals("certificate.revoke", last.getString("action"));
        assertEquals(CA + "/" + serial, last.getString("target"));
        assertEquals("reason=cessationOfOperation", last.getString("detail"));
        assertEquals("127.0.0.1", last.getString("address"));
        assertEquals(400, admin.get("/admin/audit?since=last-week").status());
    }

    @Test
    void noTokenOrWrongToken_is401_onEveryRoute() throws Exception {
        AdminHttp anonymous = new AdminHttp(service.adminUrl(), "wrong");
        for (String path : List.of("/admin/cas", "/admin/certificates", "/admin/audit", "/admin/certificates/" + CA + "/1")) {
            AdminHttp.Answer answer = anonymous.get(path);
            assertEquals(401, answer.status(), path);
            assertEquals("wrong bearer token: use the token from DATA/admin.token", answer.error());
        }
        assertEquals(401, anonymous.post("/admin/certificates/" + CA + "/1/revoke", new JsonObject().put("reason", "keyCompromise")).status());
    }

    @Test
    void cas_listsTheDemoCas() throws Exception {
        JsonArray cas = admin.get("/admin/cas").body().getJsonArray("cas");
        assertEquals("demo-root-ca", cas.getJsonObject(0).getString("name"));
        assertEquals(CA, cas.getJsonObject(1).getString("name"));
        assertTrue(cas.getJsonObject(1).getBoolean("managed"));
        assertNull(cas.getJsonObject(1).getString("key"), "never a key in an answer");
    }

    @Test
    void publishedPkcs7_followsRevocation() throws Exception {
        String serial = importEncryption("pkcs7@example.com");
        awaitPublished("pkcs7@example.com", Set.of(serial));
        revoke(serial, new JsonObject().put("reason", "superseded"));
        awaitPublished("pkcs7@example.com", Set.of());
        try (LDAPConnection ldap = new LDAPConnection("127.0.0.1", URI.create(service.ldapUrl()).getPort())) {
            SearchResultEntry entry = ldap.searchForEntry("dc=example,dc=com", SearchScope.SUB, Filter.createEqualityFilter("mail", "pkcs7@example.com"),
                    "userSMIMECertificate");
            assertNull(entry.getAttribute("userSMIMECertificate"));
        }
    }
}
