package org.certdir.ocsp.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.certdir.ocsp.TestResponder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The OCSP routes on a real Vert.x listener, asked by the JDK's HTTP client and by hand over a socket. */
class OcspRoutesHttpTest {

    private static final byte[] MALFORMED = {0x30, 0x03, 0x0a, 0x01, 0x01};
    private static Vertx vertx;
    private static HttpServer server;
    private static TestResponder ca;
    private static String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        ca = new TestResponder();
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        new OcspRoutes(ca.responder, Clock.systemUTC()).register(router);
        server = vertx.createHttpServer().requestHandler(router).listen(0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + server.actualPort();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        ca.responder.close();
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void assertMalformed(HttpResponse<byte[]> response) {
        assertEquals(200, response.statusCode(), "OCSP clients read the OCSP status only from a 200");
        assertEquals("application/ocsp-response", response.headers().firstValue("Content-Type").orElse(""));
        assertArrayEquals(MALFORMED, response.body());
    }

    @Test
    void get_withAValidRequest_isSuccessful() throws Exception {
        byte[] request = TestResponder.request(ca.certId(TestResponder.VALID_SERIAL));
        HttpResponse<byte[]> response = get("/ocsp/" + Base64.getUrlEncoder().encodeToString(request));
        assertEquals(200, response.statusCode());
        assertEquals(OCSPResp.SUCCESSFUL, new OCSPResp(response.body()).getStatus());
    }

    @Test
    void get_withoutARequest_isMalformed_notA500() throws Exception {
        assertMalformed(get("/ocsp"));
        assertMalformed(get("/ocsp/"));
    }

    private static final String STILL_OPEN = "\n[the server kept the connection open]";

    private static String raw(String request) throws Exception {
        return raw(request, 5000);
    }

    /** Sends {@code request} as it is and reads until the server closes or {@code millis} pass without a byte; returns the raw answer. */
    private static String raw(String request, int millis) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.actualPort())) {
            socket.setSoTimeout(millis);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int read; (read = in.read(buffer)) > 0; ) {
                    answer.write(buffer, 0, read);
                }
            } catch (java.net.SocketTimeoutException e) {
                answer.write(STILL_OPEN.getBytes(StandardCharsets.ISO_8859_1));
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void post_withBrokenChunkedEncoding_is400() throws Exception {
        String answer = raw("POST /ocsp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/ocsp-request\r\n"
                + "Transfer-Encoding: chunked\r\n\r\nzz\r\n0000\r\n0\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
        assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/ocsp-response\r\n"), answer);
        assertTrue(answer.endsWith("\r\n\r\n" + new String(MALFORMED, StandardCharsets.ISO_8859_1)), answer);
    }

    @Test
    void post_declaringABodyOver64KiB_is413_beforeTheBodyComes() throws Exception {
        // Only the headers: the answer does not wait for 70 KB. The connection waits for them (a close with unread
        // bytes would reset it and could lose the answer); the listener's idle timeout ends a client that never sends.
        String answer = raw("POST /ocsp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/ocsp-request\r\n"
                + "Content-Length: 70000\r\n\r\n", 1000);
        assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
        assertTrue(answer.endsWith("\r\n\r\n" + new String(MALFORMED, StandardCharsets.ISO_8859_1) + STILL_OPEN), answer);
    }

    @Test
    void post_bodyOver64KiB_is413_andTheConnectionCloses() throws Exception {
        String answer = raw("POST /ocsp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/ocsp-request\r\n"
                + "Content-Length: 70000\r\n\r\n" + "A".repeat(70_000));
        assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
        assertTrue(answer.endsWith("\r\n\r\n" + new String(MALFORMED, StandardCharsets.ISO_8859_1)), answer);
    }

    @Test
    void post_chunkedBodyGrowingOver64KiB_is413_andTheConnectionCloses() throws Exception {
        String chunk = Integer.toHexString(40_000) + "\r\n" + "A".repeat(40_000) + "\r\n";
        String answer = raw("POST /ocsp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/ocsp-request\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + chunk + chunk + "0\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
        assertTrue(answer.endsWith("\r\n\r\n" + new String(MALFORMED, StandardCharsets.ISO_8859_1)), answer);
    }

    @Test
    void post_refusedBodyBeyondTheDrainLimit_isCutOff() throws Exception {
        // 3 MB announced, 2 MB sent: the server drops up to 1 MiB of a refused body, then closes instead of
        // waiting for the rest. (Closing with bytes unread resets the connection: no answer to check, only the cut.)
        try (Socket socket = new Socket("127.0.0.1", server.actualPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /ocsp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/ocsp-request\r\n"
                    + "Content-Length: 3000000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            byte[] piece = new byte[64 * 1024];
            boolean cut = false;
            try {
                for (int sent = 0; sent < 2_000_000; sent += piece.length) {
                    out.write(piece);
                }
                out.flush();
                InputStream in = socket.getInputStream();
                while (in.read(piece) >= 0) {
                    // the 413, then the end
                }
                cut = true;
            } catch (java.net.SocketException reset) {
                cut = true;
            }
            assertTrue(cut, "the connection ends without the rest of the body");
        }
    }
}
