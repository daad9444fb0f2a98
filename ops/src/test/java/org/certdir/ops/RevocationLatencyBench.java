package org.certdir.ops;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SmimePurpose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (failsafe does not pick it up by name): revocation latency, from the admin's request
 * to the acknowledgement, and from the acknowledgement to the moment an anonymous mail client no longer gets
 * the certificate from the directory. Run:
 * <pre>mvn -pl ops -am verify -DskipTests=false -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=RevocationLatencyBench</pre>
 * It prints its figures and writes them to {@code ops/target/revocation-latency.txt}.
 */
class RevocationLatencyBench {

    private static final int PEOPLE = 500;
    private static final int WARMUP = 50;

    @TempDir
    Path data;

    @Test
    void revocationLatency() throws Exception {
        try (Service service = Service.start(TestServices.config(data, 100), true, Clock.systemUTC())) {
            AdminHttp admin = new AdminHttp(service);
            TestPki pki = new TestPki(data);
            List<String> serials = new ArrayList<>();
            List<String> mails = new ArrayList<>();
            JsonArray files = new JsonArray();
            for (int i = 0; i < PEOPLE; i++) {
                String mail = "latency" + i + "@example.com";
                Issued issued = pki.smime(mail, SmimePurpose.ENCRYPTION);
                mails.add(mail);
                serials.add(issued.certificate().getSerialNumber().toString(16));
                files.add(new JsonObject().put("name", mail).put("text", TestPki.pem(issued)));
            }
            admin.post("/admin/certificates/import", new JsonObject().put("files", files));
            while (admin.get("/admin/health").body().getJsonObject("publication").getLong("depth") > 0) {
                Thread.sleep(100);
            }
            List<Double> acknowledge = new ArrayList<>();
            List<Double> unpublish = new ArrayList<>();
            try (LDAPConnection ldap = new LDAPConnection("127.0.0.1", URI.create(service.ldapUrl()).getPort())) {
                for (int i = 0; i < PEOPLE; i++) {
                    long start = System.nanoTime();
                    AdminHttp.Answer answer = admin.post("/admin/certificates/demo-issuing-ca/" + serials.get(i) + "/revoke",
                            new JsonObject().put("reason", "keyCompromise"));
                    long acknowledged = System.nanoTime();
                    if (answer.status() != 200) {
                        throw new AssertionError(answer.body().encode());
                    }
                    while (published(ldap, mails.get(i))) {
                        Thread.onSpinWait();
                    }
                    long gone = System.nanoTime();
                    if (i >= WARMUP) {
                        acknowledge.add((acknowledged - start) / 1e6);
                        unpublish.add((gone - acknowledged) / 1e6);
                    }
                }
            }
            String report = String.format("revocations measured: %d (after %d warm-up)%n", acknowledge.size(), WARMUP)
                    + line("request -> acknowledgement", acknowledge)
                    + line("acknowledgement -> gone from the directory", unpublish);
            System.out.print(report);
            Files.writeString(Path.of("target", "revocation-latency.txt"), report, StandardCharsets.UTF_8);
        }
    }

    private static boolean published(LDAPConnection ldap, String mail) throws Exception {
        SearchResultEntry entry = ldap.searchForEntry("dc=example,dc=com", SearchScope.SUB, Filter.createEqualityFilter("mail", mail),
                "userCertificate;binary");
        return entry != null && entry.getAttribute("userCertificate;binary") != null;
    }

    private static String line(String what, List<Double> millis) {
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        return String.format("%-45s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms%n", what,
                sorted.get(sorted.size() / 2), sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1), sorted.get(sorted.size() - 1));
    }

}
