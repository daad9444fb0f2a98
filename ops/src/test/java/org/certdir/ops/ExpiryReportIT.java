package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SmimePurpose;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.Registry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The expiry report ({@code cert list --expiring}, {@code GET /admin/certificates/expiring}) and the expiry gauges of
 * {@code /metrics}, against the running demo service with certificates imported at chosen notAfter values.
 */
class ExpiryReportIT {

    private static final String CA = "demo-issuing-ca";

    @RegisterExtension
    static final DemoService DEMO = new DemoService();

    static Service service;
    static AdminHttp admin;
    static CertificateDetails inThreeDays;
    static CertificateDetails inTenDays;
    static CertificateDetails revokedInFiveDays;
    static CertificateDetails inSixtyDays;

    @BeforeAll
    static void start() throws Exception {
        service = DEMO.service();
        admin = new AdminHttp(service);
        TestPki pki = new TestPki(DEMO.data());
        inTenDays = importCertificate(pki.smime("ten@example.com", SmimePurpose.ENCRYPTION, Duration.ofDays(10)));
        inThreeDays = importCertificate(pki.smime("three@example.com", SmimePurpose.SIGNING, Duration.ofDays(3)));
        revokedInFiveDays = importCertificate(pki.smime("five@example.com", SmimePurpose.ENCRYPTION, Duration.ofDays(5)));
        inSixtyDays = importCertificate(pki.smime("sixty@example.com", SmimePurpose.ENCRYPTION, Duration.ofDays(60)));
        AdminHttp.Answer revoked = admin.post("/admin/certificates/" + CA + "/" + revokedInFiveDays.serial().hex() + "/revoke",
                new JsonObject().put("reason", "superseded"));
        assertEquals(200, revoked.status(), revoked.body().encode());
    }

    private static CertificateDetails importCertificate(Issued issued) throws Exception {
        AdminHttp.Answer answer = admin.post("/admin/certificates/import", "application/x-pem-file",
                TestPki.pem(issued).getBytes(StandardCharsets.US_ASCII));
        assertEquals(200, answer.status(), answer.body().encode());
        return CertificateDetails.parse(issued.certificate().getEncoded());
    }

