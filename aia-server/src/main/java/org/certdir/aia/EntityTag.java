package org.certdir.aia;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A strong HTTP entity tag (RFC 9110 §8.8.3) for served bytes: the first 16 octets of their SHA-256, quoted. */
final class EntityTag {

    private EntityTag() {
    }

    static String of(byte[] bytes) {
        try {
            return "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
