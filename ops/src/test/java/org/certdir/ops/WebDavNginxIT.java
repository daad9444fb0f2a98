package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.certdir.ops.config.ServiceConfig;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WebDAV distribution point against a real nginx: PUT with basic authentication, an outage, the catch-up. */
class WebDavNginxIT {

    private static final String CA = "demo-issuing-ca";

    @TempDir
    Path data;

    @TempDir
    Path nginxDir;

    @Test
    void crlsReachNginx_andAnOutageIsCaughtUp() throws Exception {
        Interop.require("nginx", "nginx");
        int port = TestServices.freePort();
        Files.writeString(data.resolve("web.password"), "s3cret-put\n");
        ServiceConfig base = TestServices.config(data, 100);
        List<ServiceConfig.Point> points = new ArrayList<>(base.crl().points());
        points.add(new ServiceConfig.Point("web", "webdav", "http://127.0.0.1:" + port + "/crl/", "publisher", data.resolve("web.password")));
        ServiceConfig.Crl crl = base.crl();
        ServiceConfig config = new ServiceConfig(base.data(), base.ldap(), base.http(), base.admin(),
                new ServiceConfig.Crl(crl.fullValidity(), crl.fullPeriod(), crl.deltas(), crl.deltaValidity(), crl.deltaPeriod(), crl.debounce(),
                        crl.staleMargin(), points), base.demo());
        try (Nginx nginx = new Nginx(nginxDir, port, "publisher", "s3cret-put")) {
            nginx.start();
            try (Service service = Service.start(config, true, Clock.systemUTC())) {
                Path full = data.resolve("crl/" + CA + ".crl");
                await(() -> Files.exists(nginx.received(CA + "-delta.crl")) && Files.exists(full)
                        && java.util.Arrays.equals(Files.readAllBytes(full), Files.readAllBytes(nginx.received(CA + ".crl"))), Boolean::booleanValue);
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
                await(() -> !java.util.Arrays.equals(Files.readAllBytes(delta), Files.readAllBytes(nginx.received(CA + "-delta.crl"))), Boolean::booleanValue);
                JsonObject failing = await(() -> health(service), h -> web(h).containsKey("lastError"));
                assertEquals("degraded", failing.getString("status"));
                assertEquals("ok", point(failing, "files").getString("status"), "the other points go on");

                nginx.start();
                await(() -> health(service), h -> "ok".equals(h.getString("status")));
                assertArrayEquals(Files.readAllBytes(delta), Files.readAllBytes(nginx.received(CA + "-delta.crl")), "nginx caught up");
            }
        }
    }

    private static JsonObject health(Service service) throws Exception {
        return new JsonObject(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.publicUrl() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static JsonObject web(JsonObject health) {
        return point(health, "web");
    }

    private static JsonObject point(JsonObject health, String name) {
        JsonArray points = health.getJsonObject("crl").getJsonArray("points");
        for (int i = 0; i < points.size(); i++) {
            if (points.getJsonObject(i).getString("ca").equals(CA) && points.getJsonObject(i).getString("point").equals(name)) {
                return points.getJsonObject(i);
            }
        }
        return new JsonObject();
    }

    private static <T> T await(java.util.concurrent.Callable<T> probe, Predicate<T> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        T value = probe.call();
        while (!condition.test(value) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            value = probe.call();
        }
        assertTrue(condition.test(value), "never got there: " + value);
        return value;
    }
}
