package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SmimePurpose;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Values that reach the directory (mail addresses, names) are refused at the admin API and at import when the
 * directory could not hold them, and the admin API's other bodies are checked before use: 400 naming the field,
 * never a 201 for a value the directory later refuses, never a 500.
 */
class InputLimitsIT {

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

    private static AdminHttp.Answer issue(String mail, String name) throws Exception {
        return admin.post("/admin/certificates/issue", new JsonObject().put("mail", mail).put("name", name));
    }

    @Test
    void issue_mailLongerThanRfc5321Allows_is400NamingMail() throws Exception {
        String huge = "a".repeat(65_536) + "@example.com";
        AdminHttp.Answer answer = issue(huge, "Huge Mail");
        assertEquals(400, answer.status(), answer.body().encode());
        assertEquals("mail", answer.field());
        assertEquals("mail '" + "a".repeat(40) + "...' is 65548 characters long: RFC 5321 allows at most 254", answer.error());

        AdminHttp.Answer local = issue("b".repeat(65) + "@example.com", "Long Local");
        assertEquals(400, local.status());
        assertEquals("mail '" + "b".repeat(40) + "...' has a local part of 65 characters: RFC 5321 allows at most 64", local.error());

        AdminHttp.Answer label = issue("c@" + "d".repeat(64) + ".example.com", "Long Label");
        assertEquals(400, label.status());
        assertEquals("mail 'c@" + "d".repeat(38) + "...' has a domain label of 64 characters: RFC 1035 allows at most 63", label.error());

        for (String bad : List.of("two@at@example.com", "space in@example.com", "tab\t@example.com", "\"quoted\"@example.com",
                "a@[192.0.2.1]", "dot.@example.com", "a@example", "ü@example.com")) {
            AdminHttp.Answer answer2 = issue(bad, "Bad Mail");
            assertEquals(400, answer2.status(), bad);
            assertEquals("mail", answer2.field());
            assertEquals("mail '" + bad.replace('\t', '?') + "' is not a mail address like alice@example.com", answer2.error());
        }
        // The longest address RFC 5321 allows is accepted: 64 + '@' + 189 = 254.
        String longest = "e".repeat(64) + "@" + "f".repeat(60) + "." + "g".repeat(60) + "." + "h".repeat(63) + ".com";
        assertEquals(254, longest.length());
        assertEquals(201, issue(longest, "Longest Mail").status());
    }

    @Test
    void issue_nameTooLongOrWithControlCharacters_is400NamingName() throws Exception {
        AdminHttp.Answer control = issue("grace@example.com", "Grace\nHopper");
        assertEquals(400, control.status());
        assertEquals("name", control.field());
        assertEquals("name 'Grace?Hopper' contains a control character", control.error());
        AdminHttp.Answer tooLong = issue("grace@example.com", "G".repeat(65));
        assertEquals(400, tooLong.status());
        assertEquals("name", tooLong.field());
        assertEquals("name '" + "G".repeat(40) + "...' is 65 characters long: at most 64 are accepted", tooLong.error());
        assertEquals(0, admin.get("/admin/certificates?mail=grace@example.com").body().getInteger("total"), "nothing was issued");
    }

    @Test
    void import_certificateWhoseMailTheDirectoryCannotHold_isRejectedNamingTheField_andTheRestIsImported() throws Exception {
        String longMail = "l".repeat(300) + "@example.com";
        Issued tooLong = pki.smime(longMail, "Long Mail", SmimePurpose.ENCRYPTION);
        Issued controlName = pki.smime("ctrl@example.com", "Ctrl\u0007Name", SmimePurpose.ENCRYPTION);
        Issued good = pki.smime("fine@example.com", SmimePurpose.ENCRYPTION);
        AdminHttp.Answer answer = admin.post("/admin/certificates/import", "application/x-pem-file",
                (TestPki.pem(tooLong) + TestPki.pem(controlName) + TestPki.pem(good)).getBytes(StandardCharsets.US_ASCII));
        assertEquals(200, answer.status(), answer.body().encode());
        JsonArray rejected = answer.body().getJsonArray("rejected");
        assertEquals(2, rejected.size(), answer.body().encode());
        assertEquals("subjectAltName rfc822Name '" + "l".repeat(40) + "...' is 312 characters long: RFC 5321 allows at most 254",
                rejected.getJsonObject(0).getString("reason"));
        assertEquals("subject CN 'Ctrl?Name' contains a control character", rejected.getJsonObject(1).getString("reason"));
        assertEquals(1, answer.body().getJsonArray("imported").size(), answer.body().encode());
        assertEquals(1, admin.get("/admin/certificates?mail=fine@example.com").body().getInteger("total"), "fine@example.com is recorded");
    }

