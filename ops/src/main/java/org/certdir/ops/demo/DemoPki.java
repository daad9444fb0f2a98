package org.certdir.ops.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.certdir.ops.StartupFailure;
import org.certdir.ops.ca.CaCreation;
import org.certdir.ops.ca.CaCreation.Created;
import org.certdir.ops.ca.CaRequest;
import org.certdir.ops.ca.InvalidCaRequest;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;
import org.certdir.ops.issuance.CertificateIssuer.SmimePurpose;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.ops.issuance.KeyFiles.KeyEntry;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.Registry;
import org.certdir.registry.RevocationReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo PKI a new user can try at once: a root CA, an issuing CA, and four users with dual key pairs
 * (a separate encryption and signing certificate each), mallory's encryption certificate revoked for
 * keyCompromise. Created once in {@code DATA/demo} and {@code DATA/keys}; a restart keeps it.
 */
public final class DemoPki {

    private static final Logger LOG = LoggerFactory.getLogger(DemoPki.class);

    public static final String ROOT_CA = "Demo Root CA";
    public static final String ISSUING_CA = "Demo Issuing CA";
    public static final List<String> USERS = List.of("alice", "bob", "carol", "mallory");
    public static final String MAIL_DOMAIN = "example.com";
    /** Written last: its presence means the whole demo PKI was created. */
    static final String MARKER = "README.txt";

    private static final Duration ROOT_VALIDITY = Duration.ofDays(20 * 365);
    private static final Duration ISSUING_VALIDITY = Duration.ofDays(10 * 365);
    private static final Duration USER_VALIDITY = Duration.ofDays(2 * 365);

    private final DataDirectory data;
    private final Registry registry;
    private final CertificateIssuer issuer;
    private final KeyAlgorithm algorithm;
    private final String organisation;
    private final Endpoints endpoints;
    private final java.time.Clock clock;

    /** Where the service answers, as configured, for the commands in README.txt; {@code ldapsUrl} null when LDAPS is off. */
    public record Endpoints(String ldapUrl, String ldapsUrl, String httpUrl, String suffix) {
    }

    public DemoPki(DataDirectory data, Registry registry, CertificateIssuer issuer, KeyAlgorithm algorithm, String organisation, Endpoints endpoints,
                   java.time.Clock clock) {
        this.endpoints = endpoints;
        this.clock = clock;
        this.data = data;
        this.registry = registry;
        this.issuer = issuer;
        this.algorithm = algorithm;
        this.organisation = organisation;
    }

    public boolean exists() {
        return Files.exists(data.demo().resolve(MARKER));
    }

    /** Creates the demo PKI unless it exists; returns whether it was created now. */
    public boolean createIfMissing() {
        if (exists()) {
            refreshReadme();
            return false;
        }
        if (!registry.cas().isEmpty()) {
            throw new StartupFailure("data directory " + data.root() + " holds CAs but no complete demo PKI (" + data.demo().resolve(MARKER)
                    + " is missing): use another --data for the demo, or remove this one to start afresh");
        }
        try {
            create();
        } catch (IOException e) {
            throw new StartupFailure("cannot write the demo PKI into " + data.root() + ": " + e.getMessage(), e);
        } catch (InvalidCaRequest e) {
            throw new StartupFailure("cannot create the demo CAs in " + data.root() + ": " + e.getMessage(), e);
        }
        return true;
    }