    private record Result(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private static Result certdir(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", service.adminUrl(), "--token-file", service.data().adminToken().toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    /** The row the CLI prints; days left are whole days, so a certificate issued for 10 days a moment ago has 9. */
    private static String row(CertificateDetails certificate, long daysLeft, String ca, String usage, String who) {
        return String.format("%-20s %4d  %-20s %-34s %-10s %s", certificate.notAfter(), daysLeft, ca, certificate.serial().hex(), usage, who);
    }

    @Test
    void expiring30d_listsTheValidOnesSoonestFirst_withoutRevokedOrLaterOnes() {
        Result result = certdir("cert", "list", "--expiring", "30d");
        assertEquals(0, result.code(), result.err());
        assertEquals(List.of(
                "NOT AFTER            DAYS  CA                   SERIAL                             USAGE      MAIL OR SUBJECT",
                row(inThreeDays, 2, CA, "signing", "three@example.com"),
                row(inTenDays, 9, CA, "encryption", "ten@example.com")), result.lines().subList(0, 3), result.out());
        assertEquals(4, result.lines().size(), result.out());
        assertEquals(true, result.lines().get(3).startsWith("2 expiring within 30d (by "), result.out());
    }

    @Test
    void expiring_isBounded_andSaysHowManyMore() {
        Result result = certdir("cert", "list", "--expiring", "90d", "--limit", "1");
        assertEquals(0, result.code(), result.err());
        assertEquals(row(inThreeDays, 2, CA, "signing", "three@example.com"), result.lines().get(1), result.out());
        assertEquals(true, result.lines().get(2).startsWith("3 expiring within 90d (by "), result.out());
        assertEquals("2 more not shown: give a larger --limit (at most 1000) or --ca", result.lines().get(3), result.out());
        assertEquals(4, result.lines().size(), result.out());
    }

    @Test
    void expiring_listsTheCaCertificate_underItsOwnName_afterItsUsers() {
        Registry registry = service.registry();
        CertificateDetails caCertificate = registry.requireCa(new CaName(CA)).certificate();
        Instant now = Instant.now();
        long users = registry.expiring(now, now.plus(Duration.ofDays(3650)), new CaName(CA), 1000).total();
        // The demo issuing CA is valid for 3650 days from the demo's start, so a 3650d window reaches it, after every user.
        Result result = certdir("cert", "list", "--expiring", "3650d", "--ca", CA, "--limit", "1000");
        assertEquals(0, result.code(), result.err());
        List<String> lines = result.lines();
        assertEquals(users + 3, lines.size(), result.out());
        assertEquals(row(caCertificate, Duration.between(now, caCertificate.notAfter()).toDays(), CA, "ca", caCertificate.subject()),
                lines.get(lines.size() - 2), result.out());
        assertEquals(true, lines.get(lines.size() - 1).startsWith((users + 1) + " expiring within 3650d (by "), result.out());
    }

    @Test
    void expiring_badDuration_refusedInOneLine() {
        Result result = certdir("cert", "list", "--expiring", "30x");
        assertEquals(1, result.code());
        assertEquals("certdir: --expiring '30x' is not a duration: give a whole number of hours, days or weeks, e.g. 12h, 30d or 2w\n",
                result.err());
        Result combined = certdir("cert", "list", "--expiring", "30d", "--mail", "ten@example.com");
        assertEquals(1, combined.code());
        assertEquals("certdir: --expiring lists the valid certificates of every address: leave out --mail, --status and --offset\n",
                combined.err());
    }

    @Test
    void adminApi_answersJson_andRefusesBadParameters_namingThem() throws Exception {
        AdminHttp.Answer report = admin.get("/admin/certificates/expiring?within=12d&ca=" + CA);
        assertEquals(200, report.status(), report.body().encode());
        assertEquals("12d", report.body().getString("within"));
        assertEquals(2, report.body().getLong("total"));
        JsonObject first = report.body().getJsonArray("certificates").getJsonObject(0);
        assertEquals(inThreeDays.serial().hex(), first.getString("serial"));
        assertEquals(2, first.getLong("daysLeft"));
        assertEquals(inThreeDays.notAfter().toString(), first.getString("notAfter"));

        assertBad("/admin/certificates/expiring", "within", "within is missing: give a whole number of hours, days or weeks, e.g. 12h, 30d or 2w");
        assertBad("/admin/certificates/expiring?within=30x", "within",
                "within '30x' is not a duration: give a whole number of hours, days or weeks, e.g. 12h, 30d or 2w");
        assertBad("/admin/certificates/expiring?within=0h", "within", "within 0h is out of range: give from 1h up to 3650d (ten years)");
        assertBad("/admin/certificates/expiring?within=600w", "within", "within 600w is out of range: give from 1h up to 3650d (ten years)");
        assertBad("/admin/certificates/expiring?within=30d&limit=0", "limit", "limit must be between 1 and 1000, was 0");
        assertEquals(404, admin.get("/admin/certificates/expiring?within=30d&ca=no-such-ca").status());
    }

    private static void assertBad(String path, String field, String error) throws Exception {
        AdminHttp.Answer answer = admin.get(path);
        assertEquals(400, answer.status(), answer.body().encode());
        assertEquals(field, answer.field());
        assertEquals(error, answer.error());
    }

    @Test
    void metrics_countTheExpiring_perCaAndWindow_asTheRegistryDoes() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.publicUrl() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        List<String> lines = response.body().lines().toList();
        Registry registry = service.registry();
        Instant now = Instant.now();
        // Two expire within 30 days (the revoked one is not counted), one within 7: the 60-day one is outside both.
        assertEquals(true, lines.contains("certdir_certificates_expiring{ca=\"" + CA + "\",within=\"7d\"} 1"), response.body());
        assertEquals(true, lines.contains("certdir_certificates_expiring{ca=\"" + CA + "\",within=\"30d\"} 2"), response.body());
        assertEquals(2, registry.expiring(now, now.plus(Duration.ofDays(30)), new CaName(CA), 10).total());
        assertEquals(true, lines.contains("certdir_certificates_expiring{ca=\"demo-root-ca\",within=\"30d\"} 0"), response.body());
        for (CaRecord ca : registry.cas()) {
            assertEquals(true, lines.contains("certdir_ca_certificate_not_after_seconds{ca=\"" + ca.name().value() + "\"} "
                    + ca.certificate().notAfter().getEpochSecond()), response.body());
        }
        // Each CA's OCSP signer, as /health shows it: the demo's are delegated signers.
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.publicUrl() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        var signers = new io.vertx.core.json.JsonObject(health.body()).getJsonObject("ocsp").getJsonArray("cas");
        assertEquals(false, signers.isEmpty(), health.body());
        for (Object each : signers) {
            var signer = (io.vertx.core.json.JsonObject) each;
            assertEquals(true, lines.contains("certdir_ocsp_signer_not_after_seconds{ca=\"" + signer.getString("ca") + "\",signer=\""
                    + signer.getString("signer") + "\"} " + Instant.parse(signer.getString("notAfter")).getEpochSecond()), response.body());
        }
    }
}
