package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** AIA caIssuers: the URL written into the demo certificates resolves, and a client holding only alice's certificate builds her chain. */
class AiaIT {

    @RegisterExtension
    static final DemoService DEMO = new DemoService();

    private final HttpClient http = HttpClient.newHttpClient();

    /** alice's caIssuers URL, asked of this test's service (the demo certificates name the default port). */
    private static String caIssuersPath() throws Exception {
        X509Certificate alice = KeyFiles.readPem(DEMO.data().resolve("demo/alice-encryption.pem")).get(0);
        AuthorityInformationAccess aia = AuthorityInformationAccess.getInstance(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(alice.getExtensionValue(Extension.authorityInfoAccess.getId())).getOctets());
        for (AccessDescription description : aia.getAccessDescriptions()) {
            if (description.getAccessMethod().equals(AccessDescription.id_ad_caIssuers)) {
                return URI.create(description.getAccessLocation().getName().toString()).getPath();
            }
        }
        throw new AssertionError("alice's certificate has no caIssuers URL");
    }

    @Test
    void caIssuersUrl_servesTheIssuingCa_asDer_readByOpenssl() throws Exception {
        Interop.require("openssl", "openssl");
        assertEquals("/aia/demo-issuing-ca.crt", caIssuersPath());
        HttpResponse<byte[]> response = get(caIssuersPath(), null);
        assertEquals(200, response.statusCode());
        assertEquals("application/pkix-cert", response.headers().firstValue("Content-Type").orElseThrow());
        Path der = Files.write(DEMO.data().resolve("issuing.der"), response.body());
        Interop.Run run = Interop.run("openssl", "x509", "-inform", "DER", "-in", der.toString(), "-noout", "-subject");
        assertEquals("subject=O = certdir demo, CN = Demo Issuing CA\n", run.out(), run.err());
        assertArrayEquals(KeyFiles.readPem(DEMO.data().resolve("demo/issuing-ca.pem")).get(0).getEncoded(), response.body());
    }

    @Test
    void chain_letsAClientWithOnlyAlicesCertificateVerifyIt() throws Exception {
        Interop.require("openssl", "openssl");
        HttpResponse<byte[]> response = get("/aia/demo-issuing-ca.p7c", null);
        assertEquals(200, response.statusCode());
        assertEquals("application/pkcs7-mime", response.headers().firstValue("Content-Type").orElseThrow());
        Path p7c = Files.write(DEMO.data().resolve("chain.p7c"), response.body());
        Interop.Run print = Interop.run("openssl", "pkcs7", "-inform", "DER", "-in", p7c.toString(), "-print_certs", "-out",
                DEMO.data().resolve("chain-from-aia.pem").toString());
        assertEquals(0, print.exitCode(), print.err());
        String certificates = Files.readString(DEMO.data().resolve("chain-from-aia.pem"));
        assertTrue(certificates.contains("subject=O = certdir demo, CN = Demo Issuing CA"), certificates);
        assertTrue(certificates.contains("subject=O = certdir demo, CN = Demo Root CA"), certificates);
        // The root is the trust anchor the client already has; everything else came from the AIA URL.
        Interop.Run verify = Interop.run("openssl", "verify", "-CAfile", DEMO.data().resolve("demo/root-ca.pem").toString(), "-untrusted",
                DEMO.data().resolve("chain-from-aia.pem").toString(), DEMO.data().resolve("demo/alice-encryption.pem").toString());
        assertEquals(DEMO.data().resolve("demo/alice-encryption.pem") + ": OK\n", verify.out(), verify.err());
    }

