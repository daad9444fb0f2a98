package org.certdir.crl.mirror;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Fetches a CRL from a CA's own distribution point, bounded: http and https only (also after a redirect), at most
 * {@code maxRedirects} redirects followed, a timeout for connecting and one for the whole answer, and at most
 * {@code maxBytes} read (a larger body is refused, not truncated). What it fetches is untrusted until
 * {@link CrlMirror} has checked it.
 */
public final class CrlFetcher {

    private final HttpClient client;
    private final Duration timeout;
    private final long maxBytes;
    private final int maxRedirects;

    public CrlFetcher(Duration timeout, long maxBytes, int maxRedirects) {
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.maxRedirects = maxRedirects;
        // Redirects are followed here, one by one, so each target's scheme is checked and their number bounded.
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The largest CRL taken, in bytes (certdir.crl.mirror.max-size): drop directories are held to it too. */
    long maxBytes() {
        return maxBytes;
    }

    /** The body at {@code url}; an {@link IOException} naming the URL and what went wrong. */
    public byte[] fetch(URI url) throws IOException {
        URI current = url;
        for (int redirects = 0; ; redirects++) {
            checkScheme(current, url);
            HttpResponse<InputStream> response;
            try {
                response = client.send(HttpRequest.newBuilder(current).timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while fetching " + current, e);
            } catch (java.net.http.HttpTimeoutException e) {
                throw new IOException(current + " did not answer within " + timeout.toSeconds() + " s", e);
            } catch (IOException e) {
                throw new IOException(current + " cannot be fetched: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
            }
            try (InputStream body = response.body()) {
                int status = response.statusCode();
                if (status >= 300 && status < 400 && response.headers().firstValue("Location").isPresent()) {
                    if (redirects >= maxRedirects) {
                        throw new IOException(url + " redirects more than " + maxRedirects + " times");
                    }
                    current = current.resolve(response.headers().firstValue("Location").get());
                    continue;
                }
                if (status != 200) {
                    throw new IOException(current + " answered HTTP " + status);
                }
                long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                if (length > maxBytes) {
                    throw new IOException(current + " is " + length + " bytes, more than certdir.crl.mirror.max-size (" + maxBytes + ")");
                }
                byte[] bytes = body.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
                if (bytes.length > maxBytes) {
                    throw new IOException(current + " is more than certdir.crl.mirror.max-size (" + maxBytes + " bytes)");
                }
                return bytes;
            }
        }
    }

    private static void checkScheme(URI target, URI asked) throws IOException {
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IOException(target.equals(asked) ? asked + " is not an http:// or https:// URL"
                    : asked + " redirects to " + target + ", which is not an http:// or https:// URL");
        }
    }
}
