package org.certdir.ops.profile;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.certdir.ops.profile.CertificateProfile.CommonName;
import org.certdir.ops.profile.CertificateProfile.Usage;

/**
 * Reads the admin's profiles, {@code certdir.profiles { <name> { ... } }}, every problem at once, each naming the profile
 * and the field ("certdir.profiles.partners.validity: 0d is not a positive duration"). The keys, their defaults and
 * meaning are documented in {@code reference.conf}.
 */
public final class ProfileConfig {

    private static final Set<String> FIELDS = Set.of("key-algorithms", "validity", "max-validity", "key-usage", "extended-key-usage",
            "organisation", "organizational-units", "common-name", "max-mail-addresses", "mail-domains");
    private static final Pattern NAME = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?");
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+");
    /** RFC 5280 Appendix A: ub-organization-name and ub-organizational-unit-name. */
    private static final int MAX_NAME = 64;
    private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

    private final List<String> problems;

    private ProfileConfig(List<String> problems) {
        this.problems = problems;
    }

    /** The built-in profiles and those under {@code profiles} of {@code certdir}; each problem is added to {@code problems}. */
    public static CertificateProfiles read(Config certdir, List<String> problems) {
        if (!certdir.hasPath("profiles")) {
            return CertificateProfiles.builtIn();
        }
        ConfigObject object;
        try {
            object = certdir.getObject("profiles");
        } catch (ConfigException.WrongType e) {
            problems.add("certdir.profiles must be an object: profiles { <name> { key-usage = [...], ... } }");
            return CertificateProfiles.builtIn();
        }
        ProfileConfig reader = new ProfileConfig(problems);
        List<CertificateProfile> defined = new ArrayList<>();
        for (String name : new java.util.TreeSet<>(object.keySet())) {
            CertificateProfile profile = reader.profile(name, object.get(name));
            if (profile != null) {
                defined.add(profile);
            }
        }
        return CertificateProfiles.withDefined(defined);
    }

    private CertificateProfile profile(String name, ConfigValue value) {
        String key = "certdir.profiles." + name;
        if (!NAME.matcher(name).matches()) {
            problems.add(key + ": a profile name is 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-'");
            return null;
        }
        if (CertificateProfiles.builtIns().stream().anyMatch(builtIn -> builtIn.name().equals(name))) {
            problems.add(key + ": " + name + " is a built-in profile: give yours another name");
            return null;
        }
        if (value.valueType() != ConfigValueType.OBJECT) {
            problems.add(key + " must be an object: " + name + " { key-usage = [...], ... }");
            return null;
        }
        Config config = ((ConfigObject) value).toConfig();
        int before = problems.size();
        for (String field : ((ConfigObject) value).keySet()) {
            if (!FIELDS.contains(field)) {
                problems.add(key + "." + field + " is not a profile setting (line " + ((ConfigObject) value).get(field).origin().lineNumber()
                        + "; reference.conf lists them: " + String.join(", ", new java.util.TreeSet<>(FIELDS)) + ")");
            }
        }
        List<KeyType> keyTypes = field(key, config, "key-algorithms", CertificateProfiles.DEFAULT_KEY_TYPES, c -> nonEmpty(c.getStringList("key-algorithms"))
                .stream().map(KeyType::parse).distinct().toList());
        Duration validity = field(key, config, "validity", CertificateProfiles.DEFAULT_VALIDITY, c -> positive(c, "validity"));
        Duration maxValidity = field(key, config, "max-validity", validity, c -> positive(c, "max-validity"));
        List<Usage> usage = field(key, config, "key-usage", null, c -> nonEmpty(c.getStringList("key-usage")).stream().map(Usage::parse).distinct().toList());
        List<ASN1ObjectIdentifier> purposes = field(key, config, "extended-key-usage", List.of(KeyPurposeId.id_kp_emailProtection.toOID()),
                c -> purposes(c.getStringList("extended-key-usage")));
        String organisation = field(key, config, "organisation", null, c -> c.getString("organisation").isEmpty() ? null : text(c.getString("organisation")));
        List<String> units = field(key, config, "organizational-units", List.of(),
                c -> c.getStringList("organizational-units").stream().map(ProfileConfig::text).distinct().toList());
        CommonName commonName = field(key, config, "common-name", CommonName.REQUIRED, c -> commonName(c.getString("common-name")));
        Integer maxMail = field(key, config, "max-mail-addresses", 1, c -> between(c.getInt("max-mail-addresses"), 1, 100));
        List<String> domains = field(key, config, "mail-domains", List.of(), c -> c.getStringList("mail-domains").stream().map(ProfileConfig::domain).toList());
        if (usage == null && !config.hasPath("key-usage")) {
            problems.add(key + ".key-usage is missing: list what the certificate is for, e.g. [keyEncipherment, keyAgreement] for encryption");
        }
        if (validity != null && maxValidity != null && maxValidity.compareTo(validity) < 0) {
            problems.add(key + ".max-validity: " + CertificateProfile.text(maxValidity) + " is shorter than validity " + CertificateProfile.text(validity));
        }
        if (usage != null && keyTypes != null) {
            checkEncryption(key, usage, keyTypes);
        }
        if (problems.size() > before) {
            return null;
        }
        return new CertificateProfile(name, false, keyTypes, validity, maxValidity, usage, purposes, organisation, units, commonName, maxMail, domains);
    }

