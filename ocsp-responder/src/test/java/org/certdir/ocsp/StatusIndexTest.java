package org.certdir.ocsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigInteger;
import java.time.Instant;
import org.certdir.registry.CaName;
import org.certdir.registry.CertificateStatus;
import org.certdir.registry.RevocationReason;
import org.certdir.registry.Serial;
import org.certdir.registry.StatusChange;
import org.junit.jupiter.api.Test;

class StatusIndexTest {

    private static final CaName CA = new CaName("issuing");
    private static final Serial SERIAL = new Serial(BigInteger.valueOf(42));
    private static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");

    private static StatusChange change(long revision, CertificateStatus status, RevocationReason reason) {
        return new StatusChange(revision, CA, SERIAL, status, reason, status == CertificateStatus.VALID ? null : AT, null, AT);
    }

    @Test
    void apply_laterChangeWins_evenWhenTheEarlierOneArrivesAfterIt() {
        StatusIndex index = new StatusIndex();
        index.apply(change(7, CertificateStatus.REVOKED, RevocationReason.KEY_COMPROMISE));
        index.apply(change(5, CertificateStatus.VALID, null));
        StatusIndex.Entry entry = index.lookup(CA, SERIAL);
        assertEquals(CertificateStatus.REVOKED, entry.status());
        assertEquals(RevocationReason.KEY_COMPROMISE, entry.reason());
        assertEquals(7, entry.revision());
    }

    @Test
    void apply_releaseClearsTheRevocationDetails() {
        StatusIndex index = new StatusIndex();
        index.apply(change(1, CertificateStatus.ON_HOLD, RevocationReason.CERTIFICATE_HOLD));
        index.apply(change(2, CertificateStatus.VALID, RevocationReason.REMOVE_FROM_CRL));
        StatusIndex.Entry entry = index.lookup(CA, SERIAL);
        assertEquals(new StatusIndex.Entry(CertificateStatus.VALID, null, null, 2), entry);
    }

    @Test
    void lookup_ofASerialNeverSeen_isNull() {
        StatusIndex index = new StatusIndex();
        index.apply(change(1, CertificateStatus.VALID, null));
        assertNull(index.lookup(CA, new Serial(BigInteger.valueOf(43))));
        assertNull(index.lookup(new CaName("other"), SERIAL));
        assertEquals(1, index.size());
    }
}
