package org.certdir.ops.profile;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * The key types a profile may allow for the key it certifies: the four certdir generates, and RSA 2048, which a user's
 * own key may still be (old smart cards) and which a profile takes only when the admin lists it. EC keys count only
 * on a named curve (RFC 5480 §2.1.1: implicit and specified curves MUST NOT be used).
 */
public enum KeyType {
    EC_P256("ec-p256"),
    EC_P384("ec-p384"),
    RSA_2048("rsa-2048"),
    RSA_3072("rsa-3072"),
    RSA_4096("rsa-4096");

    private final String configName;

    KeyType(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** Whether the key agrees on keys (EC, RFC 5480 §3) rather than enciphers them (RSA): decides the encryption bit. */
    boolean agreesOnKeys() {
        return this == EC_P256 || this == EC_P384;
    }

    public static String names() {
        return Arrays.stream(values()).map(KeyType::configName).collect(Collectors.joining(", "));
    }

    public static KeyType parse(String text) {
        for (KeyType type : values()) {
            if (type.configName.equals(text == null ? "" : text.toLowerCase(Locale.ROOT))) {
                return type;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not one of " + names());
    }

    /** The type of {@code key}, or empty for any other key (another curve or size, Ed25519, DSA). */
    public static Optional<KeyType> of(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            return switch (rsa.getModulus().bitLength()) {
                case 2048 -> Optional.of(RSA_2048);
                case 3072 -> Optional.of(RSA_3072);
                case 4096 -> Optional.of(RSA_4096);
                default -> Optional.empty();
            };
        }
        if (key instanceof ECPublicKey) {
            ASN1ObjectIdentifier curve = namedCurve(key);
            if (X9ObjectIdentifiers.prime256v1.equals(curve)) {
                return Optional.of(EC_P256);
            }
            if (SECObjectIdentifiers.secp384r1.equals(curve)) {
                return Optional.of(EC_P384);
            }
        }
        return Optional.empty();
    }

    /** What {@code key} is, for messages: "rsa-1024", "ec on curve 1.3.132.0.35", "EdDSA". */
    public static String describe(PublicKey key) {
        Optional<KeyType> type = of(key);
        if (type.isPresent()) {
            return type.get().configName();
        }
        if (key instanceof RSAPublicKey rsa) {
            return "rsa-" + rsa.getModulus().bitLength();
        }
        if (key instanceof ECPublicKey) {
            ASN1ObjectIdentifier curve = namedCurve(key);
            return curve == null ? "ec with explicit curve parameters" : "ec on curve " + curve.getId();
        }
        return key.getAlgorithm();
    }

    private static ASN1ObjectIdentifier namedCurve(PublicKey key) {
        SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(key.getEncoded());
        return info.getAlgorithm().getParameters() instanceof ASN1ObjectIdentifier oid ? oid : null;
    }
}
