package org.certdir.crl.mirror;

import org.certdir.registry.CaName;

/**
 * What one mirrored CRL did: its number (and base when a delta), its entries, how many registered certificates it
 * revoked, held or released, how many of its serials certdir has never seen, and whether certdir had it already.
 */
public record MirrorResult(CaName ca, long number, Long baseNumber, int entries, int revoked, int held, int released, int unregistered,
                           boolean unchanged) {
}
