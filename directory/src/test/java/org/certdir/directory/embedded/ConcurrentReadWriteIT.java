package org.certdir.directory.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.certdir.directory.publication.DirectoryPublisher;
import org.certdir.schemas.Dit;
import org.certdir.schemas.PkiAttributes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anonymous searches of entries that the service account modifies at the same moment, against the embedded directory.
 *
 * <p>ApacheDS 2.0.0.AM27 ran a search's entry filters outside its lock, on the very entry object a modify changes in
 * place (see {@link WholeSearchLock}): a modify that removes or adds an attribute while a search of that entry is past
 * its fetch made the search fail with {@code other} or return attributes it did not ask for. Before the fix this test
 * saw that several times in its 40 s on a 2-core machine (see the commit); with the fix, never.
 *
 * <p>The writers do what the publisher does on a revocation of a person's last certificate and on the next
 * certificate (the attribute goes, then comes back), and what the CRL publisher does (replace a CRL). The readers are
 * mail clients looking up certificates, an address book asking for every attribute it knows (its longer filtering
 * widens the window of the race), and CRL fetchers reading the CA entry.
 */
class ConcurrentReadWriteIT {

    private static final Dit DIT = Dit.of("dc=example,dc=com");
    private static final String PASSWORD = "generated-for-test";
    private static final Duration LOAD = Duration.ofSeconds(40);
    private static final int PEOPLE = 3;
    private static final String CA = DIT.ca("Test CA").toString();

    @TempDir
    Path instance;

