package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The demo service checked by clients nobody here wrote: OpenLDAP's ldapsearch and OpenSSL. */
class DemoInteropIT {

    @RegisterExtension
    static final DemoService DEMO = new DemoService();

    static Service service;
    static Path data;

    @BeforeAll
    static void start() {
        service = DEMO.service();
        data = DEMO.data();
    }

    /** The base64 value of one attribute in ldapsearch's LDIF output, with folded lines joined. */
    private static String ldifValue(String ldif, String attribute) {
        String unfolded = ldif.replace("\n ", "");
        return unfolded.lines().filter(line -> line.startsWith(attribute + ":: ")).map(line -> line.substring(attribute.length() + 3))
                .findFirst().orElseThrow(() -> new AssertionError("no " + attribute + " in:\n" + ldif));
    }

    @Test
    void ldapsearch_findsAlicesEncryptionCertificate_byMail() throws Exception {
        Interop.require("ldapsearch", "ldap-utils");
        Interop.Run run = Interop.run("ldapsearch", "-x", "-LLL", "-H", service.ldapUrl(), "-b", "dc=example,dc=com",
                "(mail=alice@example.com)", "userCertificate;binary");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("dn: uid=alice@example.com,ou=people,dc=example,dc=com\n"), run.out());
        byte[] published = Base64.getDecoder().decode(ldifValue(run.out(), "userCertificate;binary"));
        assertArrayEquals(KeyFiles.readPem(data.resolve("demo/alice-encryption.pem")).get(0).getEncoded(), published);
    }

    @Test
    void ldapsearch_overLdaps_verifiesTheServerAgainstTheDemoChain() throws Exception {
        Interop.require("ldapsearch", "ldap-utils");
        Interop.Run run = Interop.run(Map.of("LDAPTLS_CACERT", data.resolve("demo/chain.pem").toString(), "LDAPTLS_REQCERT", "demand"),
                "ldapsearch", "-x", "-LLL", "-H", service.ldapsUrl(), "-b", "dc=example,dc=com", "(mail=bob@example.com)", "mail");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of("dn: uid=bob@example.com,ou=people,dc=example,dc=com", "mail: bob@example.com", ""), Interop.lines(run.out()));
    }

    @Test
    void ldapsearch_anonymousAdd_isRefused() throws Exception {
        Interop.require("ldapadd", "ldap-utils");
        Path ldif = Files.writeString(data.resolve("intruder.ldif"), """
                dn: uid=intruder,ou=people,dc=example,dc=com
                objectClass: inetOrgPerson
                uid: intruder
                cn: Intruder
                sn: Intruder
                """);
        Interop.Run run = Interop.run("ldapadd", "-x", "-H", service.ldapUrl(), "-f", ldif.toString());
        assertEquals(50, run.exitCode(), "ldapadd exits with the LDAP result code, insufficientAccessRights (50): " + run.err());
        assertTrue(run.err().contains("Insufficient access (50)"), run.err());
    }

    @Test
    void openssl_verifiesTheDemoChain_andReadsTheUserKeyStore() throws Exception {
        Interop.require("openssl", "openssl");
        Path demo = data.resolve("demo");
        Interop.Run encryption = Interop.run("openssl", "verify", "-CAfile", demo.resolve("root-ca.pem").toString(),
                "-untrusted", demo.resolve("issuing-ca.pem").toString(), demo.resolve("alice-encryption.pem").toString());
        assertEquals(0, encryption.exitCode(), encryption.err());
        assertEquals(demo.resolve("alice-encryption.pem") + ": OK\n", encryption.out());
        Interop.Run signing = Interop.run("openssl", "verify", "-CAfile", demo.resolve("root-ca.pem").toString(),
                "-untrusted", demo.resolve("issuing-ca.pem").toString(), "-purpose", "smimesign", demo.resolve("alice-signing.pem").toString());
        assertEquals(0, signing.exitCode(), signing.err());

        Interop.Run pkcs12 = Interop.run("openssl", "pkcs12", "-in", demo.resolve("alice.p12").toString(), "-passin",
                "file:" + demo.resolve("p12.password"), "-nokeys", "-clcerts");
        assertEquals(0, pkcs12.exitCode(), pkcs12.err());
        assertEquals(2, pkcs12.out().split("BEGIN CERTIFICATE").length - 1, "encryption and signing certificate:\n" + pkcs12.out());
    }

    /** What a sender does: encrypt to the certificate found in the directory; alice decrypts with her key. */
    @Test
    void opensslCms_encryptsToThePublishedCertificate_andAliceDecrypts() throws Exception {
        Interop.require("openssl", "openssl");
        byte[] published;
        try (com.unboundid.ldap.sdk.LDAPConnection ldap = new com.unboundid.ldap.sdk.LDAPConnection("127.0.0.1", URI.create(service.ldapUrl()).getPort())) {
            published = ldap.searchForEntry("dc=example,dc=com", com.unboundid.ldap.sdk.SearchScope.SUB,
                    com.unboundid.ldap.sdk.Filter.createEqualityFilter("mail", "alice@example.com"), "userCertificate;binary")
                    .getAttributeValueBytes("userCertificate;binary");
        }
        Path recipient = Files.writeString(data.resolve("recipient.pem"), KeyFiles.pem(List.of((java.security.cert.X509Certificate)
                java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(published)))));
        java.security.KeyStore p12 = java.security.KeyStore.getInstance("PKCS12");
        char[] password = Files.readString(data.resolve("demo/p12.password")).strip().toCharArray();
        try (var in = Files.newInputStream(data.resolve("demo/alice.p12"))) {
            p12.load(in, password);
        }
        java.security.PrivateKey key = (java.security.PrivateKey) p12.getKey("encryption", password);
        Path keyFile = Files.writeString(data.resolve("alice-encryption.key"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        Path message = Files.writeString(data.resolve("message.txt"), "Meet at noon.\n");

        Interop.Run encrypt = Interop.run("openssl", "cms", "-encrypt", "-binary", "-aes256", "-in", message.toString(),
                "-out", data.resolve("message.p7m").toString(), recipient.toString());
        assertEquals(0, encrypt.exitCode(), encrypt.err());
        Interop.Run decrypt = Interop.run("openssl", "cms", "-decrypt", "-binary", "-in", data.resolve("message.p7m").toString(),
                "-recip", recipient.toString(), "-inkey", keyFile.toString());
        assertEquals(0, decrypt.exitCode(), decrypt.err());
        assertEquals("Meet at noon.\n", decrypt.out());
    }

    @Test
    void openssl_tls13Handshake_withLdapsVerifies() throws Exception {
        Interop.require("openssl", "openssl");
        URI ldaps = URI.create(service.ldapsUrl());
        Interop.Run run = Interop.run("openssl", "s_client", "-connect", ldaps.getHost() + ":" + ldaps.getPort(), "-tls1_3",
                "-CAfile", data.resolve("demo/chain.pem").toString(), "-verify_ip", "127.0.0.1", "-verify_return_error", "-brief");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("Protocol version: TLSv1.3"), run.err());
        assertTrue(run.err().contains("Verification: OK"), run.err());
    }
}
