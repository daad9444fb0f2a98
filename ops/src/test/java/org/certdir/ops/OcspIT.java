package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The OCSP responder of the demo service, asked by OpenSSL, GnuTLS, curl and Java's own PKIX revocation checker. */
class OcspIT {

    private static final String CA = "demo-issuing-ca";
    /** OCSPResponse with an error status and no body (RFC 6960 §4.2.1): SEQUENCE { ENUMERATED status }. */
    private static final byte[] MALFORMED = {0x30, 0x03, 0x0a, 0x01, 0x01};
    private static final byte[] UNAUTHORIZED = {0x30, 0x03, 0x0a, 0x01, 0x06};

    @RegisterExtension
    static final DemoService DEMO = new DemoService();

    static Service service;
    static Path data;
    static Path demo;
    static String url;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        service = DEMO.service();
        data = DEMO.data();
        demo = data.resolve("demo");
        url = service.publicUrl() + "/ocsp";
    }

    @Test
    void openssl_answersEveryCertId_withNonce_verifiedAgainstTheChain() throws Exception {
        Interop.require("openssl", "openssl");
        Interop.Run run = Interop.run("openssl", "ocsp", "-issuer", demo("issuing-ca.pem"), "-cert", demo("alice-encryption.pem"),
                "-cert", demo("mallory-encryption.pem"), "-serial", "0x1234abcd", "-url", url, "-CAfile", demo("chain.pem"));
        String output = run.out() + run.err();
        assertEquals(0, run.exitCode(), output);
        assertTrue(output.contains("Response verify OK"), output);
        assertFalse(output.contains("WARNING"), "the nonce is echoed: " + output);
        assertTrue(output.contains(demo("alice-encryption.pem") + ": good"), output);
        assertTrue(output.contains(demo("mallory-encryption.pem") + ": revoked"), output);
        assertTrue(output.contains("Reason: keyCompromise"), output);
        assertTrue(output.contains("0x1234abcd: unknown"), output);
    }

    @Test
    void openssl_withoutNonce_getsTheSameSignedResponseAgain() throws Exception {
        Interop.require("openssl", "openssl");
        Path first = data.resolve("first.der");
        Path second = data.resolve("second.der");
        for (Path out : List.of(first, second)) {
            Interop.Run run = Interop.run("openssl", "ocsp", "-no_nonce", "-issuer", demo("issuing-ca.pem"), "-cert", demo("carol-signing.pem"),
                    "-url", url, "-CAfile", demo("chain.pem"), "-respout", out.toString());
            assertEquals(0, run.exitCode(), run.err());
            assertTrue((run.out() + run.err()).contains(": good"), run.out() + run.err());
        }
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second), "the second answer comes from the cache");
    }

    @Test
    void get_throughCurl_carriesRfc9919CachingHeaders_andAnswers304() throws Exception {
        Interop.require("openssl", "openssl");
        Interop.require("curl", "curl");
        Path request = data.resolve("get-request.der");
        assertEquals(0, Interop.run("openssl", "ocsp", "-no_nonce", "-issuer", demo("issuing-ca.pem"), "-cert", demo("bob-signing.pem"),
                "-reqout", request.toString()).exitCode());
        String encoded = URLEncoder.encode(Base64.getEncoder().encodeToString(Files.readAllBytes(request)), StandardCharsets.US_ASCII);
        Path body = data.resolve("get-response.der");
        Interop.Run curl = Interop.run("curl", "-sS", "-D", "-", "-o", body.toString(), url + "/" + encoded);
        assertEquals(0, curl.exitCode(), curl.err());
        String headers = curl.out();
        assertTrue(headers.startsWith("HTTP/1.1 200"), headers);
        assertTrue(headers.contains("Content-Type: application/ocsp-response"), headers);
        assertTrue(headers.matches("(?s).*Cache-Control: max-age=3[0-9]{3}, public, no-transform, must-revalidate\r\n.*"), headers);
        assertTrue(headers.contains("Last-Modified: "), headers);
        assertTrue(headers.contains("Expires: "), headers);
        String etag = headers.lines().filter(line -> line.startsWith("ETag: ")).findFirst().orElseThrow().substring(6);

        Interop.Run verify = Interop.run("openssl", "ocsp", "-respin", body.toString(), "-issuer", demo("issuing-ca.pem"),
                "-cert", demo("bob-signing.pem"), "-CAfile", demo("chain.pem"));
        assertTrue((verify.out() + verify.err()).contains("Response verify OK"), verify.out() + verify.err());
        assertTrue(verify.out().contains(": good"), verify.out());

        Interop.Run again = Interop.run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "If-None-Match: " + etag, url + "/" + encoded);
        assertEquals("304", again.out());
        // Clients also send the base64 unencoded or in the URL-safe alphabet without padding.
        String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(Files.readAllBytes(request));
        HttpResponse<byte[]> safe = http.send(HttpRequest.newBuilder(URI.create(url + "/" + urlSafe)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(Files.readAllBytes(body), safe.body());
    }

    @Test
    void gnutls_ocsptool_verifiesTheResponse() throws Exception {
        Interop.require("ocsptool", "gnutls-bin");
        Interop.Run run = Interop.run("ocsptool", "--ask=" + url, "--load-cert", demo("alice-encryption.pem"), "--load-issuer",
                demo("issuing-ca.pem"), "--load-trust", demo("chain.pem"));
        String output = run.out() + run.err();
        assertEquals(0, run.exitCode(), output);
        assertTrue(output.contains("Verifying OCSP Response: Success."), output);
        assertTrue(output.contains("Certificate Status: good"), output);
    }

    @Test
    void javaPkixRevocationChecker_acceptsAlice_andRejectsMallory() throws Exception {
        assertEquals(null, validate("alice-encryption.pem"));
        CertPathValidatorException mallory = validate("mallory-encryption.pem");
        assertNotNull(mallory, "mallory is revoked");
        assertEquals(CertPathValidatorException.BasicReason.REVOKED, mallory.getReason(), mallory.getMessage());
    }

    private CertPathValidatorException validate(String user) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        X509Certificate root = KeyFiles.readPem(demo.resolve("root-ca.pem")).get(0);
        List<X509Certificate> path = List.of(KeyFiles.readPem(demo.resolve(user)).get(0), KeyFiles.readPem(demo.resolve("issuing-ca.pem")).get(0));
        CertPathValidator validator = CertPathValidator.getInstance("PKIX");
        PKIXRevocationChecker checker = (PKIXRevocationChecker) validator.getRevocationChecker();
        // The demo certificates name the default port; this test's service listens elsewhere.
        checker.setOcspResponder(URI.create(url));
        checker.setOptions(EnumSet.of(PKIXRevocationChecker.Option.ONLY_END_ENTITY, PKIXRevocationChecker.Option.NO_FALLBACK));
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        parameters.addCertPathChecker(checker);
        try {
            validator.validate(factory.generateCertPath(path), parameters);
            return null;
        } catch (CertPathValidatorException e) {
            return e;
        }
    }

    @Test
    void revokeHoldRelease_showInTheVeryNextAnswer() throws Exception {
        AdminHttp admin = new AdminHttp(service);
        X509Certificate bob = KeyFiles.readPem(demo.resolve("bob-encryption.pem")).get(0);
        X509Certificate carol = KeyFiles.readPem(demo.resolve("carol-encryption.pem")).get(0);
        assertEquals(null, status(bob), "good, and now cached");
        assertEquals(null, status(carol));

        assertEquals(200, admin.post("/admin/certificates/" + CA + "/" + bob.getSerialNumber().toString(16) + "/revoke",
                new JsonObject().put("reason", "affiliationChanged")).status());
        RevokedStatus revoked = (RevokedStatus) status(bob);
        assertEquals(org.bouncycastle.asn1.x509.CRLReason.affiliationChanged, revoked.getRevocationReason());

        assertEquals(200, admin.post("/admin/certificates/" + CA + "/" + carol.getSerialNumber().toString(16) + "/hold", new JsonObject()).status());
        assertEquals(org.bouncycastle.asn1.x509.CRLReason.certificateHold, ((RevokedStatus) status(carol)).getRevocationReason());
        assertEquals(200, admin.post("/admin/certificates/" + CA + "/" + carol.getSerialNumber().toString(16) + "/release", new JsonObject()).status());
        assertEquals(null, status(carol), "good again");
    }

    /** The status of one certificate asked without a nonce, as a cache would serve it; null is good. */
    private org.bouncycastle.cert.ocsp.CertificateStatus status(X509Certificate certificate) throws Exception {
        byte[] request = request(List.of(certificate.getSerialNumber()), null);
        HttpResponse<byte[]> response = post(request, "application/ocsp-request");
        assertEquals(200, response.statusCode());
        OCSPResp answer = new OCSPResp(response.body());
        assertEquals(OCSPResp.SUCCESSFUL, answer.getStatus());
        return ((BasicOCSPResp) answer.getResponseObject()).getResponses()[0].getCertStatus();
    }

    @Test
    void emptyBody_isMalformed() throws Exception {
        assertMalformed(post(new byte[0], "application/ocsp-request"));
    }

    @Test
    void randomBytes_areMalformed() throws Exception {
        byte[] noise = new byte[300];
        new Random(7).nextBytes(noise);
        assertMalformed(post(noise, "application/ocsp-request"));
    }

    @Test
    void truncatedDer_isMalformed() throws Exception {
        byte[] request = request(List.of(BigInteger.TEN), null);
        assertMalformed(post(java.util.Arrays.copyOf(request, request.length - 5), "application/ocsp-request"));
    }

    @Test
    void twentyCertIds_areAnswered_twentyOneAreMalformed() throws Exception {
        List<BigInteger> serials = new ArrayList<>();
        for (int i = 1; i <= 21; i++) {
            serials.add(BigInteger.valueOf(1000 + i));
        }
        HttpResponse<byte[]> twenty = post(request(serials.subList(0, 20), null), "application/ocsp-request");
        assertEquals(20, ((BasicOCSPResp) new OCSPResp(twenty.body()).getResponseObject()).getResponses().length);
        assertMalformed(post(request(serials, null), "application/ocsp-request"));
    }

    @Test
    void nonceOf200Octets_isMalformed_butOf128IsEchoed() throws Exception {
        assertMalformed(post(request(List.of(BigInteger.TEN), new byte[200]), "application/ocsp-request"));
        byte[] nonce = new byte[128];
        new Random(3).nextBytes(nonce);
        OCSPResp answer = new OCSPResp(post(request(List.of(BigInteger.TEN), nonce), "application/ocsp-request").body());
        Extension echoed = ((BasicOCSPResp) answer.getResponseObject()).getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
        assertArrayEquals(new DEROctetString(nonce).getEncoded(), echoed.getExtnValue().getOctets());
    }

    @Test
    void unknownCa_isUnauthorized() throws Exception {
        // A CertID naming alice as the issuer: hashes of a name and key no CA of ours has.
        X509Certificate alice = KeyFiles.readPem(demo.resolve("alice-encryption.pem")).get(0);
        CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                new JcaX509CertificateHolder(alice), BigInteger.TWO);
        HttpResponse<byte[]> response = post(new OCSPReqBuilder().addRequest(id).build().getEncoded(), "application/ocsp-request");
        assertEquals(200, response.statusCode());
        assertArrayEquals(UNAUTHORIZED, response.body());
    }

    @Test
    void wrongContentType_is415() throws Exception {
        HttpResponse<byte[]> response = post(request(List.of(BigInteger.TEN), null), "text/plain");
        assertEquals(415, response.statusCode());
        assertArrayEquals(MALFORMED, response.body());
    }

    @Test
    void oversizedBody_is413_andTheServerGoesOn() throws Exception {
        assertEquals(413, post(new byte[70 * 1024], "application/ocsp-request").statusCode());
        assertEquals(OCSPResp.SUCCESSFUL, new OCSPResp(post(request(List.of(BigInteger.TEN), null), "application/ocsp-request").body()).getStatus());
    }

    @Test
    void invalidBase64Get_isMalformed() throws Exception {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(url + "/%21%21not*base64")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertMalformed(response);
    }

    @Test
    void getWithoutARequest_isMalformed_notA500() throws Exception {
        for (String path : new String[] {url, url + "/"}) {
            assertMalformed(http.send(HttpRequest.newBuilder(URI.create(path)).build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
    }

    @Test
    void postWithBrokenChunkedEncoding_is400_notA200() throws Exception {
        URI uri = URI.create(url);
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /ocsp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/ocsp-request\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\nzz\r\n0000\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
            assertTrue(answer.endsWith(new String(MALFORMED, StandardCharsets.ISO_8859_1)), answer);
        }
    }

    @Test
    void getPathLongerThanTheListenerTakes_is414() throws Exception {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(url + "/" + "A".repeat(10_000))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(414, response.statusCode());
    }

    @Test
    void answersForAnotherCa_inOneRequest_areUnauthorized() throws Exception {
        X509Certificate root = KeyFiles.readPem(demo.resolve("root-ca.pem")).get(0);
        X509Certificate issuing = KeyFiles.readPem(demo.resolve("issuing-ca.pem")).get(0);
        var digest = new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1);
        byte[] request = new OCSPReqBuilder()
                .addRequest(new CertificateID(digest, new JcaX509CertificateHolder(issuing), BigInteger.TEN))
                .addRequest(new CertificateID(digest, new JcaX509CertificateHolder(root), issuing.getSerialNumber()))
                .build().getEncoded();
        assertArrayEquals(UNAUTHORIZED, post(request, "application/ocsp-request").body());
    }

    @Test
    void errorAnswers_areNotCacheable() throws Exception {
        HttpResponse<byte[]> response = post(new byte[] {1, 2, 3}, "application/ocsp-request");
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElseThrow());
        assertThrows(java.util.NoSuchElementException.class, () -> response.headers().firstValue("ETag").orElseThrow());
    }

    private static void assertMalformed(HttpResponse<byte[]> response) {
        assertEquals(200, response.statusCode(), "OCSP errors travel in a 200 answer, where OpenSSL and GnuTLS read them");
        assertEquals("application/ocsp-response", response.headers().firstValue("Content-Type").orElseThrow());
        assertArrayEquals(MALFORMED, response.body());
    }

    private HttpResponse<byte[]> post(byte[] body, String type) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** An OCSP request for serials of the demo issuing CA (SHA-1 CertIDs, as OpenSSL sends), with an optional nonce. */
    private static byte[] request(List<BigInteger> serials, byte[] nonce) throws Exception {
        X509Certificate issuing = KeyFiles.readPem(demo.resolve("issuing-ca.pem")).get(0);
        var digest = new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1);
        OCSPReqBuilder builder = new OCSPReqBuilder();
        for (BigInteger serial : serials) {
            builder.addRequest(new CertificateID(digest, new JcaX509CertificateHolder(issuing), serial));
        }
        if (nonce != null) {
            builder.setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                    new DEROctetString(nonce).getEncoded())));
        }
        return builder.build().getEncoded();
    }

    private static String demo(String file) {
        return demo.resolve(file).toString();
    }
}
