package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import org.certdir.ops.config.ServiceConfig;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ldap} distribution point aimed at an external directory: a real OpenLDAP slapd that is down when
 * the service starts, comes up later, and is then read back with ldapsearch as a CDP URL would ask.
 */
class ExternalLdapPointIT {

    private static final String CA = "demo-issuing-ca";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String CA_ENTRY = "cn=Demo Issuing CA,ou=CAs,ou=pki," + Slapd.SUFFIX;

    @TempDir
    Path data;

    @TempDir
    Path slapdDir;

    private int port;

    @Test
    void crlsReachOpenLdap_evenWhenItCameUpAfterTheService() throws Exception {
        Interop.require("slapd", "slapd");
        Interop.require("ldapsearch", "ldap-utils");
        port = TestServices.freePort();
        Files.writeString(data.resolve("partner.password"), "partner-s3cret\n");
        ServiceConfig config = Probe.withPoint(TestServices.config(data, 100), new ServiceConfig.Point("partner", "ldap",
                "ldap://127.0.0.1:" + port + "/" + Slapd.SUFFIX, Slapd.ADMIN, data.resolve("partner.password"), null));
        try (Slapd slapd = new Slapd(slapdDir, port, "partner-s3cret");
             Service service = Service.start(config, true, Clock.systemUTC())) {
            // The file point may still be writing the first delta when the partner's first refusal is recorded.
            JsonObject down = Probe.await(() -> Probe.health(service), h -> Probe.point(h, CA, "partner").containsKey("lastError")
                    && "ok".equals(Probe.point(h, CA, "files").getString("status")), TIMEOUT);
            assertEquals("degraded", down.getString("status"));
            assertEquals("ok", Probe.point(down, CA, "files").getString("status"), "the other points go on");

            slapd.start();
            try (LDAPConnection admin = new LDAPConnection("127.0.0.1", port, Slapd.ADMIN, "partner-s3cret")) {
                // The organisation's directory has its suffix; certdir adds ou=pki, ou=CAs and the CA entry below it.
                admin.add(new Entry(Slapd.SUFFIX, new Attribute("objectClass", "dcObject", "organization"), new Attribute("o", "partner"),
                        new Attribute("dc", "partner")));
            }
            Probe.await(() -> Probe.health(service), h -> "ok".equals(h.getString("status")), TIMEOUT);
            assertArrayEquals(Files.readAllBytes(data.resolve("crl/" + CA + ".crl")), readBack("certificateRevocationList;binary"),
                    "slapd holds the same full CRL as the file point");

            AdminHttp adminApi = new AdminHttp(service);
            String bob = KeyFiles.readPem(data.resolve("demo/bob-encryption.pem")).get(0).getSerialNumber().toString(16);
            assertEquals(200, adminApi.post("/admin/certificates/" + CA + "/" + bob + "/revoke", new JsonObject().put("reason", "keyCompromise")).status());
            Path delta = data.resolve("crl/" + CA + "-delta.crl");
            byte[] before = Files.readAllBytes(delta);
            Probe.await(() -> Files.readAllBytes(delta), bytes -> !java.util.Arrays.equals(before, bytes), TIMEOUT);
            Probe.await(() -> java.util.Arrays.equals(Files.readAllBytes(delta), readBack("deltaRevocationList;binary")), Boolean::booleanValue, TIMEOUT);
        }
    }

    /** One attribute of the CA entry, as ldapsearch returns it to an anonymous client following the CDP URL. */
    private byte[] readBack(String attribute) throws Exception {
        Interop.Run run = Interop.run("ldapsearch", "-x", "-LLL", "-H", "ldap://127.0.0.1:" + port, "-s", "base", "-b", CA_ENTRY,
                "(objectClass=*)", attribute);
        assertEquals(0, run.exitCode(), run.err());
        String unfolded = run.out().replace("\n ", "");
        return unfolded.lines().filter(line -> line.startsWith(attribute + ":: ")).map(line -> Base64.getDecoder().decode(line.substring(attribute.length() + 3)))
                .findFirst().orElse(new byte[0]);
    }
}
