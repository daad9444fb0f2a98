package org.certdir.crl.mirror;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.certdir.registry.CaName;

/** Where the CRLs of a CA certdir does not hold are fetched from (its own CDP URLs, full and delta), and how often. */
public record MirrorSource(CaName ca, List<URI> urls, Duration interval) {

    public MirrorSource {
        urls = List.copyOf(urls);
    }
}
