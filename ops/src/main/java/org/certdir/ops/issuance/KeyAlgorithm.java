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
    RSA_3072("rsa-3072");

    private final String configName;

    KeyAlgorithm(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static KeyAlgorithm parse(String text) {
        for (KeyAlgorithm algorithm : values()) {
            if (algorithm.configName.equals(text == null ? "" : text.toLowerCase(Locale.ROOT))) {
                return algorithm;
            }
        }
        throw new IllegalArgumentException("key algorithm '" + text + "' is not one of "
                + Arrays.stream(values()).map(KeyAlgorithm::configName).collect(Collectors.joining(", ")));
    }

    public KeyPair generate() {
        try {
            if (this == EC_P256) {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"));
                return generator.generateKeyPair();
            }
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(3072);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot generate " + configName + " keys", e);
        }
    }

    /** The JCA signature algorithm for a signing key: ECDSA P-256 signs with SHA-256, RSA with SHA-256 too. */
    public static String signatureAlgorithm(PrivateKey key) {
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
