package org.certdir.crl.mirror;

/** A CRL the mirror does not take, with the reason a user sees: nothing of it was stored or published. */
public final class MirrorRefused extends RuntimeException {

    public MirrorRefused(String message) {
        super(message);
    }
}
