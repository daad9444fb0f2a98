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
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.CertificatePair;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.CertificateRecord;
import org.certdir.registry.Outbox;
import org.certdir.registry.Registry;
import org.certdir.schemas.Dit;
import org.certdir.schemas.PkiAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the registry into a directory over LDAP: each CA under {@code ou=CAs,ou=pki}, and each person's
 * valid encryption certificates on their entry under {@code ou=people}.
 *
 * <p>Design notes. A person's certificate attributes are always recomputed from everything the registry holds for
 * the address, so a revocation removes exactly the revoked certificate and leaves the person's others in place.
 * There is one entry per mail address ({@code uid=<address>}, {@code mail: <address>}), holding the certificates that
 * name that address, because that is what mail clients look up: a certificate naming two addresses is on both
 * entries, and the publication of one address never touches the other's. Only certificates valid at the time of
 * writing are published (the worker queues the owners of expiring certificates, see {@link PublicationWorker}).
 *
 * <p>Every write of an entry from the registry ({@code publish...(…, Registry)}) reads the registry <em>inside</em>
 * a lock held for that entry, and CRL writes take the same lock as their CA's entry: two writers of one entry (the
 * worker, a republication, the CRL publisher) are serialised, and the later one always writes what it read later,
 * so a republication can never put back a state the worker has already replaced. The same code writes into the
 * embedded ApacheDS or an external OpenLDAP / 389-DS.
 */
