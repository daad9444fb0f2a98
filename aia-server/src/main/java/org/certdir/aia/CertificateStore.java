package org.certdir.aia;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.Registry;
import org.certdir.registry.SearchKeys;

/**
 * The RFC 4387 certificate store: one query attribute and value in, the matching certificates that are valid
 * (not revoked, not expired) out. {@code uri} is a mail address and finds what the directory publishes for it, the
 * encryption certificates, so partners who only speak HTTP can encrypt to a recipient; the hash attributes find any
 * valid certificate, our CA certificates included.
 */
public final class CertificateStore {

    /** More matches than this are cut off: a query names a person or a certificate, not the whole store. */
    public static final int MAX_RESULTS = 20;

    /** RFC 4387 §2.1: a SHA-1 hash, base64 without its '=' padding, and nothing but base64 characters. */
    private static final Pattern HASH_KEY = Pattern.compile("[A-Za-z0-9+/]{27}");
    private static final Pattern SKID = Pattern.compile("[A-Za-z0-9+/]{1,86}");
    private static final Pattern MAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,190}");

    private final Registry registry;
    private final Clock clock;

    public CertificateStore(Registry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /**
     * The certificates matching {@code attribute=value}, at most {@link #MAX_RESULTS}; an
     * {@link IllegalArgumentException} naming the rule for an attribute we do not know or a malformed value.
     */
    public List<CertificateDetails> search(String attribute, String value) {
        if (attribute.equals("uri")) {
            String mail = value.startsWith("mailto:") ? value.substring("mailto:".length()) : value;
            if (!MAIL.matcher(mail).matches()) {
                throw new IllegalArgumentException("uri must be a mail address such as alice@example.com, was '" + value + "'");
            }
            return registry.encryptionCertificatesForMail(mail, clock.instant(), MAX_RESULTS);
        }
        if (!SearchKeys.HASHED.contains(attribute)) {
            throw new IllegalArgumentException("attribute '" + attribute + "' is not one this store answers: use uri, certHash, iHash, sHash, sKIDHash "
                    + "or iAndSHash (RFC 4387 §2.2)");
        }
        boolean valid = HASH_KEY.matcher(value).matches() || (attribute.equals("sKIDHash") && SKID.matcher(value).matches());
        if (!valid) {
            throw new IllegalArgumentException(attribute + " must be the base64 of a SHA-1 hash without its '=' padding: 27 characters of "
                    + "A-Z, a-z, 0-9, '+' and '/' (RFC 4387 §2.1), was '" + value + "'");
        }
        Map<String, CertificateDetails> found = new LinkedHashMap<>();
        for (CaRecord ca : registry.cas()) {
            Map<String, String> keys = SearchKeys.of(ca.certificate().certificate());
            boolean matches = value.equals(keys.get(attribute)) || (attribute.equals("sKIDHash") && value.equals(keys.get("sKID")));
            if (matches && ca.certificate().notAfter().isAfter(clock.instant())) {
                found.put(ca.certificate().sha256(), ca.certificate());
            }
        }
        for (CertificateDetails certificate : registry.certificatesBySearchKey(attribute, value, clock.instant(), MAX_RESULTS)) {
            found.putIfAbsent(certificate.sha256(), certificate);
        }
        List<CertificateDetails> results = new ArrayList<>(found.values());
        return results.size() > MAX_RESULTS ? results.subList(0, MAX_RESULTS) : results;
    }
}
