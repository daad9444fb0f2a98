package org.certdir.crl.distribution;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CrlRecord;

/**
 * A remote web server taking the CRL by HTTP PUT (e.g. nginx with {@code dav_methods PUT}), optionally with
 * basic authentication: {@code <base>/<ca>.crl} and {@code <base>/<ca>-delta.crl}. Servers such as nginx write
 * a PUT to a temporary file and rename it, so readers never see a partial CRL there either.
 */
public final class WebDavPoint implements DistributionPoint {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final URI base;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** {@code user} null: no authentication. */
    public WebDavPoint(String name, URI base, String user, String password) {
        this.name = name;
        this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
        this.authorization = user == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void publish(CaRecord ca, CrlRecord crl) throws IOException, InterruptedException {
        URI target = base.resolve(DistributionPoint.fileName(ca, crl));
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(TIMEOUT)
                .header("Content-Type", "application/pkix-crl")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(crl.der()));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("PUT " + target + " answered " + response.statusCode());
        }
    }
}
