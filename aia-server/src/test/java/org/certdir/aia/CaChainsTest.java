package org.certdir.aia;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.junit.jupiter.api.Test;

class CaChainsTest {

    private static KeyPair keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate certificate(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys) throws Exception {
        Instant now = Instant.now();
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), new X500Name(subject), subjectKeys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    private static CaRecord record(long id, String name, X509Certificate certificate) throws Exception {
        return new CaRecord(id, new CaName(name), CertificateDetails.parse(certificate.getEncoded()), null);
    }

    @Test
    void chain_followsTheIssuerWhoseKeyVerifies_notJustTheName() throws Exception {
        KeyPair oldRootKeys = keys();
        KeyPair newRootKeys = keys();
        KeyPair issuingKeys = keys();
        X509Certificate oldRoot = certificate("CN=Root", oldRootKeys, "CN=Root", oldRootKeys);
        X509Certificate newRoot = certificate("CN=Root", newRootKeys, "CN=Root", newRootKeys);
        X509Certificate issuing = certificate("CN=Issuing", issuingKeys, "CN=Root", newRootKeys);
        CaRecord issuingCa = record(3, "issuing", issuing);
        List<CaRecord> all = List.of(record(1, "root-old", oldRoot), record(2, "root-new", newRoot), issuingCa);
        assertEquals(List.of(issuing, newRoot), CaChains.chain(issuingCa, all));
    }

    @Test
    void chain_endsAtTheFirstIssuerTheRegistryDoesNotHold() throws Exception {
        KeyPair rootKeys = keys();
        KeyPair issuingKeys = keys();
        X509Certificate issuing = certificate("CN=Issuing", issuingKeys, "CN=Partner Root", rootKeys);
        CaRecord issuingCa = record(1, "issuing", issuing);
        assertEquals(List.of(issuing), CaChains.chain(issuingCa, List.of(issuingCa)));
    }
}
