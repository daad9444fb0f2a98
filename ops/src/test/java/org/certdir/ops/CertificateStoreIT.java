package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.registry.SearchKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The RFC 4387 certificate store: a recipient's encryption certificate over plain HTTP, lookups by each hash, bad queries. */
class CertificateStoreIT {

    @RegisterExtension
    static final DemoService DEMO = new DemoService();

    private final HttpClient http = HttpClient.newHttpClient();

    private static X509Certificate demo(String file) throws Exception {
        return KeyFiles.readPem(DEMO.data().resolve("demo").resolve(file)).get(0);
    }

    private HttpResponse<byte[]> search(String query) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(DEMO.service().publicUrl() + "/certs/search.cgi" + query)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String key(X509Certificate certificate, String attribute) {
        return URLEncoder.encode(SearchKeys.of(certificate).get(attribute), StandardCharsets.US_ASCII);
    }

    @Test
    void uri_findsTheRecipientsEncryptionCertificate_throughCurl() throws Exception {
        Interop.require("curl", "curl");
        Path out = DEMO.data().resolve("alice.der");
        Interop.Run curl = Interop.run("curl", "-sS", "-D", "-", "-o", out.toString(), DEMO.service().publicUrl() + "/certs/search.cgi?uri=alice@example.com");
        assertTrue(curl.out().startsWith("HTTP/1.1 200"), curl.out());
        assertTrue(curl.out().contains("Content-Type: application/pkix-cert"), curl.out());
        assertArrayEquals(demo("alice-encryption.pem").getEncoded(), Files.readAllBytes(out), "the encryption certificate, not the signing one");
    }

    @Test
    void revokedCertificates_areNotReturned() throws Exception {
        assertEquals(404, search("?uri=mallory@example.com").statusCode(), "mallory's encryption certificate is revoked");
        X509Certificate carol = demo("carol-encryption.pem");
        assertEquals(200, search("?certHash=" + key(carol, "certHash")).statusCode());
        assertEquals(200, new AdminHttp(DEMO.service()).post("/admin/certificates/demo-issuing-ca/" + carol.getSerialNumber().toString(16) + "/revoke",
                new JsonObject().put("reason", "superseded")).status());
        assertEquals(404, search("?certHash=" + key(carol, "certHash")).statusCode());
        assertEquals(404, search("?uri=carol@example.com").statusCode());
    }

    @Test
    void eachHash_findsItsCertificate() throws Exception {
        X509Certificate bobSigning = demo("bob-signing.pem");
        assertArrayEquals(bobSigning.getEncoded(), search("?certHash=" + key(bobSigning, "certHash")).body());
        assertArrayEquals(bobSigning.getEncoded(), search("?iAndSHash=" + key(bobSigning, "iAndSHash")).body());
        X509Certificate root = demo("root-ca.pem");
        assertArrayEquals(root.getEncoded(), search("?sHash=" + key(root, "sHash")).body(), "our CA certificates are in the store too");
        X509Certificate issuing = demo("issuing-ca.pem");
        assertArrayEquals(issuing.getEncoded(), search("?sKIDHash=" + key(issuing, "sKIDHash")).body());
        assertArrayEquals(issuing.getEncoded(), search("?sKIDHash=" + key(issuing, "sKID")).body(), "the subjectKeyIdentifier form EJBCA answers");
    }

    /** RFC 4387 §2.2 sKIDHash, computed here from the certificate alone: SHA-1 of the subjectKeyIdentifier, base64 without '='. */
    private static String rfc4387SkidHash(X509Certificate certificate) throws Exception {
        byte[] extension = certificate.getExtensionValue("2.5.29.14");
        byte[] identifier = org.bouncycastle.asn1.ASN1OctetString.getInstance(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(extension).getOctets()).getOctets();
        String hash = java.util.Base64.getEncoder().withoutPadding().encodeToString(java.security.MessageDigest.getInstance("SHA-1").digest(identifier));
        return URLEncoder.encode(hash, StandardCharsets.US_ASCII);
    }

