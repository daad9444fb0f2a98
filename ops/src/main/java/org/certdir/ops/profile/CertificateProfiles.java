package org.certdir.ops.profile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.certdir.ops.profile.CertificateProfile.CommonName;
import org.certdir.ops.profile.CertificateProfile.Usage;

/**
 * The profiles certdir issues with, chosen by name: the three built in, then the admin's ({@code certdir.profiles} in the
 * configuration, read by {@link ProfileConfig}), in name order.
 */
public record CertificateProfiles(List<CertificateProfile> all) {

    public static final String ENCRYPTION = "smime-encryption";
    public static final String SIGNING = "smime-signing";
    public static final String DUAL_USE = "smime-dual-use";

    /** The key types certdir generates: the default of every profile (RSA 2048 only when the admin lists it). */
    static final List<KeyType> DEFAULT_KEY_TYPES = List.of(KeyType.EC_P256, KeyType.EC_P384, KeyType.RSA_3072, KeyType.RSA_4096);
    /** Two years by default, at most three: what certdir's S/MIME pairs have always had. */
    static final Duration DEFAULT_VALIDITY = Duration.ofDays(730);
    static final Duration BUILT_IN_MAX_VALIDITY = Duration.ofDays(3 * 365);

    public CertificateProfiles {
        all = List.copyOf(all);
    }

    /** The built-in profiles alone. */
    public static CertificateProfiles builtIn() {
        return new CertificateProfiles(builtIns());
    }

    /**
     * The shapes of certdir's S/MIME pairs (a separate encryption and signing key, as S/MIME deployments recommend), and a
     * dual-use one for users with a single key: no O, no OU, the CN from the request, one mail address, emailProtection.
     */
    static List<CertificateProfile> builtIns() {
        return List.of(
                builtIn(ENCRYPTION, List.of(Usage.KEY_ENCIPHERMENT, Usage.KEY_AGREEMENT)),
                builtIn(SIGNING, List.of(Usage.DIGITAL_SIGNATURE, Usage.NON_REPUDIATION)),
                builtIn(DUAL_USE, List.of(Usage.DIGITAL_SIGNATURE, Usage.KEY_ENCIPHERMENT, Usage.KEY_AGREEMENT)));
    }

    private static CertificateProfile builtIn(String name, List<Usage> usage) {
        return new CertificateProfile(name, true, DEFAULT_KEY_TYPES, DEFAULT_VALIDITY, BUILT_IN_MAX_VALIDITY, usage,
                List.of(KeyPurposeId.id_kp_emailProtection.toOID()), null, List.of(), CommonName.REQUIRED, 1, List.of());
    }

    /** The profile named {@code name}; refused naming the known ones. */
    public CertificateProfile get(String name) {
        return all.stream().filter(profile -> profile.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("profile '" + name + "' is not known: the profiles are " + names()
                        + " ('certdir profile list')"));
    }

    public String names() {
        return all.stream().map(CertificateProfile::name).collect(Collectors.joining(", "));
    }

    /** The built-in profiles followed by {@code defined}. */
    static CertificateProfiles withDefined(List<CertificateProfile> defined) {
        List<CertificateProfile> profiles = new ArrayList<>(builtIns());
        defined.stream().sorted(java.util.Comparator.comparing(CertificateProfile::name)).forEach(profiles::add);
        return new CertificateProfiles(profiles);
    }
}