    /** The value of {@code field}, or {@code fallback} when it is not set; a bad value is a problem naming it, and null. */
    private <T> T field(String key, Config config, String field, T fallback, Function<Config, T> parse) {
        if (!config.hasPath(field)) {
            return fallback;
        }
        try {
            return parse.apply(config);
        } catch (ConfigException e) {
            problems.add(key + "." + field + ": " + e.getMessage().replaceFirst("^.*?: ", ""));
        } catch (IllegalArgumentException e) {
            problems.add(key + "." + field + ": " + e.getMessage());
        }
        return null;
    }

    /**
     * An encryption profile must encrypt with every key type it allows: a profile of keyEncipherment alone would certify an
     * EC key for nothing (see {@link CertificateProfile}).
     */
    private void checkEncryption(String key, List<Usage> usage, List<KeyType> keyTypes) {
        if (usage.stream().noneMatch(Usage::encrypts)) {
            return;
        }
        for (KeyType type : keyTypes) {
            if (usage.stream().noneMatch(each -> each.encrypts() && each.fits(type))) {
                problems.add(key + ".key-usage: " + usage.stream().map(Usage::rfcName).toList() + " gives " + type.configName() + " keys no encryption: "
                        + (type.agreesOnKeys() ? "EC keys agree on keys (RFC 5480 §3): add keyAgreement, or allow RSA key types only"
                                : "RSA keys encipher (RFC 8550 §4.4.2): add keyEncipherment, or allow EC key types only"));
            }
        }
    }

    private static <T> List<T> nonEmpty(List<T> list) {
        if (list.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        return list;
    }

    /** A duration above zero; the message quotes the value as written ("0d is not a positive duration"). */
    private static Duration positive(Config config, String field) {
        Duration duration = config.getDuration(field);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(config.getValue(field).unwrapped() + " is not a positive duration");
        }
        return duration;
    }

    private static List<ASN1ObjectIdentifier> purposes(List<String> names) {
        List<ASN1ObjectIdentifier> purposes = nonEmpty(names).stream().map(CertificateProfile::parsePurpose).distinct().toList();
        if (purposes.stream().anyMatch(purpose -> purpose.getId().equals(ANY_EXTENDED_KEY_USAGE))) {
            throw new IllegalArgumentException("anyExtendedKeyUsage (" + ANY_EXTENDED_KEY_USAGE + ") is not for end-entity S/MIME certificates: list the"
                    + " purposes");
        }
        if (!purposes.contains(KeyPurposeId.id_kp_emailProtection.toOID())) {
            throw new IllegalArgumentException(names + " lacks emailProtection: certdir's profiles are for S/MIME certificates (RFC 8550 §4.4.4)");
        }
        return purposes;
    }

    private static CommonName commonName(String text) {
        for (CommonName value : CommonName.values()) {
            if (value.configName().equals(text)) {
                return value;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not one of required, optional, none");
    }

    private static int between(int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("must be between " + min + " and " + max + ", was " + value);
        }
        return value;
    }

    /** A subject value (O, OU): 1-64 characters (RFC 5280's upper bounds), no control characters. */
    private static String text(String value) {
        if (value.isBlank() || value.length() > MAX_NAME || value.codePoints().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("'" + value + "' must be 1-" + MAX_NAME + " characters without control characters (RFC 5280 Appendix A)");
        }
        return value;
    }

    private static String domain(String value) {
        String domain = value.toLowerCase(Locale.ROOT);
        if (!DOMAIN.matcher(domain).matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a mail domain like example.com");
        }
        return domain;
    }
}
