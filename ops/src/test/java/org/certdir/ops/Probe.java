package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.certdir.ops.config.ServiceConfig;

/** What the distribution-point tests ask of a running service: its /health, one point's state, waiting for a condition. */
final class Probe {

    private Probe() {
    }

    /** Polls {@code probe} until {@code condition} holds, failing with the last value after {@code timeout}. */
    static <T> T await(Callable<T> probe, Predicate<T> condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T value = probe.call();
        while (!condition.test(value) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            value = probe.call();
        }
        assertTrue(condition.test(value), "never got there: " + value);
        return value;
    }

    static JsonObject health(Service service) throws Exception {
        return new JsonObject(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.publicUrl() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /** The state of one CA at one point in a /health answer; empty when it is not there (yet). */
    static JsonObject point(JsonObject health, String ca, String point) {
        JsonArray points = health.getJsonObject("crl").getJsonArray("points");
        for (int i = 0; i < points.size(); i++) {
            if (points.getJsonObject(i).getString("ca").equals(ca) && points.getJsonObject(i).getString("point").equals(point)) {
                return points.getJsonObject(i);
            }
        }
        return new JsonObject();
    }

    /** {@code config} with one more CRL distribution point. */
    static ServiceConfig withPoint(ServiceConfig config, ServiceConfig.Point extra) {
        List<ServiceConfig.Point> points = new ArrayList<>(config.crl().points());
        points.add(extra);
        ServiceConfig.Crl crl = config.crl();
        return new ServiceConfig(config.data(), config.ldap(), config.http(), config.admin(),
                new ServiceConfig.Crl(crl.fullValidity(), crl.fullPeriod(), crl.deltas(), crl.deltaValidity(), crl.deltaPeriod(), crl.debounce(),
                        crl.fullOnChangeWithin(), crl.staleMargin(), points), config.demo(), config.ocsp(), config.trust());
    }
}
