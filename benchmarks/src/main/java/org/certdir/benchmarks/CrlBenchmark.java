package org.certdir.benchmarks;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.certdir.crl.build.CrlBuilder;
import org.certdir.registry.RevocationReason;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A full CRL built by certdir's streaming DER encoder and signed (ECDSA P-256, JDK provider as the CRL issuer uses
 * it), for {@code entries} revoked certificates with 16-octet serials, reasons on most and an invalidity date on
 * some. The time per CRL divided by the entries is the encoder's cost per entry; the signature is one per CRL.
 * <pre>java -jar benchmarks/target/benchmarks.jar CrlBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CrlBenchmark {

    @Param({"10000", "100000"})
    public int entries;

    private X509Certificate ca;
    private KeyPair keys;
    private List<CrlBuilder.Entry> revoked;
    private final Instant thisUpdate = Instant.parse("2026-11-23T10:00:00Z");

    @Setup
    public void setUp() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        keys = generator.generateKeyPair();
        X500Name name = new X500Name("CN=Bench CA");
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(thisUpdate.minus(Duration.ofDays(1))),
                Date.from(thisUpdate.plus(Duration.ofDays(365))), name, keys.getPublic());
        builder.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
        ca = new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        Random random = new Random(42);
        RevocationReason[] reasons = {null, RevocationReason.KEY_COMPROMISE, RevocationReason.SUPERSEDED, RevocationReason.CESSATION_OF_OPERATION};
        revoked = new ArrayList<>(entries);
        for (int i = 0; i < entries; i++) {
            Instant at = thisUpdate.minusSeconds(random.nextInt(86_400 * 365));
            revoked.add(new CrlBuilder.Entry(new BigInteger(127, random).setBit(126), at, reasons[i % reasons.length], i % 10 == 0 ? at.minusSeconds(3600) : null));
        }
    }

    @Benchmark
    public byte[] fullCrl() throws Exception {
        return CrlBuilder.full(ca, new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()), 7, thisUpdate,
                thisUpdate.plus(Duration.ofDays(7)), revoked, java.util.List.of("http://127.0.0.1:8080/crl/bench-ca-delta.crl"));
    }
}