    @Test
    void sKIDHash_asRfc4387DefinesIt_findsUsersAndCas() throws Exception {
        X509Certificate bob = demo("bob-encryption.pem");
        assertArrayEquals(bob.getEncoded(), search("?sKIDHash=" + rfc4387SkidHash(bob)).body(), "a recorded certificate, by its stored key");
        X509Certificate root = demo("root-ca.pem");
        assertArrayEquals(root.getEncoded(), search("?sKIDHash=" + rfc4387SkidHash(root)).body(), "one of our CAs");
    }

    @Test
    void severalMatches_comeAsMultipartMixed_ofCertificates() throws Exception {
        HttpResponse<byte[]> response = search("?iHash=" + key(demo("alice-encryption.pem"), "iHash"));
        assertEquals(200, response.statusCode());
        String type = response.headers().firstValue("Content-Type").orElseThrow();
        assertTrue(type.startsWith("multipart/mixed; boundary="), type);
        String boundary = type.substring(type.indexOf("boundary=") + "boundary=".length());
        List<X509Certificate> parts = new ArrayList<>();
        String body = new String(response.body(), StandardCharsets.ISO_8859_1);
        for (String part : body.split("--" + java.util.regex.Pattern.quote(boundary))) {
            int headerEnd = part.indexOf("\r\n\r\n");
            if (headerEnd < 0) {
                continue;
            }
            assertTrue(part.contains("Content-Type: application/pkix-cert"), part.substring(0, headerEnd));
            byte[] der = part.substring(headerEnd + 4, part.length() - 2).getBytes(StandardCharsets.ISO_8859_1);
            parts.add((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(der)));
        }
        assertTrue(parts.size() >= 6, "the demo issuing CA's valid certificates: " + parts.size());
        for (X509Certificate certificate : parts) {
            assertEquals(demo("issuing-ca.pem").getSubjectX500Principal(), certificate.getIssuerX500Principal());
        }
    }

    @Test
    void malformedQueries_are400_withTheRule() throws Exception {
        assertEquals("give exactly one attribute=value, e.g. /certs/search.cgi?uri=alice@example.com (RFC 4387 §3)", error(search(""), 400));
        assertEquals("give exactly one attribute=value, e.g. /certs/search.cgi?uri=alice@example.com (RFC 4387 §3)",
                error(search("?uri=alice@example.com&sHash=x"), 400));
        assertEquals("attribute 'name' is not one this store answers: use uri, certHash, iHash, sHash, sKIDHash or iAndSHash (RFC 4387 §2.2)",
                error(search("?name=Alice"), 400));
        assertEquals("certHash must be the base64 of a SHA-1 hash without its '=' padding: 27 characters of A-Z, a-z, 0-9, '+' and '/' "
                + "(RFC 4387 §2.1), was 'abc!defghijklmnopqrstuvwxyz'", error(search("?certHash=abc!defghijklmnopqrstuvwxyz"), 400));
        assertEquals("uri must be a mail address such as alice@example.com, was 'not-a-mail'", error(search("?uri=not-a-mail"), 400));
        // java.net.URI refuses to send a broken escape; curl sends what it is given.
        Interop.require("curl", "curl");
        Interop.Run broken = Interop.run("curl", "-s", "-w", "\n%{http_code}", DEMO.service().publicUrl() + "/certs/search.cgi?certHash=%zz");
        assertTrue(broken.out().endsWith("\n400"), broken.out());
        assertEquals("the value of certHash has a broken %-escape", new JsonObject(broken.out().substring(0, broken.out().lastIndexOf('\n'))).getString("error"));
        assertEquals("no valid certificate matches certHash=AAAAAAAAAAAAAAAAAAAAAAAAAAA", error(search("?certHash=AAAAAAAAAAAAAAAAAAAAAAAAAAA"), 404));
    }

    private static String error(HttpResponse<byte[]> response, int status) {
        assertEquals(status, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        return new JsonObject(new String(response.body(), StandardCharsets.UTF_8)).getString("error");
    }
}
