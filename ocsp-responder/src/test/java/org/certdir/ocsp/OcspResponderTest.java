package org.certdir.ocsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.certdir.ocsp.OcspMetrics.Outcome;
import org.certdir.registry.CaName;
import org.certdir.registry.CertificateStatus;
import org.certdir.registry.RevocationReason;
import org.certdir.registry.Serial;
import org.certdir.registry.StatusChange;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The responder's rules that need no HTTP: cache validity, signer limits, the signing queue. */
class OcspResponderTest {

    private static final CaName CA = new CaName("test-ca");
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final BigInteger SERIAL = BigInteger.valueOf(5);

    private static X509Certificate caCertificate;
    private static KeyPair caKeys;

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        private Instant now = NOW;

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeAll
    static void createCa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(3072);
        caKeys = generator.generateKeyPair();
        X500Name name = new X500Name("CN=Test CA");
        caCertificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
                Date.from(NOW.minus(Duration.ofDays(1))), Date.from(NOW.plus(Duration.ofHours(3))), name, caKeys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate())));
    }

    private static OcspResponder responder(StatusIndex index, Clock clock, int threads, int queue) {
        OcspResponder responder = new OcspResponder(index, new OcspSettings(Duration.ofHours(1), false, 1 << 20, threads, queue), clock);
        responder.useSigner(CA, new ResponseSigner(caCertificate, caCertificate, caKeys.getPrivate()));
        return responder;
    }

    private static StatusIndex indexWithValidSerial() {
        StatusIndex index = new StatusIndex();
        index.apply(new StatusChange(1, CA, new Serial(SERIAL), CertificateStatus.VALID, null, null, null, NOW));
        return index;
    }

    private static byte[] request(byte[] nonce) throws Exception {
        OCSPReqBuilder builder = new OCSPReqBuilder().addRequest(new CertificateID(
                new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1), new JcaX509CertificateHolder(caCertificate), SERIAL));
        if (nonce != null) {
            builder.setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                    new DEROctetString(nonce).getEncoded())));
        }
        return builder.build().getEncoded();
    }

    private static BasicOCSPResp basic(OcspResponder.Answer answer) throws Exception {
        return (BasicOCSPResp) new OCSPResp(answer.der()).getResponseObject();
    }

    @Test
    void respond_servesTheCache_untilTheCertificatesStatusChanges() throws Exception {
        StatusIndex index = indexWithValidSerial();
        try (OcspResponder responder = responder(index, new MovableClock(), 1, 10)) {
            assertEquals(Outcome.SIGNED, responder.respond(request(null)).get().outcome());
            assertEquals(Outcome.CACHE_HIT, responder.respond(request(null)).get().outcome());

            index.apply(new StatusChange(2, CA, new Serial(SERIAL), CertificateStatus.REVOKED, RevocationReason.KEY_COMPROMISE, NOW, null, NOW));
            OcspResponder.Answer afterRevocation = responder.respond(request(null)).get();
            assertEquals(Outcome.SIGNED, afterRevocation.outcome());
            RevokedStatus revoked = (RevokedStatus) basic(afterRevocation).getResponses()[0].getCertStatus();
            assertEquals(org.bouncycastle.asn1.x509.CRLReason.keyCompromise, revoked.getRevocationReason());
        }
    }

    @Test
    void respond_signsAgain_afterHalfTheValidity() throws Exception {
        MovableClock clock = new MovableClock();
        try (OcspResponder responder = responder(indexWithValidSerial(), clock, 1, 10)) {
            responder.respond(request(null)).get();
            clock.now = NOW.plus(Duration.ofMinutes(29));
            assertEquals(Outcome.CACHE_HIT, responder.respond(request(null)).get().outcome());
            clock.now = NOW.plus(Duration.ofMinutes(30));
            OcspResponder.Answer fresh = responder.respond(request(null)).get();
            assertEquals(Outcome.SIGNED, fresh.outcome());
            assertEquals(clock.now, fresh.thisUpdate());
        }
    }

    @Test
    void respond_neverOutlivesTheSignerCertificate() throws Exception {
        MovableClock clock = new MovableClock();
        clock.now = NOW.plus(Duration.ofMinutes(150));
        try (OcspResponder responder = responder(indexWithValidSerial(), clock, 1, 10)) {
            OcspResponder.Answer answer = responder.respond(request(null)).get();
            assertEquals(caCertificate.getNotAfter().toInstant(), answer.nextUpdate(), "an hour's validity would pass the signer's notAfter");
            assertEquals(caCertificate.getNotAfter().toInstant(), basic(answer).getResponses()[0].getNextUpdate().toInstant());
        }
    }

    @Test
    void respond_whenTheSigningQueueIsFull_isTryLater_atOnce() throws Exception {
        try (OcspResponder responder = responder(indexWithValidSerial(), Clock.systemUTC(), 1, 1)) {
            List<CompletableFuture<OcspResponder.Answer>> answers = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                answers.add(responder.respond(request(new byte[] {(byte) i, 1, 2, 3})));
            }
            Set<Outcome> outcomes = EnumSet.noneOf(Outcome.class);
            for (CompletableFuture<OcspResponder.Answer> answer : answers) {
                outcomes.add(answer.get().outcome());
            }
            assertEquals(EnumSet.of(Outcome.SIGNED_WITH_NONCE, Outcome.TRY_LATER), outcomes);
            assertEquals(Outcome.SIGNED_WITH_NONCE, responder.respond(request(new byte[] {9})).get().outcome(), "the queue drained");
        }
    }

    @Test
    void respond_forACaWhoseSignerIsUnavailable_isTryLater() throws Exception {
        try (OcspResponder responder = responder(indexWithValidSerial(), Clock.systemUTC(), 1, 10)) {
            responder.signerUnavailable(CA, caCertificate);
            OcspResponder.Answer answer = responder.respond(request(null)).get();
            assertEquals(Outcome.TRY_LATER, answer.outcome());
            assertTrue(java.util.Arrays.equals(new byte[] {0x30, 0x03, 0x0a, 0x01, 0x03}, answer.der()), "unsigned tryLater");
        }
    }
}
