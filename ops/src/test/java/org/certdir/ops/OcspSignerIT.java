package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.certdir.ops.config.ServiceConfig;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who signs OCSP responses: a delegated signer renewed before it expires, or the CA key itself. */
class OcspSignerIT {

    @TempDir
    Path data;

    @Test
    void aSignerCloseToExpiry_isRenewed_andAnswersKeepVerifying() throws Exception {
        Interop.require("openssl", "openssl");
        ServiceConfig config = TestServices.config(data, 100);
        Path signerFile = data.resolve("keys/ocsp/demo-issuing-ca.p12");
        // Issued 25 days ago with the default 30 days' validity: 5 days left, less than the 10 to renew before.
        Service.start(config, true, Clock.offset(Clock.systemUTC(), Duration.ofDays(-25))).close();
        X509Certificate old = signer(signerFile);
        try (Service service = Service.start(config, false, Clock.systemUTC())) {
            X509Certificate renewed = signer(signerFile);
            assertNotEquals(old.getSerialNumber(), renewed.getSerialNumber(), "a new signer was issued");
            assertTrue(renewed.getNotAfter().toInstant().isAfter(java.time.Instant.now().plus(Duration.ofDays(29))), renewed.getNotAfter().toString());

            Path response = data.resolve("response.der");
            Interop.Run run = Interop.run("openssl", "ocsp", "-issuer", demo("issuing-ca.pem"), "-cert", demo("alice-encryption.pem"),
                    "-url", service.publicUrl() + "/ocsp", "-CAfile", demo("chain.pem"), "-respout", response.toString());
            assertTrue((run.out() + run.err()).contains("Response verify OK"), run.out() + run.err());
            BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(java.nio.file.Files.readAllBytes(response)).getResponseObject();
            assertArrayEquals(renewed.getEncoded(), basic.getCerts()[0].getEncoded(), "the response carries the renewed signer");
            assertEquals(200, new AdminHttp(service).get("/admin/certificates/demo-issuing-ca/" + renewed.getSerialNumber().toString(16)).status(),
                    "the renewed signer is recorded in the registry");
            io.vertx.core.json.JsonObject ocsp = Probe.health(service).getJsonObject("ocsp");
            assertEquals("ok", ocsp.getString("status"));
            io.vertx.core.json.JsonObject issuingCa = ocsp.getJsonArray("cas").stream().map(io.vertx.core.json.JsonObject.class::cast)
                    .filter(ca -> ca.getString("ca").equals("demo-issuing-ca")).findFirst().orElseThrow();
            assertEquals(renewed.getSerialNumber().toString(16), issuingCa.getString("serial"), "/health shows the signer in use");
            assertEquals("delegated", issuingCa.getString("signer"));
        }
    }

    @Test
    void caKeySigning_andUnknownSerialsAsRevoked() throws Exception {
        Interop.require("openssl", "openssl");
        ServiceConfig base = TestServices.config(data, 100);
        ServiceConfig.Ocsp ocsp = base.ocsp();
        ServiceConfig config = new ServiceConfig(base.data(), base.ldap(), base.http(), base.admin(), base.crl(), base.demo(),
                new ServiceConfig.Ocsp(false, ocsp.signerValidity(), ocsp.signerRenewBefore(), ocsp.validity(), true, ocsp.cacheBytes(),
                        ocsp.signingThreads(), ocsp.signingQueue()), base.trust());
        try (Service service = Service.start(config, true, Clock.systemUTC())) {
            Path response = data.resolve("response.der");
            Interop.Run run = Interop.run("openssl", "ocsp", "-issuer", demo("issuing-ca.pem"), "-serial", "0x99", "-url",
                    service.publicUrl() + "/ocsp", "-CAfile", demo("chain.pem"), "-respout", response.toString(), "-resp_text");
            String output = run.out() + run.err();
            assertTrue(output.contains("Response verify OK"), output);
            assertTrue(output.contains("0x99: revoked"), output);
            assertTrue(output.contains("Reason: certificateHold"), output);
            assertTrue(output.contains("Revocation Time: Jan  1 00:00:00 1970 GMT"), output);
            BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(java.nio.file.Files.readAllBytes(response)).getResponseObject();
            // RFC 6960 §2.2 asks for the extended-revoke extension (id-pkix-ocsp 9; OpenSSL still calls it "valid").
            org.bouncycastle.asn1.x509.Extension extendedRevoke = basic.getExtension(new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.5.5.7.48.1.9"));
            assertArrayEquals(org.bouncycastle.asn1.DERNull.INSTANCE.getEncoded(), extendedRevoke.getExtnValue().getOctets());
            assertEquals(0, basic.getCerts().length, "the CA signs itself: no signer certificate to include");
            assertTrue(!java.nio.file.Files.exists(data.resolve("keys/ocsp")), "no delegated signer is issued");
        }
    }

    private X509Certificate signer(Path file) throws Exception {
        return KeyFiles.readPkcs12(file, DataDirectory.secret(data.resolve("keys/passphrase")).toCharArray()).chain().get(0);
    }

    private String demo(String file) {
        return data.resolve("demo").resolve(file).toString();
    }
}
