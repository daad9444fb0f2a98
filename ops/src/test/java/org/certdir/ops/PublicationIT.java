package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bouncycastle.cms.CMSSignedData;
import org.certdir.directory.embedded.DirectorySettings;
import org.certdir.directory.embedded.EmbeddedDirectory;
import org.certdir.directory.publication.DirectoryPublisher;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;
import org.certdir.ops.issuance.CertificateIssuer.SmimePurpose;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.PublicationUrls;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.Registry;
import org.certdir.registry.RevocationReason;
import org.certdir.schemas.Dit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How status changes in the registry reach a person's entry in the real embedded directory. */
class PublicationIT {

    private static final Dit DIT = Dit.of("dc=example,dc=com");
    private static final String PASSWORD = "test-service-password";
    private static final String MAIL = "dave@example.com";

    @TempDir
    Path data;

    private Registry registry;
    private EmbeddedDirectory directory;
    private LDAPConnection service;
    private LDAPConnection anonymous;
    private DirectoryPublisher publisher;
    private CertificateIssuer issuer;
    private SigningCa ca;
    private CaRecord caRecord;

    @BeforeEach
    void start() throws Exception {
        registry = Registry.open(data.resolve("registry.db"), Clock.systemUTC());
        directory = EmbeddedDirectory.start(new DirectorySettings(data.resolve("directory"), DIT, "127.0.0.1", 0, 0, null, null, PASSWORD,
                100, Duration.ofSeconds(10), 1 << 20, 2, 1000));
        service = new LDAPConnection("127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD);
        anonymous = new LDAPConnection("127.0.0.1", directory.ldapPort());
        publisher = new DirectoryPublisher(service, DIT);
        issuer = new CertificateIssuer(new PublicationUrls("http://127.0.0.1:8080", "127.0.0.1", 10389, DIT), Clock.systemUTC());
        Issued root = issuer.rootCa("Test CA", "test", KeyAlgorithm.EC_P256, Duration.ofDays(30));
        ca = new SigningCa(new CaName("test-ca"), root.certificate(), root.keyPair().getPrivate());
        caRecord = registry.addCa(ca.name(), CertificateDetails.parse(root.certificate().getEncoded()), null, Actor.SERVICE);
        publisher.republish(registry);
    }

    @AfterEach
    void stop() {
        anonymous.close();
        service.close();
        directory.close();
        registry.close();
    }

    private CertificateDetails issue(SmimePurpose purpose) throws Exception {
        Issued issued = issuer.smime(ca, MAIL, "Dave Test", "test", purpose, KeyAlgorithm.EC_P256, Duration.ofDays(30));
        CertificateDetails details = CertificateDetails.parse(issued.certificate().getEncoded());
        registry.addCertificate(caRecord, details, Actor.SERVICE);
        return details;
    }

    private void publish() {
        publisher.publishPerson(MAIL, registry.certificatesForMail(MAIL));
    }

    private SearchResultEntry dave() throws Exception {
        return anonymous.searchForEntry(DIT.suffix().toString(), SearchScope.SUB, Filter.createEqualityFilter("mail", MAIL),
                "userCertificate;binary", "userSMIMECertificate");
    }

    private static Set<String> serialsIn(Attribute attribute) {
        return Stream.of(attribute.getValueByteArrays()).map(der -> CertificateDetails.parse(der).serial().hex()).collect(Collectors.toSet());
    }

    @Test
    void revokingOneOfTwo_removesOnlyThatOne_andKeepsTheBinaryName() throws Exception {
        CertificateDetails first = issue(SmimePurpose.ENCRYPTION);
        CertificateDetails second = issue(SmimePurpose.ENCRYPTION);
        publish();
        assertEquals(Set.of(first.serial().hex(), second.serial().hex()), serialsIn(dave().getAttribute("userCertificate;binary")));

        registry.revoke(ca.name(), first.serial(), RevocationReason.KEY_COMPROMISE, null, Actor.SERVICE);
        publish();

        SearchResultEntry entry = dave();
        Attribute certificates = entry.getAttribute("userCertificate;binary");
        assertEquals("userCertificate;binary", certificates.getName());
        assertEquals(Set.of(second.serial().hex()), serialsIn(certificates));
        CMSSignedData smime = new CMSSignedData(entry.getAttributeValueBytes("userSMIMECertificate"));
        assertArrayEquals(second.der(), smime.getCertificates().getMatches(null).iterator().next().getEncoded());
        assertEquals(1, smime.getCertificates().getMatches(null).size());
    }

    @Test
    void newCertificateAfterRevocation_isPublishedUnderTheBinaryName() throws Exception {
        CertificateDetails old = issue(SmimePurpose.ENCRYPTION);
        publish();
        registry.revoke(ca.name(), old.serial(), RevocationReason.SUPERSEDED, null, Actor.SERVICE);
        publish();
        assertNull(dave().getAttribute("userCertificate;binary"));

        CertificateDetails renewed = issue(SmimePurpose.ENCRYPTION);
        publish();

        Attribute certificates = dave().getAttribute("userCertificate;binary");
        assertEquals("userCertificate;binary", certificates.getName());
        assertArrayEquals(renewed.der(), certificates.getValueByteArray());
    }

    @Test
    void heldCertificate_isWithdrawn_andSigningCertificateNeverPublished() throws Exception {
        CertificateDetails encryption = issue(SmimePurpose.ENCRYPTION);
        issue(SmimePurpose.SIGNING);
        publish();
        assertEquals(Set.of(encryption.serial().hex()), serialsIn(dave().getAttribute("userCertificate;binary")));

        registry.revoke(ca.name(), encryption.serial(), RevocationReason.CERTIFICATE_HOLD, null, Actor.SERVICE);
        publish();
        assertNull(dave().getAttribute("userCertificate;binary"));
        assertNull(dave().getAttribute("userSMIMECertificate"));
    }

    @Test
    void republish_restoresAWipedEntry() throws Exception {
        CertificateDetails encryption = issue(SmimePurpose.ENCRYPTION);
        publish();
        service.delete(dave().getDN());

        publisher.republish(registry);

        Attribute certificates = dave().getAttribute("userCertificate;binary");
        assertEquals("userCertificate;binary", certificates.getName());
        assertArrayEquals(encryption.der(), certificates.getValueByteArray());
    }
}
