package org.certdir.ops.issuance;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The key types certdir generates for CAs and users; the signature algorithm follows the key. */
public enum KeyAlgorithm {
    EC_P256("ec-p256"),
    EC_P384("ec-p384"),
    RSA_3072("rsa-3072"),
    RSA_4096("rsa-4096");

    private final String configName;

    KeyAlgorithm(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** The names {@link #parse} accepts, for messages and help texts: "ec-p256, ec-p384, rsa-3072, rsa-4096". */
    public static String names() {
        return Arrays.stream(values()).map(KeyAlgorithm::configName).collect(Collectors.joining(", "));
    }

    public static KeyAlgorithm parse(String text) {
        for (KeyAlgorithm algorithm : values()) {
            if (algorithm.configName.equals(text == null ? "" : text.toLowerCase(Locale.ROOT))) {
                return algorithm;
            }
        }
        throw new IllegalArgumentException("key algorithm '" + text + "' is not one of " + names());
    }

    /**
     * The algorithm that generates keys like {@code key}; empty for a kind certdir does not generate (RSA-2048, P-521, a
     * 256-bit curve other than P-256...). {@link org.certdir.ops.profile.KeyType} tells the kinds apart.
     */
    public static java.util.Optional<KeyAlgorithm> of(java.security.PublicKey key) {
        return org.certdir.ops.profile.KeyType.of(key)
                .flatMap(type -> Arrays.stream(values()).filter(algorithm -> algorithm.configName.equals(type.configName())).findFirst());
    }

    public KeyPair generate() {
        try {
            return switch (this) {
                case EC_P256 -> ec("secp256r1");
                case EC_P384 -> ec("secp384r1");
                case RSA_3072 -> rsa(3072);
                case RSA_4096 -> rsa(4096);
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot generate " + configName + " keys", e);
        }
    }

    private static KeyPair ec(String curve) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    private static KeyPair rsa(int bits) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits);
        return generator.generateKeyPair();
    }

    /**
     * The JCA signature algorithm for a signing key: ECDSA with the hash of the curve's strength (P-256 with SHA-256,
     * P-384 with SHA-384, as RFC 5480 §4 pairs them and the OCSP responder's ResponseSigner chooses), RSA with SHA-256.
     */
    public static String signatureAlgorithm(PrivateKey key) {
        if (key instanceof java.security.interfaces.ECPrivateKey ec) {
            int bits = ec.getParams().getOrder().bitLength();
            return bits > 384 ? "SHA512withECDSA" : bits > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
        }
        return switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> throw new IllegalArgumentException("cannot sign with a " + key.getAlgorithm() + " key");
        };
    }

    /** Whether the key can only agree on keys (EC) rather than encipher them (RSA): decides the key usage bit. */
    static boolean usesKeyAgreement(java.security.PublicKey key) {
        return key.getAlgorithm().equals("EC") || key.getAlgorithm().equals("ECDSA");
    }
}