    private void create() throws IOException {
        long started = System.nanoTime();
        Path demo = data.demo();

        // The CAs come from what 'certdir ca create' runs: a root, and an issuing CA under it.
        CaCreation creation = new CaCreation(data, registry, issuer, clock, ca -> { });
        Created root = creation.create(new CaRequest(CaName.fromCommonName(ROOT_CA), CertificateIssuer.subject(ROOT_CA, organisation), algorithm,
                ROOT_VALIDITY, null, null, false), Actor.SERVICE);
        Created issuing = creation.create(new CaRequest(CaName.fromCommonName(ISSUING_CA), CertificateIssuer.subject(ISSUING_CA, organisation),
                algorithm, ISSUING_VALIDITY, 0, root.record().name(), false), Actor.SERVICE);
        SigningCa issuingCa = issuing.signing();
        CaRecord issuingRecord = issuing.record();
        List<X509Certificate> chain = issuing.chain();
        writePublic(demo.resolve("root-ca.pem"), KeyFiles.pem(List.of(root.signing().certificate())));
        writePublic(demo.resolve("issuing-ca.pem"), KeyFiles.pem(List.of(issuingCa.certificate())));
        writePublic(demo.resolve("chain.pem"), KeyFiles.pem(chain));

        String p12Password = DataDirectory.secret(demo.resolve("p12.password"));
        for (String user : USERS) {
            String mail = user + "@" + MAIL_DOMAIN;
            String name = Character.toUpperCase(user.charAt(0)) + user.substring(1) + " Demo";
            Issued encryption = issuer.smime(issuingCa, mail, name, organisation, SmimePurpose.ENCRYPTION, algorithm, USER_VALIDITY);
            Issued signing = issuer.smime(issuingCa, mail, name, organisation, SmimePurpose.SIGNING, algorithm, USER_VALIDITY);
            writePublic(demo.resolve(user + "-encryption.pem"), KeyFiles.pem(List.of(encryption.certificate())));
            writePublic(demo.resolve(user + "-signing.pem"), KeyFiles.pem(List.of(signing.certificate())));
            KeyFiles.writePkcs12(demo.resolve(user + ".p12"), p12Password.toCharArray(), List.of(
                    new KeyEntry("encryption", encryption.keyPair().getPrivate(), withChain(encryption.certificate(), chain)),
                    new KeyEntry("signing", signing.keyPair().getPrivate(), withChain(signing.certificate(), chain))));
            registry.addCertificate(issuingRecord, details(encryption), Actor.SERVICE);
            registry.addCertificate(issuingRecord, details(signing), Actor.SERVICE);
            if (user.equals("mallory")) {
                registry.revoke(issuingRecord.name(), details(encryption).serial(), RevocationReason.KEY_COMPROMISE, null, Actor.SERVICE);
            }
        }
        LdapTlsKey.issue(data, issuer, issuingCa, chain, algorithm, registry, issuingRecord);
        writePublic(demo.resolve(MARKER), readme(endpoints).getBytes(StandardCharsets.UTF_8));
        LOG.info("created the demo PKI in {} ({} ms)", demo, (System.nanoTime() - started) / 1_000_000);
    }

    /** README.txt follows the configuration: a restart with other ports rewrites the commands in it. */
    private void refreshReadme() {
        Path file = data.demo().resolve(MARKER);
        try {
            byte[] wanted = readme(endpoints).getBytes(StandardCharsets.UTF_8);
            if (!java.util.Arrays.equals(Files.readAllBytes(file), wanted)) {
                writePublic(file, wanted);
            }
        } catch (IOException e) {
            LOG.warn("cannot rewrite {} with the configured endpoints: {}", file, e.getMessage());
        }
    }

    private static List<X509Certificate> withChain(X509Certificate certificate, List<X509Certificate> chain) {
        List<X509Certificate> all = new java.util.ArrayList<>(List.of(certificate));
        all.addAll(chain);
        return all;
    }

