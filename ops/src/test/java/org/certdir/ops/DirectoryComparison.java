package org.certdir.ops;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPInterface;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateRecord;
import org.certdir.registry.CrlRecord;
import org.certdir.registry.Registry;
import org.certdir.schemas.Dit;
import org.certdir.schemas.PkiAttributes;

/**
 * What the directory holds compared with what the registry says it must hold, value by value: every person's
 * certificates (the publishable, unexpired ones of each address, and none on an entry whose address the registry does
 * not know), every CA entry's certificate and, with {@code crlsOnCaEntries}, its newest full and delta CRL, and the
 * trust list. Read as the service account, so no size limit hides an entry.
 */
final class DirectoryComparison {

    private final Registry registry;
    private final Dit dit;
    private final boolean crlsOnCaEntries;

    DirectoryComparison(Registry registry, Dit dit, boolean crlsOnCaEntries) {
        this.registry = registry;
        this.dit = dit;
        this.crlsOnCaEntries = crlsOnCaEntries;
    }

    /** Every difference, each naming the entry and what differs; empty when the directory matches the registry. */
    List<String> differences(LDAPInterface directory, Instant now) throws LDAPException {
        List<String> differences = new ArrayList<>();
        people(directory, now, differences);
        cas(directory, differences);
        trustList(directory, differences);
        return differences;
    }

    private void people(LDAPInterface directory, Instant now, List<String> differences) throws LDAPException {
        Map<String, Set<ByteBuffer>> held = new HashMap<>();
        for (SearchResultEntry entry : directory.search(dit.people().toString(), SearchScope.ONE, Filter.createPresenceFilter("mail"),
                "mail", PkiAttributes.USER_CERTIFICATE, PkiAttributes.USER_SMIME_CERTIFICATE).getSearchEntries()) {
            Set<ByteBuffer> certificates = values(entry, PkiAttributes.USER_CERTIFICATE);
            for (String mail : entry.getAttributeValues("mail")) {
                held.put(mail.toLowerCase(Locale.ROOT), certificates);
            }
            if (!certificates.isEmpty() && entry.getAttribute(PkiAttributes.USER_SMIME_CERTIFICATE) == null) {
                differences.add(entry.getDN() + ": certificates but no " + PkiAttributes.USER_SMIME_CERTIFICATE);
            }
        }
        Set<String> known = new HashSet<>();
        for (Map.Entry<String, List<CertificateRecord>> person : registry.certificatesByMail().entrySet()) {
            String mail = person.getKey().toLowerCase(Locale.ROOT);
            known.add(mail);
            Set<ByteBuffer> expected = new HashSet<>();
            for (CertificateRecord record : person.getValue()) {
                if (record.publishable() && record.details().notAfter().isAfter(now)) {
                    expected.add(ByteBuffer.wrap(record.details().der()));
                }
            }
            Set<ByteBuffer> actual = held.getOrDefault(mail, Set.of());
            if (!expected.equals(actual)) {
                differences.add(dit.person(mail) + ": holds " + actual.size() + " certificate(s) " + fingerprints(actual) + ", the registry "
                        + expected.size() + " " + fingerprints(expected) + (held.containsKey(mail) ? "" : " (no entry)"));
            }
        }
        held.forEach((mail, certificates) -> {
            if (!known.contains(mail) && !certificates.isEmpty()) {
                differences.add(dit.person(mail) + ": holds " + certificates.size() + " certificate(s) of an address the registry does not know");
            }
        });
    }

    private void cas(LDAPInterface directory, List<String> differences) throws LDAPException {
        for (CaRecord ca : registry.cas()) {
            String dn = dit.ca(ca.certificate().commonName()).toString();
            SearchResultEntry entry = directory.getEntry(dn, PkiAttributes.CA_CERTIFICATE, PkiAttributes.CERTIFICATE_REVOCATION_LIST,
                    PkiAttributes.DELTA_REVOCATION_LIST);
            if (entry == null) {
                differences.add(dn + ": missing");
                continue;
            }
            compare(differences, dn, PkiAttributes.CA_CERTIFICATE, entry, Optional.of(ca.certificate().der()));
            if (crlsOnCaEntries && ca.managed()) {
                compare(differences, dn, PkiAttributes.CERTIFICATE_REVOCATION_LIST, entry, registry.latestCrl(ca.name(), false).map(CrlRecord::der));
                compare(differences, dn, PkiAttributes.DELTA_REVOCATION_LIST, entry, registry.latestCrl(ca.name(), true).map(CrlRecord::der));
            }
        }
    }

    private void trustList(LDAPInterface directory, List<String> differences) throws LDAPException {
        Map<String, byte[]> expected = new HashMap<>();
        registry.trustList().snapshot().cas().forEach(ca -> expected.put(ca.certificate().commonName(), ca.certificate().der()));
        Set<String> seen = new HashSet<>();
        for (SearchResultEntry entry : directory.search(dit.trust().toString(), SearchScope.ONE, Filter.createPresenceFilter("cn"), "cn",
                PkiAttributes.CA_CERTIFICATE).getSearchEntries()) {
            String commonName = entry.getAttributeValue("cn");
            seen.add(commonName);
            compare(differences, entry.getDN(), PkiAttributes.CA_CERTIFICATE, entry, Optional.ofNullable(expected.get(commonName)));
        }
        expected.keySet().stream().filter(name -> !seen.contains(name)).forEach(name -> differences.add(dit.trustedCa(name) + ": missing"));
    }

    private static void compare(List<String> differences, String dn, String attribute, SearchResultEntry entry, Optional<byte[]> expected) {
        Set<ByteBuffer> actual = values(entry, attribute);
        Set<ByteBuffer> wanted = expected.map(bytes -> Set.of(ByteBuffer.wrap(bytes))).orElse(Set.of());
        if (!actual.equals(wanted)) {
            differences.add(dn + ": " + attribute + " holds " + fingerprints(actual) + ", the registry " + fingerprints(wanted));
        }
    }

    /** The values of {@code attribute} under the exact name clients match on (the {@code ;binary} option included). */
    private static Set<ByteBuffer> values(SearchResultEntry entry, String attribute) {
        Set<ByteBuffer> values = new HashSet<>();
        byte[][] bytes = entry.getAttributeValueByteArrays(attribute);
        if (bytes != null) {
            for (byte[] value : bytes) {
                values.add(ByteBuffer.wrap(value));
            }
        }
        return values;
    }

    /** The first bytes of each value's SHA-256, enough to tell values apart in a failure message. */
    private static List<String> fingerprints(Set<ByteBuffer> values) {
        List<String> prints = new ArrayList<>();
        for (ByteBuffer value : values) {
            try {
                byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(value.duplicate().array());
                prints.add(HexFormat.of().formatHex(digest, 0, 6));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        prints.sort(null);
        return prints;
    }
}
