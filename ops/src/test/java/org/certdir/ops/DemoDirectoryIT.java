package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSSignedData;
import org.certdir.directory.embedded.EmbeddedDirectory;
import org.certdir.ops.config.ServiceConfig;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo service as mail clients, anonymous users and admins meet it: real directory, real HTTP. */
class DemoDirectoryIT {

    private static final String BASE = "dc=example,dc=com";
    private static final int SIZE_LIMIT = 3;

    @TempDir
    static Path data;

    static Service service;
    static ServiceConfig config;

    @BeforeAll
    static void start() {
        config = TestServices.config(data, SIZE_LIMIT);
        service = Service.start(config, true, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    private static LDAPConnection anonymous() throws LDAPException {
        return new LDAPConnection("127.0.0.1", URI.create(service.ldapUrl()).getPort());
    }

    private static byte[] pemDer(String file) throws Exception {
        return KeyFiles.readPem(data.resolve("demo").resolve(file)).get(0).getEncoded();
    }

    @Test
    void mailLookup_returnsEncryptionCertificate_underExactlyTheBinaryName() throws Exception {
        try (LDAPConnection ldap = anonymous()) {
            SearchResult result = ldap.search(BASE, SearchScope.SUB, Filter.createEqualityFilter("mail", "alice@example.com"),
                    "userCertificate;binary");
            assertEquals(1, result.getEntryCount());
            Collection<Attribute> attributes = result.getSearchEntries().get(0).getAttributes();
            assertEquals(1, attributes.size(), "only the asked-for attribute comes back: " + attributes);
            Attribute certificate = attributes.iterator().next();
            // Thunderbird accepts the returned attribute only under this exact name.
            assertEquals("userCertificate;binary", certificate.getName());
            assertEquals(1, certificate.size());
            assertArrayEquals(pemDer("alice-encryption.pem"), certificate.getValueByteArray());
        }
    }

    @Test
    void orFilter_findsBothRecipients() throws Exception {
        try (LDAPConnection ldap = anonymous()) {
            SearchResult result = ldap.search(BASE, SearchScope.SUB, Filter.createORFilter(
                    Filter.createEqualityFilter("mail", "alice@example.com"),
                    Filter.createEqualityFilter("mail", "bob@example.com")), "mail", "userCertificate;binary");
            assertEquals(2, result.getEntryCount());
            for (SearchResultEntry entry : result.getSearchEntries()) {
                String user = entry.getAttributeValue("mail").replace("@example.com", "");
                assertArrayEquals(pemDer(user + "-encryption.pem"), entry.getAttributeValueBytes("userCertificate;binary"));
            }
        }
    }

    @Test
    void userSmimeCertificate_isCertsOnlyPkcs7_ofTheEncryptionCertificate() throws Exception {
        try (LDAPConnection ldap = anonymous()) {
            SearchResultEntry entry = ldap.searchForEntry(BASE, SearchScope.SUB, Filter.createEqualityFilter("mail", "carol@example.com"),
                    "userSMIMECertificate");
            CMSSignedData pkcs7 = new CMSSignedData(entry.getAttributeValueBytes("userSMIMECertificate"));
            assertTrue(pkcs7.getSignerInfos().getSigners().isEmpty(), "certs-only: no signers");
            Collection<X509CertificateHolder> certificates = pkcs7.getCertificates().getMatches(null);
            assertEquals(1, certificates.size());
            assertArrayEquals(pemDer("carol-encryption.pem"), certificates.iterator().next().getEncoded());
        }
    }

    @Test
    void signingCertificates_andRevokedOnes_areNotPublished() throws Exception {
        try (LDAPConnection ldap = anonymous()) {
            SearchResultEntry alice = ldap.searchForEntry(BASE, SearchScope.SUB, Filter.createEqualityFilter("mail", "alice@example.com"),
                    "userCertificate;binary");
            byte[] signing = pemDer("alice-signing.pem");
            for (byte[] value : alice.getAttribute("userCertificate;binary").getValueByteArrays()) {
                assertFalse(java.util.Arrays.equals(signing, value), "alice's signing certificate is published");
            }
            SearchResultEntry mallory = ldap.searchForEntry(BASE, SearchScope.SUB, Filter.createEqualityFilter("mail", "mallory@example.com"),
                    "userCertificate;binary", "userSMIMECertificate", "cn");
            assertNotNull(mallory, "mallory stays in the address book");
            assertNull(mallory.getAttribute("userCertificate;binary"), "mallory's revoked encryption certificate is published");
            assertNull(mallory.getAttribute("userSMIMECertificate"));
        }
    }

    @Test
    void caEntries_carryTheirCertificates() throws Exception {
        try (LDAPConnection ldap = anonymous()) {
            SearchResultEntry issuing = ldap.getEntry("cn=Demo Issuing CA,ou=CAs,ou=pki," + BASE, "cACertificate;binary", "objectClass");
            assertArrayEquals(pemDer("issuing-ca.pem"), issuing.getAttributeValueBytes("cACertificate;binary"));
            assertTrue(issuing.hasObjectClass("pkiCA") && issuing.hasObjectClass("cRLDistributionPoint"));
        }
    }

    @Test
    void anonymousSearch_isCappedBySizeLimit() throws Exception {
        try (LDAPConnection ldap = anonymous()) {
            LDAPSearchException capped = assertThrows(LDAPSearchException.class,
                    () -> ldap.search(BASE, SearchScope.SUB, Filter.createSubstringFilter("mail", null, null, "@example.com"), "mail"));
            assertEquals(ResultCode.SIZE_LIMIT_EXCEEDED, capped.getResultCode());
            assertEquals(SIZE_LIMIT, capped.getEntryCount());
        }
    }

    @Test
    void filterValue_withWildcardAndParentheses_isEscaped() throws Exception {
        try (LDAPConnection ldap = anonymous()) {
            Filter hostile = Filter.createEqualityFilter("mail", "alice@example.com)(mail=*");
            assertEquals("(mail=alice@example.com\\29\\28mail=\\2a)", hostile.toString());
            assertEquals(0, ldap.search(BASE, SearchScope.SUB, hostile, "mail").getEntryCount());
        }
    }

    @Test
    void requestLargerThanTheMaxPdu_isDropped_andTheServerGoesOn() throws Exception {
        String huge = "x".repeat(config.ldap().maxPduSize() + 1024);
        try (LDAPConnection ldap = anonymous()) {
            LDAPException dropped = assertThrows(LDAPException.class,
                    () -> ldap.search(BASE, SearchScope.SUB, Filter.createEqualityFilter("mail", huge), "mail"));
            assertEquals(ResultCode.SERVER_DOWN, dropped.getResultCode(), dropped.getMessage());
        }
        try (LDAPConnection ldap = anonymous()) {
            assertEquals(1, ldap.search(BASE, SearchScope.SUB, Filter.createEqualityFilter("mail", "bob@example.com"), "mail").getEntryCount());
        }
    }

    @Test
    void anonymousWrite_isRefused() throws Exception {
        try (LDAPConnection ldap = anonymous()) {
            LDAPException refused = assertThrows(LDAPException.class,
                    () -> ldap.delete("uid=alice@example.com,ou=people," + BASE));
            assertEquals(ResultCode.INSUFFICIENT_ACCESS_RIGHTS, refused.getResultCode());
        }
    }

    @Test
    void defaultAdminPassword_doesNotBind() throws Exception {
        try (LDAPConnection ldap = anonymous()) {
            LDAPException refused = assertThrows(LDAPException.class, () -> ldap.bind(EmbeddedDirectory.SERVICE_ACCOUNT, "secret"));
            assertEquals(ResultCode.INVALID_CREDENTIALS, refused.getResultCode());
        }
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(data.resolve("ldap-admin.password"))));
    }

