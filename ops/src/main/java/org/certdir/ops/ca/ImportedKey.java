package org.certdir.ops.ca;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.certdir.ops.issuance.KeyAlgorithm;

/**
 * An existing CA's private key and its certificate chain (the CA's own certificate first), as {@code certdir ca import}
 * takes them: a PKCS#12 file and its password, or a PEM key (PKCS#8 or OpenSSL's traditional RSA/EC form, unencrypted)
 * with the certificates. The password is used to open the file and kept nowhere.
 */
public record ImportedKey(PrivateKey key, List<X509Certificate> chain) {

    public ImportedKey {
        chain = List.copyOf(chain);
    }

    /** The single key entry of a PKCS#12 file; a wrong password and a damaged file are told apart. */
    public static ImportedKey fromPkcs12(byte[] file, char[] password) {
        KeyStore store;
        try {
            store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(file), password);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new InvalidCaRequest("password", "the PKCS#12 file cannot be opened with the password given: the password is wrong");
            }
            throw new InvalidCaRequest("pkcs12", "the PKCS#12 file cannot be read: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new InvalidCaRequest("pkcs12", "the PKCS#12 file cannot be read: " + e.getMessage());
        }
        try {
            List<String> keys = Collections.list(store.aliases()).stream().filter(alias -> isKey(store, alias)).toList();
            if (keys.size() != 1) {
                throw new InvalidCaRequest("pkcs12", "the PKCS#12 file holds " + keys.size() + " private keys: give a file with the CA's key only");
            }
            PrivateKey key = (PrivateKey) store.getKey(keys.get(0), password);
            List<X509Certificate> chain = new ArrayList<>();
            Certificate[] certificates = store.getCertificateChain(keys.get(0));
            for (Certificate certificate : certificates == null ? new Certificate[0] : certificates) {
                chain.add((X509Certificate) certificate);
            }
            if (chain.isEmpty()) {
                throw new InvalidCaRequest("pkcs12", "the PKCS#12 file holds the key without its certificate: give the CA's certificate with it");
            }
            return new ImportedKey(key, chain);
        } catch (UnrecoverableKeyException e) {
            throw new InvalidCaRequest("password", "the PKCS#12 file cannot be opened with the password given: the password is wrong");
        } catch (GeneralSecurityException e) {
            throw new InvalidCaRequest("pkcs12", "the key in the PKCS#12 file cannot be read: " + e.getMessage());
        }
    }

    private static boolean isKey(KeyStore store, String alias) {
        try {
            return store.isKeyEntry(alias);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** An unencrypted PEM private key and the CA's certificate chain, the CA's own first. */
    public static ImportedKey fromPem(byte[] keyFile, List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            throw new InvalidCaRequest("certificate", "certificate is missing: give the CA's certificate (and the ones above it) with the key");
        }
        try (PEMParser parser = new PEMParser(new StringReader(new String(keyFile, StandardCharsets.US_ASCII)))) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
                if (object instanceof PEMKeyPair pair) {
                    return new ImportedKey(converter.getPrivateKey(pair.getPrivateKeyInfo()), chain);
                }
                if (object instanceof PrivateKeyInfo info) {
                    return new ImportedKey(converter.getPrivateKey(info), chain);
                }
                if (object.getClass().getSimpleName().contains("Encrypted")) {
                    throw new InvalidCaRequest("key", "the PEM key is encrypted: give it as a PKCS#12 with a password file, or decrypt it"
                            + " (openssl pkey -in KEY -out PLAIN) on the machine where you import");
                }
            }
        } catch (PEMException e) {
            throw new InvalidCaRequest("key", "the PEM key cannot be read: " + e.getMessage());
        } catch (IOException e) {
            throw new InvalidCaRequest("key", "the PEM key cannot be read: " + e.getMessage());
        }
        throw new InvalidCaRequest("key", "the key file holds no PEM private key (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY)");
    }

    /** The CA's own certificate: the first of the chain. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** Whether {@link #key} is the private half of {@code certificate}'s public key: signs a test message and verifies it. */
    boolean matches(X509Certificate certificate) {
        try {
            byte[] message = "certdir ca import: does the key match the certificate".getBytes(StandardCharsets.US_ASCII);
            String algorithm = KeyAlgorithm.signatureAlgorithm(key);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(message);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // Another key type than the certificate's (an RSA key for an EC certificate) ends here too.
            return false;
        }
    }
}
