package org.certdir.registry;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The partner CAs an admin decided to trust (what Exchange calls a certificate trust list): added and removed by
 * name, every change audited, queued for the directory ({@link Outbox#DIRECTORY_TRUST}) and counted by a sequence
 * number, so a partner holding a signed copy can tell whether it is the newest.
 */
public final class TrustList {

    /** One trusted partner CA; {@code name} is the admin's short name for it. */
    public record TrustedCa(CaName name, CertificateDetails certificate, Instant addedAt) {
    }

    /** The whole list as of one sequence number. */
    public record Snapshot(long sequence, List<TrustedCa> cas) {
    }

    private static final String SELECT = "SELECT name, certificate, added_at FROM trusted_ca";

    private final Registry registry;
    private final Database database;
    private final Outbox outbox;
    private final Clock clock;

    TrustList(Registry registry, Database database, Outbox outbox, Clock clock) {
        this.registry = registry;
        this.database = database;
        this.outbox = outbox;
        this.clock = clock;
    }

    /**
     * Trusts {@code certificate} under {@code name}. It must be a CA certificate that has not expired; a name, a
     * certificate or a common name (the directory entry's RDN) already on the list is a conflict.
     */
    public TrustedCa add(CaName name, CertificateDetails certificate, Actor actor) {
        if (!certificate.ca()) {
            throw new IllegalArgumentException(certificate.subject() + " is not a CA certificate (basicConstraints cA is not true): "
                    + "only CA certificates go on the trust list");
        }
        Instant now = clock.instant();
        if (!certificate.notAfter().isAfter(now)) {
            throw new IllegalArgumentException(certificate.subject() + " expired on " + certificate.notAfter() + ": trust its renewed certificate instead");
        }
        return database.transaction(() -> {
            for (TrustedCa trusted : database.select(SELECT, statement -> { }, TrustList::trustedCa)) {
                if (trusted.name().equals(name)) {
                    throw new StatusConflictException("the trust list already has a CA named '" + name + "' (" + trusted.certificate().subject()
                            + "): remove it first or choose another name");
                }
                if (trusted.certificate().sha256().equals(certificate.sha256())) {
                    throw new StatusConflictException("this certificate is already on the trust list as '" + trusted.name() + "'");
                }
                if (trusted.certificate().commonName().equals(certificate.commonName())) {
                    throw new StatusConflictException("the trust list already has a CA with the common name '" + certificate.commonName()
                            + "' ('" + trusted.name() + "'), which names its directory entry: remove it first");
                }
            }
            database.insert("INSERT INTO trusted_ca (name, common_name, subject, sha256, certificate, added_at) VALUES (?, ?, ?, ?, ?, ?)",
                    statement -> {
                        statement.setString(1, name.value());
                        statement.setString(2, certificate.commonName());
                        statement.setString(3, certificate.subject());
                        statement.setString(4, certificate.sha256());
                        statement.setBytes(5, certificate.der());
                        statement.setLong(6, now.toEpochMilli());
                    });
            changed(actor, "trust.add", name, certificate);
            return new TrustedCa(name, certificate, now);
        });
    }

    /** Takes {@code name} off the list; {@link NotRegisteredException} when it is not on it. */
    public TrustedCa remove(CaName name, Actor actor) {
        return database.transaction(() -> {
            TrustedCa trusted = database.select(SELECT + " WHERE name = ?", statement -> statement.setString(1, name.value()), TrustList::trustedCa)
                    .stream().findFirst()
                    .orElseThrow(() -> new NotRegisteredException("no CA named '" + name + "' is on the trust list ('certdir trust list' shows it)"));
            database.update("DELETE FROM trusted_ca WHERE name = ?", statement -> statement.setString(1, name.value()));
            changed(actor, "trust.remove", name, trusted.certificate());
            return trusted;
        });
    }

    private void changed(Actor actor, String action, CaName name, CertificateDetails certificate) throws SQLException {
        database.update("UPDATE trust_list_sequence SET sequence = sequence + 1 WHERE id = 1", statement -> { });
        registry.audit(actor, action, name.value(), certificate.subject() + " sha256 " + certificate.sha256());
        outbox.enqueue(Outbox.DIRECTORY_TRUST, certificate.commonName());
    }

    /** The sequence number alone: enough to tell whether a copy of the list is still current. */
    public long sequence() {
        return database.query("SELECT sequence FROM trust_list_sequence WHERE id = 1", statement -> { }, row -> row.getLong(1)).get(0);
    }

    /** The list and its sequence number, read together. */
    public Snapshot snapshot() {
        return database.transaction(() -> new Snapshot(
                database.select("SELECT sequence FROM trust_list_sequence WHERE id = 1", statement -> { }, row -> row.getLong(1)).get(0),
                database.select(SELECT + " ORDER BY name", statement -> { }, TrustList::trustedCa)));
    }

    /** The trusted CA whose directory entry has this common name. */
    public Optional<TrustedCa> byCommonName(String commonName) {
        return database.query(SELECT + " WHERE common_name = ?", statement -> statement.setString(1, commonName), TrustList::trustedCa)
                .stream().findFirst();
    }

    private static TrustedCa trustedCa(ResultSet row) throws SQLException {
        return new TrustedCa(new CaName(row.getString(1)), CertificateDetails.parse(row.getBytes(2)), Instant.ofEpochMilli(row.getLong(3)));
    }
}
