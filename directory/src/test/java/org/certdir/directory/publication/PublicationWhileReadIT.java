package org.certdir.directory.publication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.certdir.directory.embedded.DirectorySettings;
import org.certdir.directory.embedded.EmbeddedDirectory;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.CertificateRecord;
import org.certdir.registry.CertificateStatus;
import org.certdir.registry.RevocationReason;
import org.certdir.schemas.Dit;
import org.certdir.schemas.PkiAttributes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mail clients and CRL fetchers reading the embedded directory while the publisher makes the changes that used to write
 * an entry again whole (delete, then add): a CA's first cross-certificate, its first delta CRL and first ARL, a person's
 * certificate coming back after the last one was revoked. Before {@code BinaryTransferOption}, readers between the
 * delete and the add found no entry.
 */
class PublicationWhileReadIT {

    private static final Dit DIT = Dit.of("dc=example,dc=com");
    private static final String PASSWORD = "generated-for-test";
    private static final String MAIL = "alice@example.com";
    private static final int ROUNDS = 20;
    /** The names a reader may see: certificate and CRL attributes with the option, the PKCS#7 without (RFC 2798). */
    private static final Set<String> BINARY = Set.of("cacertificate", "certificaterevocationlist", "deltarevocationlist",
            "authorityrevocationlist", "crosscertificatepair", "usercertificate");

    @TempDir
    Path instance;