    @Test
    void import_filesThatIsNotAnArrayOfObjects_is400NamingFiles() throws Exception {
        AdminHttp.Answer notArray = admin.post("/admin/certificates/import", new JsonObject().put("files", "x"));
        assertEquals(400, notArray.status(), notArray.body().encode());
        assertEquals("files", notArray.field());
        assertEquals("files must be an array: send {\"files\": [{\"name\": ..., \"data\": <base64>}]} or the file itself", notArray.error());
        AdminHttp.Answer numbers = admin.post("/admin/certificates/import", new JsonObject().put("files", new JsonArray(List.of(1, 2, 3))));
        assertEquals(400, numbers.status(), numbers.body().encode());
        assertEquals("files[0]", numbers.field());
        assertEquals("files[0] must be an object: {\"name\": ..., \"data\": <base64>} or {\"name\": ..., \"text\": <PEM>}", numbers.error());
        AdminHttp.Answer noData = admin.post("/admin/certificates/import",
                new JsonObject().put("files", new JsonArray().add(new JsonObject().put("name", 7).put("data", 8))));
        assertEquals(400, noData.status(), noData.body().encode());
        assertEquals("files[0].data", noData.field());
        assertEquals("files[0] has no data: give the file as base64 in \"data\" or as PEM in \"text\"", noData.error());
    }

    @Test
    void revoke_withoutReason_is400_andRevokesNothing() throws Exception {
        Issued issued = pki.smime("noreason@example.com", SmimePurpose.ENCRYPTION);
        assertEquals(200, admin.post("/admin/certificates/import", "application/x-pem-file", TestPki.pem(issued).getBytes(StandardCharsets.US_ASCII)).status());
        String serial = issued.certificate().getSerialNumber().toString(16);
        for (AdminHttp.Answer answer : List.of(
                admin.post("/admin/certificates/" + CA + "/" + serial + "/revoke", "application/json", new byte[0]),
                admin.post("/admin/certificates/" + CA + "/" + serial + "/revoke", new JsonObject()))) {
            assertEquals(400, answer.status(), answer.body().encode());
            assertEquals("reason", answer.field());
            assertEquals("reason is missing: say why, e.g. {\"reason\": \"keyCompromise\"} (unspecified, keyCompromise, cACompromise, "
                    + "affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn or aACompromise)", answer.error());
        }
        assertEquals("valid", admin.get("/admin/certificates/" + CA + "/" + serial).body().getString("status"));
    }

    @Test
    void trustAdd_partnerCaWithTheSubjectOfOneOfOurs_is409() throws Exception {
        // Same name as the demo issuing CA, another key: a chain builder looking the issuer up by name could take either.
        Issued impostor = pki.issuer().rootCa("Demo Issuing CA", "certdir demo", KeyAlgorithm.EC_P256, Duration.ofDays(30));
        AdminHttp.Answer answer = admin.post("/admin/trust?name=impostor", "application/x-pem-file",
                TestPki.pem(impostor).getBytes(StandardCharsets.US_ASCII));
        assertEquals(409, answer.status(), answer.body().encode());
        assertEquals("the subject CN=Demo Issuing CA,O=certdir demo is that of our own CA 'demo-issuing-ca': clients that look issuers up by "
                + "name would take one for the other; a partner CA needs a name of its own", answer.error());
        assertEquals(0, admin.get("/admin/trust").body().getJsonArray("cas").size());
    }
}
