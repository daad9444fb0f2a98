package org.certdir.ops.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.ops.issuance.KeyFiles.KeyEntry;
import org.certdir.registry.Actor;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.Registry;

/**
 * The LDAPS server key: a PKCS#12 in {@code DATA/keys/ldap-tls.p12} holding one key entry whose password is
 * the store's (what ApacheDS requires), issued by the demo issuing CA for localhost and 127.0.0.1, and
 * re-issued at start when less than 30 days remain.
 */
public final class LdapTlsKey {

    private static final Duration VALIDITY = Duration.ofDays(365);
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);

    private LdapTlsKey() {
    }

    public static Path file(DataDirectory data) {
        return data.keys().resolve("ldap-tls.p12");
    }

    static void issue(DataDirectory data, CertificateIssuer issuer, SigningCa ca, List<X509Certificate> caChain,
                      KeyAlgorithm algorithm, Registry registry, CaRecord caRecord) throws IOException {
        Issued tls = issuer.tlsServer(ca, "certdir LDAP", List.of("localhost"), List.of("127.0.0.1"), algorithm, VALIDITY);
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(tls.certificate());
        chain.addAll(caChain);
        char[] passphrase = DataDirectory.secret(data.keysPassphrase()).toCharArray();
        KeyFiles.writePkcs12(file(data), passphrase, List.of(new KeyEntry("ldap-tls", tls.keyPair().getPrivate(), chain)));
        try {
            registry.addCertificate(caRecord, CertificateDetails.parse(tls.certificate().getEncoded()), Actor.SERVICE);
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IOException("cannot encode the LDAP TLS certificate", e);
        }
    }

    /** Re-issues the key from the demo issuing CA when it expires within 30 days; returns whether it did. */
    public static boolean renewIfDue(DataDirectory data, CertificateIssuer issuer, Registry registry, KeyAlgorithm algorithm, Instant now)
            throws IOException {
        Path file = file(data);
        if (!Files.exists(file)) {
            return false;
        }
        char[] passphrase = DataDirectory.secret(data.keysPassphrase()).toCharArray();
        KeyEntry current = KeyFiles.readPkcs12(file, passphrase);
        if (current.chain().get(0).getNotAfter().toInstant().isAfter(now.plus(RENEW_BEFORE))) {
            return false;
        }
        CaRecord caRecord = registry.ca(org.certdir.registry.CaName.fromCommonName(DemoPki.ISSUING_CA))
                .orElseThrow(() -> new IOException("the LDAP TLS key is due for renewal but the demo issuing CA is not in the registry"));
        KeyEntry caKey = KeyFiles.readPkcs12(data.root().resolve(caRecord.keyFile()), passphrase);
        SigningCa ca = new SigningCa(caRecord.name(), caKey.chain().get(0), caKey.key());
        issue(data, issuer, ca, caKey.chain(), algorithm, registry, caRecord);
        return true;
    }
}
