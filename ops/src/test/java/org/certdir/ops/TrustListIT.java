package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.ops.issuance.PublicationUrls;
import org.certdir.schemas.Dit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The trust list: added and removed through the CLI, seen by ldapsearch, served as .p7c and as a signed .p7s that openssl cms verifies. */
class TrustListIT {

    private static final String PARTNER_CN = "Partner Root CA";
    private static final String PARTNER_ENTRY = "cn=" + PARTNER_CN + ",ou=trust,ou=pki,dc=example,dc=com";

    @RegisterExtension
    static final DemoService DEMO = new DemoService();

    private final HttpClient http = HttpClient.newHttpClient();

    private static Path partnerCa(String commonName, Clock clock, Duration validity, String file) throws Exception {
        CertificateIssuer issuer = new CertificateIssuer(new PublicationUrls("http://partner.test", "partner.test", 389, Dit.of("dc=partner,dc=test")), clock);
        return Files.writeString(DEMO.data().resolve(file), KeyFiles.pem(List.of(issuer.rootCa(commonName, "Partner", KeyAlgorithm.EC_P256, validity).certificate())));
    }

    private static String[] cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] withConnection = new String[args.length + 4];
        System.arraycopy(args, 0, withConnection, 0, args.length);
        withConnection[args.length] = "--url";
        withConnection[args.length + 1] = DEMO.service().adminUrl();
        withConnection[args.length + 2] = "--token-file";
        withConnection[args.length + 3] = DEMO.service().data().adminToken().toString();
        int code = Main.run(withConnection, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {String.valueOf(code), out.toString(), err.toString()};
    }

    @Test
    void addAndRemove_showInTheDirectory_andInBothHttpForms_andTheSignedListVerifies() throws Exception {
        Interop.require("openssl", "openssl");
        Interop.require("ldapsearch", "ldap-utils");
        Path partner = partnerCa(PARTNER_CN, Clock.systemUTC(), Duration.ofDays(3650), "partner.pem");
        byte[] partnerDer = KeyFiles.readPem(partner).get(0).getEncoded();

        String[] added = cli("trust", "add", partner.toString(), "--name", "partner-root");
        assertEquals("0", added[0], added[2]);
        assertTrue(added[1].startsWith("trusted CN=Partner Root CA,O=Partner as partner-root (sha256 "), added[1]);

        // Anonymous ldapsearch, as a mail client would read the trust list.
        byte[] published = Probe.await(() -> ldapCertificate(), value -> value.length > 0, Duration.ofSeconds(30));
        assertArrayEquals(partnerDer, published);

        Path bundle = Files.write(DEMO.data().resolve("trust-list.p7c"), get("/trust/trust-list.p7c").body());
        Interop.Run print = Interop.run("openssl", "pkcs7", "-inform", "DER", "-in", bundle.toString(), "-print_certs", "-noout");
        assertEquals(0, print.exitCode(), print.err());
        assertTrue(print.out().contains("subject=O = Partner, CN = Partner Root CA"), print.out());

        HttpResponse<byte[]> signedResponse = get("/trust/trust-list.p7s");
        assertEquals("application/pkcs7-mime", signedResponse.headers().firstValue("Content-Type").orElseThrow());
        Path signed = Files.write(DEMO.data().resolve("trust-list.p7s"), signedResponse.body());
        Path content = DEMO.data().resolve("content.der");
        Interop.Run verify = Interop.run("openssl", "cms", "-verify", "-inform", "DER", "-in", signed.toString(), "-CAfile",
                DEMO.data().resolve("demo/root-ca.pem").toString(), "-out", content.toString());
        assertEquals(0, verify.exitCode(), verify.err());
        assertTrue(verify.err().contains("CMS Verification successful"), verify.err());
        assertArrayEquals(Files.readAllBytes(bundle), Files.readAllBytes(content), "the signed content is the .p7c");
        Interop.Run attributes = Interop.run("openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", signed.toString());
        assertTrue(attributes.out().contains("object: signingTime"), attributes.out());
        assertTrue(attributes.out().contains("2.25.276586097347582099629581873428596008971"), "sequence number attribute: " + attributes.out());

        byte[] tampered = Files.readAllBytes(signed);
        int at = indexOf(tampered, partnerDer) + 200;
        tampered[at] ^= 0x01;
        Path forged = Files.write(DEMO.data().resolve("tampered.p7s"), tampered);
        Interop.Run rejected = Interop.run("openssl", "cms", "-verify", "-inform", "DER", "-in", forged.toString(), "-CAfile",
                DEMO.data().resolve("demo/root-ca.pem").toString(), "-out", DEMO.data().resolve("forged.der").toString());
        assertNotEquals(0, rejected.exitCode(), "a tampered list must not verify: " + rejected.err());
        assertTrue(rejected.err().contains("Verification failure"), rejected.err());

        String sequenceBefore = signedResponse.headers().firstValue("X-Trust-List-Sequence").orElseThrow();
        String[] removed = cli("trust", "remove", "partner-root");
        assertEquals("0", removed[0], removed[2]);
        assertEquals("removed partner-root (CN=Partner Root CA,O=Partner) from the trust list\n", removed[1]);
        Probe.await(() -> ldapCertificate(), value -> value.length == 0, Duration.ofSeconds(30));
        Interop.Run after = Interop.run("openssl", "pkcs7", "-inform", "DER", "-in",
                Files.write(DEMO.data().resolve("after.p7c"), get("/trust/trust-list.p7c").body()).toString(), "-print_certs", "-noout");
        assertFalse(after.out().contains("Partner Root CA"), after.out());
        Path signedAfter = Files.write(DEMO.data().resolve("after.p7s"), get("/trust/trust-list.p7s").body());
        Interop.Run verifyAfter = Interop.run("openssl", "cms", "-verify", "-inform", "DER", "-in", signedAfter.toString(), "-CAfile",
                DEMO.data().resolve("demo/root-ca.pem").toString(), "-out", DEMO.data().resolve("content-after.der").toString());
        assertEquals(0, verifyAfter.exitCode(), verifyAfter.err());
        assertArrayEquals(Files.readAllBytes(DEMO.data().resolve("after.p7c")), Files.readAllBytes(DEMO.data().resolve("content-after.der")),
                "the signed list follows the removal too");
        assertEquals(Long.parseLong(sequenceBefore) + 1,
                Long.parseLong(get("/trust/trust-list.p7s").headers().firstValue("X-Trust-List-Sequence").orElseThrow()));
        String audit = new AdminHttp(DEMO.service()).get("/admin/audit").body().encode();
        assertTrue(audit.contains("trust.add") && audit.contains("trust.remove"), audit);
    }

    @Test
    void notACa_expired_malformed_duplicate_unknown_areRefusedWithTheReason() throws Exception {
        AdminHttp admin = new AdminHttp(DEMO.service());
        byte[] alice = Files.readAllBytes(DEMO.data().resolve("demo/alice-encryption.pem"));
        AdminHttp.Answer notCa = admin.post("/admin/trust?name=alice", "application/x-pem-file", alice);
        assertEquals(400, notCa.status());
        assertEquals("emailAddress=alice@example.com,CN=Alice Demo,O=certdir demo is not a CA certificate (basicConstraints cA is not true): "
                + "only CA certificates go on the trust list", notCa.body().getString("error"));

        Clock longAgo = Clock.fixed(Instant.now().minus(Duration.ofDays(400)), ZoneOffset.UTC);
        Path expired = partnerCa("Old Partner CA", longAgo, Duration.ofDays(30), "expired.pem");
        AdminHttp.Answer tooOld = admin.post("/admin/trust?name=old-partner", "application/x-pem-file", Files.readAllBytes(expired));
        assertEquals(400, tooOld.status());
        assertTrue(tooOld.body().getString("error").matches("CN=Old Partner CA,O=Partner expired on .*: trust its renewed certificate instead"),
                tooOld.body().getString("error"));

        AdminHttp.Answer garbage = admin.post("/admin/trust?name=junk", "application/octet-stream", "not a certificate".getBytes());
        assertEquals(400, garbage.status());
        assertTrue(garbage.body().getString("error").startsWith("not a certificate file"), garbage.body().getString("error"));

        byte[] partner = Files.readAllBytes(partnerCa("Twice CA", Clock.systemUTC(), Duration.ofDays(365), "twice.pem"));
        assertEquals(200, admin.post("/admin/trust?name=twice", "application/x-pem-file", partner).status());
        AdminHttp.Answer again = admin.post("/admin/trust?name=twice-again", "application/x-pem-file", partner);
        assertEquals(409, again.status());
        assertEquals("this certificate is already on the trust list as 'twice'", again.body().getString("error"));

        AdminHttp.Answer missing = admin.delete("/admin/trust/nobody");
        assertEquals(404, missing.status());
        assertEquals("no CA named 'nobody' is on the trust list ('certdir trust list' shows it)", missing.body().getString("error"));
        assertEquals(200, admin.delete("/admin/trust/twice").status());
    }

    @Test
    void aConfiguredSigner_signsTheList(@TempDir Path otherData) throws Exception {
        Interop.require("openssl", "openssl");
        var base = TestServices.config(otherData, 100);
        var config = new org.certdir.ops.config.ServiceConfig(base.data(), base.ldap(), base.http(), base.admin(), base.crl(), base.demo(), base.ocsp(),
                new org.certdir.ops.config.ServiceConfig.Trust("demo-issuing-ca"));
        try (Service other = Service.start(config, true, Clock.systemUTC())) {
            Path signed = Files.write(otherData.resolve("list.p7s"), http.send(HttpRequest.newBuilder(URI.create(other.publicUrl()
                    + "/trust/trust-list.p7s")).build(), HttpResponse.BodyHandlers.ofByteArray()).body());
            Interop.Run verify = Interop.run("openssl", "cms", "-verify", "-inform", "DER", "-in", signed.toString(), "-CAfile",
                    otherData.resolve("demo/root-ca.pem").toString(), "-out", otherData.resolve("content.der").toString(), "-signer",
                    otherData.resolve("signer.pem").toString());
            assertEquals(0, verify.exitCode(), verify.err());
            assertArrayEquals(KeyFiles.readPem(otherData.resolve("demo/issuing-ca.pem")).get(0).getEncoded(),
                    KeyFiles.readPem(otherData.resolve("signer.pem")).get(0).getEncoded(), "signed by the configured CA");
        }
    }

    private byte[] ldapCertificate() throws Exception {
        Interop.Run run = Interop.run("ldapsearch", "-x", "-LLL", "-H", DEMO.service().ldapUrl(), "-s", "base", "-b", PARTNER_ENTRY, "(objectClass=*)",
                "cACertificate;binary");
        String unfolded = run.out().replace("\n ", "");
        return unfolded.lines().filter(line -> line.startsWith("cACertificate;binary:: "))
                .map(line -> Base64.getDecoder().decode(line.substring("cACertificate;binary:: ".length()))).findFirst().orElse(new byte[0]);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("the signed list does not hold the partner certificate");
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(DEMO.service().publicUrl() + path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
