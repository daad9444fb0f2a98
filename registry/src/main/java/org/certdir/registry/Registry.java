package org.certdir.registry;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authoritative record of CAs, certificates and their status, CRLs issued, admin actions, the change feed
 * and the publication queue.
 *
 * <p>Design notes: a change, its audit record, its change-feed entry and its publication tasks are written
 * in one transaction, and a method returns only after that transaction committed: what the caller was told
 * happened is on disk, and everything downstream (directory, CRLs, OCSP) works from it. Listeners registered
 * with {@link #onStatusChange} hear of each status change right after its commit. The SQL stays within what
 * PostgreSQL also accepts, so that a cluster can move the registry there.
 */
public final class Registry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Registry.class);

    private final Database database;
    private final Clock clock;
    private final Outbox outbox;
    private final TrustList trustList;
    private final List<Consumer<StatusChange>> listeners = new CopyOnWriteArrayList<>();
    /** Committed changes not yet given to the listeners, in revision order: queued under the database lock at commit. */
    private final Queue<StatusChange> undelivered = new ConcurrentLinkedQueue<>();
    /** Held while delivering, so that one thread at a time hands out the queue, in order. */
    private final Object delivery = new Object();

    private Registry(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
        this.outbox = new Outbox(database, clock);
        this.trustList = new TrustList(this, database, outbox, clock);
    }

    /** Opens (creating or upgrading if needed) the SQLite registry in {@code file}. */
    public static Registry open(Path file, Clock clock) {
        Registry registry = new Registry(Database.open(file), clock);
        registry.fillMissingSearchKeys();
        return registry;
    }

    private void insertSearchKeys(long certificateId, CertificateDetails certificate) throws SQLException {
        for (Map.Entry<String, String> key : SearchKeys.of(certificate.certificate()).entrySet()) {
            database.update("INSERT INTO certificate_search_key (certificate_id, kind, value) VALUES (?, ?, ?)", statement -> {
                statement.setLong(1, certificateId);
                statement.setString(2, key.getKey());
                statement.setString(3, key.getValue());
            });
        }
    }

    /**
     * Certificates recorded before the search keys existed (schema 5), or whose sKIDHash schema 7 dropped as computed
     * against RFC 4387, get theirs, a thousand per transaction.
     */
    private void fillMissingSearchKeys() {
        while (true) {
            int filled = database.transaction(() -> {
                List<Map.Entry<Long, byte[]>> missing = database.select("SELECT id, der FROM certificate WHERE id NOT IN"
                        + " (SELECT certificate_id FROM certificate_search_key WHERE kind = 'sKIDHash') LIMIT 1000", statement -> { },
                        row -> Map.entry(row.getLong(1), row.getBytes(2)));
                for (Map.Entry<Long, byte[]> certificate : missing) {
                    database.update("DELETE FROM certificate_search_key WHERE certificate_id = ?", statement -> statement.setLong(1, certificate.getKey()));
                    insertSearchKeys(certificate.getKey(), CertificateDetails.parse(certificate.getValue()));
                }
                return missing.size();
            });
            if (filled < 1000) {
                return;
            }
        }
    }

    /**
     * RFC 4387 lookup: the valid, unexpired certificates whose search key {@code kind} ({@link SearchKeys}) is
     * {@code value}, at most {@code limit}; {@code sKIDHash} also matches the subjectKeyIdentifier a certificate carries.
     */
    public List<CertificateDetails> certificatesBySearchKey(String kind, String value, Instant now, int limit) {
        return database.query("SELECT DISTINCT c.der FROM certificate_search_key k JOIN certificate c ON c.id = k.certificate_id"
                + " WHERE k.kind IN (?, ?) AND k.value = ? AND c.status = 'valid' AND c.not_after > ? ORDER BY c.id LIMIT ?", statement -> {
                    statement.setString(1, kind);
                    statement.setString(2, kind.equals("sKIDHash") ? "sKID" : kind);
                    statement.setString(3, value);
                    statement.setLong(4, now.toEpochMilli());
                    statement.setInt(5, limit);
                }, row -> CertificateDetails.parse(row.getBytes(1)));
    }

    /** The valid, unexpired certificates for {@code mail} that can encrypt: what the directory publishes for it. */
    public List<CertificateDetails> encryptionCertificatesForMail(String mail, Instant now, int limit) {
        return database.query("SELECT c.der FROM certificate_mail m JOIN certificate c ON c.id = m.certificate_id WHERE m.mail = ?"
                + " AND c.status = 'valid' AND c.not_after > ? AND c.usage IN ('encryption', 'encryption_and_signing') ORDER BY c.id DESC LIMIT ?",
                statement -> {
                    statement.setString(1, mail.toLowerCase(Locale.ROOT));
                    statement.setLong(2, now.toEpochMilli());
                    statement.setInt(3, limit);
                }, row -> CertificateDetails.parse(row.getBytes(1)));
    }

    /** The publication queue written together with every change. */
    public Outbox outbox() {
        return outbox;
    }

    /** The partner CAs the admin decided to trust. */
    public TrustList trustList() {
        return trustList;
    }

    /**
     * Calls {@code listener} with every status change right after it committed, in revision order, on a committing
     * thread (the change's own, or one that committed just before it), before the call that made the change returns:
     * keep it short (update an index, wake a worker). A listener that throws is logged and does not keep the change
     * from the listeners after it.
     */
    public void onStatusChange(Consumer<StatusChange> listener) {
        listeners.add(listener);
    }

    // ---- CAs

    /** Records a CA and queues its publication; the CA's own certificate is not a row of {@code certificate}. */
    public CaRecord addCa(CaName name, CertificateDetails certificate, String keyFile, Actor actor) {
        return database.transaction(() -> insertCa(name, certificate, keyFile, actor, "ca.add",
                certificate.subject() + (keyFile == null ? " (published only)" : " (managed)")));
    }

    /**
     * Records a CA certdir has just created with its key in {@code keyFile}, audited as {@code ca.create} with
     * {@code detail} (how it was made), and queues its publication.
     */
    public CaRecord createCa(CaName name, CertificateDetails certificate, String keyFile, String detail, Actor actor) {
        if (keyFile == null) {
            throw new IllegalArgumentException("a CA certdir creates has its key in a key file: keyFile is null for " + name);
        }
        return database.transaction(() -> insertCa(name, certificate, keyFile, actor, "ca.create", certificate.subject() + " (" + detail + ")"));
    }

    private CaRecord insertCa(CaName name, CertificateDetails certificate, String keyFile, Actor actor, String action, String detail) throws SQLException {
        if (!certificate.ca()) {
            throw new IllegalArgumentException(certificate + " is not a CA certificate (basicConstraints cA is not true)");
        }
        requireNameFree(name);
        long id = database.insert("INSERT INTO ca (name, subject, sha256, certificate, key_file, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                statement -> {
                    statement.setString(1, name.value());
                    statement.setString(2, certificate.subject());
                    statement.setString(3, certificate.sha256());
                    statement.setBytes(4, certificate.der());
                    statement.setString(5, keyFile);
                    statement.setLong(6, now());
                });
        audit(actor, action, name.value(), detail);
        outbox.enqueue(Outbox.DIRECTORY_CA, name.value());
        return new CaRecord(id, name, certificate, keyFile);
    }

    /** A CA name is one CA's, whether registered or pending: it names the CA's URLs and its key file. */
    private void requireNameFree(CaName name) throws SQLException {
        if (!database.select("SELECT id FROM ca WHERE name = ?", statement -> statement.setString(1, name.value()), row -> row.getLong(1)).isEmpty()) {
            throw new StatusConflictException("a CA named '" + name + "' is already registered");
        }
        if (!database.select("SELECT id FROM pending_ca WHERE name = ?", statement -> statement.setString(1, name.value()), row -> row.getLong(1))
                .isEmpty()) {
            throw new StatusConflictException("a CA named '" + name + "' is pending (its key and CSR are made, its certificate is to come:"
                    + " 'certdir ca install')");
        }
    }

    /**
     * Records a CA whose key certdir made and whose certificate a root elsewhere is to sign from {@code csr} (DER),
     * audited as {@code ca.create-pending}. It stays out of everything that signs until {@link #installPendingCa}.
     */
    public PendingCa addPendingCa(CaName name, String subject, byte[] csr, String keyFile, Actor actor) {
        return database.transaction(() -> {
            requireNameFree(name);
            long createdAt = now();
            long id = database.insert("INSERT INTO pending_ca (name, subject, csr, key_file, created_at) VALUES (?, ?, ?, ?, ?)", statement -> {
                statement.setString(1, name.value());
                statement.setString(2, subject);
                statement.setBytes(3, csr);
                statement.setString(4, keyFile);
                statement.setLong(5, createdAt);
            });
            audit(actor, "ca.create-pending", name.value(), subject + " (key in " + keyFile + ", CSR written for a root kept elsewhere)");
            return new PendingCa(id, name, subject, csr, keyFile, Instant.ofEpochMilli(createdAt));
        });
    }

    /** The pending CAs, oldest first. */
    public List<PendingCa> pendingCas() {
        return database.query("SELECT id, name, subject, csr, key_file, created_at FROM pending_ca ORDER BY id", statement -> { },
                Registry::pendingCa);
    }

    private static PendingCa pendingCa(ResultSet row) throws SQLException {
        return new PendingCa(row.getLong(1), new CaName(row.getString(2)), row.getString(3), row.getBytes(4), row.getString(5),
                Instant.ofEpochMilli(row.getLong(6)));
    }

    /**
     * Makes the pending CA {@code name} a managed CA with {@code certificate} (whose key the caller checked is the pending
     * key), in one transaction audited as {@code ca.install}: from its commit on it signs like any CA certdir holds.
     *
     * @throws NotRegisteredException if no CA of that name is pending (installed meanwhile, or never made)
     */
    public CaRecord installPendingCa(CaName name, CertificateDetails certificate, Actor actor) {
        return database.transaction(() -> {
            List<PendingCa> pending = database.select("SELECT id, name, subject, csr, key_file, created_at FROM pending_ca WHERE name = ?",
                    statement -> statement.setString(1, name.value()), Registry::pendingCa);
            if (pending.isEmpty()) {
                throw new NotRegisteredException("no CA named '" + name + "' is pending ('certdir ca list' shows them)");
            }
            database.update("DELETE FROM pending_ca WHERE id = ?", statement -> statement.setLong(1, pending.get(0).id()));
            return insertCa(name, certificate, pending.get(0).keyFile(), actor, "ca.install",
                    certificate.subject() + " issued by " + certificate.issuer() + " (managed)");
        });
    }

    /**
     * Makes the CA registered with {@code certificate} as published only a managed CA, its key imported into
     * {@code keyFile}, whose CRLs certdir continues above {@code lastCrlNumber} (the last number it issued elsewhere, 0
     * for none), audited as {@code ca.import}. It keeps its name and its certificates. The importer registers a new CA
     * as published only first and records its certificates and revocations before this: the CRL publisher signs for
     * managed CAs only, so the first CRL certdir signs for it lists every revocation.
     *
     * @throws NotRegisteredException  if no CA has this certificate
     * @throws StatusConflictException if the CA is managed already
     */
    public CaRecord importCa(CertificateDetails certificate, String keyFile, long lastCrlNumber, Actor actor) {
        if (keyFile == null) {
            throw new IllegalArgumentException("a CA imported with its key has a key file: keyFile is null for " + certificate.subject());
        }
        if (lastCrlNumber < 0) {
            throw new IllegalArgumentException("the last CRL number of CA " + certificate.subject() + " is negative: " + lastCrlNumber);
        }
        return database.transaction(() -> {
            CaRecord before = database.select("SELECT id, name, certificate, key_file FROM ca WHERE sha256 = ?",
                    statement -> statement.setString(1, certificate.sha256()), this::caRecord).stream().findFirst()
                    .orElseThrow(() -> new NotRegisteredException("no CA with the certificate " + certificate.subject() + " (SHA-256 "
                            + certificate.sha256() + ") is registered: register it (published only) before importing its key"));
            if (before.managed()) {
                throw new StatusConflictException("CA '" + before.name() + "' (" + certificate.subject() + ") is managed already: its key is in "
                        + before.keyFile());
            }
            database.update("UPDATE ca SET key_file = ?, crl_number_floor = ? WHERE id = ?", statement -> {
                statement.setString(1, keyFile);
                statement.setLong(2, lastCrlNumber);
                statement.setLong(3, before.id());
            });
            audit(actor, "ca.import", before.name().value(), certificate.subject() + " (published only until now, managed from now on: key imported,"
                    + " CRL numbers continue after " + lastCrlNumber + ")");
            outbox.enqueue(Outbox.DIRECTORY_CA, before.name().value());
            return new CaRecord(before.id(), before.name(), before.certificate(), keyFile);
        });
    }

    /**
     * Gives CA {@code ca} the certificate {@code renewed} for the same subject and key (a renewal, {@code certdir ca
     * renew}), audited as {@code ca.renew} with {@code detail}: the certificate it replaces is kept as a previous one
     * (published beside the new until it expires), and the CA keeps its id, name, key file, certificates and CRL numbers.
     * Queues the CA entry for publication.
     *
     * @throws StatusConflictException if the CA's certificate is no longer {@code ca}'s (renewed meanwhile)
     */
    public CaRecord renewCa(CaRecord ca, CertificateDetails renewed, String detail, Actor actor) {
        CertificateDetails current = ca.certificate();
        if (!java.util.Arrays.equals(renewed.certificate().getSubjectX500Principal().getEncoded(), current.certificate().getSubjectX500Principal().getEncoded())
                || !java.util.Arrays.equals(renewed.certificate().getPublicKey().getEncoded(), current.certificate().getPublicKey().getEncoded())) {
            throw new IllegalArgumentException(renewed + " does not certify the subject and key of CA '" + ca.name() + "': not a renewal");
        }
        if (!renewed.ca()) {
            throw new IllegalArgumentException(renewed + " is not a CA certificate (basicConstraints cA is not true)");
        }
        return database.transaction(() -> {
            int changed = database.update("UPDATE ca SET certificate = ?, sha256 = ?, subject = ? WHERE id = ? AND sha256 = ?", statement -> {
                statement.setBytes(1, renewed.der());
                statement.setString(2, renewed.sha256());
                statement.setString(3, renewed.subject());
                statement.setLong(4, ca.id());
                statement.setString(5, current.sha256());
            });
            if (changed != 1) {
                throw new StatusConflictException("CA '" + ca.name() + "' no longer has the certificate " + current.sha256() + " (renewed meanwhile?):"
                        + " 'certdir ca list' shows its current one");
            }
            database.insert("INSERT INTO ca_previous_certificate (ca_id, sha256, certificate, not_after, replaced_at) VALUES (?, ?, ?, ?, ?)",
                    statement -> {
                        statement.setLong(1, ca.id());
                        statement.setString(2, current.sha256());
                        statement.setBytes(3, current.der());
                        statement.setLong(4, current.notAfter().toEpochMilli());
                        statement.setLong(5, now());
                    });
            audit(actor, "ca.renew", ca.name().value(), detail);
            outbox.enqueue(Outbox.DIRECTORY_CA, ca.name().value());
            return new CaRecord(ca.id(), ca.name(), renewed, ca.keyFile());
        });
    }

    /** The certificates {@code ca} had before its current one that are still valid at {@code at}, newest first. */
    public List<CertificateDetails> previousCaCertificates(CaName ca, Instant at) {
        return database.query("SELECT p.certificate FROM ca_previous_certificate p JOIN ca ON ca.id = p.ca_id WHERE ca.name = ? AND p.not_after > ?"
                + " ORDER BY p.id DESC", statement -> {
                    statement.setString(1, ca.value());
                    statement.setLong(2, at.toEpochMilli());
                }, row -> CertificateDetails.parse(row.getBytes(1)));
    }

    public List<CaRecord> cas() {
        return database.query("SELECT id, name, certificate, key_file FROM ca ORDER BY id", statement -> { }, this::caRecord);
    }

    public Optional<CaRecord> ca(CaName name) {
        return database.query("SELECT id, name, certificate, key_file FROM ca WHERE name = ?",
                statement -> statement.setString(1, name.value()), this::caRecord).stream().findFirst();
    }

    /**
     * Records a cross-certificate of {@code ca}: a certificate another CA issued for {@code ca}'s subject and key.
     * Returns false when it is recorded already. Queues the CA entry, which carries it, for publication.
     */
    public boolean addCrossCertificate(CaRecord ca, CertificateDetails certificate, Actor actor) {
        if (!certificate.subject().equals(ca.certificate().subject())
                || !java.util.Arrays.equals(certificate.certificate().getPublicKey().getEncoded(), ca.certificate().certificate().getPublicKey().getEncoded())) {
            throw new IllegalArgumentException(certificate + " does not certify the subject and key of CA '" + ca.name() + "'");
        }
        if (certificate.issuer().equals(ca.certificate().issuer())) {
            throw new IllegalArgumentException(certificate + " has the same issuer as CA '" + ca.name() + "': a renewal, not a cross-certificate");
        }
        return database.transaction(() -> {
            if (!database.select("SELECT id FROM cross_certificate WHERE sha256 = ?", statement -> statement.setString(1, certificate.sha256()),
                    row -> row.getLong(1)).isEmpty()) {
                return false;
            }
            database.insert("INSERT INTO cross_certificate (ca_id, sha256, certificate, added_at) VALUES (?, ?, ?, ?)", statement -> {
                statement.setLong(1, ca.id());
                statement.setString(2, certificate.sha256());
                statement.setBytes(3, certificate.der());
                statement.setLong(4, now());
            });
            audit(actor, "ca.cross-certificate", ca.name().value(), "issued by " + certificate.issuer() + " sha256 " + certificate.sha256());
            outbox.enqueue(Outbox.DIRECTORY_CA, ca.name().value());
            return true;
        });
    }

    /** The cross-certificates recorded for {@code ca}, oldest first. */
    public List<CertificateDetails> crossCertificates(CaName ca) {
        return database.query("SELECT x.certificate FROM cross_certificate x JOIN ca ON ca.id = x.ca_id WHERE ca.name = ? ORDER BY x.id",
                statement -> statement.setString(1, ca.value()), row -> CertificateDetails.parse(row.getBytes(1)));
    }

    /** The CA named {@code name}; {@link NotRegisteredException} (saying how to list them) if there is none. */
    public CaRecord requireCa(CaName name) {
        return ca(name).orElseThrow(() -> new NotRegisteredException("no CA named '" + name + "' is registered ('certdir ca list' shows them)"));
    }

    /** A CA's certificate by serial; {@link NotRegisteredException} naming whether the CA or the serial is unknown. */
    public CertificateRecord requireCertificate(CaName ca, Serial serial) {
        return certificate(ca, serial).orElseThrow(() -> notRegistered(ca, serial));
    }

    /** The CA whose certificate has this SHA-256 fingerprint (lower-case hex), if registered. */
    public Optional<CaRecord> caBySha256(String sha256) {
        return database.query("SELECT id, name, certificate, key_file FROM ca WHERE sha256 = ?",
                statement -> statement.setString(1, sha256), this::caRecord).stream().findFirst();
    }

    private CaRecord caRecord(ResultSet row) throws SQLException {
        return new CaRecord(row.getLong(1), new CaName(row.getString(2)), CertificateDetails.parse(row.getBytes(3)), row.getString(4));
    }

    // ---- certificates

    /** A certificate to record with the CA that issued it. */
    public record Issued(CaRecord ca, CertificateDetails certificate) {
    }

    /** What {@link #addCertificates} did with one certificate: recorded now, or already known. */
    public record Added(CertificateRecord record, boolean known) {
    }

    /** Records one certificate; see {@link #addCertificates}. */
    public CertificateRecord addCertificate(CaRecord ca, CertificateDetails certificate, Actor actor) {
        return addCertificates(List.of(new Issued(ca, certificate)), actor).get(0).record();
    }

    /**
     * Records certificates in one transaction, each with its audit record, change-feed entry and the
     * publication of its owner's directory entry. Idempotent: a certificate already known is returned as it is.
     *
     * @throws IllegalArgumentException if a certificate's issuer is not its CA's subject, or the CA already has
     *                                  a different certificate with the same serial; nothing is recorded then
     */
    public List<Added> addCertificates(List<Issued> certificates, Actor actor) {
        List<StatusChange> changes = new ArrayList<>();
        List<Added> results = database.transaction(() -> {
            List<Added> added = new ArrayList<>();
            for (Issued issued : certificates) {
                added.add(insert(issued.ca(), issued.certificate(), actor, changes));
            }
            return added;
        }, () -> undelivered.addAll(changes));
        deliver();
        return results;
    }

    /**
     * Records a certificate certdir has just issued, as {@link #addCertificates} does, with an audit record
     * {@code certificate.issue} carrying {@code detail} (e.g. the profile it was issued with), in one transaction.
     *
     * @throws IllegalArgumentException as {@link #addCertificates}, and if the certificate is recorded already
     */
    public CertificateRecord issueCertificate(CaRecord ca, CertificateDetails certificate, String detail, Actor actor) {
        List<StatusChange> changes = new ArrayList<>();
        CertificateRecord result = database.transaction(() -> {
            Added added = insert(ca, certificate, actor, changes);
            if (added.known()) {
                throw new IllegalArgumentException(certificate + " is recorded already: an issuance is a new certificate");
            }
            audit(actor, "certificate.issue", ca.name() + "/" + certificate.serial(), detail);
            return added.record();
        }, () -> undelivered.addAll(changes));
        deliver();
        return result;
    }

    /** Records one certificate inside a transaction; see {@link #addCertificates}. */
    private Added insert(CaRecord ca, CertificateDetails certificate, Actor actor, List<StatusChange> changes) throws SQLException {
        Optional<CertificateRecord> known = firstCertificate(" WHERE c.sha256 = ?", statement -> statement.setString(1, certificate.sha256()));
        if (known.isPresent()) {
            return new Added(known.get(), true);
        }
        if (!certificate.issuer().equals(ca.certificate().subject())) {
            throw new IllegalArgumentException(certificate + " was not issued by CA '" + ca.name() + "' (" + ca.certificate().subject() + ")");
        }
        if (firstCertificate(" WHERE ca.id = ? AND c.serial = ?", statement -> {
            statement.setLong(1, ca.id());
            statement.setString(2, certificate.serial().hex());
        }).isPresent()) {
            throw new IllegalArgumentException("CA '" + ca.name() + "' already has a different certificate with serial " + certificate.serial());
        }
        long id = database.insert("INSERT INTO certificate (ca_id, serial, subject, issuer, not_before, not_after, usage, status, sha256, der, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", statement -> {
                    statement.setLong(1, ca.id());
                    statement.setString(2, certificate.serial().hex());
                    statement.setString(3, certificate.subject());
                    statement.setString(4, certificate.issuer());
                    statement.setLong(5, certificate.notBefore().toEpochMilli());
                    statement.setLong(6, certificate.notAfter().toEpochMilli());
                    statement.setString(7, certificate.usage().name().toLowerCase(Locale.ROOT));
                    statement.setString(8, CertificateStatus.VALID.dbName());
                    statement.setString(9, certificate.sha256());
                    statement.setBytes(10, certificate.der());
                    statement.setLong(11, now());
                });
        insertSearchKeys(id, certificate);
        for (String mail : certificate.mailAddresses()) {
            database.update("INSERT INTO certificate_mail (certificate_id, mail) VALUES (?, ?)", statement -> {
                statement.setLong(1, id);
                statement.setString(2, mail);
            });
            if (certificate.usage().encrypts()) {
                outbox.enqueue(Outbox.DIRECTORY_PERSON, mail);
            }
        }
        CertificateRecord record = new CertificateRecord(id, ca.name(), certificate, CertificateStatus.VALID, null, null, null);
        changes.add(recordChange(record, null));
        audit(actor, "certificate.add", ca.name() + "/" + certificate.serial(), certificate.subject());
        return new Added(record, false);
    }

    /**
     * Revokes a certificate, or holds it with {@link RevocationReason#CERTIFICATE_HOLD}.
     * <ul>
     *   <li>valid: revoked or held now;</li>
     *   <li>held: revoked with the new reason, keeping the time it was held since (it was not to be trusted from then on);</li>
     *   <li>revoked: only raising the reason to keyCompromise is allowed, and the revocation time stays (RFC 5280 §5.3.1).</li>
     * </ul>
     *
     * @throws NotRegisteredException   if the CA or the serial is unknown
     * @throws StatusConflictException  if the change does not fit the current status
     */
    public CertificateRecord revoke(CaName ca, Serial serial, RevocationReason reason, Instant invalidityDate, Actor actor) {
        if (reason == RevocationReason.REMOVE_FROM_CRL) {
            throw new IllegalArgumentException("removeFromCRL is not a revocation reason: release the held certificate instead");
        }
        boolean hold = reason == RevocationReason.CERTIFICATE_HOLD;
        return changeStatus(ca, serial, actor, current -> {
            Instant revokedAt = switch (current.status()) {
                case VALID -> Instant.ofEpochMilli(now());
                case ON_HOLD -> {
                    if (hold) {
                        throw new StatusConflictException(describe(current) + " is already on hold since " + current.revokedAt());
                    }
                    yield current.revokedAt();
                }
                case REVOKED -> {
                    if (reason != RevocationReason.KEY_COMPROMISE || current.reason() == RevocationReason.KEY_COMPROMISE) {
                        throw new StatusConflictException(describe(current) + " is already revoked (" + current.reason().rfcName() + ", since "
                                + current.revokedAt() + "); only raising the reason to keyCompromise is allowed");
                    }
                    yield current.revokedAt();
                }
            };
            Instant invalidity = invalidityDate != null ? invalidityDate : current.status() == CertificateStatus.REVOKED ? current.invalidityDate() : null;
            String action = hold ? "certificate.hold" : current.status() == CertificateStatus.REVOKED ? "certificate.reason-raised" : "certificate.revoke";
            return new Transition(hold ? CertificateStatus.ON_HOLD : CertificateStatus.REVOKED, revokedAt, reason, invalidity, action,
                    "reason=" + reason.rfcName() + (invalidity == null ? "" : " invalidityDate=" + invalidity));
        });
    }

    /**
     * Records a revocation a CA made before certdir held it, as its CRL lists it: revoked (or held, for
     * certificateHold) since {@code revokedAt}, with the CRL's reason and invalidity date, audited as
     * {@code certificate.revoke-imported} with {@code source} (which CRL). A certificate already revoked or held with the
     * same time and reason is left as it is (the import was run before); any other status but valid is a conflict.
     *
     * @return the certificate as it now stands
     * @throws StatusConflictException if the certificate is revoked or held otherwise
     */
    public CertificateRecord importRevocation(CaName ca, Serial serial, Instant revokedAt, RevocationReason reason, Instant invalidityDate,
                                              String source, Actor actor) {
        RevocationReason stored = reason == null ? RevocationReason.UNSPECIFIED : reason;
        if (stored == RevocationReason.REMOVE_FROM_CRL) {
            throw new IllegalArgumentException("removeFromCRL is not a revocation: a full CRL never lists it (serial " + serial + ")");
        }
        CertificateStatus status = stored == RevocationReason.CERTIFICATE_HOLD ? CertificateStatus.ON_HOLD : CertificateStatus.REVOKED;
        CertificateRecord current = requireCertificate(ca, serial);
        if (current.status() == status && revokedAt.equals(current.revokedAt()) && stored == current.reason()) {
            return current;
        }
        return changeStatus(ca, serial, actor, now -> {
            if (now.status() != CertificateStatus.VALID) {
                throw new StatusConflictException(describe(now) + " is already " + now.status().dbName() + " (" + now.reason().rfcName() + ", since "
                        + now.revokedAt() + "), not as " + source + " says (" + stored.rfcName() + ", since " + revokedAt + ")");
            }
            return new Transition(status, revokedAt, stored, invalidityDate, "certificate.revoke-imported",
                    "reason=" + stored.rfcName() + " revokedAt=" + revokedAt + (invalidityDate == null ? "" : " invalidityDate=" + invalidityDate)
                            + " from " + source);
        });
    }

    /**
     * Releases a held certificate: valid again (a delta CRL then lists it as removeFromCRL).
     *
     * @throws StatusConflictException if it is not on hold
     */
    public CertificateRecord release(CaName ca, Serial serial, Actor actor) {
        return changeStatus(ca, serial, actor, current -> {
            if (current.status() != CertificateStatus.ON_HOLD) {
                throw new StatusConflictException(describe(current) + " is " + current.status().dbName() + ", not on hold: only a held certificate can be released");
            }
            return new Transition(CertificateStatus.VALID, null, null, null, "certificate.release", "held since " + current.revokedAt());
        });
    }

    /**
     * Sets a certificate of a CA certdir does not hold to the status the CA's own CRL gives it (a mirrored CRL):
     * revoked or held with the CRL entry's date, reason and invalidity date, or valid again when a hold was lifted.
     * The CA decides, so any current status may change; returns empty when the certificate already has that status.
     *
     * @throws NotRegisteredException if the CA or the serial is unknown
     */
    public Optional<CertificateRecord> mirrorStatus(CaName ca, Serial serial, CertificateStatus status, Instant revokedAt, RevocationReason reason,
                                                    Instant invalidityDate, String source, Actor actor) {
        CertificateRecord current = requireCertificate(ca, serial);
        boolean valid = status == CertificateStatus.VALID;
        RevocationReason wanted = valid ? null : status == CertificateStatus.ON_HOLD ? RevocationReason.CERTIFICATE_HOLD : reason;
        if (current.status() == status && java.util.Objects.equals(current.revokedAt(), valid ? null : revokedAt)
                && current.reason() == wanted && java.util.Objects.equals(current.invalidityDate(), valid ? null : invalidityDate)) {
            return Optional.empty();
        }
        String action = valid ? "certificate.release" : status == CertificateStatus.ON_HOLD ? "certificate.hold" : "certificate.revoke";
        return Optional.of(changeStatus(ca, serial, actor, before -> new Transition(status, valid ? null : revokedAt, wanted,
                valid ? null : invalidityDate, action, (valid ? "hold lifted" : "reason=" + (wanted == null ? "none" : wanted.rfcName())
                        + (invalidityDate == null ? "" : " invalidityDate=" + invalidityDate)) + " mirrored from " + source)));
    }

    /** A renewal as recorded: the certificate renewed, as it now stands, and the one that succeeds it. */
    public record Renewal(CertificateRecord old, CertificateRecord renewed) {
    }

    /**
     * Renews a certificate in one transaction: {@code issue} makes the successor from the old certificate as it stands under
     * the registry's lock, so that nothing is signed for a certificate revoked meanwhile (keep it to a signature: generate
     * keys before); then, with {@code revokeOld}, the old one is revoked as superseded, and the successor is recorded, with
     * an audit record {@code certificate.renew} naming both serials. All of it commits or none: a crash never leaves the
     * old certificate revoked without its successor recorded. An expired certificate may be renewed.
     *
     * @throws NotRegisteredException   if the CA or the serial is unknown
     * @throws StatusConflictException  if the certificate is revoked or on hold
     * @throws IllegalArgumentException if the successor was not issued by the CA or is not new; nothing is recorded then
     */
    public Renewal renew(CaName ca, Serial serial, Function<CertificateRecord, CertificateDetails> issue, boolean revokeOld, Actor actor) {
        List<StatusChange> changes = new ArrayList<>();
        Renewal result = database.transaction(() -> {
            CertificateRecord old = current(ca, serial);
            switch (old.status()) {
                case REVOKED -> throw new StatusConflictException(describe(old) + " is revoked (" + old.reason().rfcName()
                        + "): revoked certificates are not renewed: issue a new one");
                case ON_HOLD -> throw new StatusConflictException(describe(old)
                        + " is on hold: held certificates are not renewed: release it first, or revoke it and issue a new one");
                case VALID -> { }
            }
            CertificateDetails successor = issue.apply(old);
            CertificateRecord replaced = old;
            if (revokeOld) {
                // RFC 5280 §5.3.1: superseded, as the key was not compromised.
                replaced = apply(old, new Transition(CertificateStatus.REVOKED, Instant.ofEpochMilli(now()), RevocationReason.SUPERSEDED, null,
                        "certificate.revoke", "reason=superseded by " + successor.serial()), actor, changes);
            }
            Added added = insert(requireCa(ca), successor, actor, changes);
            if (added.known()) {
                throw new IllegalArgumentException(successor + " is recorded already: a renewal is a new certificate");
            }
            boolean sameKey = old.details().certificate().getPublicKey().equals(successor.certificate().getPublicKey());
            audit(actor, "certificate.renew", ca + "/" + serial, "renewed as " + ca + "/" + successor.serial() + (sameKey ? " (same key)" : " (new key)")
                    + (revokeOld ? ", the old one revoked (superseded)" : ", the old one valid until " + old.details().notAfter()));
            return new Renewal(replaced, added.record());
        }, () -> undelivered.addAll(changes));
        deliver();
        return result;
    }

    private record Transition(CertificateStatus status, Instant revokedAt, RevocationReason reason, Instant invalidityDate,
                              String action, String detail) {
    }

    private interface TransitionRule {
        Transition apply(CertificateRecord current);
    }

    private CertificateRecord changeStatus(CaName ca, Serial serial, Actor actor, TransitionRule rule) {
        List<StatusChange> changes = new ArrayList<>();
        CertificateRecord result = database.transaction(() -> {
            CertificateRecord current = current(ca, serial);
            return apply(current, rule.apply(current), actor, changes);
        }, () -> undelivered.addAll(changes));
        deliver();
        return result;
    }

    /** The certificate as it stands, read inside a transaction, so that it cannot change before the transaction ends. */
    private CertificateRecord current(CaName ca, Serial serial) throws SQLException {
        return firstCertificate(" WHERE ca.name = ? AND c.serial = ?", statement -> {
            statement.setString(1, ca.value());
            statement.setString(2, serial.hex());
        }).orElseThrow(() -> notRegistered(ca, serial));
    }

    /** Gives {@code current} the status {@code next}, inside a transaction, with its change-feed entry, audit and publication. */
    private CertificateRecord apply(CertificateRecord current, Transition next, Actor actor, List<StatusChange> changes) throws SQLException {
        database.update("UPDATE certificate SET status = ?, revoked_at = ?, reason = ?, invalidity_date = ? WHERE id = ?", statement -> {
            statement.setString(1, next.status().dbName());
            setInstant(statement, 2, next.revokedAt());
            if (next.reason() == null) {
                statement.setNull(3, Types.INTEGER);
            } else {
                statement.setInt(3, next.reason().code());
            }
            setInstant(statement, 4, next.invalidityDate());
            statement.setLong(5, current.id());
        });
        CertificateRecord updated = new CertificateRecord(current.id(), current.ca(), current.details(), next.status(), next.revokedAt(),
                next.reason(), next.invalidityDate());
        // The feed marks a release with removeFromCRL, so a delta CRL can tell it from a newly issued certificate.
        changes.add(recordChange(updated, next.action().equals("certificate.release") ? RevocationReason.REMOVE_FROM_CRL : updated.reason()));
        audit(actor, next.action(), current.ca() + "/" + current.details().serial(), next.detail());
        if (current.details().usage().encrypts()) {
            for (String mail : current.details().mailAddresses()) {
                outbox.enqueue(Outbox.DIRECTORY_PERSON, mail);
            }
        }
        return updated;
    }

    private NotRegisteredException notRegistered(CaName ca, Serial serial) {
        requireCa(ca);
        return new NotRegisteredException("CA '" + ca + "' has no certificate with serial " + serial);
    }

    private static String describe(CertificateRecord record) {
        return "certificate " + record.details().serial() + " of CA '" + record.ca() + "'";
    }

    private StatusChange recordChange(CertificateRecord record, RevocationReason reason) throws SQLException {
        long at = now();
        long revision = database.insert("INSERT INTO status_change (certificate_id, status, reason, revoked_at, invalidity_date, changed_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)", statement -> {
                    statement.setLong(1, record.id());
                    statement.setString(2, record.status().dbName());
                    if (reason == null) {
                        statement.setNull(3, Types.INTEGER);
                    } else {
                        statement.setInt(3, reason.code());
                    }
                    setInstant(statement, 4, record.revokedAt());
                    setInstant(statement, 5, record.invalidityDate());
                    statement.setLong(6, at);
                });
        return new StatusChange(revision, record.ca(), record.details().serial(), record.status(), reason, record.revokedAt(),
                record.invalidityDate(), Instant.ofEpochMilli(at));
    }

    /**
     * Hands the committed changes to the listeners. Changes are queued in commit order under the database lock, and
     * drained here by one thread at a time, so revision N+1 never reaches a listener before N even when two
     * transactions commit at once. A thread that finds another delivering waits for it, so its own change has been
     * delivered when it returns.
     */
    private void deliver() {
        synchronized (delivery) {
            for (StatusChange change = undelivered.poll(); change != null; change = undelivered.poll()) {
                for (Consumer<StatusChange> listener : listeners) {
                    try {
                        listener.accept(change);
                    } catch (RuntimeException e) {
                        LOG.error("a status listener failed on revision {} ({}/{} {}); the other listeners still got it", change.revision(),
                                change.ca(), change.serial(), change.status().dbName(), e);
                    }
                }
            }
        }
    }

    public Optional<CertificateRecord> certificate(CaName ca, Serial serial) {
        return database.query(CERTIFICATE_SELECT + " WHERE ca.name = ? AND c.serial = ?", statement -> {
            statement.setString(1, ca.value());
            statement.setString(2, serial.hex());
        }, this::certificateRecord).stream().findFirst();
    }

    /** The certificate with this SHA-256 fingerprint (lower-case hex) of its DER, if registered. */
    public Optional<CertificateRecord> certificateBySha256(String sha256) {
        return database.query(CERTIFICATE_SELECT + " WHERE c.sha256 = ?", statement -> statement.setString(1, sha256), this::certificateRecord)
                .stream().findFirst();
    }

    /** Every certificate that names {@code mail}, whatever its status. */
    public List<CertificateRecord> certificatesForMail(String mail) {
        return database.query(CERTIFICATE_SELECT + " JOIN certificate_mail m ON m.certificate_id = c.id WHERE m.mail = ? ORDER BY c.id",
                statement -> statement.setString(1, mail.toLowerCase(Locale.ROOT)), this::certificateRecord);
    }

    /**
     * Every mail address the registry knows, each with the certificates naming it (any status), ordered by
     * address: what a full republication of the people in the directory works from.
     */
    public Map<String, List<CertificateRecord>> certificatesByMail() {
        Map<String, List<CertificateRecord>> byMail = new TreeMap<>();
        database.query("SELECT " + CERTIFICATE_COLUMNS + ", m.mail FROM certificate c JOIN ca ON ca.id = c.ca_id"
                + " JOIN certificate_mail m ON m.certificate_id = c.id ORDER BY m.mail, c.id", statement -> { }, row -> {
                    byMail.computeIfAbsent(row.getString(8), mail -> new ArrayList<>()).add(certificateRecord(row));
                    return null;
                });
        return byMail;
    }

    /** Every mail address the registry knows a certificate for, in order: the people a full republication writes. */
    public List<String> mailAddresses() {
        return database.query("SELECT DISTINCT mail FROM certificate_mail ORDER BY mail", statement -> { }, row -> row.getString(1));
    }

    /**
     * Queues the directory publication of everyone whose valid encryption certificate expired since the last call
     * (at most up to now), and remembers how far it got in the same transaction, so that a restart catches up on
     * what expired meanwhile. The first call ever covers everything expired so far. The entries of CAs whose previous
     * certificate ({@link #renewCa}) expired are queued too. Returns the number of entries queued.
     */
    public int queueExpiredOwners() {
        long now = now();
        return database.transaction(() -> {
            List<Long> positions = database.select("SELECT position FROM registry_position WHERE name = 'directory.expiry'", statement -> { },
                    row -> row.getLong(1));
            long from = positions.isEmpty() ? Long.MIN_VALUE : positions.get(0);
            if (now <= from) {
                return 0;
            }
            List<String> mails = database.select("SELECT DISTINCT m.mail FROM certificate c JOIN certificate_mail m ON m.certificate_id = c.id"
                    + " WHERE c.not_after > ? AND c.not_after <= ? AND c.status = 'valid' AND c.usage IN ('encryption', 'encryption_and_signing')",
                    statement -> {
                        statement.setLong(1, from);
                        statement.setLong(2, now);
                    }, row -> row.getString(1));
            for (String mail : mails) {
                outbox.enqueue(Outbox.DIRECTORY_PERSON, mail);
            }
            // A CA entry holds a renewed CA's previous certificates while they are valid: written again once one expires.
            List<String> cas = database.select("SELECT DISTINCT ca.name FROM ca_previous_certificate p JOIN ca ON ca.id = p.ca_id"
                    + " WHERE p.not_after > ? AND p.not_after <= ?", statement -> {
                        statement.setLong(1, from);
                        statement.setLong(2, now);
                    }, row -> row.getString(1));
            for (String ca : cas) {
                outbox.enqueue(Outbox.DIRECTORY_CA, ca);
            }
            database.update("INSERT INTO registry_position (name, position) VALUES ('directory.expiry', ?)"
                    + " ON CONFLICT (name) DO UPDATE SET position = excluded.position", statement -> statement.setLong(1, now));
            return mails.size() + cas.size();
        });
    }

    /** Certificates matching a query, newest first, one page at a time. */
    public CertificateQuery.Page search(CertificateQuery query) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<String> values = new ArrayList<>();
        if (query.mail() != null) {
            where.append(" AND c.id IN (SELECT certificate_id FROM certificate_mail WHERE mail = ?)");
            values.add(query.mail().toLowerCase(Locale.ROOT));
        }
        if (query.status() != null) {
            where.append(" AND c.status = ?");
            values.add(query.status().dbName());
        }
        if (query.ca() != null) {
            where.append(" AND ca.name = ?");
            values.add(query.ca().value());
        }
        Database.Binder bind = statement -> {
            for (int i = 0; i < values.size(); i++) {
                statement.setString(i + 1, values.get(i));
            }
        };
        long total = database.query("SELECT COUNT(*) FROM certificate c JOIN ca ON ca.id = c.ca_id" + where, bind, row -> row.getLong(1)).get(0);
        List<CertificateRecord> page = database.query(CERTIFICATE_SELECT + where + " ORDER BY c.id DESC LIMIT ? OFFSET ?", statement -> {
            bind.bind(statement);
            statement.setInt(values.size() + 1, query.limit());
            statement.setInt(values.size() + 2, query.offset());
        }, this::certificateRecord);
        return new CertificateQuery.Page(page, total);
    }

    /**
     * The valid S/MIME certificates whose notAfter is after {@code from} and at most {@code until}, soonest first (then
     * in the order recorded), at most {@code limit}, of {@code ca} or of every CA when null; with how many match in all.
     * Revoked and held certificates are left out: they need no renewal reminder; so are those of no S/MIME use (usage
     * other: the OCSP signers, which certdir renews itself before they expire). Uses {@code certificate_by_not_after}.
     */
    public CertificateQuery.Page expiring(Instant from, Instant until, CaName ca, int limit) {
        String where = ca == null ? EXPIRING : EXPIRING_OF_CA;
        Database.Binder bind = statement -> {
            statement.setLong(1, from.toEpochMilli());
            statement.setLong(2, until.toEpochMilli());
            if (ca != null) {
                statement.setString(3, ca.value());
            }
        };
        long total = database.query("SELECT COUNT(*) FROM certificate c JOIN ca ON ca.id = c.ca_id" + where, bind, row -> row.getLong(1)).get(0);
        List<CertificateRecord> page = database.query(CERTIFICATE_SELECT + where + " ORDER BY c.not_after, c.id LIMIT ?", statement -> {
            bind.bind(statement);
            statement.setInt(ca == null ? 3 : 4, limit);
        }, this::certificateRecord);
        return new CertificateQuery.Page(page, total);
    }

    /**
     * Written so that SQLite walks {@code certificate_by_not_after} over the window only: without statistics its planner
     * prefers an equality, and {@code c.status = 'valid'} (nearly every certificate) or {@code ca.name = ?} (every
     * certificate of the CA, through the (ca_id, serial) key) would make each report and each /metrics scrape read
     * them all. {@code || ''} hides a column from the planner, the way PostgreSQL accepts too; checked in RegistryExpiryTest.
     */
    static final String EXPIRING = " WHERE c.not_after > ? AND c.not_after <= ? AND c.status || '' = 'valid' AND c.usage <> 'other'";
    static final String EXPIRING_OF_CA = EXPIRING + " AND ca.name || '' = ?";

    /** How many of each CA's certificates {@link #expiring} would list; CAs with none are absent. */
    public Map<CaName, Long> expiringCounts(Instant from, Instant until) {
        Map<CaName, Long> counts = new TreeMap<>(java.util.Comparator.comparing(CaName::value));
        database.query("SELECT ca.name, COUNT(*) FROM certificate c JOIN ca ON ca.id = c.ca_id" + EXPIRING + " GROUP BY ca.name", statement -> {
                    statement.setLong(1, from.toEpochMilli());
                    statement.setLong(2, until.toEpochMilli());
                }, row -> counts.put(new CaName(row.getString(1)), row.getLong(2)));
        return counts;
    }

    private static final String CERTIFICATE_COLUMNS =
            "c.id, ca.name, c.der, c.status, c.revoked_at, c.reason, c.invalidity_date";
    private static final String CERTIFICATE_SELECT =
            "SELECT " + CERTIFICATE_COLUMNS + " FROM certificate c JOIN ca ON ca.id = c.ca_id";

    private Optional<CertificateRecord> firstCertificate(String where, Database.Binder binder) throws SQLException {
        return database.select(CERTIFICATE_SELECT + where, binder, this::certificateRecord).stream().findFirst();
    }

    private CertificateRecord certificateRecord(ResultSet row) throws SQLException {
        return new CertificateRecord(
                row.getLong(1),
                new CaName(row.getString(2)),
                CertificateDetails.parse(row.getBytes(3)),
                CertificateStatus.ofDbName(row.getString(4)),
                instant(row, 5),
                reason(row, 6),
                instant(row, 7));
    }

    // ---- CRLs

    /**
     * The certificates a CA's full CRL lists now: revoked and held ones. RFC 5280 §3.3: an entry may leave only
     * once it appeared on a CRL issued after the certificate expired; so an expired certificate is left out only
     * when the previous full CRL ({@code previousFull}, its thisUpdate; null before the first) was issued after its
     * notAfter and after its revocation, i.e. listed it as already expired. Ordered by serial.
     */
    public List<RevokedCertificate> revocationList(CaName ca, Instant previousFull) {
        return database.query("SELECT c.serial, c.revoked_at, c.reason, c.invalidity_date, c.not_after FROM certificate c JOIN ca ON ca.id = c.ca_id"
                + " WHERE ca.name = ? AND c.status IN ('revoked', 'on-hold') AND NOT (c.not_after < ? AND c.revoked_at < ?) ORDER BY c.id", statement -> {
                    long listedBefore = previousFull == null ? Long.MIN_VALUE : previousFull.toEpochMilli();
                    statement.setString(1, ca.value());
                    statement.setLong(2, listedBefore);
                    statement.setLong(3, listedBefore);
                }, row -> new RevokedCertificate(Serial.parseHex(row.getString(1)), Instant.ofEpochMilli(row.getLong(2)), reason(row, 3),
                        instant(row, 4), Instant.ofEpochMilli(row.getLong(5))));
    }

    /**
     * When the first change a CRL lists (a revocation, hold or release; not a newly recorded certificate) of one
     * CA's certificates happened after {@code revision}; empty when there is none. What the CRL publisher decides
     * from, so a change a crash or a failed issuance interrupted is still found after it.
     */
    public Optional<Instant> firstCrlChangeAfter(CaName ca, long revision) {
        return database.query("SELECT MIN(s.changed_at) FROM status_change s JOIN certificate c ON c.id = s.certificate_id JOIN ca ON ca.id = c.ca_id"
                + " WHERE s.revision > ? AND (s.status <> 'valid' OR s.reason = " + RevocationReason.REMOVE_FROM_CRL.code() + ") AND ca.name = ?",
                statement -> {
                    statement.setLong(1, revision);
                    statement.setString(2, ca.value());
                }, row -> instant(row, 1)).stream().filter(java.util.Objects::nonNull).findFirst();
    }

    /** The changes of one CA's certificates after {@code revision}, oldest first: what a delta CRL lists. */
    public List<StatusChange> changesOfCa(CaName ca, long revision) {
        return database.query("SELECT s.revision, ca.name, c.serial, s.status, s.reason, s.revoked_at, s.invalidity_date, s.changed_at"
                + " FROM status_change s JOIN certificate c ON c.id = s.certificate_id JOIN ca ON ca.id = c.ca_id"
                + " WHERE ca.name = ? AND s.revision > ? ORDER BY s.revision", statement -> {
                    statement.setString(1, ca.value());
                    statement.setLong(2, revision);
                }, row -> new StatusChange(row.getLong(1), new CaName(row.getString(2)), Serial.parseHex(row.getString(3)),
                        CertificateStatus.ofDbName(row.getString(4)), reason(row, 5), instant(row, 6), instant(row, 7),
                        Instant.ofEpochMilli(row.getLong(8))));
    }

    /**
     * The highest CRL number issued for a CA (full or delta share the series), 0 before the first; for a CA imported
     * with its key, at least the last number it issued before certdir held it.
     */
    public long lastCrlNumber(CaName ca) {
        return database.query("SELECT ca.crl_number_floor, (SELECT MAX(crl.number) FROM crl WHERE crl.ca_id = ca.id) FROM ca WHERE ca.name = ?",
                statement -> statement.setString(1, ca.value()), row -> Math.max(row.getLong(1), row.getLong(2))).stream().findFirst().orElse(0L);
    }

    /** The newest full (or, with {@code delta}, delta) CRL of a CA. */
    public Optional<CrlRecord> latestCrl(CaName ca, boolean delta) {
        return database.query(CRL_SELECT + " WHERE ca.name = ? AND crl.base_number IS " + (delta ? "NOT NULL" : "NULL")
                + " ORDER BY crl.number DESC LIMIT 1", statement -> statement.setString(1, ca.value()), Registry::crlRecord).stream().findFirst();
    }

    /** The newest full (or delta) CRL of a CA without its bytes. */
    public Optional<CrlSummary> latestCrlSummary(CaName ca, boolean delta) {
        return crlSummary(" WHERE ca.name = ? AND crl.base_number IS " + (delta ? "NOT NULL" : "NULL") + " ORDER BY crl.number DESC LIMIT 1",
                statement -> statement.setString(1, ca.value()));
    }

    /** One CRL of a CA, by number, without its bytes. */
    public Optional<CrlSummary> crlSummary(CaName ca, long number) {
        return crlSummary(" WHERE ca.name = ? AND crl.number = ?", statement -> {
            statement.setString(1, ca.value());
            statement.setLong(2, number);
        });
    }

    private Optional<CrlSummary> crlSummary(String where, Database.Binder binder) {
        return database.query("SELECT ca.name, crl.number, crl.base_number, crl.revision, crl.this_update, crl.next_update, crl.entries"
                + " FROM crl JOIN ca ON ca.id = crl.ca_id" + where, binder, row -> {
                    long base = row.getLong(3);
                    Long baseNumber = row.wasNull() ? null : base;
                    return new CrlSummary(new CaName(row.getString(1)), row.getLong(2), baseNumber, row.getLong(4), Instant.ofEpochMilli(row.getLong(5)),
                            Instant.ofEpochMilli(row.getLong(6)), row.getInt(7));
                }).stream().findFirst();
    }

    /**
     * Records a CRL just issued, with its audit record. Its number must be greater than every number the CA
     * used before (RFC 5280 §5.2.3): a CRL that would go backwards is refused, so it is never published.
     */
    public CrlRecord recordCrl(CaRecord ca, long number, Long baseNumber, long revision, Instant thisUpdate, Instant nextUpdate, int entries,
                               byte[] der, Actor actor) {
        return recordCrl(ca, number, baseNumber, revision, thisUpdate, nextUpdate, entries, der, actor, baseNumber == null ? "crl.issue" : "crl.issue-delta");
    }

    /**
     * Records a CRL of a CA certdir does not hold, as its CA signed it (mirrored), audited as {@code crl.mirror}; the
     * same rule on numbers as {@link #recordCrl}.
     */
    public CrlRecord recordMirroredCrl(CaRecord ca, long number, Long baseNumber, Instant thisUpdate, Instant nextUpdate, int entries, byte[] der,
                                       Actor actor) {
        return recordCrl(ca, number, baseNumber, revision(), thisUpdate, nextUpdate, entries, der, actor, "crl.mirror");
    }

    /** One CRL of a CA, by number, with its bytes. */
    public Optional<CrlRecord> crl(CaName ca, long number) {
        return database.query(CRL_SELECT + " WHERE ca.name = ? AND crl.number = ?", statement -> {
            statement.setString(1, ca.value());
            statement.setLong(2, number);
        }, Registry::crlRecord).stream().findFirst();
    }

    private CrlRecord recordCrl(CaRecord ca, long number, Long baseNumber, long revision, Instant thisUpdate, Instant nextUpdate, int entries,
                                byte[] der, Actor actor, String action) {
        return database.transaction(() -> {
            long last = database.select("SELECT ca.crl_number_floor, (SELECT MAX(number) FROM crl WHERE ca_id = ca.id) FROM ca WHERE ca.id = ?",
                    statement -> statement.setLong(1, ca.id()), row -> Math.max(row.getLong(1), row.getLong(2))).get(0);
            if (number <= last) {
                throw new StatusConflictException("CRL number " + number + " of CA '" + ca.name() + "' is not greater than the last one issued, " + last);
            }
            long id = database.insert("INSERT INTO crl (ca_id, number, base_number, revision, this_update, next_update, entries, der, created_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", statement -> {
                        statement.setLong(1, ca.id());
                        statement.setLong(2, number);
                        if (baseNumber == null) {
                            statement.setNull(3, Types.BIGINT);
                        } else {
                            statement.setLong(3, baseNumber);
                        }
                        statement.setLong(4, revision);
                        statement.setLong(5, thisUpdate.toEpochMilli());
                        statement.setLong(6, nextUpdate.toEpochMilli());
                        statement.setInt(7, entries);
                        statement.setBytes(8, der);
                        statement.setLong(9, now());
                    });
            audit(actor, action, ca.name().value(),
                    "number=" + number + (baseNumber == null ? "" : " base=" + baseNumber) + " entries=" + entries
                            + " thisUpdate=" + thisUpdate + " nextUpdate=" + nextUpdate);
            return new CrlRecord(id, ca.name(), number, baseNumber, revision, thisUpdate, nextUpdate, entries, der);
        });
    }

    private static final String CRL_SELECT = "SELECT crl.id, ca.name, crl.number, crl.base_number, crl.revision, crl.this_update, crl.next_update,"
            + " crl.entries, crl.der FROM crl JOIN ca ON ca.id = crl.ca_id";

    private static CrlRecord crlRecord(ResultSet row) throws SQLException {
        long base = row.getLong(4);
        Long baseNumber = row.wasNull() ? null : base;
        return new CrlRecord(row.getLong(1), new CaName(row.getString(2)), row.getLong(3), baseNumber, row.getLong(5),
                Instant.ofEpochMilli(row.getLong(6)), Instant.ofEpochMilli(row.getLong(7)), row.getInt(8), row.getBytes(9));
    }

    /** Records that a distribution point took a CRL ({@code error} null) or failed to ({@code error} says why). */
    public void recordPointAttempt(CaRecord ca, String point, CrlRecord crl, String error) {
        long at = now();
        database.transaction(() -> {
            database.update("INSERT INTO crl_point (ca_id, point) SELECT ?, ? WHERE NOT EXISTS"
                    + " (SELECT 1 FROM crl_point WHERE ca_id = ? AND point = ?)", statement -> {
                        statement.setLong(1, ca.id());
                        statement.setString(2, point);
                        statement.setLong(3, ca.id());
                        statement.setString(4, point);
                    });
            if (error == null) {
                String column = crl.delta() ? "delta_number" : "full_number";
                return database.update("UPDATE crl_point SET " + column + " = ?, published_at = ?, attempted_at = ?, last_error = NULL"
                        + " WHERE ca_id = ? AND point = ?", statement -> {
                            statement.setLong(1, crl.number());
                            statement.setLong(2, at);
                            statement.setLong(3, at);
                            statement.setLong(4, ca.id());
                            statement.setString(5, point);
                        });
            }
            return database.update("UPDATE crl_point SET attempted_at = ?, last_error = ? WHERE ca_id = ? AND point = ?", statement -> {
                statement.setLong(1, at);
                statement.setString(2, error);
                statement.setLong(3, ca.id());
                statement.setString(4, point);
            });
        });
    }

    /** Every distribution point's state, by CA then point. */
    public List<PointState> pointStates() {
        return database.query("SELECT ca.name, p.point, p.full_number, p.delta_number, p.published_at, p.attempted_at, p.last_error"
                + " FROM crl_point p JOIN ca ON ca.id = p.ca_id ORDER BY ca.id, p.point", statement -> { }, row -> {
                    long full = row.getLong(3);
                    Long fullNumber = row.wasNull() ? null : full;
                    long delta = row.getLong(4);
                    Long deltaNumber = row.wasNull() ? null : delta;
                    return new PointState(new CaName(row.getString(1)), row.getString(2), fullNumber, deltaNumber, instant(row, 5), instant(row, 6),
                            row.getString(7));
                });
    }

    // ---- change feed

    /** The newest revision of the change feed (0 before the first change). */
    public long revision() {
        return database.query("SELECT COALESCE(MAX(revision), 0) FROM status_change", statement -> { }, row -> row.getLong(1)).get(0);
    }

    /** Every certificate's current status, read at one revision of the change feed. */
    public record StatusSnapshot(long revision, List<StatusChange> statuses) {
    }

    /**
     * The current status of every certificate in the registry, each given as a change at the snapshot's revision
     * (its {@code changedAt} is when the certificate was recorded): what a status index starts from before it
     * follows {@link #onStatusChange} or {@link #changesSince}, ignoring changes at or below that revision.
     */
    public StatusSnapshot statusSnapshot() {
        return database.transaction(() -> {
            long revision = database.select("SELECT COALESCE(MAX(revision), 0) FROM status_change", statement -> { }, row -> row.getLong(1)).get(0);
            List<StatusChange> statuses = database.select("SELECT ca.name, c.serial, c.status, c.reason, c.revoked_at, c.invalidity_date, c.created_at"
                    + " FROM certificate c JOIN ca ON ca.id = c.ca_id", statement -> { },
                    row -> new StatusChange(revision, new CaName(row.getString(1)), Serial.parseHex(row.getString(2)),
                            CertificateStatus.ofDbName(row.getString(3)), reason(row, 4), instant(row, 5), instant(row, 6),
                            Instant.ofEpochMilli(row.getLong(7))));
            return new StatusSnapshot(revision, statuses);
        });
    }

    /** Up to {@code limit} changes after {@code revision}, oldest first. */
    public List<StatusChange> changesSince(long revision, int limit) {
        return database.query("SELECT s.revision, ca.name, c.serial, s.status, s.reason, s.revoked_at, s.invalidity_date, s.changed_at"
                + " FROM status_change s JOIN certificate c ON c.id = s.certificate_id JOIN ca ON ca.id = c.ca_id"
                + " WHERE s.revision > ? ORDER BY s.revision LIMIT ?", statement -> {
                    statement.setLong(1, revision);
                    statement.setInt(2, limit);
                }, row -> new StatusChange(row.getLong(1), new CaName(row.getString(2)), Serial.parseHex(row.getString(3)),
                        CertificateStatus.ofDbName(row.getString(4)), reason(row, 5), instant(row, 6), instant(row, 7),
                        Instant.ofEpochMilli(row.getLong(8))));
    }

    // ---- audit

    /** The newest {@code limit} audit records, newest first. */
    public List<AuditRecord> auditTrail(int limit) {
        return database.query(AUDIT_SELECT + " ORDER BY id DESC LIMIT ?", statement -> statement.setInt(1, limit), Registry::auditRecord);
    }

    /** Audit records at or after {@code since}, oldest first, at most {@code limit}. */
    public List<AuditRecord> auditSince(Instant since, int limit) {
        return database.query(AUDIT_SELECT + " WHERE at >= ? ORDER BY id LIMIT ?", statement -> {
            statement.setLong(1, since.toEpochMilli());
            statement.setInt(2, limit);
        }, Registry::auditRecord);
    }

    private static final String AUDIT_SELECT = "SELECT id, at, actor, action, target, detail, address FROM audit";

    private static AuditRecord auditRecord(ResultSet row) throws SQLException {
        return new AuditRecord(row.getLong(1), Instant.ofEpochMilli(row.getLong(2)), row.getString(3), row.getString(4),
                row.getString(5), row.getString(6), row.getString(7));
    }

    /** Appends an audit record on its own, for admin actions that change nothing in the registry. */
    public void recordAction(Actor actor, String action, String target, String detail) {
        database.transaction(() -> {
            audit(actor, action, target, detail);
            return null;
        });
    }

    void audit(Actor actor, String action, String target, String detail) throws SQLException {
        database.update("INSERT INTO audit (at, actor, action, target, detail, address) VALUES (?, ?, ?, ?, ?, ?)", statement -> {
            statement.setLong(1, now());
            statement.setString(2, actor.name());
            statement.setString(3, action);
            statement.setString(4, target);
            statement.setString(5, detail);
            statement.setString(6, actor.address());
        });
    }

    // ---- health and plumbing

    /** Runs a trivial query; throws {@link RegistryException} when the database cannot answer. */
    public void check() {
        database.query("SELECT COUNT(*) FROM ca", statement -> { }, row -> row.getLong(1));
    }

    public Path file() {
        return database.file();
    }

    /** The clock that stamps every change: dates given with a change are checked against it (and read in its zone). */
    public Clock clock() {
        return clock;
    }

    @Override
    public void close() {
        database.close();
    }

    private long now() {
        return clock.millis();
    }

    private static void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
        if (instant == null) {
            statement.setNull(index, Types.BIGINT);
        } else {
            statement.setLong(index, instant.toEpochMilli());
        }
    }

    private static Instant instant(ResultSet row, int index) throws SQLException {
        long millis = row.getLong(index);
        return row.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

    private static RevocationReason reason(ResultSet row, int index) throws SQLException {
        int code = row.getInt(index);
        return row.wasNull() ? null : RevocationReason.ofCode(code);
    }
}
