package org.certdir.crl.mirror;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.certdir.registry.CaName;

/**
 * Where the CRLs of a CA certdir does not hold come from, and how often they are looked for: its own CDP URLs (full and
 * delta), and/or {@code drop}, a directory the CA writes its CRLs into (AD CS publishes to a file share), null when none.
 */
public record MirrorSource(CaName ca, List<URI> urls, Path drop, Duration interval) {

    public MirrorSource {
        urls = List.copyOf(urls);
    }
}