    @Test
    void searchesRacingModifiesOfTheirEntry_allSucceed_withWhatTheyAskedFor() throws Exception {
        try (EmbeddedDirectory directory = EmbeddedDirectory.start(new DirectorySettings(instance, DIT, "127.0.0.1", 0, 0, null, null, PASSWORD,
                100, Duration.ofSeconds(10), 4 << 20, 8, 1000));
             LDAPConnection service = new LDAPConnection("127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD)) {
            new DirectoryPublisher(service, DIT).ensureLayout();
            Random random = new Random(1);
            for (int i = 0; i < PEOPLE; i++) {
                String mail = mail(i);
                service.add(new Entry(DIT.person(mail).toString(), new Attribute("objectClass", "top", "person", "organizationalPerson", "inetOrgPerson"),
                        new Attribute("cn", mail), new Attribute("sn", mail), new Attribute("uid", mail), new Attribute("mail", mail),
                        new Attribute(PkiAttributes.USER_CERTIFICATE, bytes(random, 1000)),
                        new Attribute(PkiAttributes.USER_SMIME_CERTIFICATE, bytes(random, 1200)),
                        new Attribute("givenName", mail), new Attribute("displayName", mail), new Attribute("initials", "X"),
                        new Attribute("title", "Engineer"), new Attribute("description", "test person"), new Attribute("o", "Example"),
                        new Attribute("ou", "Engineering"), new Attribute("l", "Paris"), new Attribute("st", "IDF"), new Attribute("street", "1 rue"),
                        new Attribute("postalCode", "75001"), new Attribute("telephoneNumber", "+33 1 00 00 00 00"),
                        new Attribute("mobile", "+33 6 00 00 00 00"), new Attribute("homePhone", "+33 1 00 00 00 01"),
                        new Attribute("pager", "+33 1 00 00 00 02"), new Attribute("facsimileTelephoneNumber", "+33 1 00 00 00 03"),
                        new Attribute("employeeNumber", "1"), new Attribute("employeeType", "staff"), new Attribute("departmentNumber", "42"),
                        new Attribute("roomNumber", "101"), new Attribute("businessCategory", "PKI"), new Attribute("carLicense", "AA-000-AA"),
                        new Attribute("preferredLanguage", "fr"), new Attribute("labeledURI", "https://example.com/"),
                        new Attribute("physicalDeliveryOfficeName", "HQ")));
            }
            service.add(new Entry(CA, new Attribute("objectClass", "top", "cRLDistributionPoint", "pkiCA", "deltaCRL"), new Attribute("cn", "Test CA"),
                    new Attribute(PkiAttributes.CA_CERTIFICATE, bytes(random, 1000)),
                    new Attribute(PkiAttributes.CERTIFICATE_REVOCATION_LIST, bytes(random, 200_000)),
                    new Attribute(PkiAttributes.DELTA_REVOCATION_LIST, bytes(random, 2000))));
            // Every attribute type the directory knows, as an address book that maps many of them asks.
            String[] everyType = service.getSchema().getAttributeTypes().stream().map(type -> type.getNameOrOID()).toArray(String[]::new);

            ConcurrentMap<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
            ConcurrentMap<String, String> firstDiagnostic = new ConcurrentHashMap<>();
            long deadline = System.nanoTime() + LOAD.toNanos();
            ExecutorService threads = Executors.newCachedThreadPool();
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 10; t++) {
                int reader = t;
                running.add(threads.submit(() -> {
                    Random r = new Random(reader);
                    try (LDAPConnection anonymous = new LDAPConnection("127.0.0.1", directory.ldapPort())) {
                        while (System.nanoTime() < deadline) {
                            String mail = mail(r.nextInt(PEOPLE));
                            if (reader < 2) {
                                read(outcomes, firstDiagnostic, "mail client", () -> {
                                    SearchResultEntry found = anonymous.searchForEntry(DIT.suffix().toString(), SearchScope.SUB,
                                            Filter.createEqualityFilter("mail", mail), PkiAttributes.USER_CERTIFICATE);
                                    return found == null ? "entry missing" : unrequested(found, "userCertificate");
                                });
                            } else if (reader < 8) {
                                read(outcomes, firstDiagnostic, "address book", () -> {
                                    SearchResultEntry found = anonymous.searchForEntry(DIT.suffix().toString(), SearchScope.SUB,
                                            Filter.createEqualityFilter("mail", mail), everyType);
                                    return found == null ? "entry missing" : null;
                                });
                            } else {
                                read(outcomes, firstDiagnostic, "CRL fetcher", () -> {
                                    SearchResultEntry found = anonymous.getEntry(CA, PkiAttributes.CERTIFICATE_REVOCATION_LIST,
                                            PkiAttributes.DELTA_REVOCATION_LIST);
                                    return found == null ? "entry missing"
                                            : !found.getAttributesWithOptions("certificateRevocationList", null).isEmpty() ? unrequested(found, "certificateRevocationList",
                                            "deltaRevocationList") : "no full CRL";
                                });
                            }
                        }
                    }
                    return null;
                }));
            }
            for (int t = 0; t < PEOPLE; t++) {
                String person = DIT.person(mail(t)).toString();
                int seed = 100 + t;
                running.add(threads.submit(() -> {
                    Random r = new Random(seed);
                    try (LDAPConnection writer = new LDAPConnection("127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD)) {
                        boolean published = true;
                        while (System.nanoTime() < deadline) {
                            // The revocation of the person's last certificate, then the next certificate.
                            write(outcomes, firstDiagnostic, writer, person, published
                                    ? List.of(new Modification(ModificationType.DELETE, PkiAttributes.USER_CERTIFICATE),
                                            new Modification(ModificationType.DELETE, PkiAttributes.USER_SMIME_CERTIFICATE))
                                    : List.of(new Modification(ModificationType.ADD, PkiAttributes.USER_CERTIFICATE, bytes(r, 1000)),
                                            new Modification(ModificationType.ADD, PkiAttributes.USER_SMIME_CERTIFICATE, bytes(r, 1200))));
                            published = !published;
                        }
                    }
                    return null;
                }));
            }
            running.add(threads.submit(() -> {
                Random r = new Random(200);
                try (LDAPConnection writer = new LDAPConnection("127.0.0.1", directory.ldapPort(), EmbeddedDirectory.SERVICE_ACCOUNT, PASSWORD)) {
                    for (int crl = 1; System.nanoTime() < deadline; crl++) {
                        write(outcomes, firstDiagnostic, writer, CA, crl % 10 == 0
                                ? List.of(new Modification(ModificationType.REPLACE, PkiAttributes.CERTIFICATE_REVOCATION_LIST, bytes(r, 200_000)),
                                        new Modification(ModificationType.REPLACE, PkiAttributes.DELTA_REVOCATION_LIST, bytes(r, 2000)))
                                : List.of(new Modification(ModificationType.REPLACE, PkiAttributes.DELTA_REVOCATION_LIST, bytes(r, 2000))));
                    }
                }
                return null;
            }));
            for (Future<?> future : running) {
                future.get();
            }
            threads.shutdown();

            Map<String, Long> counted = new TreeMap<>();
            outcomes.forEach((outcome, count) -> counted.put(outcome, count.get()));
            System.err.println("ConcurrentReadWriteIT outcomes in " + LOAD.toSeconds() + " s: " + counted);
            Map<String, Long> failed = new TreeMap<>(counted);
            failed.keySet().removeIf(outcome -> outcome.endsWith(": success"));
            Map<String, String> diagnostics = new TreeMap<>();
            firstDiagnostic.forEach((outcome, message) -> diagnostics.put(outcome, cause(message)));
            assertEquals(Map.of(), failed, "ApacheDS said: " + diagnostics);
        }
    }

    /** What is wrong with a read's answer, or null. */
    private interface Read {
        String problem() throws LDAPException;
    }

    private static void read(ConcurrentMap<String, AtomicLong> outcomes, ConcurrentMap<String, String> diagnostics, String reader, Read read) {
        String outcome;
        try {
            String problem = read.problem();
            outcome = problem == null ? "success" : problem;
        } catch (LDAPException e) {
            outcome = e.getResultCode().getName();
            diagnostics.putIfAbsent(reader + ": " + outcome, String.valueOf(e.getDiagnosticMessage()));
        }
        outcomes.computeIfAbsent(reader + ": " + outcome, key -> new AtomicLong()).incrementAndGet();
    }

    private static void write(ConcurrentMap<String, AtomicLong> outcomes, ConcurrentMap<String, String> diagnostics, LDAPConnection writer,
                              String dn, List<Modification> modifications) {
        String outcome;
        try {
            writer.modify(dn, modifications);
            outcome = "success";
        } catch (LDAPException e) {
            outcome = e.getResultCode().getName();
            diagnostics.putIfAbsent("modify: " + outcome, String.valueOf(e.getDiagnosticMessage()));
        }
        outcomes.computeIfAbsent("modify: " + outcome, key -> new AtomicLong()).incrementAndGet();
    }

    /**
     * What ApacheDS says went wrong, without the request it repeats first (hundreds of attribute names): the line that
     * ends the request ("...RequestImpl@1a2b: message") and the top of the stack trace after it.
     */
    private static String cause(String diagnostic) {
        List<String> lines = diagnostic.lines().dropWhile(line -> !line.contains("Impl@")).limit(6).toList();
        return lines.isEmpty() ? diagnostic : String.join(" | ", lines);
    }

    /** Null when {@code entry} holds only attributes of the {@code asked} types, else which others it holds. */
    private static String unrequested(SearchResultEntry entry, String... asked) {
        List<String> others = new ArrayList<>();
        for (Attribute attribute : entry.getAttributes()) {
            String base = attribute.getBaseName();
            if (java.util.Arrays.stream(asked).noneMatch(base::equalsIgnoreCase)) {
                others.add(attribute.getName());
            }
        }
        return others.isEmpty() ? null : "unrequested " + others;
    }

    private static String mail(int person) {
        return "person" + person + "@example.com";
    }

    private static byte[] bytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
