package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bouncycastle.cms.CMSSignedData;
import org.certdir.directory.embedded.DirectorySettings;
import org.certdir.directory.embedded.EmbeddedDirectory;
import org.certdir.directory.publication.DirectoryPublisher;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;
import org.certdir.ops.issuance.CertificateIssuer.SmimePurpose;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.PublicationUrls;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.Registry;
import org.certdir.registry.RevocationReason;
import org.certdir.schemas.Dit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How status changes in the registry reach a person's entry in the real embedded directory. */
class PublicationIT {

    private static final Dit DIT = Dit.of("dc=example,dc=com");
    private static final String PASSWORD = "test-service-password";
    private static final String MAIL = "dave@example.com";

    /** A clock the test moves forward: the registry's, the publisher's and the worker's. */
    private static final class MovableClock extends Clock {
        private volatile java.time.Instant now = java.time.Instant.now();

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }
    }

    @TempDir
    Path data;

    private final MovableClock clock = new MovableClock();

    private Registry registry;
    private EmbeddedDirectory directory;
    private LDAPConnection service;
    private LDAPConnection anonymous;
    private DirectoryPublisher publisher;
    private CertificateIssuer issuer;
    private SigningCa ca;
    private CaRecord caRecord;

    @BeforeEach
    void start() throws Exception {
        registry = Registry.open(data.resolve("registry.db"), clock);
        directory = EmbeddedDirectory.start(new DirectorySettings(data.resolve("directory"), DIT, "127.0.0.1", 0, 0, null, null, PASSWORD,
                100, Duration.ofSeconds(10), 1 << 20, 2, 1000));
        service = new LDAPConnection("127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD);
        anonymous = new LDAPConnection("127.0.0.1", directory.ldapPort());
        publisher = new DirectoryPublisher(service, DIT, clock);
        issuer = new CertificateIssuer(new PublicationUrls("http://127.0.0.1:8080", "127.0.0.1", 10389, DIT), Clock.systemUTC());
        Issued root = issuer.rootCa("Test CA", "test", KeyAlgorithm.EC_P256, Duration.ofDays(30));
        ca = new SigningCa(new CaName("test-ca"), root.certificate(), root.keyPair().getPrivate());
        caRecord = registry.addCa(ca.name(), CertificateDetails.parse(root.certificate().getEncoded()), null, Actor.SERVICE);
        publisher.republish(registry);
    }

    @AfterEach
    void stop() {
        anonymous.close();
        service.close();
        directory.close();
        registry.close();
    }

    private CertificateDetails issue(SmimePurpose purpose) throws Exception {
        Issued issued = issuer.smime(ca, MAIL, "Dave Test", "test", purpose, KeyAlgorithm.EC_P256, Duration.ofDays(30));
        CertificateDetails details = CertificateDetails.parse(issued.certificate().getEncoded());
        registry.addCertificate(caRecord, details, Actor.SERVICE);
        return details;
    }

    private void publish() {
        publisher.publishPerson(MAIL, registry.certificatesForMail(MAIL));
    }

    private SearchResultEntry dave() throws Exception {
        return anonymous.searchForEntry(DIT.suffix().toString(), SearchScope.SUB, Filter.createEqualityFilter("mail", MAIL),
                "userCertificate;binary", "userSMIMECertificate");
    }

    private static Set<String> serialsIn(Attribute attribute) {
        return Stream.of(attribute.getValueByteArrays()).map(der -> CertificateDetails.parse(der).serial().hex()).collect(Collectors.toSet());
    }

    @Test
    void revokingOneOfTwo_removesOnlyThatOne_andKeepsTheBinaryName() throws Exception {
        CertificateDetails first = issue(SmimePurpose.ENCRYPTION);
        CertificateDetails second = issue(SmimePurpose.ENCRYPTION);
        publish();
        assertEquals(Set.of(first.serial().hex(), second.serial().hex()), serialsIn(dave().getAttribute("userCertificate;binary")));

        registry.revoke(ca.name(), first.serial(), RevocationReason.KEY_COMPROMISE, null, Actor.SERVICE);
        publish();

        SearchResultEntry entry = dave();
        Attribute certificates = entry.getAttribute("userCertificate;binary");
        assertEquals("userCertificate;binary", certificates.getName());
        assertEquals(Set.of(second.serial().hex()), serialsIn(certificates));
        CMSSignedData smime = new CMSSignedData(entry.getAttributeValueBytes("userSMIMECertificate"));
        assertArrayEquals(second.der(), smime.getCertificates().getMatches(null).iterator().next().getEncoded());
        assertEquals(1, smime.getCertificates().getMatches(null).size());
    }

    @Test
    void newCertificateAfterRevocation_isPublishedUnderTheBinaryName() throws Exception {
        CertificateDetails old = issue(SmimePurpose.ENCRYPTION);
        publish();
        registry.revoke(ca.name(), old.serial(), RevocationReason.SUPERSEDED, null, Actor.SERVICE);
        publish();
        assertNull(dave().getAttribute("userCertificate;binary"));

        CertificateDetails renewed = issue(SmimePurpose.ENCRYPTION);
        publish();

        Attribute certificates = dave().getAttribute("userCertificate;binary");
        assertEquals("userCertificate;binary", certificates.getName());
        assertArrayEquals(renewed.der(), certificates.getValueByteArray());
    }

    @Test
    void heldCertificate_isWithdrawn_andSigningCertificateNeverPublished() throws Exception {
        CertificateDetails encryption = issue(SmimePurpose.ENCRYPTION);
        issue(SmimePurpose.SIGNING);
        publish();
        assertEquals(Set.of(encryption.serial().hex()), serialsIn(dave().getAttribute("userCertificate;binary")));

        registry.revoke(ca.name(), encryption.serial(), RevocationReason.CERTIFICATE_HOLD, null, Actor.SERVICE);
        publish();
        assertNull(dave().getAttribute("userCertificate;binary"));
        assertNull(dave().getAttribute("userSMIMECertificate"));
    }

    @Test
    void republish_restoresAWipedEntry() throws Exception {
        CertificateDetails encryption = issue(SmimePurpose.ENCRYPTION);
        publish();
        service.delete(dave().getDN());

        publisher.republish(registry);

        Attribute certificates = dave().getAttribute("userCertificate;binary");
        assertEquals("userCertificate;binary", certificates.getName());
        assertArrayEquals(encryption.der(), certificates.getValueByteArray());
    }

    /** An encryption certificate of the test CA naming every address in {@code mails} (rfc822Names), for {@code days}. */
    private CertificateDetails recordedFor(Duration validity, String... mails) throws Exception {
        String name = mails[0].substring(0, Math.min(mails[0].indexOf('@'), 40));
        return recordedFor(new org.bouncycastle.asn1.x500.X500Name("CN=Shared " + name), validity, mails);
    }

    private CertificateDetails recordedFor(org.bouncycastle.asn1.x500.X500Name subject, Duration validity, String... mails) throws Exception {
        org.bouncycastle.asn1.x509.GeneralName[] names = Stream.of(mails)
                .map(mail -> new org.bouncycastle.asn1.x509.GeneralName(org.bouncycastle.asn1.x509.GeneralName.rfc822Name, mail))
                .toArray(org.bouncycastle.asn1.x509.GeneralName[]::new);
        java.security.KeyPair keys = KeyAlgorithm.EC_P256.generate();
        java.time.Instant now = java.time.Instant.now();
        var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(
                org.bouncycastle.asn1.x500.X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
                new java.math.BigInteger(120, new java.security.SecureRandom()).setBit(119), java.util.Date.from(now.minusSeconds(60)),
                java.util.Date.from(now.plus(validity)), subject, keys.getPublic());
        builder.addExtension(org.bouncycastle.asn1.x509.Extension.keyUsage, true,
                new org.bouncycastle.asn1.x509.KeyUsage(org.bouncycastle.asn1.x509.KeyUsage.keyAgreement));
        builder.addExtension(org.bouncycastle.asn1.x509.Extension.extendedKeyUsage, false,
                new org.bouncycastle.asn1.x509.ExtendedKeyUsage(org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_emailProtection));
        builder.addExtension(org.bouncycastle.asn1.x509.Extension.subjectAlternativeName, false, new org.bouncycastle.asn1.x509.GeneralNames(names));
        byte[] der = builder.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder(KeyAlgorithm.signatureAlgorithm(ca.key()))
                .build(ca.key())).getEncoded();
        CertificateDetails details = CertificateDetails.parse(der);
        registry.addCertificate(caRecord, details, Actor.SERVICE);
        return details;
    }

    private java.util.List<SearchResultEntry> lookup(String mail) throws Exception {
        return anonymous.search(DIT.suffix().toString(), SearchScope.SUB, Filter.createEqualityFilter("mail", mail), "userCertificate;binary", "mail")
                .getSearchEntries();
    }

    /** The serials a mail client gets for {@code mail}: the certificates of every entry the lookup returns. */
    private Set<String> servedFor(String mail) throws Exception {
        Set<String> serials = new java.util.HashSet<>();
        for (SearchResultEntry entry : lookup(mail)) {
            Attribute certificates = entry.getAttribute("userCertificate;binary");
            if (certificates != null) {
                serials.addAll(serialsIn(certificates));
            }
        }
        return serials;
    }

    private void publish(String mail) {
        publisher.publishPerson(mail, registry.certificatesForMail(mail));
    }

    @Test
    void certificateNamingTwoAddresses_eachAddressHasItsOwnEntry_andTheirPublicationsAreIndependent() throws Exception {
        CertificateDetails shared = recordedFor(Duration.ofDays(30), "anna@example.com", "berta@example.com");
        CertificateDetails bertasOwn = recordedFor(Duration.ofDays(30), "berta@example.com");

        publish("anna@example.com");
        publish("berta@example.com");

        assertEquals(1, lookup("anna@example.com").size(), "one entry answers for anna@");
        assertEquals(1, lookup("berta@example.com").size(), "one entry answers for berta@");
        assertEquals(Set.of(shared.serial().hex()), servedFor("anna@example.com"), "anna@ gets only what names her");
        assertEquals(Set.of(shared.serial().hex(), bertasOwn.serial().hex()), servedFor("berta@example.com"));

        publish("anna@example.com");
        assertEquals(Set.of(shared.serial().hex(), bertasOwn.serial().hex()), servedFor("berta@example.com"),
                "publishing anna@ again leaves berta@'s certificates alone");
        assertEquals(Set.of(shared.serial().hex()), servedFor("anna@example.com"));
    }

    @Test
    void republish_besideTheWorker_neverPutsBackARevokedCertificate_norDropsOneIssuedMeanwhile() throws Exception {
        // Enough people that the republication takes a while; the victim is published last (addresses in order).
        for (int i = 0; i < 150; i++) {
            recordedFor(Duration.ofDays(30), String.format("p%03d@example.com", i));
        }
        CertificateDetails victim = recordedFor(Duration.ofDays(30), "zz-last@example.com");
        // A rebuilt directory: the queue was drained long ago, the republication writes everybody.
        for (org.certdir.registry.Outbox.Task task : registry.outbox().due(org.certdir.registry.Outbox.DIRECTORY_PERSON, 1000)) {
            registry.outbox().complete(task.topic(), task.subject(), task.id());
        }
        org.certdir.directory.publication.PublicationWorker worker = new org.certdir.directory.publication.PublicationWorker(registry, publisher);
        java.util.concurrent.CompletableFuture<Void> republication = java.util.concurrent.CompletableFuture.runAsync(() -> publisher.republish(registry));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (lookup("p040@example.com").isEmpty() || servedFor("p040@example.com").isEmpty()) {
            // The republication is under way (it has read the registry and is writing people).
            if (republication.isDone() || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(2);
        }
        // Meanwhile: a revocation and a new person, published by the worker before the republication gets to them.
        registry.revoke(ca.name(), victim.serial(), RevocationReason.KEY_COMPROMISE, null, Actor.SERVICE);
        CertificateDetails newcomer = recordedFor(Duration.ofDays(30), "zz-new@example.com");
        worker.drainOnce();
        assertEquals(Set.of(), servedFor("zz-last@example.com"));
        assertEquals(Set.of(newcomer.serial().hex()), servedFor("zz-new@example.com"));
        boolean raced = !republication.isDone();

        republication.get(60, java.util.concurrent.TimeUnit.SECONDS);

        assertEquals(Set.of(), servedFor("zz-last@example.com"), "the revoked certificate stays withdrawn (raced: " + raced + ")");
        assertEquals(Set.of(newcomer.serial().hex()), servedFor("zz-new@example.com"), "the new certificate stays (raced: " + raced + ")");
        assertEquals(0, registry.outbox().stats(org.certdir.registry.Outbox.DIRECTORY_PERSON).depth());
    }

    @Test
    void expiredCertificate_leavesTheDirectory_atTheWorkersNextCheck_alsoAfterARestart() throws Exception {
        CertificateDetails shortLived = recordedFor(Duration.ofHours(1), "ella@example.com");
        CertificateDetails longLived = recordedFor(Duration.ofDays(30), "ella@example.com");
        org.certdir.directory.publication.PublicationWorker worker = new org.certdir.directory.publication.PublicationWorker(registry, publisher, clock);
        worker.drainOnce();
        assertEquals(Set.of(shortLived.serial().hex(), longLived.serial().hex()), servedFor("ella@example.com"));

        clock.advance(Duration.ofMinutes(61));
        worker.drainOnce();
        assertEquals(Set.of(longLived.serial().hex()), servedFor("ella@example.com"), "gone at the first check after its notAfter");

        // Expiring while certdir is down: the next start catches up from the position the registry kept.
        CertificateDetails fredsOnly = recordedFor(Duration.ofHours(2), "fred@example.com");
        worker.drainOnce();
        assertEquals(Set.of(fredsOnly.serial().hex()), servedFor("fred@example.com"));
        clock.advance(Duration.ofHours(3));
        new org.certdir.directory.publication.PublicationWorker(registry, publisher, clock).drainOnce();
        assertEquals(Set.of(), servedFor("fred@example.com"));
        assertEquals(Set.of(longLived.serial().hex()), servedFor("ella@example.com"));
    }

    @Test
    void publishPerson_writesOnlyCertificatesUnexpiredAtTheTimeOfWriting() throws Exception {
        CertificateDetails shortLived = recordedFor(Duration.ofHours(1), "hanna@example.com");
        publish("hanna@example.com");
        assertEquals(Set.of(shortLived.serial().hex()), servedFor("hanna@example.com"));

        clock.advance(Duration.ofHours(2));
        publish("hanna@example.com");

        assertEquals(Set.of(), servedFor("hanna@example.com"));
    }

    @Test
    void recordTheDirectoryRefuses_isSkippedAndReported_andTheOthersArePublished() throws Exception {
        String huge = "x".repeat(70_000) + "@example.com";
        recordedFor(Duration.ofDays(30), huge);
        CertificateDetails ida = recordedFor(Duration.ofDays(30), "ida@example.com");
        org.certdir.directory.publication.PublicationWorker worker = new org.certdir.directory.publication.PublicationWorker(registry, publisher, clock);

        worker.drainOnce();

        assertEquals(Set.of(ida.serial().hex()), servedFor("ida@example.com"));
        org.certdir.registry.Outbox outbox = registry.outbox();
        assertEquals(1, outbox.refusedCount());
        org.certdir.registry.Outbox.Task refused = outbox.refused(5).get(0);
        assertEquals(huge, refused.subject());
        assertEquals(0, outbox.due(org.certdir.registry.Outbox.DIRECTORY_PERSON, 10).size(), "not retried for ever");

        service.delete(DIT.person("ida@example.com").toString());
        DirectoryPublisher.Republication republication = publisher.republish(registry);
        assertEquals(Set.of(ida.serial().hex()), servedFor("ida@example.com"), "republish goes on past the refused one");
        assertEquals(1, republication.refused().size());
        assertEquals(huge, republication.refused().get(0).subject());
        assertEquals(1, outbox.refusedCount(), "recorded once, not once per republication");

        assertEquals(1, outbox.retryFailed(), "a start tries it again");
        worker.drainOnce();
        assertEquals(1, outbox.refusedCount());
    }

    @Test
    void caEntryRewrittenWhileCrlsAreWritten_neverLosesTheNewestCrl_norFails() throws Exception {
        // Any certificate stands in for a cross-certificate: the publisher only wraps it in a pair.
        CertificateDetails cross = CertificateDetails.parse(ca.certificate().getEncoded());
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<byte[]> lastCrl = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CompletableFuture<Void> crls = java.util.concurrent.CompletableFuture.runAsync(() -> {
            for (int number = 1; !stop.get(); number++) {
                byte[] der = ("CRL number " + number).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                publisher.publishCrl(caRecord, der, false, false);
                lastCrl.set(der);
            }
        });
        try {
            // Without cross-certificates, then with: the attribute is new, so the entry is written again whole.
            for (int i = 0; i < 25 && !crls.isDone(); i++) {
                publisher.publishCa(caRecord, java.util.List.of());
                publisher.publishCa(caRecord, java.util.List.of(cross));
                // A CRL written before the entry is read must be there (or a newer one).
                byte[] written = lastCrl.get();
                byte[] onEntry = crlOnCaEntry();
                if (written != null && onEntry != null) {
                    int number = Integer.parseInt(new String(onEntry, java.nio.charset.StandardCharsets.US_ASCII).substring("CRL number ".length()));
                    int before = Integer.parseInt(new String(written, java.nio.charset.StandardCharsets.US_ASCII).substring("CRL number ".length()));
                    assertTrue(number >= before, "the entry went back from CRL " + before + " to " + number + " in round " + i);
                }
            }
        } finally {
            stop.set(true);
        }
        crls.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertArrayEquals(lastCrl.get(), crlOnCaEntry());
    }

    /**
     * The CA entry's full CRL. Read again when ApacheDS fails the read with 'other' while the entry is modified, or
     * when the entry is missing: a CRL write that creates the attribute rewrites the entry whole (delete, then add),
     * and LDAP has no atomic replace.
     */
    private byte[] crlOnCaEntry() throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                com.unboundid.ldap.sdk.SearchResultEntry entry = service.getEntry(DIT.ca("Test CA").toString(), "certificateRevocationList;binary");
                if (entry != null || attempt == 5) {
                    return entry == null ? null : entry.getAttributeValueBytes("certificateRevocationList;binary");
                }
                Thread.sleep(10);
            } catch (com.unboundid.ldap.sdk.LDAPException e) {
                if (e.getResultCode() != com.unboundid.ldap.sdk.ResultCode.OTHER || attempt == 5) {
                    throw e;
                }
            }
        }
    }


    @Test
    void recordTheServerRefuses_isMarkedRefusedOnce_andTheOthersArePublished() throws Exception {
        // A blank subject CN makes a blank cn and sn, which ApacheDS refuses with invalidAttributeSyntax.
        org.bouncycastle.asn1.x500.X500Name blank = new org.bouncycastle.asn1.x500.X500Name(new org.bouncycastle.asn1.x500.RDN[] {
                new org.bouncycastle.asn1.x500.RDN(org.bouncycastle.asn1.x500.style.BCStyle.CN, new org.bouncycastle.asn1.DERUTF8String(" "))});
        recordedFor(blank, Duration.ofDays(30), "jo@example.com");
        CertificateDetails kim = recordedFor(Duration.ofDays(30), "kim@example.com");
        org.certdir.directory.publication.PublicationWorker worker = new org.certdir.directory.publication.PublicationWorker(registry, publisher, clock);

        worker.drainOnce();
        worker.drainOnce();

        assertEquals(Set.of(kim.serial().hex()), servedFor("kim@example.com"));
        assertEquals(java.util.List.of(), lookup("jo@example.com"));
        org.certdir.registry.Outbox.Task refused = registry.outbox().refused(5).get(0);
        assertEquals("jo@example.com", refused.subject());
        assertEquals(1, refused.attempts(), "tried once, not retried for ever");
        assertTrue(refused.lastError().startsWith("cannot publish the certificates of jo@example.com: 21 (invalid attribute syntax)"), refused.lastError());
    }
}
