package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every route of both listeners, walked from their routers, so a route added later is held to the same rules: each
 * GET answers HEAD with the same status and headers and no body (RFC 9110 §9.3.2), and each route that takes a body
 * (POST, PUT, DELETE) refuses a broken chunked body with a 400, or just closes when the client hung up mid-body, and
 * never acts on it. A route missing from the samples below fails the test until it gets one.
 */
class EveryRouteIT {

    private static final String CA = "demo-issuing-ca";
    /** The admin API's answer to a body it cannot read. */
    private static final JsonObject ADMIN_ERROR = new JsonObject().put("error",
            "the request body could not be read (Invalid character in chunk size): send the request again with a well-formed body");

    @RegisterExtension
    static final DemoService DEMO = new DemoService();

    static Service service;
    static String token;
    static String aliceSerial;
    /** "METHOD path-as-registered" → the requests that exercise that route, on its listener. */
    static final Map<String, List<String>> SAMPLES = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        service = DEMO.service();
        token = Files.readString(service.data().adminToken()).strip();
        X509Certificate issuing = KeyFiles.readPem(DEMO.demo("issuing-ca.pem")).get(0);
        X509Certificate alice = KeyFiles.readPem(DEMO.demo("alice-encryption.pem")).get(0);
        aliceSerial = alice.getSerialNumber().toString(16);
        byte[] ocspRequest = new OCSPReqBuilder().addRequest(new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                new JcaX509CertificateHolder(issuing), alice.getSerialNumber())).build().getEncoded();
        String certHash = Base64.getEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-1").digest(alice.getEncoded()));
        // A partner CA on the trust list, for the DELETE that must not remove it.
        Issued partner = new TestPki(DEMO.data()).issuer().rootCa("Route Partner CA", "partner", KeyAlgorithm.EC_P256, java.time.Duration.ofDays(30));
        AdminHttp.Answer added = new AdminHttp(service).post("/admin/trust?name=route-partner", "application/x-pem-file",
                TestPki.pem(partner).getBytes(StandardCharsets.US_ASCII));
        assertEquals(200, added.status(), added.body().encode());

        // Public listener.
        SAMPLES.put("GET /ocsp/", List.of("/ocsp/" + URLEncoder.encode(Base64.getEncoder().encodeToString(ocspRequest), StandardCharsets.US_ASCII)));
        SAMPLES.put("POST /ocsp", List.of("/ocsp"));
        SAMPLES.put("POST /ocsp/", List.of("/ocsp/"));
        SAMPLES.put("GET /aia/:file", List.of("/aia/" + CA + ".crt", "/aia/" + CA + ".p7c"));
        SAMPLES.put("GET /trust/trust-list.p7c", List.of("/trust/trust-list.p7c"));
        SAMPLES.put("GET /trust/trust-list.p7s", List.of("/trust/trust-list.p7s"));
        SAMPLES.put("GET /certs/search.cgi", List.of("/certs/search.cgi?certHash=" + certHash));
        SAMPLES.put("GET /crl/:file", List.of("/crl/" + CA + ".crl", "/crl/" + CA + "-delta.crl"));
        SAMPLES.put("GET /health", List.of("/health"));
        SAMPLES.put("GET /metrics", List.of("/metrics"));
        // Admin listener.
        SAMPLES.put("GET /admin/health", List.of("/admin/health"));
        SAMPLES.put("GET /admin/cas", List.of("/admin/cas"));
        SAMPLES.put("GET /admin/certificates", List.of("/admin/certificates?limit=2"));
        SAMPLES.put("GET /admin/certificates/expiring", List.of("/admin/certificates/expiring?within=30d&limit=2"));
        SAMPLES.put("GET /admin/certificates/:ca/:serial", List.of("/admin/certificates/" + CA + "/" + aliceSerial));
        SAMPLES.put("GET /admin/audit", List.of("/admin/audit?limit=5"));
        SAMPLES.put("GET /admin/changes", List.of("/admin/changes?since=0&limit=5"));
        SAMPLES.put("GET /admin/crl/status", List.of("/admin/crl/status"));
        SAMPLES.put("GET /admin/trust", List.of("/admin/trust"));
        SAMPLES.put("POST /admin/directory/republish", List.of("/admin/directory/republish"));
        SAMPLES.put("POST /admin/certificates/import", List.of("/admin/certificates/import"));
        SAMPLES.put("POST /admin/certificates/issue", List.of("/admin/certificates/issue"));
        SAMPLES.put("POST /admin/certificates/issue-csr", List.of("/admin/certificates/issue-csr"));
        SAMPLES.put("GET /admin/profiles", List.of("/admin/profiles"));
        SAMPLES.put("POST /admin/certificates/renew", List.of("/admin/certificates/renew"));
        SAMPLES.put("POST /admin/certificates/lookup", List.of("/admin/certificates/lookup"));
        for (String action : List.of("revoke", "hold", "release")) {
            SAMPLES.put("POST /admin/certificates/:ca/:serial/" + action, List.of("/admin/certificates/" + CA + "/" + aliceSerial + "/" + action));
        }
        SAMPLES.put("POST /admin/crl/publish", List.of("/admin/crl/publish"));
        SAMPLES.put("POST /admin/trust", List.of("/admin/trust?name=route-other"));
        SAMPLES.put("DELETE /admin/trust/:name", List.of("/admin/trust/route-partner"));
        SAMPLES.put("POST /admin/cas", List.of("/admin/cas"));
        SAMPLES.put("POST /admin/cas/install", List.of("/admin/cas/install"));
        SAMPLES.put("POST /admin/cas/import", List.of("/admin/cas/import"));
        SAMPLES.put("POST /admin/cas/:ca/renew", List.of("/admin/cas/" + CA + "/renew"));
        // A CA certdir holds: a mirrored CRL or an external OCSP signer for it is refused, so these samples change nothing.
        SAMPLES.put("GET /admin/crl/mirror", List.of("/admin/crl/mirror"));
        SAMPLES.put("POST /admin/crl/mirror/:ca", List.of("/admin/crl/mirror/" + CA));
        SAMPLES.put("POST /admin/crl/mirror/:ca/fetch", List.of("/admin/crl/mirror/" + CA + "/fetch"));
        SAMPLES.put("POST /admin/ocsp/signer/:ca/request", List.of("/admin/ocsp/signer/" + CA + "/request"));
        SAMPLES.put("POST /admin/ocsp/signer/:ca/install", List.of("/admin/ocsp/signer/" + CA + "/install"));
    }

    /** Every "METHOD path" the router answers for {@code wanted}, as registered; routes for any method (filters) are not requests. */
    private static List<String> routes(Router router, List<HttpMethod> wanted) {
        List<String> routes = new ArrayList<>();
        for (Route route : router.getRoutes()) {
            if (route.getPath() == null || route.methods() == null) {
                continue;
            }
            for (HttpMethod method : route.methods()) {
                if (wanted.contains(method)) {
                    routes.add(method.name() + " " + route.getPath());
                }
            }
        }
        return routes;
    }

    private static List<String> samples(String route) {
        List<String> samples = SAMPLES.get(route);
        if (samples == null) {
            fail("no sample request for the route " + route + ": add one to EveryRouteIT.SAMPLES");
        }
        return samples;
    }

    private String base(String path) {
        return path.startsWith("/admin") ? service.adminUrl() : service.publicUrl();
    }

    private HttpResponse<byte[]> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base(path) + path)).header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The headers of an answer, names in lower case, the Content-Length apart. */
    private static Map<String, List<String>> headers(HttpResponse<byte[]> response) {
        Map<String, List<String>> headers = new TreeMap<>(response.headers().map());
        headers.remove("content-length");
        return headers;
    }

    @Test
    void everyGetRoute_answersHead_withTheStatusAndHeadersOfGet_andNoBody() throws Exception {
        List<String> routes = new ArrayList<>(routes(service.http().publicRouter(), List.of(HttpMethod.GET)));
        routes.addAll(routes(service.http().adminRouter(), List.of(HttpMethod.GET)));
        assertTrue(routes.size() >= 16, "the routers show " + routes);
        List<String> wrong = new ArrayList<>();
        for (String route : routes) {
            for (String path : samples(route)) {
                // Health, metrics and the audit trail may change between the two requests: both are asked again
                // until they describe the same answer (a HEAD without Content-Length or with a body never does).
                String difference = null;
                for (int attempt = 0; attempt < 5; attempt++) {
                    HttpResponse<byte[]> get = send("GET", path);
                    HttpResponse<byte[]> head = send("HEAD", path);
                    assertEquals(200, get.statusCode(), route + ": GET " + path + " answered " + new String(get.body(), StandardCharsets.UTF_8));
                    difference = head.statusCode() != get.statusCode() ? "status " + head.statusCode() + " instead of " + get.statusCode()
                            : head.body().length > 0 ? "a body of " + head.body().length + " bytes"
                            : !headers(head).equals(headers(get)) ? "headers " + headers(head) + " instead of " + headers(get)
                            : !head.headers().firstValue("Content-Length").equals(java.util.Optional.of(Integer.toString(get.body().length)))
                            ? "Content-Length " + head.headers().firstValue("Content-Length") + " for a body of " + get.body().length + " bytes"
                            : null;
                    if (difference == null) {
                        break;
                    }
                }
                if (difference != null) {
                    wrong.add(route + ": HEAD " + path + " answered unlike GET: " + difference);
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    /** Sends {@code method path} with {@code body} after chunked-encoding headers; returns all the server answered before it closed. */
    private String sendRaw(String method, String path, String body, boolean hangUp) throws Exception {
        URI uri = URI.create(base(path));
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: certdir\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
            if (hangUp) {
                socket.shutdownOutput();
            }
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** Whether {@code answer} is the admin API's 400 for an unreadable body, closing the connection. */
    private static boolean isAdminError(String answer) {
        int end = answer.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        Map<String, String> headers = new TreeMap<>();
        for (String line : answer.substring(0, end).split("\r\n")) {
            if (line.contains(":")) {
                headers.put(line.substring(0, line.indexOf(':')).toLowerCase(java.util.Locale.ROOT), line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return "close".equals(headers.get("connection")) && "application/json".equals(headers.get("content-type"))
                && ADMIN_ERROR.equals(new JsonObject(answer.substring(end + 4)));
    }

    @Test
    void everyRouteThatTakesABody_refusesABrokenChunkedBody_andActsOnNothing() throws Exception {
        List<HttpMethod> withBody = List.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);
        List<String> routes = new ArrayList<>(routes(service.http().publicRouter(), withBody));
        routes.addAll(routes(service.http().adminRouter(), withBody));
        assertTrue(routes.size() >= 12, "the routers show " + routes);
        long revision = service.registry().revision();
        long lastAudit = service.registry().auditTrail(1).get(0).id();
        int cas = service.registry().cas().size();
        // The first chunk sizes are not hex; then a valid chunk before a broken size.
        String[] broken = {"zz\r\n0000\r\n0\r\n\r\n", "5\r\n{\"a\":\r\nxyz\r\n0\r\n\r\n"};
        // A chunk cut short, and a body without its last (empty) chunk, each followed by the client hanging up.
        String[] truncated = {"10\r\n{\"reason\"", "1a\r\n{\"reason\":\"keyCompromise\"}\r\n"};
        List<String> wrong = new ArrayList<>();
        for (String route : routes) {
            String method = route.substring(0, route.indexOf(' '));
            for (String path : samples(route)) {
                for (String body : broken) {
                    String answer = sendRaw(method, path, body, false);
                    if (!answer.startsWith("HTTP/1.1 400 Bad Request\r\n") || path.startsWith("/admin") && !isAdminError(answer)) {
                        wrong.add(method + " " + path + " answered a broken chunked body with:\n" + answer);
                    }
                }
                for (String body : truncated) {
                    String answer = sendRaw(method, path, body, true);
                    if (!answer.isEmpty()) {
                        wrong.add(method + " " + path + " answered a body the client cut short with:\n" + answer);
                    }
                }
            }
        }
        service.registry().auditTrail(100).stream().filter(record -> record.id() > lastAudit && record.actor().equals("admin"))
                .forEach(action -> wrong.add("acted on a broken body: " + action));
        assertEquals(List.of(), wrong);
        assertEquals(revision, service.registry().revision(), "no certificate changed");
        assertEquals(cas, service.registry().cas().size());
        assertEquals(List.of(), service.registry().pendingCas());
        assertEquals(List.of("route-partner"), service.registry().trustList().snapshot().cas().stream().map(ca -> ca.name().value()).toList());
        assertEquals("valid", new AdminHttp(service).get("/admin/certificates/" + CA + "/" + aliceSerial).body().getString("status"));
    }

    @Test
    void samples_nameOnlyRoutesTheServerHas() {
        List<String> routes = new ArrayList<>(routes(service.http().publicRouter(), HttpMethod.values()));
        routes.addAll(routes(service.http().adminRouter(), HttpMethod.values()));
        for (String route : SAMPLES.keySet()) {
            assertTrue(routes.contains(route), "EveryRouteIT.SAMPLES names " + route + ", which the routers do not have: " + routes);
        }
    }
}
