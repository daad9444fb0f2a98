package org.certdir.ops.issuance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.certdir.ops.datadir.DataDirectory;

/** PKCS#12 key files (CA keys, user key pairs, TLS keys) and PEM certificate files. */
public final class KeyFiles {

    /** One private key with its certificate chain, leaf first, stored under {@code alias}. */
    public record KeyEntry(String alias, PrivateKey key, List<X509Certificate> chain) {
    }

    private KeyFiles() {
    }

    /** Writes a PKCS#12 file (mode 0600) whose keys are protected by the store's password, as most tools expect. */
    public static void writePkcs12(Path file, char[] password, List<KeyEntry> entries) throws IOException {
        DataDirectory.writePrivate(file, pkcs12(password, entries));
    }

    /** Encodes a PKCS#12 whose keys are protected by the store's password (PBES2 with AES-256 on Java 17). */
    public static byte[] pkcs12(char[] password, List<KeyEntry> entries) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (KeyEntry entry : entries) {
                store.setKeyEntry(entry.alias(), entry.key(), password, entry.chain().toArray(Certificate[]::new));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.store(out, password);
            return out.toByteArray();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encode a PKCS#12: " + e.getMessage(), e);
        }
    }

    /** Reads the single key entry of a PKCS#12 file; the message says whether the file or the password is wrong. */
    public static KeyEntry readPkcs12(Path file, char[] password) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            for (String alias : java.util.Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    PrivateKey key = (PrivateKey) store.getKey(alias, password);
                    List<X509Certificate> chain = new ArrayList<>();
                    for (Certificate certificate : store.getCertificateChain(alias)) {
                        chain.add((X509Certificate) certificate);
                    }
                    return new KeyEntry(alias, key, chain);
                }
            }
            throw new IOException("key file " + file + " holds no private key");
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read key file " + file + " (wrong passphrase or damaged file): " + e.getMessage(), e);
        } catch (IOException e) {
            if (e.getCause() instanceof java.security.UnrecoverableKeyException) {
                throw new IOException("cannot read key file " + file + ": wrong passphrase", e);
            }
            throw e;
        }
    }

    public static String pem(List<X509Certificate> certificates) {
        StringWriter out = new StringWriter();
        Base64.Encoder encoder = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        for (X509Certificate certificate : certificates) {
            try {
                out.write("-----BEGIN CERTIFICATE-----\n");
                out.write(encoder.encodeToString(certificate.getEncoded()));
                out.write("\n-----END CERTIFICATE-----\n");
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException("cannot encode " + certificate.getSubjectX500Principal(), e);
            }
        }
        return out.toString();
    }

    /** Reads every certificate of a PEM file, in order. */
    public static List<X509Certificate> readPem(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate certificate : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certificates.add((X509Certificate) certificate);
            }
            return certificates;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read certificates from " + file + ": " + e.getMessage(), e);
        }
    }
}
