package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.certdir.ops.config.ServiceConfig;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WebDAV distribution point against a real nginx: PUT with basic authentication, an outage, the catch-up. */
class WebDavNginxIT {

    private static final String CA = "demo-issuing-ca";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path data;

    @TempDir
    Path nginxDir;

    @Test
    void crlsReachNginx_andAnOutageIsCaughtUp() throws Exception {
        Interop.require("nginx", "nginx");
        int port = TestServices.freePort();
        Files.writeString(data.resolve("web.password"), "s3cret-put\n");
        ServiceConfig config = Probe.withPoint(TestServices.config(data, 100),
                new ServiceConfig.Point("web", "webdav", "http://127.0.0.1:" + port + "/crl/", "publisher", data.resolve("web.password"), null));
        try (Nginx nginx = new Nginx(nginxDir, port, "publisher", "s3cret-put")) {
            nginx.start();
            try (Service service = Service.start(config, true, Clock.systemUTC())) {
                Path full = data.resolve("crl/" + CA + ".crl");
                Probe.await(() -> Files.exists(nginx.received(CA + "-delta.crl")) && Files.exists(full)
                        && java.util.Arrays.equals(Files.readAllBytes(full), Files.readAllBytes(nginx.received(CA + ".crl"))), Boolean::booleanValue, TIMEOUT);
                HttpResponse<byte[]> fromNginx = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/crl/" + CA + ".crl")).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertArrayEquals(Files.readAllBytes(full), fromNginx.body(), "nginx serves what certdir put");
                HttpResponse<Void> anonymousPut = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/crl/x.crl")).PUT(HttpRequest.BodyPublishers.ofString("x")).build(),
                        HttpResponse.BodyHandlers.discarding());
                assertEquals(401, anonymousPut.statusCode(), "only the publisher may PUT");

                nginx.stop();
                AdminHttp admin = new AdminHttp(service);
                String bob = KeyFiles.readPem(data.resolve("demo/bob-encryption.pem")).get(0).getSerialNumber().toString(16);
                assertEquals(200, admin.post("/admin/certificates/" + CA + "/" + bob + "/revoke", new JsonObject().put("reason", "keyCompromise")).status());
                Path delta = data.resolve("crl/" + CA + "-delta.crl");
                Probe.await(() -> !java.util.Arrays.equals(Files.readAllBytes(delta), Files.readAllBytes(nginx.received(CA + "-delta.crl"))), Boolean::booleanValue, TIMEOUT);
                JsonObject failing = Probe.await(() -> Probe.health(service), h -> Probe.point(h, CA, "web").containsKey("lastError")
                        && "ok".equals(Probe.point(h, CA, "files").getString("status")), TIMEOUT);
                assertEquals("degraded", failing.getString("status"));
                assertEquals("ok", Probe.point(failing, CA, "files").getString("status"), "the other points go on");

                nginx.start();
                Probe.await(() -> Probe.health(service), h -> "ok".equals(h.getString("status")), TIMEOUT);
                assertArrayEquals(Files.readAllBytes(delta), Files.readAllBytes(nginx.received(CA + "-delta.crl")), "nginx caught up");
            }
        }
    }
}
