package org.certdir.crl.distribution;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CrlRecord;

/**
 * A directory, e.g. one a web server serves: {@code <ca>.crl} and {@code <ca>-delta.crl}, each written to a
 * temporary file, forced to disk, then renamed over the old one, so a reader sees the old CRL or the whole new
 * one, never part of it, even across a crash.
 */
public final class FilePoint implements DistributionPoint {

    private final String name;
    private final Path directory;

    public FilePoint(String name, Path directory) {
        this.name = name;
        this.directory = directory;
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Writes the CRL as described above. When the write fails (a full disk), the temporary file is removed, so it holds
     * no space and nothing half-written is left beside the CRLs, and the previous CRL stays in place until the retry.
     */
    @Override
    public void publish(CaRecord ca, CrlRecord crl) throws IOException {
        Files.createDirectories(directory);
        Path target = directory.resolve(DistributionPoint.fileName(ca, crl));
        Path temp = directory.resolve("." + target.getFileName() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(crl.der());
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                e.addSuppressed(ignored);
            }
            throw new IOException("cannot write " + target + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + "); the previous CRL stays in place", e);
        }
        // The rename itself is durable only once the directory is.
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    public Path directory() {
        return directory;
    }
}
