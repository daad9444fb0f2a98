package org.certdir.crl.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bounds on what the mirror fetches, against a real HTTP server on a free port: one test per way a fetch is refused. */
class CrlFetcherTest {

    private static final int MAX = 1024;
    private static HttpServer server;
    private static String base;
    private final CrlFetcher fetcher = new CrlFetcher(Duration.ofSeconds(10), MAX, 2);

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/small.crl", exchange -> send(exchange, 200, new byte[MAX], true));
        server.createContext("/large.crl", exchange -> send(exchange, 200, new byte[MAX + 1], true));
        server.createContext("/large-chunked.crl", exchange -> send(exchange, 200, new byte[MAX + 1], false));
        server.createContext("/missing.crl", exchange -> send(exchange, 404, new byte[0], true));
        server.createContext("/hop1", exchange -> redirect(exchange, "/hop2"));
        server.createContext("/hop2", exchange -> redirect(exchange, "/small.crl"));
        server.createContext("/loop", exchange -> redirect(exchange, "/loop"));
        server.createContext("/to-file", exchange -> redirect(exchange, "file:///etc/passwd"));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static void send(com.sun.net.httpserver.HttpExchange exchange, int status, byte[] body, boolean length) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : length ? body.length : 0);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static void redirect(com.sun.net.httpserver.HttpExchange exchange, String location) throws IOException {
        exchange.getResponseHeaders().add("Location", location);
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    @Test
    void fetch_upToTheLimit_returnsTheBody() throws IOException {
        assertArrayEquals(new byte[MAX], fetcher.fetch(URI.create(base + "/small.crl")));
    }

    @Test
    void fetch_overTheLimitByContentLength_refused() {
        IOException e = assertThrows(IOException.class, () -> fetcher.fetch(URI.create(base + "/large.crl")));
        assertEquals(base + "/large.crl is 1025 bytes, more than certdir.crl.mirror.max-size (1024)", e.getMessage());
    }

    @Test
    void fetch_overTheLimitWithoutContentLength_refused() {
        IOException e = assertThrows(IOException.class, () -> fetcher.fetch(URI.create(base + "/large-chunked.crl")));
        assertEquals(base + "/large-chunked.crl is more than certdir.crl.mirror.max-size (1024 bytes)", e.getMessage());
    }

    @Test
    void fetch_notFound_namesTheStatus() {
        IOException e = assertThrows(IOException.class, () -> fetcher.fetch(URI.create(base + "/missing.crl")));
        assertEquals(base + "/missing.crl answered HTTP 404", e.getMessage());
    }

    @Test
    void fetch_redirectsWithinTheLimit_followed() throws IOException {
        assertArrayEquals(new byte[MAX], fetcher.fetch(URI.create(base + "/hop1")));
    }

    @Test
    void fetch_tooManyRedirects_refused() {
        IOException e = assertThrows(IOException.class, () -> fetcher.fetch(URI.create(base + "/loop")));
        assertEquals(base + "/loop redirects more than 2 times", e.getMessage());
    }

    @Test
    void fetch_redirectToAnotherScheme_refused() {
        IOException e = assertThrows(IOException.class, () -> fetcher.fetch(URI.create(base + "/to-file")));
        assertEquals(base + "/to-file redirects to file:///etc/passwd, which is not an http:// or https:// URL", e.getMessage());
    }

    @Test
    void fetch_notHttp_refused() {
        IOException e = assertThrows(IOException.class, () -> fetcher.fetch(URI.create("ldap://127.0.0.1/cn=x")));
        assertEquals("ldap://127.0.0.1/cn=x is not an http:// or https:// URL", e.getMessage());
    }
}
