package org.certdir.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.certdir.directory.publication.DirectoryPublisher;
import org.certdir.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A republication of the whole directory from the registry that a crash cannot leave half done unnoticed. The layout
 * cannot tell: it is the first thing a republication writes, so a process killed after it (at ~150 entries a second, a
 * large directory takes minutes) left a directory with the layout and only part of the people, and the next start took
 * it for complete. So a marker file is written, and forced to disk, before the republication starts and removed once
 * it has finished; a start that finds the marker republishes again, which writes each entry from the registry whatever
 * the directory holds.
 */
final class ResumableRepublication {

    private static final Logger LOG = LoggerFactory.getLogger(ResumableRepublication.class);

    private final Path marker;

    ResumableRepublication(Path marker) {
        this.marker = marker;
    }

    /** Whether a republication was started and did not finish: the process was killed during it, or it failed. */
    boolean unfinished() {
        return Files.exists(marker);
    }

    /** Republishes everything; the marker stays if this throws, so the next start tries again. */
    DirectoryPublisher.Republication run(DirectoryPublisher publisher, Registry registry) {
        mark();
        DirectoryPublisher.Republication result = publisher.republish(registry);
        clear();
        return result;
    }

    private void mark() {
        try (FileChannel file = FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            file.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + marker + ", which makes the next start finish an interrupted republication of the "
                    + "directory (" + e.getMessage() + "): the republication did not start", e);
        }
        forceDirectory();
    }

    private void clear() {
        try {
            Files.deleteIfExists(marker);
            forceDirectory();
        } catch (IOException | UncheckedIOException e) {
            // Harmless: the next start republishes once more.
            LOG.warn("the directory was republished, but {} cannot be removed ({}): the next start republishes it again", marker, e.getMessage());
        }
    }

    /** A created or removed file is durable only once its directory is. */
    private void forceDirectory() {
        try (FileChannel directory = FileChannel.open(marker.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot force " + marker.toAbsolutePath().getParent() + " to disk: " + e.getMessage(), e);
        }
    }
}
