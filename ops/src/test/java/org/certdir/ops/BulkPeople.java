package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** {@code bulk<i>@example.com} people for tests that need many: imported through the admin API, then awaited in the directory. */
final class BulkPeople {

    private BulkPeople() {
    }

    /**
     * Imports {@code count} encryption certificates of the demo issuing CA of {@code data}, 500 a request, and waits until
     * /health at {@code publicUrl} shows an empty publication queue: every one of them is in the directory.
     */
    static void importAndPublish(AdminHttp admin, String publicUrl, Path data, int count) throws Exception {
        Path pems = Files.createTempDirectory("certdir-bulk");
        new TestPki(data).bulk(pems, count, true);
        List<Path> files;
        try (Stream<Path> found = Files.walk(pems)) {
            files = found.filter(Files::isRegularFile).sorted().toList();
        }
        for (int from = 0; from < files.size(); from += 500) {
            JsonArray batch = new JsonArray();
            for (Path pem : files.subList(from, Math.min(files.size(), from + 500))) {
                batch.add(new JsonObject().put("name", pem.getFileName().toString()).put("text", Files.readString(pem)));
            }
            AdminHttp.Answer answer = admin.post("/admin/certificates/import", new JsonObject().put("files", batch));
            assertEquals(200, answer.status(), answer.body().encode());
        }
        try (Stream<Path> written = Files.walk(pems)) {
            for (Path path : written.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (health(publicUrl).getJsonObject("publication").getInteger("depth") > 0) {
            if (System.nanoTime() > deadline) {
                fail("the publication queue did not drain within 5 minutes: " + health(publicUrl).getJsonObject("publication"));
            }
            Thread.sleep(200);
        }
    }

    static JsonObject health(String publicUrl) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(publicUrl + "/health")).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        return new JsonObject(response.body());
    }
}
