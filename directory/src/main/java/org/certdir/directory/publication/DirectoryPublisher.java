package org.certdir.directory.publication;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPInterface;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.CertificatePair;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.CertificateRecord;
import org.certdir.registry.Registry;
import org.certdir.schemas.Dit;
import org.certdir.schemas.PkiAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the registry into a directory over LDAP: each CA under {@code ou=CAs,ou=pki}, and each person's
 * valid encryption certificates on their entry under {@code ou=people}.
 *
 * <p>A person's certificate attributes are always recomputed from everything the registry holds for the
 * address, so a revocation removes exactly the revoked certificate and leaves the person's others in place.
 * The same code writes into the embedded ApacheDS or an external OpenLDAP / 389-DS.
 */
public final class DirectoryPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryPublisher.class);
    private static final String[] PERSON_CLASSES = {"top", "person", "organizationalPerson", "inetOrgPerson"};
    private static final String[] CA_CLASSES = {"top", "cRLDistributionPoint", "pkiCA", "deltaCRL"};

    private final LDAPInterface ldap;
    private final Dit dit;
    /** Set once the directory has refused value-by-value changes (see {@link #update}). */
    private volatile boolean replaceOnly;

    public DirectoryPublisher(LDAPInterface ldap, Dit dit) {
        this.ldap = ldap;
        this.dit = dit;
    }

    /** Adds the containers of the layout that are missing (the suffix entry itself must exist). */
    public void ensureLayout() {
        for (DN container : dit.containers()) {
            addIfMissing(organizationalUnit(container));
        }
    }

    private static Entry organizationalUnit(DN dn) {
        return new Entry(dn, new Attribute("objectClass", "top", "organizationalUnit"), new Attribute("ou", dn.getRDN().getAttributeValues()[0]));
    }

    /** Whether the layout is there: a new or wiped directory answers false and needs a full republication. */
    public boolean layoutPresent() {
        try {
            return ldap.getEntry(dit.cas().toString(), "1.1") != null;
        } catch (LDAPException e) {
            throw new PublicationException("cannot read " + dit.cas(), e);
        }
    }

    /**
     * Writes a CA's entry with its certificate and, as {@code crossCertificatePair;binary} values with the forward
     * element set (RFC 4523 §2.18), the cross-certificates other CAs issued for it. CRLs are written by the CRL publisher.
     */
    public void publishCa(CaRecord ca, List<CertificateDetails> crossCertificates) {
        String commonName = ca.certificate().commonName();
        DN dn = dit.ca(commonName);
        byte[] der = ca.certificate().der();
        List<byte[]> pairs = new ArrayList<>();
        for (CertificateDetails cross : crossCertificates) {
            try {
                pairs.add(new CertificatePair(Certificate.getInstance(cross.der()), null).getEncoded(ASN1Encoding.DER));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot encode the cross-certificate pair of " + cross + " for CA " + ca.name(), e);
            }
        }
        try {
            SearchResultEntry existing = ldap.getEntry(dn.toString(), "*");
            if (existing == null) {
                List<Attribute> attributes = new ArrayList<>(List.of(new Attribute("objectClass", CA_CLASSES), new Attribute("cn", commonName),
                        new Attribute(PkiAttributes.CA_CERTIFICATE, der)));
                if (!pairs.isEmpty()) {
                    attributes.add(new Attribute(PkiAttributes.CROSS_CERTIFICATE_PAIR, pairs.toArray(byte[][]::new)));
                }
                ldap.add(new Entry(dn, attributes));
            } else {
                Map<String, List<byte[]>> values = new java.util.LinkedHashMap<>();
                values.put(PkiAttributes.CA_CERTIFICATE, List.of(der));
                values.put(PkiAttributes.CROSS_CERTIFICATE_PAIR, pairs);
                update(existing, values, List.of());
            }
        } catch (LDAPException e) {
            throw new PublicationException("cannot publish CA " + ca.name() + " at " + dn, e);
        }
        LOG.info("published CA {} at {}", ca.name(), dn);
    }

    /**
     * Makes the trust-list entry {@code cn=<commonName>,ou=trust,ou=pki} hold {@code certificate} (pkiCA,
     * {@code cACertificate;binary}), or, with {@code certificate} null, removes the entry.
     */
    public void publishTrustedCa(String commonName, byte[] certificate) {
        DN dn = dit.trustedCa(commonName);
        try {
            SearchResultEntry existing = ldap.getEntry(dn.toString(), "*");
            if (certificate == null) {
                if (existing != null) {
                    ldap.delete(dn.toString());
                    LOG.info("removed trusted CA {} from the directory", dn);
                }
                return;
            }
            if (existing == null) {
                ldap.add(new Entry(dn, new Attribute("objectClass", "top", "applicationProcess", "pkiCA"), new Attribute("cn", commonName),
                        new Attribute(PkiAttributes.CA_CERTIFICATE, certificate)));
            } else {
                update(existing, Map.of(PkiAttributes.CA_CERTIFICATE, List.of(certificate)), List.of());
            }
            LOG.info("published trusted CA {}", dn);
        } catch (LDAPException e) {
            throw new PublicationException("cannot publish trusted CA " + commonName + " at " + dn, e);
        }
    }

    /**
     * Writes a CA's CRL onto its entry: a full CRL as {@code certificateRevocationList;binary} (and, for a CA whose
     * CRL covers CA certificates, {@code authorityRevocationList;binary}), a delta as {@code deltaRevocationList;binary}.
     */
    public void publishCrl(CaRecord ca, byte[] der, boolean delta, boolean coversCas) {
        DN dn = dit.ca(ca.certificate().commonName());
        Map<String, List<byte[]>> values = new java.util.LinkedHashMap<>();
        if (delta) {
            values.put(PkiAttributes.DELTA_REVOCATION_LIST, List.of(der));
        } else {
            values.put(PkiAttributes.CERTIFICATE_REVOCATION_LIST, List.of(der));
            if (coversCas) {
                values.put(PkiAttributes.AUTHORITY_REVOCATION_LIST, List.of(der));
            }
        }
        try {
            // Only the CRL attributes: the entry's others may be megabytes we need not read.
            String[] wanted = values.keySet().stream().map(DirectoryPublisher::baseName).toArray(String[]::new);
            SearchResultEntry existing = ldap.getEntry(dn.toString(), wanted);
            if (existing == null) {
                // A directory that holds only our CRLs (an external server) may not have the containers yet.
                for (DN container : List.of(dit.pki(), dit.cas())) {
                    addIfMissing(organizationalUnit(container));
                }
                publishCa(ca, List.of());
                existing = ldap.getEntry(dn.toString(), wanted);
            }
            update(existing, values, List.of());
        } catch (LDAPException e) {
            throw new PublicationException("cannot publish the " + (delta ? "delta " : "") + "CRL of CA " + ca.name() + " at " + dn, e);
        }
    }

    /**
     * Makes the entry of {@code mail} carry exactly the publishable certificates among {@code certificates}
     * (all the registry holds for that address): valid encryption certificates, as {@code userCertificate;binary}
     * and as one certs-only PKCS#7 in {@code userSMIMECertificate}. Creates the entry if needed.
     */
    public void publishPerson(String mail, List<CertificateRecord> certificates) {
        List<byte[]> published = new ArrayList<>();
        List<X509Certificate> smime = new ArrayList<>();
        for (CertificateRecord record : certificates) {
            if (record.publishable()) {
                published.add(record.details().der());
                smime.add(record.details().certificate());
            }
        }
        Modification smimeValue = smime.isEmpty()
                ? new Modification(ModificationType.REPLACE, PkiAttributes.USER_SMIME_CERTIFICATE)
                : new Modification(ModificationType.REPLACE, PkiAttributes.USER_SMIME_CERTIFICATE, CertsOnlyPkcs7.encode(smime));
        try {
            SearchResultEntry existing = findPerson(mail);
            if (existing == null) {
                List<Attribute> attributes = new ArrayList<>(personAttributes(mail, certificates));
                if (!published.isEmpty()) {
                    attributes.add(new Attribute(PkiAttributes.USER_CERTIFICATE, published.toArray(byte[][]::new)));
                    attributes.add(smimeValue.getAttribute());
                }
                ldap.add(new Entry(dit.person(mail), attributes));
            } else {
                update(existing, Map.of(PkiAttributes.USER_CERTIFICATE, published), List.of(smimeValue));
            }
        } catch (LDAPException e) {
            throw new PublicationException("cannot publish the certificates of " + mail, e);
        }
        LOG.debug("published {} certificate(s) for {}", published.size(), mail);
    }

    /**
     * Sets each {@code ;binary} attribute of {@code current} to exactly the given values (none: removed), and
     * applies the {@code others} replacements, keeping the {@code ;binary} name clients match on.
     *
     * <p>Why not a plain replace: ApacheDS (AM27) stores an attribute under the name it was first written with,
     * but an attribute that a modify creates anew — by replace, or by add after a delete — loses its option and
     * comes back as plain {@code userCertificate}, which Thunderbird ignores. So values are changed by adding the
     * new ones before deleting the old ones (the attribute never disappears), and when the attribute is missing or
     * already carries the wrong name, the entry is written again whole (delete, then add), as only an add keeps
     * the name. OpenLDAP and 389-DS handle all of this the same way.
     */
    private void update(SearchResultEntry current, Map<String, List<byte[]>> binaryAttributes, List<Modification> others)
            throws LDAPException {
        List<Modification> modifications = new ArrayList<>(others);
        boolean rewrite = false;
        for (Map.Entry<String, List<byte[]>> wanted : binaryAttributes.entrySet()) {
            String name = wanted.getKey();
            Attribute present = present(current, name);
            Set<ByteBuffer> target = values(wanted.getValue());
            if (target.isEmpty()) {
                if (present != null) {
                    modifications.add(new Modification(ModificationType.DELETE, present.getName()));
                }
            } else if (present == null || !present.getName().equalsIgnoreCase(name)) {
                rewrite = true;
            } else {
                Set<ByteBuffer> have = values(Arrays.asList(present.getValueByteArrays()));
                List<byte[]> add = target.stream().filter(value -> !have.contains(value)).map(DirectoryPublisher::bytes).toList();
                List<byte[]> delete = have.stream().filter(value -> !target.contains(value)).map(DirectoryPublisher::bytes).toList();
                if (!add.isEmpty()) {
                    modifications.add(new Modification(ModificationType.ADD, name, add.toArray(byte[][]::new)));
                }
                if (!delete.isEmpty()) {
                    modifications.add(new Modification(ModificationType.DELETE, name, delete.toArray(byte[][]::new)));
                }
            }
        }
        if (rewrite) {
            rewrite(current, binaryAttributes, others);
        } else if (!modifications.isEmpty() && replaceOnly) {
            ldap.modify(current.getDN(), replacing(binaryAttributes, others));
        } else if (!modifications.isEmpty()) {
            try {
                ldap.modify(current.getDN(), modifications);
            } catch (LDAPException e) {
                if (e.getResultCode() != ResultCode.INAPPROPRIATE_MATCHING) {
                    throw e;
                }
                // OpenLDAP cannot add or delete single values of an attribute without an equality rule (the CRL
                // attributes); there a replace keeps the ;binary name, so it is what this server gets from now on.
                replaceOnly = true;
                LOG.info("{} refuses value-by-value changes of {}; replacing whole attributes on this directory", current.getDN(),
                        binaryAttributes.keySet());
                ldap.modify(current.getDN(), replacing(binaryAttributes, others));
            }
        }
    }

    private static List<Modification> replacing(Map<String, List<byte[]>> binaryAttributes, List<Modification> others) {
        List<Modification> modifications = new ArrayList<>(others);
        binaryAttributes.forEach((name, values) -> modifications.add(new Modification(ModificationType.REPLACE, name, values.toArray(byte[][]::new))));
        return modifications;
    }

    private void rewrite(SearchResultEntry partial, Map<String, List<byte[]>> binaryAttributes, List<Modification> others)
            throws LDAPException {
        // The entry is written again whole: read all of it, whatever the caller read.
        SearchResultEntry current = ldap.getEntry(partial.getDN(), "*");
        Set<String> replaced = new HashSet<>();
        binaryAttributes.keySet().forEach(name -> replaced.add(baseName(name)));
        others.forEach(modification -> replaced.add(baseName(modification.getAttributeName())));
        List<Attribute> attributes = new ArrayList<>();
        for (Attribute attribute : current.getAttributes()) {
            if (!replaced.contains(baseName(attribute.getName()))) {
                attributes.add(attribute);
            }
        }
        binaryAttributes.forEach((name, values) -> {
            if (!values.isEmpty()) {
                attributes.add(new Attribute(name, values.toArray(byte[][]::new)));
            }
        });
        others.stream().filter(modification -> modification.hasValue()).forEach(modification -> attributes.add(modification.getAttribute()));
        ldap.delete(current.getDN());
        ldap.add(new Entry(current.getDN(), attributes));
    }

    private static Attribute present(SearchResultEntry entry, String name) {
        List<Attribute> found = entry.getAttributesWithOptions(baseName(name), null);
        return found.isEmpty() ? null : found.get(0);
    }

    private static String baseName(String name) {
        int semicolon = name.indexOf(';');
        return (semicolon < 0 ? name : name.substring(0, semicolon)).toLowerCase(Locale.ROOT);
    }

    private static Set<ByteBuffer> values(List<byte[]> values) {
        Set<ByteBuffer> set = new LinkedHashSet<>();
        values.forEach(value -> set.add(ByteBuffer.wrap(value)));
        return set;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    /**
     * Rebuilds the whole publication from the registry: layout, every CA, every person; a person entry whose
     * address the registry no longer knows loses its certificates. Returns the number of people written.
     */
    public int republish(Registry registry) {
        ensureLayout();
        registry.cas().forEach(ca -> publishCa(ca, registry.crossCertificates(ca.name())));
        Set<String> trusted = new HashSet<>();
        for (var ca : registry.trustList().snapshot().cas()) {
            publishTrustedCa(ca.certificate().commonName(), ca.certificate().der());
            trusted.add(ca.certificate().commonName());
        }
        clearUntrusted(trusted);
        Map<String, List<CertificateRecord>> byMail = registry.certificatesByMail();
        byMail.forEach(this::publishPerson);
        clearUnknownPeople(byMail.keySet());
        LOG.info("republished {} CA(s) and {} people from the registry", registry.cas().size(), byMail.size());
        return byMail.size();
    }

    private void clearUntrusted(Set<String> trusted) {
        try {
            for (SearchResultEntry entry : ldap.search(dit.trust().toString(), SearchScope.ONE, Filter.createPresenceFilter("cn"), "cn")
                    .getSearchEntries()) {
                if (!trusted.contains(entry.getAttributeValue("cn"))) {
                    ldap.delete(entry.getDN());
                }
            }
        } catch (LDAPException e) {
            throw new PublicationException("cannot clear the trust list under " + dit.trust(), e);
        }
    }

    private void clearUnknownPeople(Set<String> known) {
        SearchResult people;
        try {
            people = ldap.search(dit.people().toString(), SearchScope.ONE, Filter.createPresenceFilter("mail"), "*");
        } catch (LDAPException e) {
            throw new PublicationException("cannot list the people under " + dit.people(), e);
        }
        for (SearchResultEntry person : people.getSearchEntries()) {
            Set<String> mails = new HashSet<>();
            for (String mail : person.getAttributeValues("mail")) {
                mails.add(mail.toLowerCase(Locale.ROOT));
            }
            if (mails.stream().noneMatch(known::contains)) {
                try {
                    update(person, Map.of(PkiAttributes.USER_CERTIFICATE, List.of()),
                            List.of(new Modification(ModificationType.REPLACE, PkiAttributes.USER_SMIME_CERTIFICATE)));
                } catch (LDAPException e) {
                    throw new PublicationException("cannot clear the certificates of " + person.getDN(), e);
                }
            }
        }
    }

    private SearchResultEntry findPerson(String mail) throws LDAPException {
        SearchResult result = ldap.search(dit.people().toString(), SearchScope.SUB, Filter.createEqualityFilter("mail", mail), "*");
        return result.getEntryCount() == 0 ? null : result.getSearchEntries().get(0);
    }

    /** cn and sn from the newest certificate's subject CN; all its addresses as {@code mail}. */
    private static List<Attribute> personAttributes(String mail, List<CertificateRecord> certificates) {
        CertificateRecord newest = certificates.stream()
                .max(Comparator.comparing(record -> record.details().notBefore()))
                .orElse(null);
        String commonName = newest == null || newest.details().commonName() == null ? mail.substring(0, mail.indexOf('@') < 0 ? mail.length() : mail.indexOf('@'))
                : newest.details().commonName();
        String[] words = commonName.trim().split("\\s+");
        Set<String> mails = new LinkedHashSet<>();
        mails.add(mail);
        if (newest != null) {
            mails.addAll(newest.details().mailAddresses());
        }
        return List.of(
                new Attribute("objectClass", PERSON_CLASSES),
                new Attribute("uid", mail),
                new Attribute("cn", commonName),
                new Attribute("sn", words[words.length - 1]),
                new Attribute("mail", mails));
    }

    private void addIfMissing(Entry entry) {
        try {
            ldap.add(entry);
        } catch (LDAPException e) {
            if (e.getResultCode() != ResultCode.ENTRY_ALREADY_EXISTS) {
                throw new PublicationException("cannot add " + entry.getDN(), e);
            }
        }
    }
}
