package org.certdir.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.TreeMap;

/**
 * The authoritative record of CAs, certificates and their status, CRLs issued and admin actions.
 *
 * <p>Design notes: every change runs in one transaction together with its audit record, and a method
 * returns only after that transaction committed. SQLite runs in WAL mode with {@code synchronous=FULL},
 * so a committed change survives a crash or power loss. One connection is shared under this object's lock:
 * SQLite has a single writer anyway, and the reads here are short. The SQL stays within what PostgreSQL
 * also accepts, so that a cluster can move the registry there.
 */
public final class Registry implements AutoCloseable {

    private static final int SCHEMA_VERSION = 1;

    private final Connection connection;
    private final Clock clock;
    private final Path file;

    private Registry(Connection connection, Clock clock, Path file) {
        this.connection = connection;
        this.clock = clock;
        this.file = file;
    }

    /** Opens (creating if needed) the SQLite registry in {@code file}. */
    public static Registry open(Path file, Clock clock) {
        Connection connection;
        try {
            connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        } catch (SQLException e) {
            throw new RegistryException("cannot open registry " + file + ": " + e.getMessage(), e);
        }
        Registry registry = new Registry(connection, clock, file);
        try {
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA journal_mode=WAL");
                statement.execute("PRAGMA synchronous=FULL");
                statement.execute("PRAGMA foreign_keys=ON");
                statement.execute("PRAGMA busy_timeout=10000");
            }
            registry.migrate();
        } catch (SQLException | RuntimeException e) {
            registry.close();
            throw new RegistryException("cannot prepare registry " + file + ": " + e.getMessage(), e);
        }
        return registry;
    }

    private void migrate() throws SQLException {
        int version;
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
            try (ResultSet rows = statement.executeQuery("SELECT MAX(version) FROM schema_version")) {
                version = rows.next() ? rows.getInt(1) : 0;
            }
        }
        if (version > SCHEMA_VERSION) {
            throw new IllegalStateException("registry schema version " + version + " is newer than this certdir understands ("
                    + SCHEMA_VERSION + "): upgrade certdir");
        }
        for (int next = version + 1; next <= SCHEMA_VERSION; next++) {
            int target = next;
            transaction(() -> {
                try (Statement statement = connection.createStatement()) {
                    for (String sql : script("sqlite-schema-" + target + ".sql")) {
                        statement.execute(sql);
                    }
                    statement.execute("INSERT INTO schema_version (version) VALUES (" + target + ")");
                }
                return null;
            });
        }
    }

    private static List<String> script(String resource) {
        try (InputStream in = Registry.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("registry schema script " + resource + " is missing from the build");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)^--.*$", "");
            List<String> statements = new ArrayList<>();
            for (String sql : text.split(";")) {
                if (!sql.isBlank()) {
                    statements.add(sql.strip());
                }
            }
            return statements;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read registry schema script " + resource, e);
        }
    }

    // ---- CAs

    /** Records a CA; the CA's own certificate is not a row of {@code certificate}. Fails if the name is taken. */
    public synchronized CaRecord addCa(CaName name, CertificateDetails certificate, String keyFile, Actor actor) {
        if (!certificate.ca()) {
            throw new IllegalArgumentException(certificate + " is not a CA certificate (basicConstraints cA is not true)");
        }
        if (ca(name).isPresent()) {
            throw new IllegalArgumentException("a CA named '" + name + "' is already registered");
        }
        return transaction(() -> {
            long id;
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO ca (name, subject, sha256, certificate, key_file, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                insert.setString(1, name.value());
                insert.setString(2, certificate.subject());
                insert.setString(3, certificate.sha256());
                insert.setBytes(4, certificate.der());
                insert.setString(5, keyFile);
                insert.setLong(6, now());
                insert.executeUpdate();
                id = generatedKey(insert);
            }
            audit(actor, "ca.add", name.value(), certificate.subject() + (keyFile == null ? " (published only)" : " (managed)"));
            return new CaRecord(id, name, certificate, keyFile);
        });
    }

    public synchronized List<CaRecord> cas() {
        return query("SELECT id, name, certificate, key_file FROM ca ORDER BY id", statement -> { }, this::caRecord);
    }

    public synchronized Optional<CaRecord> ca(CaName name) {
        return query("SELECT id, name, certificate, key_file FROM ca WHERE name = ?",
                statement -> statement.setString(1, name.value()), this::caRecord).stream().findFirst();
    }

    private CaRecord caRecord(ResultSet row) throws SQLException {
        return new CaRecord(row.getLong(1), new CaName(row.getString(2)), CertificateDetails.parse(row.getBytes(3)), row.getString(4));
    }

    // ---- certificates

    /**
     * Records a certificate issued by {@code ca}. Idempotent: a certificate already known is returned as it is.
     *
     * @throws IllegalArgumentException if the certificate's issuer is not the CA's subject, or the CA already
     *                                  has a different certificate with the same serial
     */
    public synchronized CertificateRecord addCertificate(CaRecord ca, CertificateDetails certificate, Actor actor) {
        Optional<CertificateRecord> known = certificateBySha256(certificate.sha256());
        if (known.isPresent()) {
            return known.get();
        }
        if (!certificate.issuer().equals(ca.certificate().subject())) {
            throw new IllegalArgumentException(certificate + " was not issued by CA '" + ca.name() + "' (" + ca.certificate().subject() + ")");
        }
        if (certificate(ca.name(), certificate.serial()).isPresent()) {
            throw new IllegalArgumentException("CA '" + ca.name() + "' already has a different certificate with serial " + certificate.serial());
        }
        return transaction(() -> {
            long id;
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO certificate (ca_id, serial, subject, issuer, not_before, not_after, usage, status, sha256, der, created_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                insert.setLong(1, ca.id());
                insert.setString(2, certificate.serial().hex());
                insert.setString(3, certificate.subject());
                insert.setString(4, certificate.issuer());
                insert.setLong(5, certificate.notBefore().toEpochMilli());
                insert.setLong(6, certificate.notAfter().toEpochMilli());
                insert.setString(7, certificate.usage().name().toLowerCase(java.util.Locale.ROOT));
                insert.setString(8, CertificateStatus.VALID.dbName());
                insert.setString(9, certificate.sha256());
                insert.setBytes(10, certificate.der());
                insert.setLong(11, now());
                insert.executeUpdate();
                id = generatedKey(insert);
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO certificate_mail (certificate_id, mail) VALUES (?, ?)")) {
                for (String mail : certificate.mailAddresses()) {
                    insert.setLong(1, id);
                    insert.setString(2, mail);
                    insert.executeUpdate();
                }
            }
            audit(actor, "certificate.add", ca.name() + "/" + certificate.serial(), certificate.subject());
            return new CertificateRecord(id, ca.name(), certificate, CertificateStatus.VALID, null, null, null);
        });
    }

    /**
     * Revokes (or, with {@link RevocationReason#CERTIFICATE_HOLD}, holds) a valid certificate.
     *
     * @throws java.util.NoSuchElementException if the CA has no certificate with that serial
     * @throws IllegalStateException            if the certificate is not valid any more
     */
    public synchronized CertificateRecord revoke(CaName ca, Serial serial, RevocationReason reason, Instant invalidityDate, Actor actor) {
        if (reason == RevocationReason.REMOVE_FROM_CRL) {
            throw new IllegalArgumentException("removeFromCRL is not a revocation reason: release the held certificate instead");
        }
        CertificateRecord current = certificate(ca, serial)
                .orElseThrow(() -> new java.util.NoSuchElementException("CA '" + ca + "' has no certificate with serial " + serial));
        if (current.status() != CertificateStatus.VALID) {
            throw new IllegalStateException("certificate " + serial + " of CA '" + ca + "' is already " + current.status().dbName());
        }
        Instant revokedAt = Instant.ofEpochMilli(now());
        CertificateStatus status = reason == RevocationReason.CERTIFICATE_HOLD ? CertificateStatus.ON_HOLD : CertificateStatus.REVOKED;
        return transaction(() -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE certificate SET status = ?, revoked_at = ?, reason = ?, invalidity_date = ? WHERE id = ?")) {
                update.setString(1, status.dbName());
                update.setLong(2, revokedAt.toEpochMilli());
                update.setInt(3, reason.code());
                if (invalidityDate == null) {
                    update.setNull(4, Types.BIGINT);
                } else {
                    update.setLong(4, invalidityDate.toEpochMilli());
                }
                update.setLong(5, current.id());
                update.executeUpdate();
            }
            audit(actor, status == CertificateStatus.ON_HOLD ? "certificate.hold" : "certificate.revoke", ca + "/" + serial,
                    "reason=" + reason.rfcName() + (invalidityDate == null ? "" : " invalidityDate=" + invalidityDate));
            return new CertificateRecord(current.id(), ca, current.details(), status, revokedAt, reason, invalidityDate);
        });
    }

    public synchronized Optional<CertificateRecord> certificate(CaName ca, Serial serial) {
        return query(CERTIFICATE_SELECT + " WHERE ca.name = ? AND c.serial = ?", statement -> {
            statement.setString(1, ca.value());
            statement.setString(2, serial.hex());
        }, this::certificateRecord).stream().findFirst();
    }

    private Optional<CertificateRecord> certificateBySha256(String sha256) {
        return query(CERTIFICATE_SELECT + " WHERE c.sha256 = ?", statement -> statement.setString(1, sha256), this::certificateRecord)
                .stream().findFirst();
    }

    /** Every certificate that names {@code mail}, whatever its status. */
    public synchronized List<CertificateRecord> certificatesForMail(String mail) {
        return query(CERTIFICATE_SELECT + " JOIN certificate_mail m ON m.certificate_id = c.id WHERE m.mail = ? ORDER BY c.id",
                statement -> statement.setString(1, mail.toLowerCase(java.util.Locale.ROOT)), this::certificateRecord);
    }

    /**
     * Every mail address the registry knows, each with the certificates naming it (any status), ordered by
     * address: what a full republication of the people in the directory works from.
     */
    public synchronized Map<String, List<CertificateRecord>> certificatesByMail() {
        Map<String, List<CertificateRecord>> byMail = new TreeMap<>();
        query("SELECT " + CERTIFICATE_COLUMNS + ", m.mail FROM certificate c JOIN ca ON ca.id = c.ca_id"
                + " JOIN certificate_mail m ON m.certificate_id = c.id ORDER BY m.mail, c.id", statement -> { }, row -> {
            byMail.computeIfAbsent(row.getString(9), mail -> new ArrayList<>()).add(certificateRecord(row));
            return null;
        });
        return byMail;
    }

    private static final String CERTIFICATE_COLUMNS =
            "c.id, ca.name, c.der, c.status, c.revoked_at, c.reason, c.invalidity_date, c.serial";
    private static final String CERTIFICATE_SELECT =
            "SELECT " + CERTIFICATE_COLUMNS + " FROM certificate c JOIN ca ON ca.id = c.ca_id";

    private CertificateRecord certificateRecord(ResultSet row) throws SQLException {
        long revokedAt = row.getLong(5);
        boolean revoked = !row.wasNull();
        int reason = row.getInt(6);
        boolean hasReason = !row.wasNull();
        long invalidity = row.getLong(7);
        boolean hasInvalidity = !row.wasNull();
        return new CertificateRecord(
                row.getLong(1),
                new CaName(row.getString(2)),
                CertificateDetails.parse(row.getBytes(3)),
                CertificateStatus.ofDbName(row.getString(4)),
                revoked ? Instant.ofEpochMilli(revokedAt) : null,
                hasReason ? RevocationReason.ofCode(reason) : null,
                hasInvalidity ? Instant.ofEpochMilli(invalidity) : null);
    }

    // ---- audit

    /** The newest {@code limit} audit records, newest first. */
    public synchronized List<AuditRecord> auditTrail(int limit) {
        return query("SELECT id, at, actor, action, target, detail, address FROM audit ORDER BY id DESC LIMIT ?",
                statement -> statement.setInt(1, limit),
                row -> new AuditRecord(row.getLong(1), Instant.ofEpochMilli(row.getLong(2)), row.getString(3), row.getString(4),
                        row.getString(5), row.getString(6), row.getString(7)));
    }

    /** Appends an audit record on its own, for admin actions that change nothing in the registry. */
    public synchronized void recordAction(Actor actor, String action, String target, String detail) {
        transaction(() -> {
            audit(actor, action, target, detail);
            return null;
        });
    }

    private void audit(Actor actor, String action, String target, String detail) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO audit (at, actor, action, target, detail, address) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setLong(1, now());
            insert.setString(2, actor.name());
            insert.setString(3, action);
            insert.setString(4, target);
            insert.setString(5, detail);
            insert.setString(6, actor.address());
            insert.executeUpdate();
        }
    }

    // ---- health and plumbing

    /** Runs a trivial query; throws {@link RegistryException} when the database cannot answer. */
    public synchronized void check() {
        query("SELECT COUNT(*) FROM ca", statement -> { }, row -> row.getLong(1));
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new RegistryException("cannot close registry " + file + ": " + e.getMessage(), e);
        }
    }

    private long now() {
        return clock.millis();
    }

    private static long generatedKey(PreparedStatement statement) throws SQLException {
        try (ResultSet keys = statement.getGeneratedKeys()) {
            if (!keys.next()) {
                throw new SQLException("the database returned no generated key");
            }
            return keys.getLong(1);
        }
    }

    private interface Work<T> {
        T run() throws SQLException;
    }

    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    private <T> T transaction(Work<T> work) {
        try {
            connection.setAutoCommit(false);
            try {
                T result = work.run();
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new RegistryException("registry " + file + " could not commit: " + e.getMessage(), e);
        }
    }

    private <T> List<T> query(String sql, Binder binder, RowMapper<T> mapper) {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            List<T> results = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    results.add(mapper.map(rows));
                }
            }
            return results;
        } catch (SQLException e) {
            throw new RegistryException("registry " + file + " query failed: " + e.getMessage(), e);
        }
    }
}
