package org.certdir.ocsp;

import static org.certdir.ocsp.TestResponder.der;
import static org.certdir.ocsp.TestResponder.extensions;
import static org.certdir.ocsp.TestResponder.nonce;
import static org.certdir.ocsp.TestResponder.request;
import static org.certdir.ocsp.TestResponder.requestWith;
import static org.certdir.ocsp.TestResponder.sha1;
import static org.certdir.ocsp.TestResponder.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.certdir.ocsp.OcspMetrics.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Requests found by fuzzing and by the hostile-input catalogue of issue 12: each answered as RFC 6960 wants, none logged as our error. */
class HostileRequestTest {

    /** OCSPResponse { responseStatus malformedRequest (1) }, unsigned. */
    private static final byte[] MALFORMED = {0x30, 0x03, 0x0a, 0x01, 0x01};
    private static TestResponder ca;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeAll
    static void startResponder() {
        ca = new TestResponder();
    }

    @BeforeEach
    void captureLog() {
        log.start();
        ((Logger) LoggerFactory.getLogger(OcspResponder.class)).addAppender(log);
    }

    @AfterEach
    void noErrorLogged() {
        ((Logger) LoggerFactory.getLogger(OcspResponder.class)).detachAppender(log);
        List<String> loud = log.list.stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN)).map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(List.of(), loud, "a client's bytes are never a WARN or ERROR of ours");
    }

    private static OcspResponder.Answer answer(byte[] request) throws Exception {
        return ca.responder.respond(request).get();
    }

    private static void assertMalformed(byte[] request) throws Exception {
        OcspResponder.Answer answer = answer(request);
        assertEquals(Outcome.MALFORMED_REQUEST, answer.outcome());
        assertArrayEquals(MALFORMED, answer.der());
    }

    private static SingleResp single(OcspResponder.Answer answer) throws Exception {
        OCSPResp response = new OCSPResp(answer.der());
        assertEquals(OCSPResp.SUCCESSFUL, response.getStatus());
        return ((BasicOCSPResp) response.getResponseObject()).getResponses()[0];
    }

    @Test
    void wellFormedRequest_isGood() throws Exception {
        assertEquals(CertificateStatus.GOOD, single(answer(request(ca.certId(TestResponder.VALID_SERIAL)))).getCertStatus());
    }

    @Test
    void serialWithApplicationTag0x42_isMalformed_notInternalError() throws Exception {
        byte[] request = request(ca.certId(TestResponder.VALID_SERIAL));
        int serialTag = request.length - 3;
        assertEquals(0x02, request[serialTag], "the serial INTEGER is last");
        request[serialTag] = 0x42;
        assertMalformed(request);
    }

    @Test
    void criticalUnknownRequestExtension_isMalformed() throws Exception {
        Extension unknown = new Extension(new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1"), true, new byte[] {0x05, 0x00});
        assertMalformed(requestWith(null, extensions(unknown), ca.certId(TestResponder.VALID_SERIAL)));
    }

    @Test
    void criticalUnknownSingleRequestExtension_isMalformed() throws Exception {
        // Service locator (RFC 6960 §4.4.6): a proxy's business, not understood by a responder that is no proxy.
        Extension locator = new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_service_locator, true, new byte[] {0x30, 0x00});
        assertMalformed(requestWith(extensions(locator), null, ca.certId(TestResponder.VALID_SERIAL)));
    }

    @Test
    void nonCriticalUnknownExtension_isIgnored() throws Exception {
        Extension unknown = new Extension(new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1"), false, new byte[] {0x05, 0x00});
        assertEquals(CertificateStatus.GOOD, single(answer(requestWith(extensions(unknown), extensions(unknown),
                ca.certId(TestResponder.VALID_SERIAL)))).getCertStatus());
    }

    @Test
    void criticalNonce_isUnderstood_andEchoed() throws Exception {
        Extension nonce = new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, true, new DEROctetString(new byte[] {1, 2, 3}).getEncoded());
        OcspResponder.Answer answer = answer(requestWith(null, extensions(nonce), ca.certId(TestResponder.VALID_SERIAL)));
        assertEquals(Outcome.SIGNED_WITH_NONCE, answer.outcome());
        BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(answer.der()).getResponseObject();
        assertArrayEquals(new byte[] {1, 2, 3}, ASN1OctetString.getInstance(basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce).getParsedValue()).getOctets());
    }

    @Test
    void duplicateExtension_isMalformed() throws Exception {
        assertMalformed(requestWith(null, extensions(nonce(new byte[] {1}), nonce(new byte[] {2})), ca.certId(TestResponder.VALID_SERIAL)));
    }

    @Test
    void berIndefiniteLength_isMalformed() throws Exception {
        byte[] der = request(ca.certId(TestResponder.VALID_SERIAL));
        // The outer SEQUENCE in BER's indefinite form: 30 80 <contents> 00 00.
        int headerLength = (der[1] & 0x80) == 0 ? 2 : 2 + (der[1] & 0x7f);
        byte[] ber = new byte[der.length - headerLength + 4];
        ber[0] = 0x30;
        ber[1] = (byte) 0x80;
        System.arraycopy(der, headerLength, ber, 2, der.length - headerLength);
        assertArrayEquals(der, ASN1Primitive.fromByteArray(ber).getEncoded(org.bouncycastle.asn1.ASN1Encoding.DER), "the same request in BER");
        assertMalformed(ber);
    }

    @Test
    void nonMinimalLength_isMalformed() throws Exception {
        byte[] der = request(ca.certId(TestResponder.VALID_SERIAL));
        assertEquals(0x30, der[0]);
        byte[] longForm = new byte[der.length + 1];
        longForm[0] = 0x30;
        longForm[1] = (byte) 0x81;
        System.arraycopy(der, 1, longForm, 2, der.length - 1);
        assertMalformed(longForm);
    }

    @Test
    void constructedOctetString_isMalformed() throws Exception {
        byte[] der = request(ca.certId(TestResponder.VALID_SERIAL));
        // OCSPRequest, TBSRequest, requestList, Request, CertID: five SEQUENCE headers of two bytes, then the
        // AlgorithmIdentifier (11 bytes) and the name hash, 04 14 <20 bytes>, sent as BER's constructed form 24 16 04 14 <20 bytes>.
        int hash = 10 + 11;
        assertEquals(0x04, der[hash]);
        byte[] ber = new byte[der.length + 2];
        System.arraycopy(der, 0, ber, 0, hash);
        ber[hash] = 0x24;
        ber[hash + 1] = 0x16;
        System.arraycopy(der, hash, ber, hash + 2, der.length - hash);
        for (int header = 0; header < 10; header += 2) {
            ber[header + 1] += 2;
        }
        assertArrayEquals(der, ASN1Primitive.fromByteArray(ber).getEncoded(org.bouncycastle.asn1.ASN1Encoding.DER), "the same request in BER");
        assertMalformed(ber);
    }

    @Test
    void booleanTrueAs01_isMalformed() throws Exception {
        // A critical nonce is understood and answered (criticalNonce_isUnderstood_andEchoed): only the encoding is wrong.
        Extension nonce = new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, true, new DEROctetString(new byte[] {1, 2, 3}).getEncoded());
        byte[] der = requestWith(null, extensions(nonce), ca.certId(TestResponder.VALID_SERIAL));
        int critical = indexOf(der, new byte[] {0x01, 0x01, (byte) 0xff});
        der[critical + 2] = 0x01;
        assertMalformed(der);
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        for (int i = 0; i + part.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    @Test
    void serialOf1000Octets_isMalformed() throws Exception {
        byte[] huge = new byte[1000];
        Arrays.fill(huge, (byte) 0x11);
        assertMalformed(request(ca.certId(new BigInteger(1, huge))));
    }

    @Test
    void serialOf20OctetsWithSignOctet_isAnswered_unknown() throws Exception {
        byte[] twenty = new byte[20];
        Arrays.fill(twenty, (byte) 0xee);
        SingleResp single = single(answer(request(ca.certId(new BigInteger(1, twenty)))));
        assertEquals(org.bouncycastle.cert.ocsp.UnknownStatus.class, single.getCertStatus().getClass());
    }

    @Test
    void zeroAndNegativeSerials_areUnknown() throws Exception {
        assertEquals(org.bouncycastle.cert.ocsp.UnknownStatus.class, single(answer(request(ca.certId(BigInteger.ZERO)))).getCertStatus().getClass());
        assertEquals(org.bouncycastle.cert.ocsp.UnknownStatus.class, single(answer(request(ca.certId(BigInteger.valueOf(-5))))).getCertStatus().getClass());
    }

    @Test
    void hashAlgorithmWithParameters_isMalformed_neverEchoed() throws Exception {
        AlgorithmIdentifier withJunk = new AlgorithmIdentifier(sha1().getAlgorithm(), new DEROctetString(new byte[] {(byte) 0xde, (byte) 0xad}));
        assertMalformed(request(ca.certId(withJunk, new ASN1Integer(TestResponder.VALID_SERIAL))));
        AlgorithmIdentifier withSequence = new AlgorithmIdentifier(sha256().getAlgorithm(), new DERSequence(DERNull.INSTANCE));
        assertMalformed(request(ca.certId(withSequence, new ASN1Integer(TestResponder.VALID_SERIAL))));
    }

    @Test
    void hashAlgorithmParameters_comeBackAsSent_nullOrAbsent() throws Exception {
        SingleResp sha1 = single(answer(request(ca.certId(sha1(), new ASN1Integer(TestResponder.VALID_SERIAL)))));
        assertEquals(DERNull.INSTANCE, sha1.getCertID().toASN1Primitive().getHashAlgorithm().getParameters());
        SingleResp sha256 = single(answer(request(ca.certId(sha256(), new ASN1Integer(TestResponder.VALID_SERIAL)))));
        assertNull(sha256.getCertID().toASN1Primitive().getHashAlgorithm().getParameters());
        assertEquals(CertificateStatus.GOOD, sha256.getCertStatus());
    }

    @Test
    void hashOfTheWrongLength_isMalformed() throws Exception {
        DERSequence certId = ca.certId(TestResponder.VALID_SERIAL);
        DERSequence shortName = new DERSequence(new ASN1Encodable[] {certId.getObjectAt(0), new DEROctetString(new byte[5]),
                certId.getObjectAt(2), certId.getObjectAt(3)});
        assertMalformed(request(shortName));
    }

    @Test
    void nonceNotDer_orEmpty_orTooLong_isMalformed() throws Exception {
        Extension berNonce = new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, new byte[] {0x04, (byte) 0x81, 0x01, 0x07});
        assertMalformed(requestWith(null, extensions(berNonce), ca.certId(TestResponder.VALID_SERIAL)));
        assertMalformed(requestWith(null, extensions(nonce(new byte[0])), ca.certId(TestResponder.VALID_SERIAL)));
        assertMalformed(requestWith(null, extensions(nonce(new byte[129])), ca.certId(TestResponder.VALID_SERIAL)));
        assertEquals(Outcome.SIGNED_WITH_NONCE, answer(requestWith(null, extensions(nonce(new byte[128])), ca.certId(TestResponder.VALID_SERIAL))).outcome());
    }

    @Test
    void versionOtherThanV1_isMalformed() throws Exception {
        byte[] request = request(ca.certId(TestResponder.VALID_SERIAL));
        org.bouncycastle.asn1.ASN1Sequence tbs = (org.bouncycastle.asn1.ASN1Sequence) ((org.bouncycastle.asn1.ASN1Sequence) ASN1Primitive.fromByteArray(request)).getObjectAt(0);
        DERSequence v2 = new DERSequence(new ASN1Encodable[] {new DERTaggedObject(true, 0, new ASN1Integer(1)), tbs.getObjectAt(0)});
        assertMalformed(der(new DERSequence(v2)));
    }

    @Test
    void trailingBytes_andDeepNesting_areMalformed() throws Exception {
        byte[] request = request(ca.certId(TestResponder.VALID_SERIAL));
        assertMalformed(Arrays.copyOf(request, request.length + 2));
        byte[] deep = new byte[60_000];
        for (int i = 0; i < deep.length / 2; i++) {
            deep[2 * i] = 0x30;
            deep[2 * i + 1] = (byte) 0x80;
        }
        assertMalformed(deep);
    }
}
