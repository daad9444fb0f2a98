package org.certdir.directory.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchResultEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.certdir.directory.publication.DirectoryPublisher;
import org.certdir.schemas.Dit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate and CRL attributes come back as {@code <name>;binary} whichever write made them: ApacheDS 2.0.0.AM27 alone
 * returned plain {@code userCertificate} (ignored by Thunderbird) for an attribute a modify had created or replaced.
 */
class BinaryTransferOptionIT {

    private static final Dit DIT = Dit.of("dc=example,dc=com");
    private static final String PASSWORD = "generated-for-test";
    private static final byte[] ONE = {0x30, 0x03, 0x02, 0x01, 0x01};
    private static final byte[] TWO = {0x30, 0x03, 0x02, 0x01, 0x02};

    @TempDir
    Path instance;

    @Test
    void attributesAModifyCreatesOrReplaces_keepTheBinaryOption_andRestartsKeepIt() throws Exception {
        String person = DIT.person("ann@example.com").toString();
        String ca = DIT.ca("Test CA").toString();
        try (EmbeddedDirectory directory = start();
             LDAPConnection service = new LDAPConnection("127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD)) {
            new DirectoryPublisher(service, DIT).ensureLayout();
            service.add(new Entry(person, new Attribute("objectClass", "top", "person", "organizationalPerson", "inetOrgPerson"),
                    new Attribute("cn", "Ann"), new Attribute("sn", "Ann"), new Attribute("mail", "ann@example.com")));
            service.add(new Entry(ca, new Attribute("objectClass", "top", "cRLDistributionPoint", "pkiCA", "deltaCRL"), new Attribute("cn", "Test CA"),
                    new Attribute("cACertificate", ONE)));

            // An add that creates the attribute, two adds in one modify, a replace without the option.
            service.modify(person, new Modification(ModificationType.ADD, "userCertificate;binary", ONE),
                    new Modification(ModificationType.ADD, "userCertificate;binary", TWO));
            service.modify(ca, new Modification(ModificationType.REPLACE, "certificateRevocationList", ONE),
                    new Modification(ModificationType.ADD, "deltaRevocationList;binary", TWO),
                    new Modification(ModificationType.REPLACE, "crossCertificatePair;binary", ONE),
                    new Modification(ModificationType.REPLACE, "authorityRevocationList;binary", TWO));
            assertEquals(Set.of("objectClass", "cn", "cACertificate;binary", "certificateRevocationList;binary", "deltaRevocationList;binary",
                    "crossCertificatePair;binary", "authorityRevocationList;binary"), names(service.getEntry(ca, "*")), "a plain add is named too");
            assertEquals(Set.of("userCertificate;binary", "userSMIMECertificate"), namesAfter(service, person,
                    new Modification(ModificationType.REPLACE, "userSMIMECertificate", TWO)));
            assertArrayEquals(new byte[][] {ONE, TWO}, service.getEntry(person, "userCertificate;binary").getAttributeValueByteArrays("userCertificate;binary"));

            // Deleted, then added back in the same modify, without the option.
            assertEquals(Set.of("userCertificate;binary", "userSMIMECertificate"), namesAfter(service, person,
                    new Modification(ModificationType.DELETE, "userCertificate"), new Modification(ModificationType.ADD, "userCertificate", TWO)));
        }
        try (EmbeddedDirectory directory = start();
             LDAPConnection anonymous = new LDAPConnection("127.0.0.1", directory.ldapPort())) {
            assertEquals(Set.of("userCertificate;binary"), names(anonymous.getEntry(person, "userCertificate;binary")), "after a restart");
        }
    }

    private EmbeddedDirectory start() {
        return EmbeddedDirectory.start(new DirectorySettings(instance, DIT, "127.0.0.1", 0, 0, null, null, PASSWORD,
                100, Duration.ofSeconds(10), 1 << 20, 2, 1000));
    }

    /** The certificate attributes of {@code dn} after {@code modifications}, as a mail client reads them. */
    private static Set<String> namesAfter(LDAPConnection service, String dn, Modification... modifications) throws Exception {
        service.modify(dn, modifications);
        return names(service.getEntry(dn, "userCertificate;binary", "userSMIMECertificate"));
    }

    private static Set<String> names(SearchResultEntry entry) {
        List<String> names = new ArrayList<>();
        entry.getAttributes().forEach(attribute -> names.add(attribute.getName()));
        return new TreeSet<>(names);
    }
}
