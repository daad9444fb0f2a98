package org.certdir.ops.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.certdir.ops.CliFailure;

/** Calls the admin API of a running service; every failure becomes one {@link CliFailure} line. */
final class AdminClient {

    private final String baseUrl;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AdminClient(String baseUrl, String token) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
    }

    JsonObject post(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    JsonObject get(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET());
    }

    private JsonObject send(HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            response = http.send(request.header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new CliFailure("no certdir service answers at " + baseUrl + ": start it (./certdir demo or certdir serve) or give --url");
        } catch (IOException e) {
            throw new CliFailure("the admin API at " + baseUrl + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure("interrupted while waiting for " + baseUrl);
        }
        JsonObject body;
        try {
            body = new JsonObject(response.body());
        } catch (DecodeException e) {
            throw new CliFailure("the admin API at " + baseUrl + " answered " + response.statusCode() + " with something that is not JSON");
        }
        if (response.statusCode() >= 400) {
            throw new CliFailure(body.getString("error", "the admin API answered " + response.statusCode()));
        }
        return body;
    }
}
