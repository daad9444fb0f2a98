package org.certdir.ops;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/** The admin API over real HTTP, as curl or the CLI call it. */
final class AdminHttp {

    /** Status code and JSON body of one answer. */
    record Answer(int status, JsonObject body) {
        String error() {
            return body.getString("error");
        }

        String field() {
            return body.getString("field");
        }
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private final String baseUrl;
    private final String token;

    AdminHttp(Service service) throws IOException {
        this(service.adminUrl(), Files.readString(service.data().adminToken()).strip());
    }

    AdminHttp(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    static AdminHttp of(String baseUrl, Path tokenFile) throws IOException {
        return new AdminHttp(baseUrl, Files.readString(tokenFile).strip());
    }

    Answer get(String path) throws IOException, InterruptedException {
        return send(request(path).GET().build());
    }

    Answer post(String path, JsonObject body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build());
    }

    Answer post(String path, String contentType, byte[] body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    Answer delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE().build());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Authorization", "Bearer " + token);
    }

    private Answer send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("application/json")) {
            throw new AssertionError(request.method() + " " + request.uri() + " answered " + response.statusCode() + " with " + type + ": " + response.body());
        }
        return new Answer(response.statusCode(), new JsonObject(response.body()));
    }
}