    @Test
    void readersNeverFindTheEntryMissing_orItsCertificatesWithoutBinary() throws Exception {
        KeyPair caKey = keyPair();
        KeyPair partnerKey = keyPair();
        CertificateDetails caCertificate = CertificateDetails.parse(certificate("CN=Test CA", "CN=Test CA", caKey.getPublic(), caKey.getPrivate(),
                null, true));
        CertificateDetails cross = CertificateDetails.parse(certificate("CN=Partner CA", "CN=Test CA", caKey.getPublic(), partnerKey.getPrivate(),
                null, true));
        CertificateDetails alice = CertificateDetails.parse(certificate("CN=Test CA", "CN=Alice", keyPair().getPublic(), caKey.getPrivate(),
                MAIL, false));
        CaRecord ca = new CaRecord(1, CaName.fromCommonName("Test CA"), caCertificate, "test-ca.p12");
        CertificateRecord valid = new CertificateRecord(1, ca.name(), alice, CertificateStatus.VALID, null, null, null);
        CertificateRecord revoked = new CertificateRecord(1, ca.name(), alice, CertificateStatus.REVOKED, Instant.now(), RevocationReason.KEY_COMPROMISE,
                null);
        String caDn = DIT.ca("Test CA").toString();
        String personDn = DIT.person(MAIL).toString();

        try (EmbeddedDirectory directory = EmbeddedDirectory.start(new DirectorySettings(instance, DIT, "127.0.0.1", 0, 0, null, null, PASSWORD,
                100, Duration.ofSeconds(10), 4 << 20, 8, 1000));
             LDAPConnection service = new LDAPConnection("127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD)) {
            DirectoryPublisher publisher = new DirectoryPublisher(service, DIT);
            publisher.ensureLayout();
            publisher.publishCa(ca, List.of());
            publisher.publishCrl(ca, new byte[] {1}, false, false);
            publisher.publishPerson(MAIL, List.of(valid));

            ConcurrentMap<String, AtomicLong> seen = new ConcurrentHashMap<>();
            AtomicBoolean publishing = new AtomicBoolean(true);
            ExecutorService readers = Executors.newCachedThreadPool();
            List<Future<?>> running = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                int reader = r;
                running.add(readers.submit(() -> {
                    try (LDAPConnection anonymous = new LDAPConnection("127.0.0.1", directory.ldapPort())) {
                        while (publishing.get()) {
                            String what = switch (reader) {
                                case 0 -> "CA entry: " + problem(anonymous.getEntry(caDn, "*"), PkiAttributes.CA_CERTIFICATE,
                                        PkiAttributes.CERTIFICATE_REVOCATION_LIST);
                                case 1 -> "CRL: " + problem(anonymous.getEntry(caDn, PkiAttributes.CERTIFICATE_REVOCATION_LIST, PkiAttributes.DELTA_REVOCATION_LIST,
                                        PkiAttributes.AUTHORITY_REVOCATION_LIST, PkiAttributes.CROSS_CERTIFICATE_PAIR), PkiAttributes.CERTIFICATE_REVOCATION_LIST);
                                case 2 -> "person entry: " + problem(anonymous.getEntry(personDn, "*"));
                                default -> "mail lookup: " + problem(anonymous.searchForEntry(DIT.suffix().toString(), SearchScope.SUB,
                                        Filter.createEqualityFilter("mail", MAIL), PkiAttributes.USER_CERTIFICATE));
                            };
                            seen.computeIfAbsent(what, key -> new AtomicLong()).incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            try {
                for (int round = 0; round < ROUNDS; round++) {
                    publisher.publishCa(ca, List.of(cross));
                    publisher.publishCrl(ca, new byte[] {2, (byte) round}, true, false);
                    publisher.publishCrl(ca, new byte[] {3, (byte) round}, false, true);
                    publisher.publishPerson(MAIL, List.of(revoked));
                    publisher.publishCa(ca, List.of());
                    publisher.publishPerson(MAIL, List.of(valid));
                }
                publisher.publishCa(ca, List.of(cross));
            } finally {
                publishing.set(false);
                for (Future<?> future : running) {
                    future.get();
                }
                readers.shutdown();
            }

            Map<String, Long> outcomes = new TreeMap<>();
            seen.forEach((what, count) -> outcomes.put(what, count.get()));
            System.err.println("PublicationWhileReadIT reads during " + ROUNDS + " rounds: " + outcomes);
            outcomes.keySet().removeIf(what -> what.endsWith(": ok"));
            assertEquals(Map.of(), outcomes);
            assertEquals(Set.of("objectClass", "cn", PkiAttributes.CA_CERTIFICATE, PkiAttributes.CERTIFICATE_REVOCATION_LIST,
                    PkiAttributes.AUTHORITY_REVOCATION_LIST, PkiAttributes.DELTA_REVOCATION_LIST, PkiAttributes.CROSS_CERTIFICATE_PAIR),
                    names(service.getEntry(caDn, "*")));
            assertEquals(Set.of("objectClass", "cn", "sn", "uid", "mail", PkiAttributes.USER_CERTIFICATE, PkiAttributes.USER_SMIME_CERTIFICATE),
                    names(service.getEntry(personDn, "*")));
        }
    }

    /** "ok", or what a reader finds wrong: the entry missing, a wanted attribute missing, a certificate type without ;binary. */
    private static String problem(SearchResultEntry entry, String... wanted) {
        if (entry == null) {
            return "entry missing";
        }
        for (String name : wanted) {
            if (!entry.hasAttribute(name)) {
                return "no " + name;
            }
        }
        for (Attribute attribute : entry.getAttributes()) {
            if (BINARY.contains(attribute.getBaseName().toLowerCase(java.util.Locale.ROOT)) && !attribute.hasOption("binary")) {
                return attribute.getName() + " without ;binary";
            }
        }
        return "ok";
    }

    private static Set<String> names(SearchResultEntry entry) {
        Set<String> names = new TreeSet<>();
        entry.getAttributes().forEach(attribute -> names.add(attribute.getName()));
        return names;
    }

    private static KeyPair keyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** A CA certificate, or with {@code mail} an S/MIME encryption certificate for that address. */
    private static byte[] certificate(String issuer, String subject, PublicKey key, PrivateKey signer, String mail, boolean ca) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(now.toEpochMilli()).add(
                BigInteger.valueOf(subject.hashCode() & 0xffff)), Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(30))),
                new X500Name(subject), key);
        if (ca) {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyAgreement));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_emailProtection));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.rfc822Name, mail)));
        }
        return builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)).getEncoded();
    }
}
