package org.certdir.ops.datadir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.certdir.ops.StartupFailure;

/**
 * The data directory: registry, directory instance, keys, secrets and demo files, held by one process at a time.
 *
 * <p>The lock is an OS file lock on {@code certdir.lock}: it is released by the kernel when the process dies,
 * so a crash never leaves a stale lock behind.
 */
public final class DataDirectory implements AutoCloseable {

    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDirectory(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Creates the directory if needed and locks it; fails with a one-line reason if another process holds it. */
    public static DataDirectory lock(Path root) {
        Path dir = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StartupFailure("data directory " + dir + " cannot be created (" + reason(e) + "): choose another with --data");
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new StartupFailure("data directory " + dir + " is not a writable directory: fix its permissions or choose another with --data");
        }
        Path lockFile = dir.resolve("certdir.lock");
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StartupFailure("data directory " + dir + " is not writable (" + reason(e) + "): fix its permissions or choose another with --data");
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            close(channel);
            throw new StartupFailure("data directory " + dir + " is in use by another certdir process (lock on " + lockFile
                    + "): stop that process or use another --data");
        }
        DataDirectory data = new DataDirectory(dir, channel, lock);
        try {
            // Key files are 0600 already; the folder is closed too, so their names and count stay private.
            Files.createDirectories(data.keys());
            Files.setPosixFilePermissions(data.keys(), PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            data.close();
            throw new StartupFailure("key folder " + data.keys() + " cannot be created (" + reason(e) + "): fix the data directory's permissions");
        }
        return data;
    }

    public Path root() {
        return root;
    }

    public Path registryFile() {
        return root.resolve("registry.db");
    }

    public Path directoryInstance() {
        return root.resolve("directory");
    }

    /** Present while a republication of the directory from the registry has started and not finished. */
    public Path directoryRepublishMarker() {
        return root.resolve("directory-republish.unfinished");
    }

    public Path keys() {
        return root.resolve("keys");
    }

    public Path demo() {
        return root.resolve("demo");
    }

    public Path adminToken() {
        return root.resolve("admin.token");
    }

    public Path ldapAdminPassword() {
        return root.resolve("ldap-admin.password");
    }

    /** The passphrase protecting the PKCS#12 key files in {@link #keys()}. */
    public Path keysPassphrase() {
        return keys().resolve("passphrase");
    }

    /**
     * Reads a secret kept in a file of its own, generating it (32 random octets, base64url) with mode 0600 on
     * first use. Secrets are never logged.
     */
    public static String secret(Path file) {
        try {
            if (Files.exists(file)) {
                String value = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (value.isEmpty()) {
                    throw new StartupFailure("secret file " + file + " is empty: delete it to have a new secret generated");
                }
                return value;
            }
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            writePrivate(file, (value + "\n").getBytes(StandardCharsets.UTF_8));
            return value;
        } catch (IOException e) {
            throw new StartupFailure("secret file " + file + " cannot be read or written (" + reason(e) + ")");
        }
    }

    /** Writes a file readable by the owner only (0600), atomically: a reader sees the old file or the whole new one. */
    public static void writePrivate(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        try {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw new IOException("temporary file " + temp + " appeared while writing", e);
        }
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(content));
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Writes a public file (0644) atomically. */
    public static void writePublic(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(java.nio.ByteBuffer.wrap(content));
            channel.force(true);
        }
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String reason(IOException e) {
        return e instanceof AccessDeniedException ? "permission denied" : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // the lock goes with the channel anyway
        }
        close(lockChannel);
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
