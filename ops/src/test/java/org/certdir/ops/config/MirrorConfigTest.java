package org.certdir.ops.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.certdir.crl.mirror.MirrorSource;
import org.certdir.ops.StartupFailure;
import org.certdir.registry.CaName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** certdir.crl.mirror as a config file gives it: the defaults, a CA's URLs, and each mistake named with its key. */
class MirrorConfigTest {

    @TempDir
    Path dir;

    private ServiceConfig load(String text) throws IOException {
        return ServiceConfig.load(Files.writeString(dir.resolve("certdir.conf"), text));
    }

    @Test
    void defaults_noCaAndBoundedFetches() {
        ServiceConfig.Mirror mirror = ServiceConfig.defaults().mirror();
        assertEquals(new ServiceConfig.Mirror(64L * 1024 * 1024, Duration.ofSeconds(30), 3, List.of()), mirror);
    }

    @Test
    void load_aCaWithUrls_andTheDefaultInterval() throws IOException {
        ServiceConfig config = load("""
                certdir.crl.mirror.cas = [ { ca = corp-ca, urls = ["http://pki.example.com/corp.crl", "https://pki.example.com/corp+.crl"] } ]
                certdir.crl.mirror.max-size = 1MiB
                """);
        assertEquals(List.of(new MirrorSource(new CaName("corp-ca"), List.of(URI.create("http://pki.example.com/corp.crl"),
                URI.create("https://pki.example.com/corp+.crl")), null, Duration.ofMinutes(15))), config.mirror().cas());
        assertEquals(1024 * 1024, config.mirror().maxSize());
    }

    @Test
    void load_anLdapUrl_refusedNamingTheKey() {
        StartupFailure e = assertThrows(StartupFailure.class, () -> load("""
                certdir.crl.mirror.cas = [ { ca = corp-ca, urls = ["ldap://dc.example.com/CN=corp"], interval = 5m } ]
                """));
        assertEquals("config file " + dir.resolve("certdir.conf") + ": certdir.crl.mirror.cas: CA corp-ca: 'ldap://dc.example.com/CN=corp' must be an"
                + " http:// or https:// URL with a host", e.getMessage());
    }

    @Test
    void load_aCaWithoutUrls_andANegativeRedirectCount_bothReported() {
        StartupFailure e = assertThrows(StartupFailure.class, () -> load("""
                certdir.crl.mirror.cas = [ { ca = corp-ca } ]
                certdir.crl.mirror.max-redirects = -1
                """));
        assertEquals("config file " + dir.resolve("certdir.conf") + ": certdir.crl.mirror.max-redirects: must not be negative, was -1;"
                + " certdir.crl.mirror.cas: CA corp-ca needs urls (its own CRL distribution points, full and delta) or drop (a directory the CA"
                + " writes its CRLs into), or both", e.getMessage());
    }

    @Test
    void load_aCaWithADropDirectory_andNoUrls() throws IOException {
        ServiceConfig config = load("""
                certdir.crl.mirror.cas = [ { ca = adcs-ca, drop = "/srv/adcs-crl", interval = 1m } ]
                """);
        assertEquals(List.of(new MirrorSource(new CaName("adcs-ca"), List.of(), Path.of("/srv/adcs-crl"), Duration.ofMinutes(1))),
                config.mirror().cas());
    }

    @Test
    void load_aRelativeDropDirectory_refusedNamingTheKey() {
        StartupFailure e = assertThrows(StartupFailure.class, () -> load("""
                certdir.crl.mirror.cas = [ { ca = adcs-ca, drop = "crl/adcs" } ]
                """));
        assertEquals("config file " + dir.resolve("certdir.conf") + ": certdir.crl.mirror.cas: CA adcs-ca: drop 'crl/adcs' must be an absolute"
                + " path (the directory the CA writes its CRLs into)", e.getMessage());
    }
}