public final class DirectoryPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryPublisher.class);
    private static final String[] PERSON_CLASSES = {"top", "person", "organizationalPerson", "inetOrgPerson"};
    private static final String[] CA_CLASSES = {"top", "cRLDistributionPoint", "pkiCA", "deltaCRL"};

    /**
     * The longest name or address written into the directory. Far above what RFC 5321 (254-octet addresses) and
     * X.520 (64-character CNs) allow; far below what breaks ApacheDS: a 70,000-character address was answered
     * {@code other} and left the JDBM partition failing every later request ({@code ERR_554 double get for block 0}).
     * A longer value refuses its record here, before anything reaches the directory.
     */
    static final int MAX_NAME_LENGTH = 1024;

    /** Locks for entries, by hash of the entry: enough that unrelated entries seldom wait for each other. */
    private static final int ENTRY_LOCKS = 64;

    private final LDAPInterface ldap;
    private final Dit dit;
    private final Clock clock;
    private final Object[] entryLocks = new Object[ENTRY_LOCKS];
    /** Set once the directory has refused value-by-value changes (see {@link #update}). */
    private volatile boolean replaceOnly;
    /**
     * Whether an attribute that a modify creates keeps its {@code ;binary} name on this directory: null until the first
     * such modify has been read back (see {@link #update}).
     */
    private volatile Boolean modifyKeepsBinaryName;

    public DirectoryPublisher(LDAPInterface ldap, Dit dit) {
        this(ldap, dit, Clock.systemUTC());
    }

    /** {@code clock} decides which certificates have expired when a person is written. */
    public DirectoryPublisher(LDAPInterface ldap, Dit dit, Clock clock) {
        this.ldap = ldap;
        this.dit = dit;
        this.clock = clock;
        for (int i = 0; i < ENTRY_LOCKS; i++) {
            entryLocks[i] = new Object();
        }
    }

    /** One subject's entry in the directory: a mail address, a CA, a trusted partner CA. */
    private Object lockFor(String topic, String subject) {
        return entryLocks[Math.floorMod((topic + '\n' + subject).hashCode(), ENTRY_LOCKS)];
    }

    /** Refuses the record of {@code subject} when {@code value} is longer than the directory can safely index. */
    private static void requireStorable(String subject, String field, String value) {
        if (value != null && value.length() > MAX_NAME_LENGTH) {
            String why = "cannot publish " + abbreviate(subject) + ": its " + field + " is " + value.length() + " characters long, more than the "
                    + MAX_NAME_LENGTH + " certdir writes into the directory (revoke the certificate)";
            throw new PublicationException(why, new LDAPException(ResultCode.CONSTRAINT_VIOLATION, why));
        }
    }

    /** A subject the directory refused to take, with its reason. */
    public record Refused(String topic, String subject, String error) {
    }

    /** What a {@link #republish} wrote, and what the directory refused (written as refused tasks to the outbox). */
    public record Republication(int cas, int people, List<Refused> refused) {
    }

    /** Brings the entry of {@code mail} up to date with the registry, read under the entry's lock. */
    public void publishPerson(String mail, Registry registry) {
        synchronized (lockFor(Outbox.DIRECTORY_PERSON, mail)) {
            publishPerson(mail, registry.certificatesForMail(mail));
        }
    }

    /** Brings the entry of CA {@code name} up to date with the registry (nothing if it is not registered). */
    public void publishCa(CaName name, Registry registry) {
        Optional<CaRecord> ca = registry.ca(name);
        if (ca.isEmpty()) {
            return;
        }
        synchronized (lockFor(Outbox.DIRECTORY_CA, ca.get().certificate().commonName())) {
            writeCa(ca.get(), registry.previousCaCertificates(name, clock.instant()), registry.crossCertificates(name));
        }
    }

    /** Brings the trust-list entry of {@code commonName} up to date with the registry: written, or removed. */
    public void publishTrustedCa(String commonName, Registry registry) {
        synchronized (lockFor(Outbox.DIRECTORY_TRUST, commonName)) {
            publishTrustedCa(commonName, registry.trustList().byCommonName(commonName).map(trusted -> trusted.certificate().der()).orElse(null));
        }
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
        synchronized (lockFor(Outbox.DIRECTORY_CA, ca.certificate().commonName())) {
            writeCa(ca, List.of(), crossCertificates);
        }
    }

    /**
     * {@code previous}: the certificates a renewed CA had before, still valid, written as further
     * {@code cACertificate;binary} values beside the current one (LDAP keeps no order among values): a client that
     * builds a path from a chain it holds (or asks for the issuer by name) may need either, and both certify the same key.
     */
    private void writeCa(CaRecord ca, List<CertificateDetails> previous, List<CertificateDetails> crossCertificates) {
        String commonName = ca.certificate().commonName();
        requireStorable("CA " + ca.name(), "subject CN", commonName);
        DN dn = dit.ca(commonName);
        List<byte[]> certificates = new ArrayList<>(List.of(ca.certificate().der()));
        previous.forEach(one -> certificates.add(one.der()));
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
                        new Attribute(PkiAttributes.CA_CERTIFICATE, certificates.toArray(byte[][]::new))));
                if (!pairs.isEmpty()) {
                    attributes.add(new Attribute(PkiAttributes.CROSS_CERTIFICATE_PAIR, pairs.toArray(byte[][]::new)));
                }
                ldap.add(new Entry(dn, attributes));
            } else {
                Map<String, List<byte[]>> values = new java.util.LinkedHashMap<>();
                values.put(PkiAttributes.CA_CERTIFICATE, certificates);
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
        requireStorable("trusted CA " + commonName, "subject CN", commonName);
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
        // On a directory that drops ;binary on modify, the CA's entry is written again whole (delete, add) when an
        // attribute first appears (see update): under the same lock, so that the entry added back carries this CRL
        // rather than the one read before it was written.
        synchronized (lockFor(Outbox.DIRECTORY_CA, ca.certificate().commonName())) {
            writeCrl(ca, der, delta, coversCas);
        }
    }

    private void writeCrl(CaRecord ca, byte[] der, boolean delta, boolean coversCas) {
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
                writeCa(ca, List.of(), List.of());
                existing = ldap.getEntry(dn.toString(), wanted);
            }
            update(existing, values, List.of());
        } catch (LDAPException e) {
            throw new PublicationException("cannot publish the " + (delta ? "delta " : "") + "CRL of CA " + ca.name() + " at " + dn, e);
        }
    }

    /**
     * Makes the entry of {@code mail} ({@code uid=<mail>}) carry exactly the publishable certificates among
     * {@code certificates} (all the registry holds for that address): encryption certificates that are valid and
     * unexpired now, as {@code userCertificate;binary} and as one certs-only PKCS#7 in {@code userSMIMECertificate}.
     * Creates the entry if needed. Callers that read {@code certificates} from the registry use
     * {@link #publishPerson(String, Registry)}, which reads them under the entry's lock.
     */
    public void publishPerson(String mail, List<CertificateRecord> certificates) {
        requireStorable(mail, "mail address", mail);
        Instant now = clock.instant();
        List<byte[]> published = new ArrayList<>();
        List<X509Certificate> smime = new ArrayList<>();
        for (CertificateRecord record : certificates) {
            // Expired ones go too: the RFC 4387 store and mail clients must see the same certificates.
            if (record.publishable() && record.details().notAfter().isAfter(now)) {
                published.add(record.details().der());
                smime.add(record.details().certificate());
            }
        }
        Modification smimeValue = smime.isEmpty()
                ? new Modification(ModificationType.REPLACE, PkiAttributes.USER_SMIME_CERTIFICATE)
                : new Modification(ModificationType.REPLACE, PkiAttributes.USER_SMIME_CERTIFICATE, CertsOnlyPkcs7.encode(smime));
        DN dn = dit.person(mail);
        try {
            SearchResultEntry existing = ldap.getEntry(dn.toString(), "*");
            if (existing == null) {
                List<Attribute> attributes = new ArrayList<>(personAttributes(mail, certificates));
                if (!published.isEmpty()) {
                    attributes.add(new Attribute(PkiAttributes.USER_CERTIFICATE, published.toArray(byte[][]::new)));
                    attributes.add(smimeValue.getAttribute());
                }
                ldap.add(new Entry(dn, attributes));
            } else {
                List<Modification> others = new ArrayList<>(List.of(smimeValue));
                if (!Set.of(mail).equals(lowerCase(existing.getAttributeValues("mail")))) {
                    // An entry written before one entry per address listed all of a certificate's addresses.
                    others.add(new Modification(ModificationType.REPLACE, "mail", mail));
                }
                update(existing, Map.of(PkiAttributes.USER_CERTIFICATE, published), others);
            }
            releaseAddress(mail, dn);
        } catch (LDAPException e) {
            throw new PublicationException("cannot publish the certificates of " + mail, e);
        }
        LOG.debug("published {} certificate(s) for {}", published.size(), mail);
    }

    /**
     * Removes {@code mail} from other people's entries that list it beside their own address (written before one
     * entry per address): otherwise a lookup of {@code mail} would also find them, with the other person's certificates.
     */
    private void releaseAddress(String mail, DN owner) throws LDAPException {
        SearchResult holders = ldap.search(dit.people().toString(), SearchScope.ONE, Filter.createEqualityFilter("mail", mail), "mail");
        for (SearchResultEntry holder : holders.getSearchEntries()) {
            String[] mails = holder.getAttributeValues("mail");
            if (!holder.getParsedDN().equals(owner) && mails != null && mails.length > 1) {
                for (String value : mails) {
                    if (value.equalsIgnoreCase(mail)) {
                        ldap.modify(holder.getDN(), new Modification(ModificationType.DELETE, "mail", value));
                    }
                }
            }
        }
    }

    private static Set<String> lowerCase(String[] values) {
        Set<String> set = new HashSet<>();
        if (values != null) {
            for (String value : values) {
                set.add(value.toLowerCase(Locale.ROOT));
            }
        }
        return set;
    }

    /**
     * Sets each {@code ;binary} attribute of {@code current} to exactly the given values (none: removed), and
     * applies the {@code others} replacements, keeping the {@code ;binary} name clients match on, in one modify.
     *
     * <p>Values are changed by adding the new ones before deleting the old ones, so the attribute never disappears. An
     * attribute that is missing, or that carries its name without the option, is created by a replace under the
     * {@code ;binary} name: the embedded ApacheDS stores it so ({@code BinaryTransferOption}), and so does OpenLDAP.
     * ApacheDS without that interceptor (2.0.0.AM27 drops the options of every modification) stores the plain name,
     * which Thunderbird ignores: the first such modify is read back, and on a directory that lost the name the entry is
     * written again whole (delete, then add, as only an add keeps the name), then and for every later creation. Readers
     * of such a directory find no entry between the two; readers of the embedded directory and of OpenLDAP never do.
     */
    private void update(SearchResultEntry current, Map<String, List<byte[]>> binaryAttributes, List<Modification> others)
            throws LDAPException {
        List<Modification> modifications = new ArrayList<>(others);
        List<String> created = new ArrayList<>();
        for (Map.Entry<String, List<byte[]>> wanted : binaryAttributes.entrySet()) {
            String name = wanted.getKey();
            Attribute present = present(current, name);
            Set<ByteBuffer> target = values(wanted.getValue());
            if (target.isEmpty()) {
                if (present != null) {
                    modifications.add(new Modification(ModificationType.DELETE, present.getName()));
                }
            } else if (present == null || !present.getName().equalsIgnoreCase(name)) {
                created.add(name);
                modifications.add(new Modification(ModificationType.REPLACE, name, wanted.getValue().toArray(byte[][]::new)));
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
        if (!created.isEmpty() && Boolean.FALSE.equals(modifyKeepsBinaryName)) {
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
        if (!created.isEmpty() && modifyKeepsBinaryName == null) {
            checkCreatedNames(current, created, binaryAttributes, others);
        }
    }

    /** Reads back the attributes a modify created; if the directory dropped their {@code ;binary} name, rewrites the entry. */
    private void checkCreatedNames(SearchResultEntry current, List<String> created, Map<String, List<byte[]>> binaryAttributes,
                                   List<Modification> others) throws LDAPException {
        SearchResultEntry written = ldap.getEntry(current.getDN(), created.toArray(String[]::new));
        boolean kept = written != null && created.stream().allMatch(name -> {
            Attribute present = present(written, name);
            return present != null && present.getName().equalsIgnoreCase(name);
        });
        modifyKeepsBinaryName = kept;
        if (!kept) {
            LOG.info("{} stores attributes a modify creates without their ;binary name: entries are written again whole for that on this directory",
                    current.getDN());
            rewrite(current, binaryAttributes, others);
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
     * Rebuilds the whole publication from the registry: layout, every CA, the trust list, every person; a person
     * entry whose address the registry no longer knows loses its certificates. Each entry is written from the
     * registry as it is at that moment (see the design notes), so the publication worker may run meanwhile.
     *
     * <p>A subject the directory refuses (a value it will not take) does not stop the others: it is logged, recorded
     * in the outbox as a refused task (shown by {@code /health}, retried at the next start) and returned. A failure
     * that is not about one subject (the directory is down) stops the republication with a {@link PublicationException}.
     */
    public Republication republish(Registry registry) {
        ensureLayout();
        List<Refused> refused = new ArrayList<>();
        Set<String> refusedBefore = new HashSet<>();
        registry.outbox().refused(Integer.MAX_VALUE).forEach(task -> refusedBefore.add(task.topic() + '\n' + task.subject()));
        List<CaRecord> cas = registry.cas();
        for (CaRecord ca : cas) {
            attempt(registry, refused, refusedBefore, Outbox.DIRECTORY_CA, ca.name().value(), () -> publishCa(ca.name(), registry));
        }
        Set<String> trusted = new HashSet<>();
        for (var ca : registry.trustList().snapshot().cas()) {
            String commonName = ca.certificate().commonName();
            trusted.add(commonName);
            attempt(registry, refused, refusedBefore, Outbox.DIRECTORY_TRUST, commonName, () -> publishTrustedCa(commonName, registry));
        }
        clearUntrusted(registry, trusted);
        List<String> mails = registry.mailAddresses();
        for (String mail : mails) {
            attempt(registry, refused, refusedBefore, Outbox.DIRECTORY_PERSON, mail, () -> publishPerson(mail, registry));
        }
        clearUnknownPeople(registry, new HashSet<>(mails));
        for (Refused one : refused) {
            registry.outbox().recordRefused(one.topic(), one.subject(), one.error());
        }
        if (refused.isEmpty()) {
            LOG.info("republished {} CA(s) and {} people from the registry", cas.size(), mails.size());
        } else {
            LOG.warn("republished {} CA(s) and {} people from the registry; the directory refused {}: {}", cas.size(), mails.size(), refused.size(),
                    refused.stream().limit(10).map(one -> one.topic() + " " + abbreviate(one.subject())).toList());
        }
        return new Republication(cas.size(), mails.size() - (int) refused.stream().filter(one -> one.topic().equals(Outbox.DIRECTORY_PERSON)).count(),
                List.copyOf(refused));
    }

    /** Runs one subject's write of a republication; a refusal of that subject is collected, anything else thrown. */
    private void attempt(Registry registry, List<Refused> refused, Set<String> refusedBefore, String topic, String subject, Runnable write) {
        try {
            write.run();
            if (refusedBefore.contains(topic + '\n' + subject)) {
                registry.outbox().forgetRefused(topic, subject);
            }
        } catch (PublicationException e) {
            if (!e.refusesRecord()) {
                throw e;
            }
            LOG.error("the directory refuses {} {}, skipped: {}", topic, abbreviate(subject), e.getMessage());
            refused.add(new Refused(topic, subject, e.getMessage()));
        }
    }

    /** A subject as logs and /health show it: a refused one may be a 70 KB address. */
    public static String abbreviate(String subject) {
        return subject.length() <= 120 ? subject : subject.substring(0, 120) + "... (" + subject.length() + " characters)";
    }

    private void clearUntrusted(Registry registry, Set<String> trusted) {
        try {
            for (SearchResultEntry entry : ldap.search(dit.trust().toString(), SearchScope.ONE, Filter.createPresenceFilter("cn"), "cn")
                    .getSearchEntries()) {
                String commonName = entry.getAttributeValue("cn");
                if (!trusted.contains(commonName)) {
                    // Re-read: a partner trusted since the snapshot keeps its entry.
                    publishTrustedCa(commonName, registry);
                }
            }
        } catch (LDAPException e) {
            throw new PublicationException("cannot clear the trust list under " + dit.trust(), e);
        }
    }

    private void clearUnknownPeople(Registry registry, Set<String> known) {
        SearchResult people;
        try {
            people = ldap.search(dit.people().toString(), SearchScope.ONE, Filter.createPresenceFilter("mail"), "*");
        } catch (LDAPException e) {
            throw new PublicationException("cannot list the people under " + dit.people(), e);
        }
        for (SearchResultEntry person : people.getSearchEntries()) {
            Set<String> mails = lowerCase(person.getAttributeValues("mail"));
            if (mails.isEmpty() || mails.stream().anyMatch(known::contains)) {
                continue;
            }
            String mail = mails.iterator().next();
            synchronized (lockFor(Outbox.DIRECTORY_PERSON, mail)) {
                // Re-read under the lock: an address that got a certificate since the list was read is the worker's to write.
                if (mails.stream().allMatch(address -> registry.certificatesForMail(address).isEmpty())) {
                    try {
                        update(person, Map.of(PkiAttributes.USER_CERTIFICATE, List.of()),
                                List.of(new Modification(ModificationType.REPLACE, PkiAttributes.USER_SMIME_CERTIFICATE)));
                    } catch (LDAPException e) {
                        throw new PublicationException("cannot clear the certificates of " + person.getDN(), e);
                    }
                }
            }
        }
    }

    /** cn and sn from the newest certificate's subject CN; the address as {@code mail} (one entry per address). */
    private static List<Attribute> personAttributes(String mail, List<CertificateRecord> certificates) {
        CertificateRecord newest = certificates.stream()
                .max(Comparator.comparing(record -> record.details().notBefore()))
                .orElse(null);
        String commonName = newest == null || newest.details().commonName() == null ? mail.substring(0, mail.indexOf('@') < 0 ? mail.length() : mail.indexOf('@'))
                : newest.details().commonName();
        requireStorable(mail, "newest certificate's subject CN", commonName);
        String[] words = commonName.trim().split("\\s+");
        return List.of(
                new Attribute("objectClass", PERSON_CLASSES),
                new Attribute("uid", mail),
                new Attribute("cn", commonName),
                new Attribute("sn", words[words.length - 1]),
                new Attribute("mail", mail));
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
