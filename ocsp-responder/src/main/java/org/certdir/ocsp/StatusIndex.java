package org.certdir.ocsp;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.certdir.registry.CaName;
import org.certdir.registry.CertificateStatus;
import org.certdir.registry.Registry;
import org.certdir.registry.RevocationReason;
import org.certdir.registry.Serial;
import org.certdir.registry.StatusChange;

/**
 * Every certificate's status, per CA, in memory: what the responder answers from, so no request waits for the
 * database. Built from a registry snapshot and kept current by the registry's status events, which arrive right
 * after each commit.
 *
 * <p>Each entry carries the change-feed revision it reflects, and an older change never overwrites a newer
 * one: events may arrive while the snapshot is read, or from two committing threads out of order.
 */
public final class StatusIndex {

    /** A certificate's status as of {@code revision}; {@code revokedAt} and {@code reason} only when revoked or held. */
    public record Entry(CertificateStatus status, Instant revokedAt, RevocationReason reason, long revision) {
    }

    private final Map<CaName, Map<Serial, Entry>> byCa = new ConcurrentHashMap<>();

    /** An index that follows {@code registry}: it listens first, then loads, so no change falls in between. */
    public static StatusIndex follow(Registry registry) {
        StatusIndex index = new StatusIndex();
        registry.onStatusChange(index::apply);
        Registry.StatusSnapshot snapshot = registry.statusSnapshot();
        snapshot.statuses().forEach(index::apply);
        return index;
    }

    /** Takes one change unless the index already reflects a later one for that certificate. */
    public void apply(StatusChange change) {
        Entry entry = new Entry(change.status(), change.status() == CertificateStatus.VALID ? null : change.revokedAt(),
                change.status() == CertificateStatus.VALID ? null : change.reason(), change.revision());
        byCa.computeIfAbsent(change.ca(), ca -> new ConcurrentHashMap<>())
                .merge(change.serial(), entry, (old, now) -> now.revision() >= old.revision() ? now : old);
    }

    /** The entry of a certificate, or null when the registry has never held it. */
    public Entry lookup(CaName ca, Serial serial) {
        Map<Serial, Entry> certificates = byCa.get(ca);
        return certificates == null ? null : certificates.get(serial);
    }

    /** Certificates in the index, all CAs together. */
    public long size() {
        return byCa.values().stream().mapToLong(Map::size).sum();
    }
}
