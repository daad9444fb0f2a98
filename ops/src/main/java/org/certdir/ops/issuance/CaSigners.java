package org.certdir.ops.issuance;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.certdir.registry.CaRecord;

/**
 * Signers for the managed CAs, from their PKCS#12 key files in the data directory. A key is read once (it is
 * needed for every CRL) and kept in memory only; it never reaches the registry or the directory.
 */
public final class CaSigners implements Function<CaRecord, ContentSigner> {

    private final Path dataDirectory;
    private final char[] passphrase;
    private final Map<String, PrivateKey> keys = new ConcurrentHashMap<>();

    public CaSigners(Path dataDirectory, char[] passphrase) {
        this.dataDirectory = dataDirectory;
        this.passphrase = passphrase.clone();
    }

    @Override
    public ContentSigner apply(CaRecord ca) {
        if (!ca.managed()) {
            throw new IllegalArgumentException("CA '" + ca.name() + "' is registered for publication only: certdir holds no key to sign for it");
        }
        PrivateKey key = keys.computeIfAbsent(ca.name().value(), name -> read(ca));
        try {
            return new JcaContentSignerBuilder(KeyAlgorithm.signatureAlgorithm(key)).build(key);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign with the key of CA '" + ca.name() + "': " + e.getMessage(), e);
        }
    }

    private PrivateKey read(CaRecord ca) {
        try {
            return KeyFiles.readPkcs12(dataDirectory.resolve(ca.keyFile()), passphrase).key();
        } catch (IOException e) {
            throw new IllegalStateException("the key of CA '" + ca.name() + "' cannot be read: " + e.getMessage(), e);
        }
    }
}