    @Test
    void etagAndLastModified_give304() throws Exception {
        HttpResponse<byte[]> first = get("/aia/demo-root-ca.crt", null);
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertEquals(304, get("/aia/demo-root-ca.crt", "If-None-Match:" + etag).statusCode());
        Interop.require("curl", "curl");
        Interop.Run curl = Interop.run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "If-None-Match: " + etag,
                DEMO.service().publicUrl() + "/aia/demo-root-ca.crt");
        assertEquals("304", curl.out(), "curl's conditional GET");
        assertEquals(304, get("/aia/demo-root-ca.crt", "If-Modified-Since:" + first.headers().firstValue("Last-Modified").orElseThrow()).statusCode());
        assertEquals(200, get("/aia/demo-root-ca.crt", "If-None-Match:\"other\"").statusCode());
        assertEquals("max-age=3600, public, no-transform", first.headers().firstValue("Cache-Control").orElseThrow());
    }

    @Test
    void crossCertificate_isImported_publishedOnTheCaEntry_andServedAsCrossP7c() throws Exception {
        Interop.require("openssl", "openssl");
        Interop.require("ldapsearch", "ldap-utils");
        assertEquals(404, get("/aia/demo-root-ca-cross.p7c", null).statusCode(), "no cross-certificate yet");
        // A partner root certifies our root's subject and key.
        X509Certificate root = KeyFiles.readPem(DEMO.data().resolve("demo/root-ca.pem")).get(0);
        java.security.KeyPair partner = org.certdir.ops.issuance.KeyAlgorithm.EC_P256.generate();
        java.time.Instant now = java.time.Instant.now();
        var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(new org.bouncycastle.asn1.x500.X500Name("O=Partner,CN=Partner Root"),
                java.math.BigInteger.valueOf(now.toEpochMilli()), java.util.Date.from(now.minusSeconds(60)), java.util.Date.from(now.plusSeconds(86_400 * 365)),
                org.bouncycastle.asn1.x500.X500Name.getInstance(root.getSubjectX500Principal().getEncoded()), root.getPublicKey());
        builder.addExtension(Extension.basicConstraints, true, new org.bouncycastle.asn1.x509.BasicConstraints(true));
        X509Certificate cross = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
                builder.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(partner.getPrivate())));

        AdminHttp.Answer imported = new AdminHttp(DEMO.service()).post("/admin/certificates/import", "application/x-pem-file",
                KeyFiles.pem(java.util.List.of(cross)).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(200, imported.status());
        assertEquals(1, imported.body().getJsonArray("crossCertificates").size(), imported.body().encode());
        assertEquals(0, imported.body().getJsonArray("casAdded").size(), "not registered as a CA of its own");

        HttpResponse<byte[]> p7c = Probe.await(() -> get("/aia/demo-root-ca-cross.p7c", null), response -> response.statusCode() == 200,
                java.time.Duration.ofSeconds(10));
        Path file = Files.write(DEMO.data().resolve("cross.p7c"), p7c.body());
        Interop.Run print = Interop.run("openssl", "pkcs7", "-inform", "DER", "-in", file.toString(), "-print_certs", "-noout");
        assertTrue(print.out().contains("issuer=O = Partner, CN = Partner Root"), print.out());

        byte[] pair = Probe.await(() -> {
            Interop.Run run = Interop.run("ldapsearch", "-x", "-LLL", "-H", DEMO.service().ldapUrl(), "-s", "base", "-b",
                    "cn=Demo Root CA,ou=CAs,ou=pki,dc=example,dc=com", "(objectClass=*)", "crossCertificatePair;binary");
            return run.out().replace("\n ", "").lines().filter(line -> line.startsWith("crossCertificatePair;binary:: "))
                    .map(line -> java.util.Base64.getDecoder().decode(line.substring("crossCertificatePair;binary:: ".length()))).findFirst().orElse(new byte[0]);
        }, value -> value.length > 0, java.time.Duration.ofSeconds(30));
        org.bouncycastle.asn1.x509.CertificatePair decoded = org.bouncycastle.asn1.x509.CertificatePair.getInstance(org.bouncycastle.asn1.ASN1Primitive.fromByteArray(pair));
        assertArrayEquals(cross.getEncoded(), decoded.getForward().getEncoded(), "the forward element is the cross-certificate");
    }

    @Test
    void unknownCa_orForm_is404_withTheNamesToUse() throws Exception {
        HttpResponse<byte[]> unknown = get("/aia/no-such-ca.crt", null);
        assertEquals(404, unknown.statusCode());
        assertTrue(new String(unknown.body()).contains("no CA certificate named no-such-ca.crt is published here"), new String(unknown.body()));
        assertEquals(404, get("/aia/demo-root-ca.pem", null).statusCode());
        assertEquals(404, get("/aia/Demo%20Root%20CA.crt", null).statusCode());
    }

    private HttpResponse<byte[]> get(String path, String header) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(DEMO.service().publicUrl() + path));
        if (header != null) {
            int colon = header.indexOf(':');
            request.header(header.substring(0, colon), header.substring(colon + 1));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