    private static CertificateDetails details(Issued issued) {
        try {
            return CertificateDetails.parse(issued.certificate().getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode a certificate just issued", e);
        }
    }

    private static void writePublic(Path file, String content) throws IOException {
        writePublic(file, content.getBytes(StandardCharsets.US_ASCII));
    }

    private static void writePublic(Path file, byte[] content) throws IOException {
        DataDirectory.writePublic(file, content);
    }

    static String readme(Endpoints endpoints) {
        String ldaps = endpoints.ldapsUrl();
        return ("""
                certdir demo PKI
                ================
                root-ca.pem, issuing-ca.pem, chain.pem   the CAs (chain.pem: issuing CA, then root)
                <user>-encryption.pem                    published in the directory, so senders can encrypt to the user
                <user>-signing.pem                       not published (signing only)
                <user>.p12                               both key pairs; the password is in p12.password
                Users: alice, bob, carol, mallory @example.com. Mallory's encryption certificate is revoked (keyCompromise).

                Look up alice's encryption certificate as a mail client does (anonymous, by mail address):
                  ldapsearch -x -H ldap://127.0.0.1:10389 -b dc=example,dc=com '(mail=alice@example.com)' 'userCertificate;binary'

                Over LDAPS, verifying the server against the demo chain:
                  LDAPTLS_CACERT=chain.pem ldapsearch -x -H ldaps://127.0.0.1:10636 -b dc=example,dc=com '(mail=bob@example.com)' mail

                Mallory's entry has no certificate any more (revoked):
                  ldapsearch -x -H ldap://127.0.0.1:10389 -b dc=example,dc=com '(mail=mallory@example.com)' 'userCertificate;binary'

                CRLs of the issuing CA (full, and delta since it), over HTTP and as files, checked by OpenSSL:
                  curl -s http://127.0.0.1:8080/crl/demo-issuing-ca.crl | openssl crl -inform DER -noout -text
                  openssl crl -inform DER -in ../crl/demo-issuing-ca-delta.crl -CAfile chain.pem -noout

                OCSP, answered by the issuing CA's delegated signer (alice good, mallory revoked), with a nonce:
                  openssl ocsp -issuer issuing-ca.pem -cert alice-encryption.pem -cert mallory-encryption.pem -url http://127.0.0.1:8080/ocsp -CAfile chain.pem
                The same with GnuTLS:
                  ocsptool --ask=http://127.0.0.1:8080/ocsp --load-cert alice-encryption.pem --load-issuer issuing-ca.pem --load-trust chain.pem

                The chain from alice's AIA URL, and her certificate verified with only the root and that chain:
                  curl -s http://127.0.0.1:8080/aia/demo-issuing-ca.p7c | openssl pkcs7 -inform DER -print_certs > aia-chain.pem
                  openssl verify -CAfile root-ca.pem -untrusted aia-chain.pem alice-encryption.pem

                Bob's encryption certificate over plain HTTP (RFC 4387), for partners without LDAP:
                  curl -s 'http://127.0.0.1:8080/certs/search.cgi?uri=bob@example.com' | openssl x509 -inform DER -noout -subject

                The trust list, signed by the root (add partner CAs with: certdir trust add FILE --name NAME):
                  curl -s http://127.0.0.1:8080/trust/trust-list.p7s | openssl cms -verify -inform DER -CAfile root-ca.pem -out /dev/null

                Service health:
                  curl -s http://127.0.0.1:8080/health

                Thunderbird: Settings > Composition > Addressing > Use a different LDAP server, host 127.0.0.1,
                port 10636 with SSL (import chain.pem as a CA first), base DN dc=example,dc=com.
                """)
                .replace("ldap://127.0.0.1:10389", endpoints.ldapUrl())
                .replace("ldaps://127.0.0.1:10636", ldaps == null ? "(LDAPS is off: certdir.ldap.ldaps-port is 0)" : ldaps)
                .replace("host 127.0.0.1,\nport 10636 with SSL", ldaps == null ? "host " + host(endpoints.ldapUrl()) + ",\nport "
                        + port(endpoints.ldapUrl()) + " without SSL" : "host " + host(ldaps) + ",\nport " + port(ldaps) + " with SSL")
                .replace("http://127.0.0.1:8080", endpoints.httpUrl())
                .replace("dc=example,dc=com", endpoints.suffix());
    }

    private static String host(String url) {
        return java.net.URI.create(url).getHost();
    }

    private static int port(String url) {
        return java.net.URI.create(url).getPort();
    }
}
