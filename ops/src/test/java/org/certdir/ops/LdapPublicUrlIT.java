package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.certdir.ops.config.ServiceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With certdir.ldap.public-url set, the certificates certdir issues send LDAP clients there, not to the listener's address. */
class LdapPublicUrlIT {

    @RegisterExtension
    static final EmptyService SERVICE = new EmptyService(config -> {
        ServiceConfig.Ldap l = config.ldap();
        ServiceConfig.Ldap published = new ServiceConfig.Ldap(l.host(), l.port(), l.ldapsPort(), l.dit(), l.sizeLimit(), l.timeLimit(), l.maxPduSize(),
                l.requestThreads(), l.entryCache(), l.clientLimits(), URI.create("ldap://pki.example.com"));
        return new ServiceConfig(config.data(), published, config.http(), config.admin(), config.crl(), config.demo(), config.ocsp(), config.trust(),
                config.health(), config.mirror());
    });

    @Test
    void issuedCaCertificate_namesThePublicLdapUrl() throws Exception {
        assertEquals(0, SERVICE.certdir("ca", "create", "--subject", "CN=Public Root CA").code());
        EmptyService.Cli issuing = SERVICE.certdir("ca", "create", "--subject", "CN=Public Issuing CA", "--parent", "public-root-ca");
        assertEquals(0, issuing.code(), issuing.err());
        HttpResponse<byte[]> aia = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(SERVICE.service().publicUrl()
                + "/aia/public-issuing-ca.crt")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, aia.statusCode());
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(aia.body()));
        List<String> crls = CertificateUrls.crl(certificate);
        assertEquals(2, crls.size(), crls.toString());
        assertTrue(crls.get(1).startsWith("ldap://pki.example.com:389/cn=Public%20Root%20CA,ou=CAs,ou=pki,dc=example,dc=com?"), crls.toString());
    }
}
