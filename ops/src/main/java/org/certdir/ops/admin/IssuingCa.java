package org.certdir.ops.admin;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.Registry;

/**
 * The CA an issuance signs with, its key read from the data directory: the one the admin names, or else the only managed
 * CA that is not a root (an issuing CA). {@code chain} is the CA's certificate up to its root, as the registry holds them now.
 */
record IssuingCa(CaRecord record, SigningCa signer, List<X509Certificate> chain) {

    /** @param name the CA asked for, or null; a CA that cannot issue is a 400 naming {@code ca} */
    static IssuingCa choose(Registry registry, DataDirectory data, String name) {
        CaRecord ca = name != null ? named(registry, name) : onlyIssuingCa(registry);
        KeyFiles.KeyEntry key;
        try {
            key = KeyFiles.readPkcs12(data.root().resolve(ca.keyFile()), DataDirectory.secret(data.keysPassphrase()).toCharArray());
        } catch (IOException e) {
            throw new IllegalStateException("the key of CA '" + ca.name() + "' cannot be read: " + e.getMessage(), e);
        }
        X509Certificate certificate = ca.certificate().certificate();
        // The chain from the registry, not the one the CA's key file was written with: a CA above it renewed since has a new certificate.
        return new IssuingCa(ca, new SigningCa(ca.name(), certificate, key.key()), org.certdir.aia.CaChains.chain(ca, registry.cas()));
    }

    private static CaRecord named(Registry registry, String name) {
        CaName caName;
        try {
            caName = new CaName(name);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("ca", e.getMessage());
        }
        if (registry.ca(caName).isEmpty() && registry.pendingCas().stream().anyMatch(pending -> pending.name().equals(caName))) {
            throw new BadRequest("ca", "CA '" + name + "' is pending: it issues nothing until its certificate is installed ('certdir ca install')");
        }
        CaRecord ca = registry.requireCa(caName);
        if (!ca.managed()) {
            throw new BadRequest("ca", "CA '" + name + "' is registered for publication only: certdir has no key to issue with it");
        }
        return ca;
    }

    private static CaRecord onlyIssuingCa(Registry registry) {
        List<CaRecord> issuing = registry.cas().stream()
                .filter(CaRecord::managed)
                .filter(ca -> !ca.certificate().subject().equals(ca.certificate().issuer()))
                .toList();
        if (issuing.size() != 1) {
            throw new BadRequest("ca", issuing.isEmpty()
                    ? "no managed issuing CA is registered: certdir can issue only with a CA whose key it holds"
                    : "several CAs can issue (" + String.join(", ", issuing.stream().map(ca -> ca.name().value()).toList()) + "): give one as ca");
        }
        return issuing.get(0);
    }
}
