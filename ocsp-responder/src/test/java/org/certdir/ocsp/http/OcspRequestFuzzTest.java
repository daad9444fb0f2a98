package org.certdir.ocsp.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.certdir.ocsp.OcspMetrics.Outcome;
import org.certdir.ocsp.OcspResponder;
import org.certdir.ocsp.TestResponder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Any bytes a client sends to {@code /ocsp}, as a POST body or a GET path, get an answer: never an exception, never
 * {@code internalError} or a WARN/ERROR line of ours, always a DER OCSPResponse that parses, and a signed one only
 * when the request was valid. Under {@code mvn verify} this runs over the committed inputs in
 * {@code OcspRequestFuzzTestInputs/<method>/} (seeds from {@code openssl ocsp -reqout} and every crash found);
 * with {@code JAZZER_FUZZ=1} Jazzer mutates them (README, "Fuzzing").
 */
class OcspRequestFuzzTest {

    private static TestResponder ca;
    private static final ListAppender<ILoggingEvent> LOG = new ListAppender<>();

    @BeforeAll
    static void start() {
        ca = new TestResponder();
        LOG.start();
        ((Logger) LoggerFactory.getLogger(OcspResponder.class)).addAppender(LOG);
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger(OcspResponder.class)).detachAppender(LOG);
        ca.responder.close();
    }

    /** The body of {@code POST /ocsp}: the route hands it to the responder as it came. */
    @FuzzTest(maxDuration = "5m")
    void post(byte[] body) throws Exception {
        check(body);
    }

    /** The path after {@code /ocsp/} of a GET, decoded as the route decodes it. */
    @FuzzTest(maxDuration = "5m")
    void get(byte[] path) throws Exception {
        byte[] request = OcspRoutes.decode(new String(path, StandardCharsets.ISO_8859_1));
        if (request != null) {
            check(request);
        }
    }

    /**
     * The openssl seeds must name the test CA, or the fuzzer would start from requests for an unknown issuer and
     * rarely reach the signing path: sha1-nonce.der asks for serial 5, which is good.
     */
    @Test
    void seedsNameTheTestCa() throws Exception {
        byte[] seed;
        try (var in = OcspRequestFuzzTest.class.getResourceAsStream("OcspRequestFuzzTestInputs/post/sha1-nonce.der")) {
            seed = in.readAllBytes();
        }
        OCSPResp response = new OCSPResp(ca.responder.respond(seed).get(10, TimeUnit.SECONDS).der());
        assertEquals(OCSPResp.SUCCESSFUL, response.getStatus());
        SingleResp single = ((BasicOCSPResp) response.getResponseObject()).getResponses()[0];
        assertEquals(TestResponder.VALID_SERIAL, single.getCertID().getSerialNumber());
        assertEquals(null, single.getCertStatus(), "good");
    }

    private static void check(byte[] request) throws Exception {
        LOG.list.clear();
        OcspResponder.Answer answer = ca.responder.respond(request).get(10, TimeUnit.SECONDS);
        assertNotEquals(Outcome.INTERNAL_ERROR, answer.outcome(), "a client's bytes are never our internal error");
        assertEquals(List.of(), LOG.list.stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage).toList(), "a client's bytes are never a WARN or ERROR line");
        OCSPResp response = new OCSPResp(answer.der());
        assertArrayEquals(answer.der(), ASN1Primitive.fromByteArray(answer.der()).getEncoded(ASN1Encoding.DER), "the answer is DER");
        if (response.getStatus() == OCSPResp.SUCCESSFUL) {
            BasicOCSPResp basic = (BasicOCSPResp) response.getResponseObject();
            assertEquals(true, basic.isSignatureValid(new org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder().build(ca.caCertificate)));
            for (SingleResp single : basic.getResponses()) {
                // Only parameters we wrote: none or NULL (RFC 5754 §2), never the client's bytes.
                var parameters = single.getCertID().toASN1Primitive().getHashAlgorithm().getParameters();
                if (parameters != null) {
                    assertEquals(org.bouncycastle.asn1.DERNull.INSTANCE, parameters.toASN1Primitive());
                }
            }
        }
    }
}
