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
import java.util.ArrayList;
import java.util.List;

/**
 * The registry's one JDBC connection, its schema migrations, and the transaction and query plumbing.
 *
 * <p>Every method holds this object's lock: SQLite has a single writer anyway and the statements here are
 * short, so one connection under one lock keeps reads consistent with writes without a pool. SQLite runs
 * in WAL mode with {@code synchronous=FULL}: a committed transaction survives a crash or power loss.
 */
final class Database implements AutoCloseable {

    static final int SCHEMA_VERSION = 11;

    interface Work<T> {
        T run() throws SQLException;
    }

    interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    private final Connection connection;
    private final Path file;

    private Database(Connection connection, Path file) {
        this.connection = connection;
        this.file = file;
    }

    static Database open(Path file) {
        ownerOnly(file);
        Connection connection;
        try {
            connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        } catch (SQLException e) {
            throw new RegistryException("cannot open registry " + file + ": " + e.getMessage(), e);
        }
        Database database = new Database(connection, file);
        try {
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA journal_mode=WAL");
                statement.execute("PRAGMA synchronous=FULL");
                statement.execute("PRAGMA foreign_keys=ON");
                statement.execute("PRAGMA busy_timeout=10000");
            }
            database.migrate();
        } catch (SQLException | RuntimeException e) {
            database.close();
            throw new RegistryException("cannot prepare registry " + file + ": " + e.getMessage(), e);
        }
        return database;
    }

    Path file() {
        return file;
    }

    /**
     * Makes the database and its WAL and shared-memory files readable by the owner only (0600): the audit trail names
     * people and addresses. A new database is created empty with that mode first, as SQLite gives its -wal and -shm
     * files the mode of the database file; files left 0644 by an older certdir are narrowed.
     */
    private static void ownerOnly(Path file) {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> mode = java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
        try {
            if (!java.nio.file.Files.exists(file)) {
                java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(mode));
            }
            for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
                Path sibling = file.resolveSibling(file.getFileName() + suffix);
                if (java.nio.file.Files.exists(sibling)) {
                    java.nio.file.Files.setPosixFilePermissions(sibling, mode);
                }
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its own access control applies
        } catch (IOException e) {
            throw new RegistryException("cannot restrict registry " + file + " to its owner (mode 0600): " + e.getMessage(), e);
        }
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
        try (InputStream in = Database.class.getResourceAsStream(resource)) {
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

    /**
     * Runs {@code work} in one transaction; returns only after the commit. Whatever {@code work} throws, an
     * {@link Error} included (an OutOfMemoryError halfway through an import), rolls the transaction back: restoring
     * auto-commit on a connection with an open transaction would commit the partial work.
     */
    synchronized <T> T transaction(Work<T> work) {
        return transaction(work, () -> { });
    }

    /**
     * {@link #transaction(Work)}, then {@code committed} right after the commit, still under the lock: what it
     * does happens in commit order. Keep it to queueing (it must not throw).
     */
    synchronized <T> T transaction(Work<T> work, Runnable committed) {
        try {
            connection.setAutoCommit(false);
            T result;
            try {
                result = work.run();
                connection.commit();
            } catch (Throwable e) {
                rollback(e);
                throw e;
            }
            connection.setAutoCommit(true);
            committed.run();
            return result;
        } catch (SQLException e) {
            if (diskFull(e)) {
                throw new RegistryFullException("the registry's disk is full: nothing was changed; free space on " + file.toAbsolutePath().getParent()
                        + " and try again (SQLite: " + e.getMessage() + ")", e);
            }
            throw new RegistryException("registry " + file + " could not commit: " + e.getMessage(), e);
        }
    }

    /**
     * Rolls back after {@code cause} and returns to auto-commit, keeping {@code cause} the error reported: SQLite rolls
     * a transaction back by itself on SQLITE_FULL, and the rollback and the commit of auto-commit that follow fail
     * with "no transaction is active", which used to replace the real cause in the answer and the log.
     */
    private void rollback(Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException | RuntimeException e) {
            cause.addSuppressed(e);
            if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
                // Still inside the transaction: returning to auto-commit would commit the partial work.
                return;
            }
        }
        try {
            connection.setAutoCommit(true);
        } catch (SQLException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /** SQLITE_FULL (result code 13): the disk, or the file system's quota, has no room for the change. */
    private static boolean diskFull(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if ((cause instanceof SQLException sql && (sql.getErrorCode() & 0xff) == 13)
                    || String.valueOf(cause.getMessage()).contains("SQLITE_FULL")) {
                return true;
            }
        }
        return false;
    }

    synchronized <T> List<T> query(String sql, Binder binder, RowMapper<T> mapper) {
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

    /** Runs an INSERT, UPDATE or DELETE inside a {@link #transaction}; returns the rows changed. */
    int update(String sql, Binder binder) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            return statement.executeUpdate();
        }
    }

    /** Runs an INSERT inside a {@link #transaction}; returns the generated key. */
    long insert(String sql, Binder binder) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            binder.bind(statement);
            statement.executeUpdate();
            try (ResultSet keys = statement.getGeneratedKeys()) {
                if (!keys.next()) {
                    throw new SQLException("the database returned no generated key");
                }
                return keys.getLong(1);
            }
        }
    }

    /** A query inside a {@link #transaction}, where SQL exceptions roll the transaction back. */
    <T> List<T> select(String sql, Binder binder, RowMapper<T> mapper) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            List<T> results = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    results.add(mapper.map(rows));
                }
            }
            return results;
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new RegistryException("cannot close registry " + file + ": " + e.getMessage(), e);
        }
    }
}
