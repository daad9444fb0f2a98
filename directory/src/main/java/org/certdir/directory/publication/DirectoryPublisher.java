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
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.certdir.registry.CaRecord;
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

    public DirectoryPublisher(LDAPInterface ldap, Dit dit) {
        this.ldap = ldap;
        this.dit = dit;
    }

    /** Adds the containers of the layout that are missing (the suffix entry itself must exist). */
    public void ensureLayout() {
        for (DN container : dit.containers()) {
            String ou = container.getRDN().getAttributeValues()[0];
            addIfMissing(new Entry(container, new Attribute("objectClass", "top", "organizationalUnit"), new Attribute("ou", ou)));
        }
    }

    /** Whether the layout is there: a new or wiped directory answers false and needs a full republication. */
    public boolean layoutPresent() {
        try {
            return ldap.getEntry(dit.cas().toString(), "1.1") != null;
        } catch (LDAPException e) {
            throw new PublicationException("cannot read " + dit.cas(), e);
        }
    }

    /** Writes a CA's entry with its certificate (CRLs are written by the CRL publisher). */
    public void publishCa(CaRecord ca) {
        String commonName = ca.certificate().commonName();
        DN dn = dit.ca(commonName);
        byte[] der = ca.certificate().der();
        try {
            if (ldap.getEntry(dn.toString(), "1.1") == null) {
                ldap.add(new Entry(dn, new Attribute("objectClass", CA_CLASSES), new Attribute("cn", commonName),
                        new Attribute(PkiAttributes.CA_CERTIFICATE, der)));
            } else {
                ldap.modify(dn.toString(), new Modification(ModificationType.REPLACE, PkiAttributes.CA_CERTIFICATE, der));
            }
        } catch (LDAPException e) {
            throw new PublicationException("cannot publish CA " + ca.name() + " at " + dn, e);
        }
        LOG.info("published CA {} at {}", ca.name(), dn);
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
        List<Attribute> certificateAttributes = published.isEmpty()
                ? List.of()
                : List.of(new Attribute(PkiAttributes.USER_CERTIFICATE, published.toArray(byte[][]::new)),
                        new Attribute(PkiAttributes.USER_SMIME_CERTIFICATE, CertsOnlyPkcs7.encode(smime)));
        try {
            SearchResultEntry existing = findPerson(mail);
            if (existing == null) {
                List<Attribute> attributes = new ArrayList<>(personAttributes(mail, certificates));
                attributes.addAll(certificateAttributes);
                ldap.add(new Entry(dit.person(mail), attributes));
            } else {
                ldap.modify(existing.getDN(), List.of(
                        replace(PkiAttributes.USER_CERTIFICATE, published),
                        smime.isEmpty()
                                ? new Modification(ModificationType.REPLACE, PkiAttributes.USER_SMIME_CERTIFICATE)
                                : new Modification(ModificationType.REPLACE, PkiAttributes.USER_SMIME_CERTIFICATE, CertsOnlyPkcs7.encode(smime))));
            }
        } catch (LDAPException e) {
            throw new PublicationException("cannot publish the certificates of " + mail, e);
        }
        LOG.debug("published {} certificate(s) for {}", published.size(), mail);
    }

    /**
     * Rebuilds the whole publication from the registry: layout, every CA, every person; a person entry whose
     * address the registry no longer knows loses its certificates. Returns the number of people written.
     */
    public int republish(Registry registry) {
        ensureLayout();
        registry.cas().forEach(this::publishCa);
        Map<String, List<CertificateRecord>> byMail = registry.certificatesByMail();
        byMail.forEach(this::publishPerson);
        clearUnknownPeople(byMail.keySet());
        LOG.info("republished {} CA(s) and {} people from the registry", registry.cas().size(), byMail.size());
        return byMail.size();
    }

    private void clearUnknownPeople(Set<String> known) {
        SearchResult people;
        try {
            people = ldap.search(dit.people().toString(), SearchScope.ONE, Filter.createPresenceFilter("mail"), "mail");
        } catch (LDAPException e) {
            throw new PublicationException("cannot list the people under " + dit.people(), e);
        }
        for (SearchResultEntry person : people.getSearchEntries()) {
            Set<String> mails = new HashSet<>();
            for (String mail : person.getAttributeValues("mail")) {
                mails.add(mail.toLowerCase(java.util.Locale.ROOT));
            }
            if (mails.stream().noneMatch(known::contains)) {
                try {
                    ldap.modify(person.getDN(), List.of(
                            new Modification(ModificationType.REPLACE, PkiAttributes.USER_CERTIFICATE),
                            new Modification(ModificationType.REPLACE, PkiAttributes.USER_SMIME_CERTIFICATE)));
                } catch (LDAPException e) {
                    throw new PublicationException("cannot clear the certificates of " + person.getDN(), e);
                }
            }
        }
    }

    private SearchResultEntry findPerson(String mail) throws LDAPException {
        SearchResult result = ldap.search(dit.people().toString(), SearchScope.SUB, Filter.createEqualityFilter("mail", mail), "1.1");
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

    private static Modification replace(String attribute, List<byte[]> values) {
        return new Modification(ModificationType.REPLACE, attribute, values.toArray(byte[][]::new));
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
