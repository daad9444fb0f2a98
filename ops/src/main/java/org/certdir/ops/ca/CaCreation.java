package org.certdir.ops.ca;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.ops.issuance.KeyFiles.KeyEntry;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.PendingCa;
import org.certdir.registry.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates CAs: a self-signed root, a CA under a CA certdir holds, or (for a root kept offline) a key and a PKCS#10
 * request that {@link CaInstallation} completes. What {@code certdir ca create} and the demo PKI both run.
 *
 * <p>Design notes. The key is generated here and written to {@code DATA/keys/<name>.p12} under the data directory's
 * passphrase before the registry records the CA, so every CA the registry holds has its key; a key file is never
 * overwritten (a leftover one is reported). A CA's certificate carries its issuer's CRL distribution points (HTTP and
 * the directory's LDAP URL) and AIA (caIssuers and OCSP) from {@code certdir.http.base-url} and the directory, as every
 * certificate certdir issues; a root carries none. A CA under another is recorded as one of its parent's certificates
 * too, so the parent's CRLs and OCSP answers cover it. Once recorded, {@code activation} hears of the CA: the running
 * service gives it an OCSP signer and its first CRLs there and then, without a restart. Creations and installations run one
 * at a time: two at once could both find a name free.
 */
public final class CaCreation {

    private static final Logger LOG = LoggerFactory.getLogger(CaCreation.class);
    /** The key holder of a pending CA lives until its certificate comes; a root ceremony may take months. */
    private static final Duration KEY_HOLDER_VALIDITY = Duration.ofDays(5 * 365);

    /** A CA created and recorded, with its key and its chain (the CA first, up to its root) for what it issues at once. */
    public record Created(CaRecord record, SigningCa signing, List<X509Certificate> chain) {
    }

    /** A pending CA and its PKCS#10 request in PEM, for the root that is to sign it. */
    public record Requested(PendingCa pending, String csrPem) {
    }

    private final DataDirectory data;
    private final Registry registry;
    private final CertificateIssuer issuer;
    private final Clock clock;
    private final Consumer<CaRecord> activation;

    /** {@code activation} is told of each CA once it is recorded (e.g. to serve it at once); it must not throw. */
    public CaCreation(DataDirectory data, Registry registry, CertificateIssuer issuer, Clock clock, Consumer<CaRecord> activation) {
        this.data = data;
        this.registry = registry;
        this.issuer = issuer;
        this.clock = clock;
        this.activation = activation;
    }

    /** Creates a root ({@code request.parent()} null) or a CA under a managed CA; {@link #request} for a CSR. */
    public Created create(CaRequest request, Actor actor) {
        synchronized (CaNames.CHANGES) {
            return createNow(request, actor);
        }
    }

    private Created createNow(CaRequest request, Actor actor) {
        if (request.csr()) {
            throw new IllegalArgumentException("CA " + request.name() + " is to be signed by a root elsewhere: call request(), not create()");
        }
        CaRecord parent = request.parent() == null ? null : parent(request);
        CaNames.requireFree(registry, data.root(), request.name(), request.commonName());
        KeyPair keys = request.algorithm().generate();
        List<X509Certificate> chain = new ArrayList<>();
        String how;
        if (parent == null) {
            chain.add(issuer.rootCa(request.subject(), keys, request.validity(), request.pathLength()));
            how = "self-signed";
        } else {
            KeyEntry parentKey = readKey(parent);
            SigningCa signer = new SigningCa(parent.name(), parent.certificate().certificate(), parentKey.key());
            chain.add(issuer.subordinateCa(signer, request.subject(), keys.getPublic(), request.validity(), request.pathLength()));
            chain.addAll(parentKey.chain().isEmpty() ? List.of(parent.certificate().certificate()) : parentKey.chain());
            how = "issued by " + parent.name();
        }
        String keyFile = CaNames.keyFile(request.name());
        writeKey(keyFile, request.name(), keys, chain);
        CertificateDetails details = details(chain.get(0));
        if (parent != null) {
            registry.addCertificate(parent, details, actor);
        }
        CaRecord record = registry.createCa(request.name(), details, keyFile, request.algorithm().configName() + ", "
                + request.validity().toDays() + " days, path length " + (request.pathLength() == null ? "unbounded" : request.pathLength()) + ", " + how,
                actor);
        LOG.info("created CA {} ({}), {}, key in {}", record.name(), details.subject(), how, keyFile);
        activate(record);
        return new Created(record, new SigningCa(record.name(), chain.get(0), keys.getPrivate()), List.copyOf(chain));
    }

    /**
     * Makes a CA's key and the PKCS#10 request a root kept elsewhere signs: the subject, and as requested extensions
     * basicConstraints cA with the path length, keyUsage keyCertSign and cRLSign (and digitalSignature, as certdir's own
     * CAs have), and the subject key identifier, for {@code openssl x509 -req -copy_extensions copy} or {@code openssl
     * ca} to take over. The CA is pending until {@link CaInstallation#install}: it signs nothing.
     */
    public Requested request(CaRequest request, Actor actor) {
        synchronized (CaNames.CHANGES) {
            return requestNow(request, actor);
        }
    }

    private Requested requestNow(CaRequest request, Actor actor) {
        if (!request.csr()) {
            throw new IllegalArgumentException("CA " + request.name() + " is not to be signed by a root elsewhere: call create(), not request()");
        }
        CaNames.requireFree(registry, data.root(), request.name(), request.commonName());
        KeyPair keys = request.algorithm().generate();
        byte[] csr = csr(request.name(), request.subject(), request.pathLength(), keys);
        String keyFile = CaNames.keyFile(request.name());
        writeKey(keyFile, request.name(), keys, List.of(issuer.keyHolder(request.subject(), keys, KEY_HOLDER_VALIDITY)));
        String subject = subjectText(request);
        PendingCa pending = registry.addPendingCa(request.name(), subject, csr, keyFile, actor);
        LOG.info("created pending CA {} ({}), key in {}: its certificate is to come from a root kept elsewhere", pending.name(), subject, keyFile);
        return new Requested(pending, csrPem(csr));
    }

    /** The parent a CA under another is signed by: managed, with room below it for another CA, and outliving the new CA. */
    private CaRecord parent(CaRequest request) {
        CaName name = request.parent();
        CaRecord parent = registry.ca(name).orElse(null);
        if (parent == null) {
            boolean pending = registry.pendingCas().stream().anyMatch(each -> each.name().equals(name));
            throw new InvalidCaRequest("parent", pending
                    ? "parent CA '" + name + "' is pending: install its certificate first ('certdir ca install')"
                    : "parent CA '" + name + "' is not registered ('certdir ca list' shows them)");
        }
        if (!parent.managed()) {
            throw new InvalidCaRequest("parent", "parent CA '" + name + "' is registered for publication only: certdir holds no key to sign a CA with it");
        }
        int parentPath = parent.certificate().certificate().getBasicConstraints();
        if (parentPath == 0) {
            throw new InvalidCaRequest("parent", "parent CA '" + name + "' has path length 0: it may sign end-entity certificates only, not another CA");
        }
        if (parentPath != Integer.MAX_VALUE && request.pathLength() > parentPath - 1) {
            throw new InvalidCaRequest("pathLength", "pathLength " + request.pathLength() + " is more than parent CA '" + name + "' (path length "
                    + parentPath + ") allows below it: at most " + (parentPath - 1));
        }
        Instant now = clock.instant();
        Instant parentEnd = parent.certificate().notAfter();
        if (!parentEnd.isAfter(now)) {
            throw new InvalidCaRequest("parent", "parent CA '" + name + "' expired on " + parentEnd + ": it can sign no new CA");
        }
        Instant end = now.plus(request.validity());
        if (end.isAfter(parentEnd)) {
            // RFC 5280 allows it, but a certificate outliving its issuer stops validating when the issuer expires.
            throw new InvalidCaRequest("validityDays", "validityDays " + request.validity().toDays() + " would end on " + end + ", after parent CA '"
                    + name + "' expires (" + parentEnd + "): at most " + Duration.between(now, parentEnd).toDays());
        }
        return parent;
    }

    private KeyEntry readKey(CaRecord ca) {
        try {
            return KeyFiles.readPkcs12(data.root().resolve(ca.keyFile()), passphrase());
        } catch (IOException e) {
            throw new IllegalStateException("the key of CA '" + ca.name() + "' cannot be read: " + e.getMessage(), e);
        }
    }

    private void writeKey(String keyFile, CaName name, KeyPair keys, List<X509Certificate> chain) {
        try {
            KeyFiles.writePkcs12(data.root().resolve(keyFile), passphrase(), List.of(new KeyEntry(name.value(), keys.getPrivate(), chain)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the key of CA '" + name + "' to " + data.root().resolve(keyFile) + ": " + e.getMessage(), e);
        }
    }

    private char[] passphrase() {
        return DataDirectory.secret(data.keysPassphrase()).toCharArray();
    }

    private void activate(CaRecord record) {
        try {
            activation.accept(record);
        } catch (RuntimeException e) {
            // Recorded is recorded: the CRL schedule and the OCSP signer renewal pick the CA up on their next round.
            LOG.warn("CA {} is recorded but not yet served: {}; the CRL schedule and the hourly OCSP signer refresh retry", record.name(),
                    e.getMessage(), e);
        }
    }

    /** The request of {@link #request}, for {@code subject} and {@code keys}; {@link CaRenewal} asks the same for a renewal. */
    static byte[] csr(CaName name, X500Name subject, int pathLength, KeyPair keys) {
        try {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLength));
            extensions.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            extensions.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
            PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(new JcaContentSignerBuilder(KeyAlgorithm.signatureAlgorithm(keys.getPrivate())).build(keys.getPrivate()));
            return csr.getEncoded();
        } catch (IOException | OperatorCreationException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot build the CSR of CA " + name + ": " + e.getMessage(), e);
        }
    }

    /** A PKCS#10 request in PEM, as openssl reads it. */
    public static String csrPem(byte[] der) {
        StringWriter out = new StringWriter();
        out.write("-----BEGIN CERTIFICATE REQUEST-----\n");
        out.write(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der));
        out.write("\n-----END CERTIFICATE REQUEST-----\n");
        return out.toString();
    }

    private static String subjectText(CaRequest request) {
        try {
            return new X500Principal(request.subject().getEncoded()).getName(X500Principal.RFC2253);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the subject of CA " + request.name(), e);
        }
    }

    static CertificateDetails details(X509Certificate certificate) {
        try {
            return CertificateDetails.parse(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode a certificate just issued", e);
        }
    }
}
