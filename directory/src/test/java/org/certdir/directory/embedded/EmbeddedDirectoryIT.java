package org.certdir.directory.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import java.nio.file.Path;
import java.time.Duration;
import org.certdir.directory.publication.DirectoryPublisher;
import org.certdir.schemas.Dit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDirectoryIT {

    private static final Dit DIT = Dit.of("dc=example,dc=com");
    private static final String PASSWORD = "generated-for-test";

    @TempDir
    Path instance;

    private EmbeddedDirectory start() {
        return EmbeddedDirectory.start(new DirectorySettings(instance, DIT, "127.0.0.1", 0, 0, null, null, PASSWORD,
                100, Duration.ofSeconds(10), 1 << 20, 2, 1000));
    }

    @Test
    void jdbmPageCache_isATenthOfTheEntryCache_atLeastApacheDsDefault() {
        try (EmbeddedDirectory directory = EmbeddedDirectory.start(new DirectorySettings(instance, DIT, "127.0.0.1", 0, 0, null, null, PASSWORD,
                100, Duration.ofSeconds(10), 1 << 20, 2, 50_000))) {
            assertEquals("5000", System.getProperty(EmbeddedDirectory.PAGE_CACHE_PROPERTY));
        }
        assertEquals(100, EmbeddedDirectory.pageCache(1000));
    }

    @Test
    void defaultAdminPassword_isRefused_andGeneratedOneWorks() throws Exception {
        try (EmbeddedDirectory directory = start();
             LDAPConnection connection = new LDAPConnection("127.0.0.1", directory.ldapPort())) {
            LDAPException refused = assertThrows(LDAPException.class, () -> connection.bind(EmbeddedDirectory.SERVICE_ACCOUNT, "secret"));
            assertEquals(ResultCode.INVALID_CREDENTIALS, refused.getResultCode());
            assertEquals(ResultCode.SUCCESS, connection.bind(EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD).getResultCode());
        }
    }

    @Test
    void anonymousWrites_areRefused_withInsufficientAccessRights() throws Exception {
        try (EmbeddedDirectory directory = start();
             LDAPConnection service = new LDAPConnection("127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD);
             LDAPConnection anonymous = new LDAPConnection("127.0.0.1", directory.ldapPort())) {
            new DirectoryPublisher(service, DIT).ensureLayout();
            String person = DIT.person("eve@example.com").toString();

            LDAPException add = assertThrows(LDAPException.class, () -> anonymous.add(new Entry(person,
                    new Attribute("objectClass", "top", "person", "organizationalPerson", "inetOrgPerson"),
                    new Attribute("cn", "Eve"), new Attribute("sn", "Eve"), new Attribute("uid", "eve@example.com"))));
            assertEquals(ResultCode.INSUFFICIENT_ACCESS_RIGHTS, add.getResultCode());

            LDAPException modify = assertThrows(LDAPException.class, () -> anonymous.modify(DIT.people().toString(),
                    new Modification(ModificationType.REPLACE, "description", "defaced")));
            assertEquals(ResultCode.INSUFFICIENT_ACCESS_RIGHTS, modify.getResultCode());

            LDAPException delete = assertThrows(LDAPException.class, () -> anonymous.delete(DIT.cas().toString()));
            assertEquals(ResultCode.INSUFFICIENT_ACCESS_RIGHTS, delete.getResultCode());

            assertNotNull(anonymous.getEntry(DIT.cas().toString()), "anonymous may read the layout");
        }
    }

    @Test
    void restart_keepsEntries() throws Exception {
        try (EmbeddedDirectory directory = start();
             LDAPConnection service = new LDAPConnection("127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD)) {
            new DirectoryPublisher(service, DIT).ensureLayout();
        }
        try (EmbeddedDirectory directory = start();
             LDAPConnection anonymous = new LDAPConnection("127.0.0.1", directory.ldapPort())) {
            assertNotNull(anonymous.getEntry(DIT.trust().toString()));
        }
    }
}
