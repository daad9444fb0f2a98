package org.certdir.crl.mirror;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The CRL files a CA drops into a directory (AD CS's "publish CRLs to this location" on a file share): every regular
 * file named {@code *.crl}, so that a writer that writes to another name and renames is never read half-written. The
 * CA owns the files and overwrites them with each new CRL, so they are read and left where they are; a file whose CRL
 * was taken is read again only once its size or modification time changes (or when asked for all, by an admin's
 * fetch). A refused one is read again each time, as a URL is fetched again: the reason may have gone (the CA's
 * certificate imported since, a clock put right).
 * Bounded like a fetch: at most {@link #MAX_FILES} files, each at most the mirror's max-size.
 */
final class DropDirectory {

    static final int MAX_FILES = 64;

    /** One file read: its path (the source shown in /health and the audit), its bytes, and when it was read, what it was. */
    record Dropped(Path path, byte[] bytes, Seen seen) {
    }

    /** A file's size and modification time. */
    record Seen(long size, long modified) {
    }

    private final Path directory;
    private final long maxBytes;
    private final Map<Path, Seen> seen = new HashMap<>();

    DropDirectory(Path directory, long maxBytes) {
        this.directory = directory;
        this.maxBytes = maxBytes;
    }

    /**
     * The CRL files that changed since their CRL was last {@link #taken} ({@code all}: every one), and in {@code errors} why others
     * could not be read. Throws an {@link IOException} naming the directory when it cannot be listed.
     */
    synchronized List<Dropped> read(boolean all, List<String> errors) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new IOException("drop directory " + directory + " does not exist or is not a directory (is the share mounted?)");
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(directory, "*.crl")) {
            for (Path file : listing) {
                if (Files.isRegularFile(file)) {
                    files.add(file);
                }
                if (files.size() > MAX_FILES) {
                    break;
                }
            }
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            throw new IOException("drop directory " + directory + " cannot be listed: " + e.getMessage(), e);
        }
        if (files.size() > MAX_FILES) {
            throw new IOException("drop directory " + directory + " holds more than " + MAX_FILES + " .crl files: remove the old ones");
        }
        files.sort(null);
        List<Dropped> changed = new ArrayList<>();
        for (Path file : files) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                Seen now = new Seen(attributes.size(), attributes.lastModifiedTime().toMillis());
                if (!all && now.equals(seen.get(file))) {
                    continue;
                }
                if (now.size() > maxBytes) {
                    errors.add(file + " is " + now.size() + " bytes, more than certdir.crl.mirror.max-size (" + maxBytes + ")");
                    continue;
                }
                changed.add(new Dropped(file, readBounded(file), now));
            } catch (IOException e) {
                errors.add(file + " cannot be read: " + e.getMessage());
            }
        }
        seen.keySet().retainAll(files);
        return changed;
    }

    /** Remembers that the CRL of {@code file} was taken (or was had already): it is not read again until it changes. */
    synchronized void taken(Dropped file) {
        seen.put(file.path(), file.seen());
    }

    /** The file's bytes, refused past the bound (it may have grown since its size was read). */
    private byte[] readBounded(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
            if (bytes.length > maxBytes) {
                throw new IOException("more than certdir.crl.mirror.max-size (" + maxBytes + " bytes)");
            }
            return bytes;
        }
    }
}
