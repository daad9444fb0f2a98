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

    JsonObject post(String path, JsonObject body) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())));
    }

    JsonObject post(String path, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** The same as {@link #post(String, JsonObject)}, answering later; failures complete it with a {@link CliFailure}. */
    java.util.concurrent.CompletableFuture<JsonObject> postAsync(String path, JsonObject body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(30))
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((response, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
                        if (cause instanceof ConnectException) {
                            throw new CliFailure("no certdir service answers at " + baseUrl + ": start it (./certdir demo or certdir serve) or give --url");
                        }
                        throw new CliFailure("the admin API at " + baseUrl + " failed: " + cause.getMessage());
                    }
                    return answer(response);
                });
    }

    JsonObject delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).DELETE());
    }

    JsonObject get(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET());
    }

    /** {@code path?name=value&...} with the values URL-encoded; null values are left out. */
    static String query(String path, String... namesAndValues) {
        StringBuilder url = new StringBuilder(path);
        char separator = '?';
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null) {
                url.append(separator).append(namesAndValues[i]).append('=')
                        .append(java.net.URLEncoder.encode(namesAndValues[i + 1], java.nio.charset.StandardCharsets.UTF_8));
                separator = '&';
            }
        }
        return url.toString();
    }

    /** A path segment, encoded. */
    static String segment(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
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
        return answer(response);
    }

    private JsonObject answer(HttpResponse<String> response) {
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
