package org.certdir.ops.issuance;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A user's PKCS#10 certificate request (RFC 2986), read and checked: its signature verifies with the key it carries
 * (proof that the sender holds the private key, RFC 4211 §4), and what it asks for is taken apart for a profile to
 * judge: the key, the subject's CN and OUs, and the mail addresses (the rfc822Names of a subjectAltName in its
 * extension request, PKCS#9 §5.4.2; otherwise the subject's emailAddress, as {@code openssl req -subj} writes it).
 */
public record CertificationRequest(PublicKey publicKey, String commonName, List<String> organizationalUnits, List<String> mailAddresses) {

    /** A request for one key is a few KB; anything larger is not one we want to parse. */
    public static final int MAX_SIZE = 64 * 1024;

    public CertificationRequest {
        organizationalUnits = List.copyOf(organizationalUnits);
        mailAddresses = List.copyOf(mailAddresses);
    }

    /** Reads a PEM or DER request; refusals say what is wrong with it. */
    public static CertificationRequest parse(byte[] file) {
        if (file.length > MAX_SIZE) {
            throw new IllegalArgumentException("the CSR is " + file.length + " bytes: at most " + MAX_SIZE + " are accepted (a request for one key"
                    + " is a few KB)");
        }
        PKCS10CertificationRequest request = read(file);
        JcaPKCS10CertificationRequest jca = new JcaPKCS10CertificationRequest(request);
        PublicKey key;
        try {
            key = jca.getPublicKey();
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("the CSR's key cannot be read: " + e.getMessage(), e);
        }
        boolean signedByItsKey;
        try {
            signedByItsKey = request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key));
        } catch (OperatorCreationException | PKCSException | RuntimeException e) {
            throw new IllegalArgumentException("the CSR's signature cannot be checked (" + request.getSignatureAlgorithm().getAlgorithm().getId()
                    + "): " + e.getMessage(), e);
        }
        if (!signedByItsKey) {
            throw new IllegalArgumentException("the CSR's signature does not verify with the key it carries: it was changed after it was signed,"
                    + " or signed with another key (no proof that the sender holds the private key)");
        }
        X500Name subject = request.getSubject();
        List<String> commonNames = values(subject, BCStyle.CN);
        if (commonNames.size() > 1) {
            throw new IllegalArgumentException("the CSR's subject has " + commonNames.size() + " CNs: give one");
        }
        List<String> mails = sanMailAddresses(request);
        return new CertificationRequest(key, commonNames.isEmpty() ? null : commonNames.get(0), values(subject, BCStyle.OU),
                mails.isEmpty() ? values(subject, BCStyle.EmailAddress) : mails);
    }

    private static PKCS10CertificationRequest read(byte[] file) {
        String text = new String(file, StandardCharsets.US_ASCII).strip();
        if (text.startsWith("-----BEGIN ")) {
            Object object;
            try (PEMParser parser = new PEMParser(new StringReader(text))) {
                object = parser.readObject();
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("not a CSR: the PEM cannot be read: " + e.getMessage(), e);
            }
            if (!(object instanceof PKCS10CertificationRequest request)) {
                throw new IllegalArgumentException("not a CSR: the PEM holds " + text.substring("-----BEGIN ".length(), Math.max(text.indexOf("-----", 11),
                        "-----BEGIN ".length())) + ", not a CERTIFICATE REQUEST");
            }
            return request;
        }
        try {
            return new PKCS10CertificationRequest(file);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a CSR: expected a PKCS#10 certificate request in PEM ('-----BEGIN CERTIFICATE REQUEST-----') or DER");
        }
    }

    /** The values of one attribute type in a subject; a malformed value (an empty RDN, a value not a string) is refused. */
    private static List<String> values(X500Name name, ASN1ObjectIdentifier type) {
        List<String> values = new ArrayList<>();
        for (RDN rdn : name.getRDNs(type)) {
            if (rdn.isMultiValued() || rdn.getFirst() == null || !(rdn.getFirst().getValue() instanceof ASN1String value)) {
                throw new IllegalArgumentException("the CSR's subject has a " + BCStyle.INSTANCE.oidToDisplayName(type) + " that is not a single string");
            }
            values.add(value.getString());
        }
        return values;
    }

    private static List<String> sanMailAddresses(PKCS10CertificationRequest request) {
        List<String> mails = new ArrayList<>();
        try {
            for (Attribute attribute : request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
                for (ASN1Encodable value : attribute.getAttrValues()) {
                    GeneralNames names = GeneralNames.fromExtensions(Extensions.getInstance(value), Extension.subjectAlternativeName);
                    if (names == null) {
                        continue;
                    }
                    for (GeneralName name : names.getNames()) {
                        if (name.getTagNo() == GeneralName.rfc822Name && name.getName() instanceof ASN1String mail) {
                            mails.add(mail.getString());
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the CSR's extension request cannot be read: " + e.getMessage(), e);
        }
        return mails;
    }
}
