package org.certdir.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.certdir.ops.StartupFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** certdir.ldap.public-url: where certificates send clients for LDAP CRLs, and the mistakes refused at start. */
class LdapPublicUrlConfigTest {

    @TempDir
    Path dir;

    private ServiceConfig load(String text) throws IOException {
        return ServiceConfig.load(Files.writeString(dir.resolve("certdir.conf"), text));
    }

    @Test
    void empty_theListenersAddress() throws IOException {
        ServiceConfig.Ldap ldap = load("certdir.ldap.port = 1389\n").ldap();
        assertNull(ldap.publicUrl());
        assertEquals("127.0.0.1", ldap.publicHost());
        assertEquals(1389, ldap.publicPort());
    }

    @Test
    void given_itsHostAndPort_389WhenItNamesNone() throws IOException {
        ServiceConfig.Ldap ldap = load("certdir.ldap { host = \"0.0.0.0\", public-url = \"ldap://pki.example.com\" }\n").ldap();
        assertEquals(URI.create("ldap://pki.example.com"), ldap.publicUrl());
        assertEquals("pki.example.com", ldap.publicHost());
        assertEquals(389, ldap.publicPort());
        assertEquals(10389, load("certdir.ldap.public-url = \"ldap://pki.example.com:10389/\"\n").ldap().publicPort());
    }

    @Test
    void emptyWhileListeningOnEveryAddress_refusedNamingTheKey() {
        StartupFailure e = assertThrows(StartupFailure.class, () -> load("certdir.ldap.host = \"0.0.0.0\"\n"));
        assertEquals("config file " + dir.resolve("certdir.conf") + ": certdir.ldap.public-url: empty while certdir.ldap.host '0.0.0.0' listens on"
                + " every address: the LDAP URL written into certificates needs the name clients reach; set it, e.g. \"ldap://pki.example.com:10389\"",
                e.getMessage());
    }

    @Test
    void notABareLdapUrl_refused() {
        for (String bad : new String[] {"ldaps://pki.example.com", "ldap://pki.example.com/dc=example,dc=com", "pki.example.com", "ldap://pki.example.com?x"}) {
            StartupFailure e = assertThrows(StartupFailure.class, () -> load("certdir.ldap.public-url = \"" + bad + "\"\n"), bad);
            assertEquals("config file " + dir.resolve("certdir.conf") + ": certdir.ldap.public-url: '" + bad + "' must be ldap://host or"
                    + " ldap://host:port, nothing after the port (clients fetch CRLs from it anonymously over plain LDAP)", e.getMessage());
        }
    }
}
