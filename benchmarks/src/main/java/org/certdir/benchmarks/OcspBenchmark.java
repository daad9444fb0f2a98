package org.certdir.benchmarks;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.certdir.ocsp.OcspMetrics;
import org.certdir.ocsp.OcspResponder;
import org.certdir.ocsp.OcspSettings;
import org.certdir.ocsp.ResponseSigner;
import org.certdir.ocsp.StatusIndex;
import org.certdir.registry.CaName;
import org.certdir.registry.CertificateStatus;
import org.certdir.registry.Serial;
import org.certdir.registry.StatusChange;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The OCSP responder's hot paths, against the cost that bounds them: {@code rawSign} is one ECDSA P-256 signature
 * (SHA256withECDSA over 200 bytes, about the size of a ResponseData) with the JDK provider the responder uses;
 * {@code nonceResponse} is a whole answer to a request with a nonce (parse, match, build, sign, encode);
 * {@code cachedResponse} the same request without a nonce, served from the cache; {@code statusLookup} one
 * status index lookup among 100,000 certificates. Run with as many threads as cores, e.g.
 * <pre>java -jar benchmarks/target/benchmarks.jar OcspBenchmark -t 2</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OcspBenchmark {

    private static final CaName CA = new CaName("bench-ca");
    private static final int CERTIFICATES = 100_000;

    private KeyPair keys;
    private StatusIndex index;
    private OcspResponder responder;
    private byte[] nonceRequest;
    private byte[] cachedRequest;
    private final byte[] toBeSigned = new byte[200];

    /** Per thread: a JCA Signature is not shared between threads. */
    @State(Scope.Thread)
    public static class Signer {
        Signature signature;

        @Setup
        public void setUp(OcspBenchmark benchmark) throws Exception {
            signature = Signature.getInstance("SHA256withECDSA");
            signature.initSign(benchmark.keys.getPrivate());
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        keys = generator.generateKeyPair();
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=Bench CA");
        X509Certificate ca = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), name, keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        index = new StatusIndex();
        for (int i = 1; i <= CERTIFICATES; i++) {
            index.apply(new StatusChange(i, CA, new Serial(BigInteger.valueOf(i)), CertificateStatus.VALID, null, null, null, now));
        }
        int cores = Runtime.getRuntime().availableProcessors();
        responder = new OcspResponder(index, new OcspSettings(Duration.ofHours(1), false, 64L << 20, cores, 10_000), Clock.systemUTC());
        responder.useSigner(CA, new ResponseSigner(ca, ca, keys.getPrivate()));
        CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                new JcaX509CertificateHolder(ca), BigInteger.valueOf(4242));
        cachedRequest = new OCSPReqBuilder().addRequest(id).build().getEncoded();
        nonceRequest = new OCSPReqBuilder().addRequest(id).setRequestExtensions(new Extensions(new Extension(
                OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, new DEROctetString(new byte[16]).getEncoded()))).build().getEncoded();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        responder.close();
    }

    @Benchmark
    public byte[] rawSign(Signer signer) throws Exception {
        signer.signature.update(toBeSigned);
        return signer.signature.sign();
    }

    /** The same signature with Bouncy Castle's ECDSA, for comparison with the JDK's. */
    @State(Scope.Thread)
    public static class BcSigner {
        Signature signature;

        @Setup
        public void setUp(OcspBenchmark benchmark) throws Exception {
            signature = Signature.getInstance("SHA256withECDSA", new org.bouncycastle.jce.provider.BouncyCastleProvider());
            signature.initSign(benchmark.keys.getPrivate());
        }
    }

    @Benchmark
    public byte[] rawSignBouncyCastle(BcSigner signer) throws Exception {
        signer.signature.update(toBeSigned);
        return signer.signature.sign();
    }

    @Benchmark
    public byte[] nonceResponse() throws Exception {
        return answer(nonceRequest, OcspMetrics.Outcome.SIGNED_WITH_NONCE);
    }

    @Benchmark
    public byte[] cachedResponse() throws Exception {
        return answer(cachedRequest, null);
    }

    @Benchmark
    public StatusIndex.Entry statusLookup() {
        return index.lookup(CA, new Serial(BigInteger.valueOf(77_777)));
    }

    private byte[] answer(byte[] request, OcspMetrics.Outcome expected) throws Exception {
        OcspResponder.Answer answer = responder.respond(request).get();
        if (expected != null && answer.outcome() != expected) {
            throw new IllegalStateException("expected " + expected + ", got " + answer.outcome());
        }
        return answer.der();
    }
}
