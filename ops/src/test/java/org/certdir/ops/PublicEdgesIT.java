package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.certdir.ops.config.ServiceConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public HTTP edge against a client that misbehaves or asks what few do: HEAD, names no CA can have, many
 * idle connections from one address; and what /health tells a stranger.
 */
class PublicEdgesIT {

    private static final int CAP = 4;

    @TempDir
    static Path data;

    static Service service;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        ServiceConfig base = TestServices.config(data, 100);
        ServiceConfig.Http http = base.http();
        // A base URL of the port actually used: README.txt must show it, not the default 8080.
        ServiceConfig config = new ServiceConfig(base.data(), base.ldap(),
                new ServiceConfig.Http(http.host(), http.port(), "http://127.0.0.1:" + http.port(), CAP),
                base.admin(), base.crl(), base.demo(), base.ocsp(), base.trust(), base.health());
        service = Service.start(config, true, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    private static HttpResponse<byte[]> send(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(service.publicUrl() + path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void head_onCrlAiaTrustAndHealth_answersTheHeadersOfGet_withoutBody() throws Exception {
        for (String path : List.of("/crl/demo-issuing-ca.crl", "/aia/demo-issuing-ca.crt", "/aia/demo-root-ca.p7c", "/trust/trust-list.p7c", "/health")) {
            HttpResponse<byte[]> get = send("GET", path);
            HttpResponse<byte[]> head = send("HEAD", path);
            assertEquals(200, get.statusCode(), path);
            assertEquals(200, head.statusCode(), path);
            assertEquals(0, head.body().length, path);
            assertEquals(get.headers().firstValue("Content-Type"), head.headers().firstValue("Content-Type"), path);
            assertEquals(get.headers().firstValue("ETag"), head.headers().firstValue("ETag"), path);
            assertEquals(get.headers().firstValue("Last-Modified"), head.headers().firstValue("Last-Modified"), path);
        }
    }

    @Test
    void aia_namesNoCaCanHave_are404WithTheRule() throws Exception {
        for (String file : List.of("-a.crt", "a-.p7c", "a".repeat(65) + ".crt", "a".repeat(300) + "-cross.p7c")) {
            HttpResponse<byte[]> answer = send("GET", "/aia/" + file);
            assertEquals(404, answer.statusCode(), file);
            assertEquals("no CA certificate named " + file + " is published here: ask for <ca>.crt, <ca>.p7c or <ca>-cross.p7c, "
                    + "where <ca> is a name 'certdir ca list' shows", new JsonObject(new String(answer.body(), StandardCharsets.UTF_8)).getString("error"));
        }
    }

    @Test
    void publicHealth_doesNotShowTheDataDirectory_butAdminHealthDoes() throws Exception {
        JsonObject pub = new JsonObject(new String(send("GET", "/health").body(), StandardCharsets.UTF_8));
        assertFalse(pub.encode().contains(data.toString()), pub.encode());
        assertEquals("ok", pub.getJsonObject("registry").getString("status"));
        JsonObject admin = new AdminHttp(service).get("/admin/health").body();
        assertEquals(service.registry().file().toString(), admin.getJsonObject("registry").getString("file"));
    }

    @Test
    void demoReadme_showsTheConfiguredEndpoints() throws Exception {
        String readme = java.nio.file.Files.readString(data.resolve("demo/README.txt"));
        assertTrue(readme.contains("ldapsearch -x -H " + service.ldapUrl() + " -b dc=example,dc=com '(mail=alice@example.com)'"), readme);
        assertTrue(readme.contains("ldapsearch -x -H " + service.ldapsUrl() + " -b"), readme);
        assertTrue(readme.contains("-url " + service.publicUrl() + "/ocsp"), readme);
        assertTrue(readme.contains("port " + URI.create(service.ldapsUrl()).getPort() + " with SSL"), readme);
        assertFalse(readme.contains(":10389") || readme.contains(":8080") || readme.contains("10636"), readme);
    }

    /** A connection from {@code source} (another loopback address than the test's HTTP client) to {@code port}. */
    private static Socket connect(String source, int port) throws Exception {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(source, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(5000);
        return socket;
    }

    /** The status line the server answers a GET on this connection with, or null when it closed it. */
    private static String statusLine(Socket socket, String path) throws Exception {
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: certdir\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }

    private static boolean closedByServer(Socket socket) throws Exception {
        try {
            return socket.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    @Test
    void connectionsOverThePerAddressCap_areClosed_onThePublicAndAdminListeners() throws Exception {
        int[] ports = {URI.create(service.publicUrl()).getPort(), URI.create(service.adminUrl()).getPort()};
        String[] expected = {"HTTP/1.1 200 OK", "HTTP/1.1 401 Unauthorized"};
        String[] paths = {"/health", "/admin/cas"};
        for (int i = 0; i < ports.length; i++) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int n = 0; n < CAP; n++) {
                    held.add(connect("127.0.0.2", ports[i]));
                }
                try (Socket over = connect("127.0.0.2", ports[i])) {
                    assertTrue(closedByServer(over), "connection " + (CAP + 1) + " from one address stays open on port " + ports[i]);
                }
                // The ones within the cap work, and another address is not affected.
                assertEquals(expected[i], statusLine(held.get(0), paths[i]));
                try (Socket other = connect("127.0.0.3", ports[i])) {
                    assertEquals(expected[i], statusLine(other, paths[i]));
                }
                // A connection closed frees its place.
                held.remove(held.size() - 1).close();
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                String answered = null;
                while (answered == null && System.nanoTime() < deadline) {
                    try (Socket again = connect("127.0.0.2", ports[i])) {
                        answered = statusLine(again, paths[i]);
                    } catch (java.io.IOException closed) {
                        answered = null;
                    }
                }
                assertEquals(expected[i], answered);
            } finally {
                for (Socket socket : held) {
                    socket.close();
                }
            }
        }
    }
}
