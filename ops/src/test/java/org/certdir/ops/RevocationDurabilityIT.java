package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SmimePurpose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A revocation the admin was told succeeded is never lost: the service JVM is killed with SIGKILL at a random
 * moment while 200 revocations go in one by one; after a restart every acknowledged one is there, and the
 * publication queue then completes (the directory no longer offers those certificates).
 */
class RevocationDurabilityIT {

    private static final int N = 200;
    private static final Duration START = Duration.ofSeconds(90);

    @TempDir
    Path work;

    @Test
    void everyAcknowledgedRevocation_survivesKill9_andIsPublishedAfterRestart() throws Exception {
        TestServices.ProcessConfig ports = TestServices.processConfig(work.resolve("certdir.conf"), "");
        int ldap = ports.ldap();
        Path config = ports.file();
        Path data = work.resolve("data");
        String adminUrl = ports.adminUrl();
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Queue<String> acknowledged = new ConcurrentLinkedQueue<>();
        List<String> mails = new ArrayList<>();

        try (CertdirProcess service = CertdirProcess.start("demo", "--data", data.toString(), "--config", config.toString())) {
            service.awaitOutput("Stop with Ctrl-C.", START);
            AdminHttp client = AdminHttp.of(adminUrl, data.resolve("admin.token"));
            TestPki pki = new TestPki(data);
            JsonArray files = new JsonArray();
            List<String> serials = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                String mail = "durable" + i + "@example.com";
                Issued issued = pki.smime(mail, SmimePurpose.ENCRYPTION);
                mails.add(mail);
                serials.add(issued.certificate().getSerialNumber().toString(16));
                files.add(new JsonObject().put("name", mail).put("data",
                        Base64.getEncoder().encodeToString(TestPki.pem(issued).getBytes(StandardCharsets.US_ASCII))));
            }
            assertEquals(N, client.post("/admin/certificates/import", new JsonObject().put("files", files)).body().getJsonArray("imported").size());

            Thread revoker = new Thread(() -> {
                for (String serial : serials) {
                    try {
                        AdminHttp.Answer answer = client.post("/admin/certificates/demo-issuing-ca/" + serial + "/revoke",
                                new JsonObject().put("reason", "keyCompromise"));
                        if (answer.status() != 200) {
                            return;
                        }
                        acknowledged.add(serial);
                    } catch (Exception e) {
                        return; // the service died under us: this one was not acknowledged
                    }
                }
            });
            revoker.start();
            Thread.sleep(200 + random.nextInt(1500));
            service.kill();
            revoker.join(30_000);
        }
        assertTrue(!acknowledged.isEmpty(), "no revocation was acknowledged before the kill (seed " + seed + ")");

        try (CertdirProcess restarted = CertdirProcess.start("demo", "--data", data.toString(), "--config", config.toString())) {
            restarted.awaitOutput("Stop with Ctrl-C.", START);
            AdminHttp client = AdminHttp.of(adminUrl, data.resolve("admin.token"));
            List<String> lost = new ArrayList<>();
            for (String serial : acknowledged) {
                if (!"revoked".equals(client.get("/admin/certificates/demo-issuing-ca/" + serial).body().getString("status"))) {
                    lost.add(serial);
                }
            }
            assertEquals(List.of(), lost, acknowledged.size() + " acknowledged, lost after kill -9 (seed " + seed + ")");
            System.out.printf("kill -9 after %d of %d acknowledged revocations: 0 lost%n", acknowledged.size(), N);

            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            long depth = -1;
            while (System.nanoTime() < deadline) {
                depth = client.get("/admin/health").body().getJsonObject("publication").getLong("depth");
                if (depth == 0) {
                    break;
                }
                Thread.sleep(200);
            }
            assertEquals(0, depth, "the publication queue did not drain");
            try (LDAPConnection directory = new LDAPConnection("127.0.0.1", ldap)) {
                for (int i = 0; i < N; i++) {
                    SearchResultEntry entry = directory.searchForEntry("dc=example,dc=com", SearchScope.SUB,
                            Filter.createEqualityFilter("mail", mails.get(i)), "userCertificate;binary");
                    boolean published = entry != null && entry.getAttribute("userCertificate;binary") != null;
                    String certificateSerial = published
                            ? org.certdir.registry.CertificateDetails.parse(entry.getAttributeValueBytes("userCertificate;binary")).serial().hex()
                            : null;
                    assertTrue(!published || !acknowledged.contains(certificateSerial),
                            mails.get(i) + ": revoked certificate " + certificateSerial + " is still published");
                }
            }
        }
    }
}