    @Test
    void ldaps_tls13Client_verifiesServerAgainstDemoChain() throws Exception {
        List<X509Certificate> chain = KeyFiles.readPem(data.resolve("demo/chain.pem"));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", chain.get(chain.size() - 1));
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext tls13 = SSLContext.getInstance("TLSv1.3");
        tls13.init(null, trustManagers.getTrustManagers(), null);
        SSLSocketFactory sockets = tls13.getSocketFactory();
        URI ldaps = URI.create(service.ldapsUrl());
        com.unboundid.ldap.sdk.LDAPConnectionOptions options = new com.unboundid.ldap.sdk.LDAPConnectionOptions();
        // The server certificate must name the host we dialled (127.0.0.1 in its SAN), not just chain to the root.
        options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(false));
        try (LDAPConnection ldap = new LDAPConnection(sockets, options, ldaps.getHost(), ldaps.getPort())) {
            assertEquals("TLSv1.3", ldap.getSSLSession().getProtocol());
            SearchResultEntry bob = ldap.searchForEntry(BASE, SearchScope.SUB, Filter.createEqualityFilter("mail", "bob@example.com"), "mail");
            assertEquals("bob@example.com", bob.getAttributeValue("mail"));
        }
    }

    @Test
    void ldaps_refusesTls11() throws Exception {
        SSLContext tls11 = SSLContext.getInstance("TLS");
        tls11.init(null, new javax.net.ssl.TrustManager[] {new com.unboundid.util.ssl.TrustAllTrustManager()}, null);
        URI ldaps = URI.create(service.ldapsUrl());
        try (SSLSocket socket = (SSLSocket) tls11.getSocketFactory().createSocket(ldaps.getHost(), ldaps.getPort())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.1"});
            assertThrows(IOException.class, socket::startHandshake);
        } catch (IllegalArgumentException e) {
            // this JVM does not even offer TLS 1.1: nothing to test
        }
    }

    @Test
    void health_reportsRegistryAndDirectory() throws Exception {
        HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(service.publicUrl() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        // Right after start the first CRLs may still be on their way to the points (status degraded until then).
        for (int i = 0; i < 100 && !health.body().contains("\"status\" : \"ok\",\n  \"registry\""); i++) {
            Thread.sleep(100);
            health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(service.publicUrl() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        }
        assertEquals(200, health.statusCode());
        io.vertx.core.json.JsonObject report = new io.vertx.core.json.JsonObject(health.body());
        assertEquals("ok", report.getString("status"));
        assertEquals("ok", report.getJsonObject("registry").getString("status"));
        assertEquals(2, report.getJsonObject("registry").getInteger("cas"));
        assertEquals("ok", report.getJsonObject("directory").getString("status"));
    }

    @Test
    void adminApi_needsTheToken() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI republish = URI.create(service.adminUrl() + "/admin/directory/republish");
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(republish).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, none.statusCode());
        assertTrue(none.body().contains("missing bearer token"), none.body());
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(republish).header("Authorization", "Bearer guess")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, wrong.statusCode());
        assertTrue(wrong.body().contains("wrong bearer token"), wrong.body());
        String token = Files.readString(data.resolve("admin.token")).strip();
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(republish).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(4, new io.vertx.core.json.JsonObject(ok.body()).getInteger("people"));
        assertEquals("directory.republish", service.registry().auditTrail(1).get(0).action());
    }
}
