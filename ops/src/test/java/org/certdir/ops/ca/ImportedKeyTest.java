package org.certdir.ops.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The key forms {@code certdir ca import} refuses before it looks at the certificate, each with the reason. */
class ImportedKeyTest {

    @Test
    void fromPem_encryptedKey_isRefusedSayingWhatToGiveInstead() throws Exception {
        // A key made now and written encrypted as openssl genpkey -aes256 writes it (PKCS#8, PBES2): no key is kept in the sources.
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        java.io.StringWriter text = new java.io.StringWriter();
        try (org.bouncycastle.openssl.jcajce.JcaPEMWriter writer = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(text)) {
            writer.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(generator.generateKeyPair().getPrivate(),
                    new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
                            .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider()).setPassword("x".toCharArray()).build()));
        }
        String encrypted = text.toString();
        InvalidCaRequest refused = assertThrows(InvalidCaRequest.class,
                () -> ImportedKey.fromPem(encrypted.getBytes(StandardCharsets.US_ASCII), noCertificateNeeded()));
        assertEquals("key", refused.field());
        assertEquals("the PEM key is encrypted: give it as a PKCS#12 with a password file, or decrypt it (openssl pkey -in KEY -out PLAIN) on the"
                + " machine where you import", refused.getMessage());
    }

    @Test
    void fromPem_noKey_isRefused() {
        InvalidCaRequest refused = assertThrows(InvalidCaRequest.class,
                () -> ImportedKey.fromPem("not a key\n".getBytes(StandardCharsets.US_ASCII), noCertificateNeeded()));
        assertEquals("the key file holds no PEM private key (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY)", refused.getMessage());
    }

    @Test
    void fromPkcs12_notPkcs12_isRefusedAsUnreadable() {
        InvalidCaRequest refused = assertThrows(InvalidCaRequest.class, () -> ImportedKey.fromPkcs12(new byte[] {1, 2, 3}, "x".toCharArray()));
        assertEquals("pkcs12", refused.field());
    }

    /** The refusals come before the certificate is looked at: none is needed. */
    private static List<X509Certificate> noCertificateNeeded() {
        return java.util.Collections.singletonList(null);
    }
}
