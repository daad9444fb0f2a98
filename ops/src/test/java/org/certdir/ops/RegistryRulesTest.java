package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;
import org.certdir.ops.issuance.CertificateIssuer.SmimePurpose;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.PublicationUrls;
import org.certdir.registry.Actor;
import org.certdir.registry.AuditRecord;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.CertificateDetails.Usage;
import org.certdir.registry.CertificateRecord;
import org.certdir.registry.CertificateStatus;
import org.certdir.registry.Registry;
import org.certdir.registry.RevocationReason;
import org.certdir.registry.NotRegisteredException;
import org.certdir.registry.Serial;
import org.certdir.registry.StatusChange;
import org.certdir.registry.StatusConflictException;
import org.certdir.schemas.Dit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry's rules, on certificates issued for the purpose, with a fixed clock. */
class RegistryRulesTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final Actor ADMIN = new Actor("admin", "127.0.0.1");

    @TempDir
    Path data;

    private Registry registry;
    private CertificateIssuer issuer;
    private SigningCa ca;
    private CaRecord caRecord;

    @BeforeEach
    void open() throws Exception {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        registry = Registry.open(data.resolve("registry.db"), clock);
        issuer = new CertificateIssuer(new PublicationUrls("http://127.0.0.1:8080", "127.0.0.1", 10389, Dit.of("dc=example,dc=com")), clock);
        Issued root = issuer.rootCa("Rules CA", "test", KeyAlgorithm.EC_P256, Duration.ofDays(30));
        ca = new SigningCa(new CaName("rules-ca"), root.certificate(), root.keyPair().getPrivate());
        caRecord = registry.addCa(ca.name(), details(root), null, Actor.SERVICE);
    }

    @AfterEach
    void close() {
        registry.close();
    }

    private static CertificateDetails details(Issued issued) throws Exception {
        return CertificateDetails.parse(issued.certificate().getEncoded());
    }

    private CertificateDetails smime(SmimePurpose purpose, KeyAlgorithm algorithm) throws Exception {
        return details(issuer.smime(ca, "erin@example.com", "Erin Test", "test", purpose, algorithm, Duration.ofDays(30)));
    }

    @Test
    void usage_isDecidedByKeyUsageAndEku() throws Exception {
        assertEquals(Usage.ENCRYPTION, smime(SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256).usage(), "EC: keyAgreement");
        assertEquals(Usage.ENCRYPTION, smime(SmimePurpose.ENCRYPTION, KeyAlgorithm.RSA_3072).usage(), "RSA: keyEncipherment");
        assertEquals(Usage.SIGNING, smime(SmimePurpose.SIGNING, KeyAlgorithm.EC_P256).usage());
        assertEquals(Usage.OTHER, caRecord.certificate().usage(), "a CA certificate");
        Issued tls = issuer.tlsServer(ca, "host", List.of("localhost"), List.of("127.0.0.1"), KeyAlgorithm.EC_P256, Duration.ofDays(1));
        assertEquals(Usage.OTHER, details(tls).usage(), "serverAuth only");
        assertEquals(List.of("erin@example.com"), smime(SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256).mailAddresses());
    }

    @Test
    void parse_garbage_saysItIsNotACertificate() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CertificateDetails.parse(new byte[] {0x30, 0x03, 1, 2, 3}));
        assertTrue(e.getMessage().startsWith("not a DER X.509 certificate: "), e.getMessage());
        assertEquals("certificate is empty", assertThrows(IllegalArgumentException.class, () -> CertificateDetails.parse(new byte[0])).getMessage());
    }

    @Test
    void parse_trailingBytes_areRejected() throws Exception {
        byte[] der = smime(SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256).der();
        byte[] padded = java.util.Arrays.copyOf(der, der.length + 2);
        assertEquals("certificate has 2 trailing bytes after its DER encoding",
                assertThrows(IllegalArgumentException.class, () -> CertificateDetails.parse(padded)).getMessage());
    }

    @Test
    void addCertificate_isIdempotent() throws Exception {
        CertificateDetails certificate = smime(SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256);
        CertificateRecord first = registry.addCertificate(caRecord, certificate, ADMIN);
        CertificateRecord again = registry.addCertificate(caRecord, certificate, ADMIN);
        assertEquals(first.id(), again.id());
        assertEquals(1, registry.certificatesForMail("ERIN@example.com").size());
    }

    @Test
    void addCertificate_ofAnotherIssuer_isRefused() throws Exception {
        Issued other = issuer.rootCa("Other CA", "test", KeyAlgorithm.EC_P256, Duration.ofDays(30));
        SigningCa otherCa = new SigningCa(new CaName("other-ca"), other.certificate(), other.keyPair().getPrivate());
        CertificateDetails foreign = details(issuer.smime(otherCa, "x@example.com", "X", "test", SmimePurpose.ENCRYPTION,
                KeyAlgorithm.EC_P256, Duration.ofDays(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> registry.addCertificate(caRecord, foreign, ADMIN));
        assertEquals(foreign + " was not issued by CA 'rules-ca' (CN=Rules CA,O=test)", e.getMessage());
    }

    @Test
    void revoke_recordsStatusTimeReasonAndAudit() throws Exception {
        CertificateDetails certificate = smime(SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256);
        registry.addCertificate(caRecord, certificate, ADMIN);
        Instant invalidity = NOW.minus(Duration.ofDays(2));
        registry.revoke(ca.name(), certificate.serial(), RevocationReason.KEY_COMPROMISE, invalidity, ADMIN);

        CertificateRecord stored = registry.certificate(ca.name(), certificate.serial()).orElseThrow();
        assertEquals(CertificateStatus.REVOKED, stored.status());
        assertEquals(NOW, stored.revokedAt());
        assertEquals(RevocationReason.KEY_COMPROMISE, stored.reason());
        assertEquals(invalidity, stored.invalidityDate());
        assertFalse(stored.publishable());
        AuditRecord audit = registry.auditTrail(1).get(0);
        assertEquals(new AuditRecord(audit.id(), NOW, "admin", "certificate.revoke", "rules-ca/" + certificate.serial(),
                "reason=keyCompromise invalidityDate=" + invalidity, "127.0.0.1"), audit);
    }

    @Test
    void hold_isRecordedAsOnHold() throws Exception {
        CertificateDetails certificate = smime(SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256);
        registry.addCertificate(caRecord, certificate, ADMIN);
        CertificateRecord held = registry.revoke(ca.name(), certificate.serial(), RevocationReason.CERTIFICATE_HOLD, null, ADMIN);
        assertEquals(CertificateStatus.ON_HOLD, held.status());
        assertNull(held.invalidityDate());
        assertEquals("certificate.hold", registry.auditTrail(1).get(0).action());
    }

    @Test
    void revokeTwice_saysItIsAlreadyRevoked() throws Exception {
        CertificateDetails certificate = smime(SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256);
        registry.addCertificate(caRecord, certificate, ADMIN);
        registry.revoke(ca.name(), certificate.serial(), RevocationReason.SUPERSEDED, null, ADMIN);
        StatusConflictException e = assertThrows(StatusConflictException.class,
                () -> registry.revoke(ca.name(), certificate.serial(), RevocationReason.SUPERSEDED, null, ADMIN));
        assertEquals("certificate " + certificate.serial() + " of CA 'rules-ca' is already revoked (superseded, since " + NOW
                + "); only raising the reason to keyCompromise is allowed", e.getMessage());
    }

    @Test
    void revokeUnknownSerial_isNotFound() {
        NotRegisteredException e = assertThrows(NotRegisteredException.class,
                () -> registry.revoke(ca.name(), Serial.parseHex("abc"), RevocationReason.UNSPECIFIED, null, ADMIN));
        assertEquals("CA 'rules-ca' has no certificate with serial abc", e.getMessage());
        NotRegisteredException noCa = assertThrows(NotRegisteredException.class,
                () -> registry.revoke(new CaName("nope"), Serial.parseHex("abc"), RevocationReason.UNSPECIFIED, null, ADMIN));
        assertEquals("no CA named 'nope' is registered ('certdir ca list' shows them)", noCa.getMessage());
    }

    @Test
    void removeFromCrl_isNotARevocationReason() throws Exception {
        CertificateDetails certificate = smime(SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256);
        registry.addCertificate(caRecord, certificate, ADMIN);
        assertEquals("removeFromCRL is not a revocation reason: release the held certificate instead",
                assertThrows(IllegalArgumentException.class,
                        () -> registry.revoke(ca.name(), certificate.serial(), RevocationReason.REMOVE_FROM_CRL, null, ADMIN)).getMessage());
    }

    @Test
    void raisingReasonToKeyCompromise_keepsTheRevocationTime() throws Exception {
        CertificateDetails certificate = smime(SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256);
        registry.addCertificate(caRecord, certificate, ADMIN);
        CertificateRecord first = registry.revoke(ca.name(), certificate.serial(), RevocationReason.SUPERSEDED, null, ADMIN);
        CertificateRecord raised = registry.revoke(ca.name(), certificate.serial(), RevocationReason.KEY_COMPROMISE, null, ADMIN);
        assertEquals(RevocationReason.KEY_COMPROMISE, raised.reason());
        assertEquals(first.revokedAt(), raised.revokedAt());
        assertEquals("certificate.reason-raised", registry.auditTrail(1).get(0).action());
        assertThrows(StatusConflictException.class,
                () -> registry.revoke(ca.name(), certificate.serial(), RevocationReason.KEY_COMPROMISE, null, ADMIN));
    }

    @Test
    void heldThenRevoked_keepsTheHoldTime_andReleaseNeedsAHold() throws Exception {
        CertificateDetails certificate = smime(SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256);
        registry.addCertificate(caRecord, certificate, ADMIN);
        StatusConflictException notHeld = assertThrows(StatusConflictException.class, () -> registry.release(ca.name(), certificate.serial(), ADMIN));
        assertEquals("certificate " + certificate.serial() + " of CA 'rules-ca' is valid, not on hold: only a held certificate can be released",
                notHeld.getMessage());
        CertificateRecord held = registry.revoke(ca.name(), certificate.serial(), RevocationReason.CERTIFICATE_HOLD, null, ADMIN);
        CertificateRecord released = registry.release(ca.name(), certificate.serial(), ADMIN);
        assertEquals(CertificateStatus.VALID, released.status());
        assertNull(released.revokedAt());
        registry.revoke(ca.name(), certificate.serial(), RevocationReason.CERTIFICATE_HOLD, null, ADMIN);
        CertificateRecord revoked = registry.revoke(ca.name(), certificate.serial(), RevocationReason.AFFILIATION_CHANGED, null, ADMIN);
        assertEquals(CertificateStatus.REVOKED, revoked.status());
        assertEquals(held.revokedAt(), revoked.revokedAt());
    }

    @Test
    void changeFeed_listsEveryStatusInOrder_andListenersHearThem() throws Exception {
        List<StatusChange> heard = new java.util.ArrayList<>();
        registry.onStatusChange(heard::add);
        long start = registry.revision();
        CertificateDetails certificate = smime(SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256);
        registry.addCertificate(caRecord, certificate, ADMIN);
        registry.revoke(ca.name(), certificate.serial(), RevocationReason.CERTIFICATE_HOLD, null, ADMIN);
        registry.release(ca.name(), certificate.serial(), ADMIN);
        List<StatusChange> changes = registry.changesSince(start, 10);
        assertEquals(List.of(CertificateStatus.VALID, CertificateStatus.ON_HOLD, CertificateStatus.VALID),
                changes.stream().map(StatusChange::status).toList());
        assertEquals(changes, heard);
        assertEquals(start + 3, registry.revision());
        assertEquals(List.of(changes.get(2)), registry.changesSince(start + 2, 10));
    }

    @Test
    void statusChanges_queueThePublicationOfTheOwner() throws Exception {
        CertificateDetails certificate = smime(SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256);
        registry.addCertificate(caRecord, certificate, ADMIN);
        registry.revoke(ca.name(), certificate.serial(), RevocationReason.KEY_COMPROMISE, null, ADMIN);
        List<org.certdir.registry.Outbox.Task> due = registry.outbox().due(org.certdir.registry.Outbox.DIRECTORY_PERSON, 10);
        assertEquals(List.of("erin@example.com", "erin@example.com"), due.stream().map(org.certdir.registry.Outbox.Task::subject).toList());
        registry.outbox().complete(org.certdir.registry.Outbox.DIRECTORY_PERSON, "erin@example.com", due.get(0).id());
        assertEquals(1, registry.outbox().stats(org.certdir.registry.Outbox.DIRECTORY_PERSON).depth(), "a task added later stays");
    }

    @Test
    void expiredRevokedCertificate_leavesTheCrlOnlyAfterOneFullCrlListedIt() throws Exception {
        CertificateIssuer past = new CertificateIssuer(new PublicationUrls("http://127.0.0.1:8080", "127.0.0.1", 10389, Dit.of("dc=example,dc=com")),
                Clock.fixed(NOW.minus(Duration.ofDays(60)), ZoneOffset.UTC));
        CertificateDetails expired = details(past.smime(ca, "old@example.com", "Old", "test", SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256, Duration.ofDays(30)));
        CertificateDetails current = smime(SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256);
        registry.addCertificate(caRecord, expired, ADMIN);
        registry.addCertificate(caRecord, current, ADMIN);
        registry.revoke(ca.name(), expired.serial(), RevocationReason.KEY_COMPROMISE, null, ADMIN);
        registry.revoke(ca.name(), current.serial(), RevocationReason.KEY_COMPROMISE, null, ADMIN);

        java.util.function.Function<Instant, List<String>> listed = previousFull -> registry.revocationList(ca.name(), previousFull)
                .stream().map(entry -> entry.serial().hex()).toList();
        assertEquals(List.of(expired.serial().hex(), current.serial().hex()), listed.apply(null), "never on a full CRL yet: listed");
        assertEquals(List.of(expired.serial().hex(), current.serial().hex()), listed.apply(NOW.minusSeconds(1)),
                "revoked after the last full CRL: not on it yet, so listed");
        assertEquals(List.of(current.serial().hex()), listed.apply(NOW.plusSeconds(1)), "expired and already on a full CRL: gone");
    }

    @Test
    void revokedCertificateExpiringAfterTheLastFullCrl_staysForOneMoreFullCrl() throws Exception {
        // Expires a day from now; the previous full CRL (an hour from now) listed it while it was still valid. RFC 5280
        // §3.3: it must still be on the next regular CRL, the first issued beyond its validity period.
        CertificateIssuer past = new CertificateIssuer(new PublicationUrls("http://127.0.0.1:8080", "127.0.0.1", 10389, Dit.of("dc=example,dc=com")),
                Clock.fixed(NOW.minus(Duration.ofDays(29)), ZoneOffset.UTC));
        CertificateDetails expiring = details(past.smime(ca, "soon@example.com", "Soon", "test", SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256, Duration.ofDays(30)));
        registry.addCertificate(caRecord, expiring, ADMIN);
        registry.revoke(ca.name(), expiring.serial(), RevocationReason.KEY_COMPROMISE, null, ADMIN);

        assertEquals(List.of(expiring.serial().hex()), registry.revocationList(ca.name(), NOW.plus(Duration.ofHours(1))).stream()
                .map(entry -> entry.serial().hex()).toList(), "the last full CRL was issued before it expired: listed once more");
        assertEquals(List.of(), registry.revocationList(ca.name(), NOW.plus(Duration.ofDays(2))), "a full CRL after its expiry listed it: gone");
    }

    @Test
    void registry_survivesReopen() throws Exception {
        CertificateDetails certificate = smime(SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256);
        registry.addCertificate(caRecord, certificate, ADMIN);
        registry.close();
        registry = Registry.open(data.resolve("registry.db"), Clock.systemUTC());
        assertEquals(List.of(ca.name()), registry.cas().stream().map(CaRecord::name).toList());
        assertEquals(certificate, registry.certificate(ca.name(), certificate.serial()).orElseThrow().details());
    }

    // ---- renewal: the successor recorded, and the old one revoked with it, in one transaction

    private CertificateDetails successor(SigningCa by, CertificateRecord old, java.security.PublicKey key) {
        try {
            return CertificateDetails.parse(issuer.renewal(by, old.details().certificate(), key, Duration.ofDays(365)).getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void renew_withRevokeOld_recordsTheSuccessor_revokesTheOldAsSuperseded_andAuditsBothSerials() throws Exception {
        CertificateRecord old = registry.addCertificate(caRecord, smime(SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256), ADMIN);
        Registry.Renewal renewal = registry.renew(ca.name(), old.details().serial(),
                current -> successor(ca, current, current.details().certificate().getPublicKey()), true, ADMIN);
        assertEquals(CertificateStatus.VALID, renewal.renewed().status());
        assertEquals(CertificateStatus.REVOKED, renewal.old().status());
        assertEquals(RevocationReason.SUPERSEDED, renewal.old().reason());
        assertEquals(renewal.old(), registry.certificate(ca.name(), old.details().serial()).orElseThrow());
        assertEquals(renewal.renewed(), registry.certificate(ca.name(), renewal.renewed().details().serial()).orElseThrow());
        String renewed = renewal.renewed().details().serial().hex();
        List<AuditRecord> audit = registry.auditTrail(3);
        assertEquals(List.of("certificate.renew", "certificate.add", "certificate.revoke"), audit.stream().map(AuditRecord::action).toList());
        assertEquals("rules-ca/" + old.details().serial(), audit.get(0).target());
        assertEquals("renewed as rules-ca/" + renewed + " (same key), the old one revoked (superseded)", audit.get(0).detail());
        assertEquals("reason=superseded by " + renewed, audit.get(2).detail());
    }

    @Test
    void renew_withoutRevokeOld_leavesTheOldValid() throws Exception {
        CertificateRecord old = registry.addCertificate(caRecord, smime(SmimePurpose.SIGNING, KeyAlgorithm.EC_P256), ADMIN);
        Registry.Renewal renewal = registry.renew(ca.name(), old.details().serial(),
                current -> successor(ca, current, KeyAlgorithm.EC_P256.generate().getPublic()), false, ADMIN);
        assertEquals(old, renewal.old());
        assertEquals(List.of(CertificateStatus.VALID, CertificateStatus.VALID),
                registry.certificatesForMail("erin@example.com").stream().map(CertificateRecord::status).toList());
        assertEquals("renewed as rules-ca/" + renewal.renewed().details().serial() + " (new key), the old one valid until " + old.details().notAfter(),
                registry.auditTrail(1).get(0).detail());
    }

    @Test
    void renew_whoseSuccessorCannotBeRecorded_leavesTheOldValid_andRecordsNothing() throws Exception {
        CertificateRecord old = registry.addCertificate(caRecord, smime(SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256), ADMIN);
        Issued other = issuer.rootCa("Other CA", "test", KeyAlgorithm.EC_P256, Duration.ofDays(30));
        SigningCa otherCa = new SigningCa(new CaName("other-ca"), other.certificate(), other.keyPair().getPrivate());
        long audited = registry.auditTrail(1).get(0).id();
        long revision = registry.revision();
        // The old certificate is revoked first in the transaction, then recording the successor fails: the revocation goes too.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> registry.renew(ca.name(), old.details().serial(),
                current -> successor(otherCa, current, current.details().certificate().getPublicKey()), true, ADMIN));
        assertTrue(e.getMessage().endsWith(" was not issued by CA 'rules-ca' (CN=Rules CA,O=test)"), e.getMessage());
        assertEquals(old, registry.certificate(ca.name(), old.details().serial()).orElseThrow());
        assertEquals(audited, registry.auditTrail(1).get(0).id());
        assertEquals(revision, registry.revision());
        assertEquals(1, registry.certificatesForMail("erin@example.com").size());
    }

    @Test
    void renew_ofARevokedOrHeldCertificate_isRefused_beforeAnythingIsSigned() throws Exception {
        CertificateRecord revoked = registry.addCertificate(caRecord, smime(SmimePurpose.ENCRYPTION, KeyAlgorithm.EC_P256), ADMIN);
        registry.revoke(ca.name(), revoked.details().serial(), RevocationReason.KEY_COMPROMISE, null, ADMIN);
        CertificateRecord held = registry.addCertificate(caRecord, smime(SmimePurpose.SIGNING, KeyAlgorithm.EC_P256), ADMIN);
        registry.revoke(ca.name(), held.details().serial(), RevocationReason.CERTIFICATE_HOLD, null, ADMIN);
        java.util.concurrent.atomic.AtomicBoolean signed = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.function.Function<CertificateRecord, CertificateDetails> issue = current -> {
            signed.set(true);
            return successor(ca, current, current.details().certificate().getPublicKey());
        };
        StatusConflictException e = assertThrows(StatusConflictException.class, () -> registry.renew(ca.name(), revoked.details().serial(), issue, false, ADMIN));
        assertEquals("certificate " + revoked.details().serial() + " of CA 'rules-ca' is revoked (keyCompromise): "
                + "revoked certificates are not renewed: issue a new one", e.getMessage());
        StatusConflictException onHold = assertThrows(StatusConflictException.class, () -> registry.renew(ca.name(), held.details().serial(), issue, true, ADMIN));
        assertEquals("certificate " + held.details().serial() + " of CA 'rules-ca' is on hold: held certificates are not renewed: "
                + "release it first, or revoke it and issue a new one", onHold.getMessage());
        assertFalse(signed.get());
        assertEquals(2, registry.certificatesForMail("erin@example.com").size());
    }
}
