package org.certdir.ocsp;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.ASN1Boolean;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.BERTags;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.CertID;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.ocsp.CertificateID;

/**
 * An OCSP request decoded from a client's bytes with every field checked, or a {@link MalformedRequest} naming
 * what is wrong. Nothing of the client's bytes reaches a signed response unchecked: the CertIDs answered are
 * rebuilt from their validated parts, and the nonce is encoded again from its validated octets.
 *
 * <p>Rules, and why.
 * <ul>
 * <li>DER only, as RFC 6960 Appendix A.1 requires of the body and of the GET path: BER indefinite lengths,
 * long-form lengths that a short form could say, constructed strings and BOOLEANs other than 00/FF are refused
 * by a walk over the bytes, and Bouncy Castle refuses INTEGERs, OIDs and NULLs that are not minimal. (Two DER
 * rules are not checked, the order of SET OF and the unused bits of a BIT STRING: they occur only in the
 * requestor name and the signature, which are ignored. Encoding the request back to compare it, which would
 * check them, took a cached answer from 3.0 to 3.7 µs of CPU.) Nesting deeper than a request can be is refused
 * before Bouncy Castle, which parses recursively, sees the bytes.</li>
 * <li>Version v1 only; a {@code requestorName} and an {@code optionalSignature} are read and ignored (RFC 6960
 * §4.1.2 lets a responder not require signed requests).</li>
 * <li>Extensions (RFC 6960 §4.4): at most {@value #MAX_EXTENSIONS} in a list, each at most once (RFC 5280
 * §4.2). A non-critical one we do not know is ignored, as §4.4 says; a <em>critical</em> one we do not understand
 * may not be ignored (§4.4: "unless they have the critical flag set and are not understood"; RFC 5280 §4.2 rejects
 * such a certificate the same way), and as RFC 6960 has no status for it, it is {@code malformedRequest}. The only
 * request extension understood is the nonce; no single-request extension is.</li>
 * <li>The nonce (RFC 9654 §2.1) is a DER OCTET STRING of 1 to {@value OcspResponder#MAX_NONCE} octets.</li>
 * <li>A CertID's hash algorithm has no parameters or NULL ones (RFC 5754 §2: absent for SHA-2, though NULL must be
 * accepted; SHA-1 is sent with NULL by OpenSSL); the response carries the same choice, the parameters never the
 * client's bytes. Its two hashes are as long as the algorithm's digest (an algorithm we do not know: 1 to 64
 * octets; such a CertID names no CA we serve and is answered {@code unauthorized}).</li>
 * <li>A serial number is a DER INTEGER of at most {@value #MAX_SERIAL_OCTETS} octets: RFC 5280 §4.1.2.2 lets
 * no CA use more than 20 octets, plus one for the sign. A longer one cannot be a certificate's serial, so it is
 * refused as malformed rather than answered {@code unknown}: that answer would cost a signature and echo up to
 * 64 KiB of a stranger's bytes under our key. Zero and negative serials (also impossible for our CAs, but
 * issued by careless CAs elsewhere) are answered {@code unknown}.</li>
 * </ul>
 */
record ClientRequest(List<CertificateID> certIds, byte[] nonce) {

    /** Deeper than any OCSP request, a signed one carrying certificates included. */
    static final int MAX_DEPTH = 32;
    static final int MAX_EXTENSIONS = 8;
    static final int MAX_SERIAL_OCTETS = 21;
    /** Longest digest of a hash algorithm we do not know, for the length check of its CertID hashes. */
    private static final int MAX_UNKNOWN_DIGEST = 64;

    /** The DER of the CertIDs answered, in order: the key under which a response without a nonce is cached. */
    byte[] certIdsDer() {
        try {
            byte[][] parts = new byte[certIds.size()][];
            int length = 0;
            for (int i = 0; i < parts.length; i++) {
                parts[i] = certIds.get(i).toASN1Primitive().getEncoded(ASN1Encoding.DER);
                length += parts[i].length;
            }
            byte[] all = new byte[length];
            int at = 0;
            for (byte[] part : parts) {
                System.arraycopy(part, 0, all, at, part.length);
                at += part.length;
            }
            return all;
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode CertIDs built here", e);
        }
    }

    /** The nonce extension's value as it goes into the response: the DER of the validated OCTET STRING. */
    byte[] nonceExtensionValue() {
        try {
            return new DEROctetString(nonce).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a nonce", e);
        }
    }

    static ClientRequest decode(byte[] der) throws MalformedRequest {
        if (der.length == 0) {
            throw new MalformedRequest("the request is empty");
        }
        int end = checkDer(der, 0, 1);
        if (end != der.length) {
            throw new MalformedRequest((der.length - end) + " bytes follow the OCSPRequest");
        }
        ASN1Primitive parsed;
        try {
            parsed = ASN1Primitive.fromByteArray(der);
        } catch (IOException | RuntimeException e) {
            throw new MalformedRequest("not ASN.1: " + e.getMessage());
        }
        try {
            return request(parsed);
        } catch (IllegalArgumentException | IllegalStateException | ClassCastException e) {
            // Bouncy Castle's getInstance on a part of the wrong type: still the client's bytes.
            throw new MalformedRequest("not an OCSPRequest: " + e.getMessage());
        }
    }

    /**
     * Walks the TLVs from {@code at}: definite, minimal lengths within the input, low tag numbers, nesting at most
     * {@link #MAX_DEPTH}. Returns where the TLV ends. Iterates over siblings; recursion only into children, so the
     * stack is bounded by the depth check.
     */
    private static int checkDer(byte[] der, int at, int depth) throws MalformedRequest {
        if (depth > MAX_DEPTH) {
            throw new MalformedRequest("nested deeper than " + MAX_DEPTH + " levels");
        }
        if (at + 2 > der.length) {
            throw new MalformedRequest("truncated at byte " + at);
        }
        int tag = der[at] & 0xff;
        if ((tag & 0x1f) == 0x1f) {
            throw new MalformedRequest("high tag number at byte " + at + ": no OCSP request field has one");
        }
        int first = der[at + 1] & 0xff;
        int contentStart = at + 2;
        long length;
        if (first < 0x80) {
            length = first;
        } else if (first == 0x80) {
            throw new MalformedRequest("indefinite length at byte " + at + " (BER, not DER: RFC 6960 Appendix A.1)");
        } else {
            int octets = first & 0x7f;
            if (octets > 3 || contentStart + octets > der.length) {
                throw new MalformedRequest("length of " + octets + " octets at byte " + at);
            }
            length = 0;
            for (int i = 0; i < octets; i++) {
                length = (length << 8) | (der[contentStart + i] & 0xff);
            }
            if (length < 0x80 || (der[contentStart] & 0xff) == 0) {
                throw new MalformedRequest("length at byte " + at + " not in its shortest form (not DER)");
            }
            contentStart += octets;
        }
        long end = contentStart + length;
        if (end > der.length) {
            throw new MalformedRequest("length " + length + " at byte " + at + " runs past the end of the request");
        }
        if ((tag & 0xc0) == 0 && (tag & 0x20) != 0 && tag != 0x30 && tag != 0x31) {
            throw new MalformedRequest("constructed string at byte " + at + " (BER, not DER)");
        }
        if (tag == 0x01 && (length != 1 || (der[contentStart] != 0 && der[contentStart] != (byte) 0xff))) {
            throw new MalformedRequest("BOOLEAN at byte " + at + " is neither 00 nor FF (not DER)");
        }
        if ((tag & 0x20) != 0) {
            int child = contentStart;
            while (child < end) {
                child = checkDer(der, child, depth + 1);
            }
            if (child != end) {
                throw new MalformedRequest("contents at byte " + at + " overrun their length");
            }
        }
        return (int) end;
    }

    private static ClientRequest request(ASN1Primitive parsed) throws MalformedRequest {
        ASN1Sequence request = sequence(parsed, "OCSPRequest", 1, 2);
        if (request.size() == 2) {
            explicit(request.getObjectAt(1), 0, "optionalSignature");
        }
        ASN1Sequence tbs = sequence(request.getObjectAt(0), "tbsRequest", 1, 4);
        int next = 0;
        ASN1Encodable element = tbs.getObjectAt(next);
        if (element instanceof ASN1TaggedObject tagged && tagged.getTagNo() == 0) {
            ASN1Primitive version = explicit(element, 0, "version");
            if (!(version instanceof ASN1Integer number) || number.getValue().signum() != 0) {
                throw new MalformedRequest("version " + version + " is not v1 (0), the only one RFC 6960 defines");
            }
            element = next(tbs, ++next);
        }
        if (element instanceof ASN1TaggedObject tagged && tagged.getTagNo() == 1) {
            GeneralName.getInstance(explicit(element, 1, "requestorName"));
            element = next(tbs, ++next);
        }
        ASN1Sequence list = sequence(element, "requestList", 1, OcspResponder.MAX_CERT_IDS);
        byte[] nonce = null;
        if (++next < tbs.size()) {
            ASN1Sequence extensions = extensions(explicit(tbs.getObjectAt(next), 2, "requestExtensions"));
            for (int i = 0; i < extensions.size(); i++) {
                ASN1Sequence extension = (ASN1Sequence) extensions.getObjectAt(i);
                ASN1ObjectIdentifier type = (ASN1ObjectIdentifier) extension.getObjectAt(0);
                if (type.equals(OCSPObjectIdentifiers.id_pkix_ocsp_nonce)) {
                    nonce = nonce(value(extension));
                } else if (critical(extension)) {
                    throw new MalformedRequest("critical request extension " + type + " is not understood (RFC 6960 §4.4)");
                }
            }
            if (++next < tbs.size()) {
                throw new MalformedRequest("tbsRequest has " + tbs.size() + " fields; after requestExtensions there is nothing");
            }
        }
        List<CertificateID> ids = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            ASN1Sequence one = sequence(list.getObjectAt(i), "Request " + (i + 1), 1, 2);
            if (one.size() == 2) {
                ASN1Sequence extensions = extensions(explicit(one.getObjectAt(1), 0, "singleRequestExtensions"));
                for (int e = 0; e < extensions.size(); e++) {
                    ASN1Sequence extension = (ASN1Sequence) extensions.getObjectAt(e);
                    if (critical(extension)) {
                        throw new MalformedRequest("critical single request extension " + extension.getObjectAt(0) + " is not understood (RFC 6960 §4.4)");
                    }
                }
            }
            ids.add(certId(sequence(one.getObjectAt(0), "CertID", 4, 4)));
        }
        return new ClientRequest(List.copyOf(ids), nonce);
    }

    private static ASN1Encodable next(ASN1Sequence tbs, int index) throws MalformedRequest {
        if (index >= tbs.size()) {
            throw new MalformedRequest("tbsRequest has no requestList");
        }
        return tbs.getObjectAt(index);
    }

    private static CertificateID certId(ASN1Sequence certId) throws MalformedRequest {
        ASN1Sequence algorithm = sequence(certId.getObjectAt(0), "CertID hashAlgorithm", 1, 2);
        if (!(algorithm.getObjectAt(0) instanceof ASN1ObjectIdentifier oid)) {
            throw new MalformedRequest("CertID hashAlgorithm does not start with an OBJECT IDENTIFIER");
        }
        boolean nullParameters = algorithm.size() == 2;
        if (nullParameters && !(algorithm.getObjectAt(1) instanceof ASN1Null)) {
            throw new MalformedRequest("CertID hashAlgorithm " + oid + " has parameters; only none or NULL are accepted");
        }
        String digest = IssuerHashes.ALGORITHMS.get(oid);
        int digestLength = digest == null ? -1 : digestLength(digest);
        byte[] nameHash = hash(certId.getObjectAt(1), "issuerNameHash", digestLength);
        byte[] keyHash = hash(certId.getObjectAt(2), "issuerKeyHash", digestLength);
        if (!(certId.getObjectAt(3) instanceof ASN1Integer serial)) {
            throw new MalformedRequest("CertID serialNumber is not an INTEGER");
        }
        BigInteger value = serial.getValue();
        if (value.toByteArray().length > MAX_SERIAL_OCTETS) {
            throw new MalformedRequest("serial number of " + value.toByteArray().length + " octets: RFC 5280 §4.1.2.2 allows 20");
        }
        AlgorithmIdentifier hashAlgorithm = nullParameters ? new AlgorithmIdentifier(oid, DERNull.INSTANCE) : new AlgorithmIdentifier(oid);
        return new CertificateID(new CertID(hashAlgorithm, new DEROctetString(nameHash), new DEROctetString(keyHash), new ASN1Integer(value)));
    }

    private static int digestLength(String algorithm) {
        return switch (algorithm) {
            case "SHA-1" -> 20;
            case "SHA-256" -> 32;
            case "SHA-384" -> 48;
            case "SHA-512" -> 64;
            default -> throw new IllegalStateException("no digest length for " + algorithm);
        };
    }

    private static byte[] hash(ASN1Encodable element, String what, int digestLength) throws MalformedRequest {
        if (!(element instanceof ASN1OctetString octets)) {
            throw new MalformedRequest("CertID " + what + " is not an OCTET STRING");
        }
        byte[] hash = octets.getOctets();
        if (digestLength > 0 ? hash.length != digestLength : hash.length < 1 || hash.length > MAX_UNKNOWN_DIGEST) {
            throw new MalformedRequest("CertID " + what + " of " + hash.length + " octets"
                    + (digestLength > 0 ? ", the algorithm gives " + digestLength : ", expected 1 to " + MAX_UNKNOWN_DIGEST));
        }
        return hash;
    }

    /** Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension, each type at most once (RFC 5280 §4.2). */
    private static ASN1Sequence extensions(ASN1Primitive element) throws MalformedRequest {
        ASN1Sequence extensions = sequence(element, "Extensions", 1, MAX_EXTENSIONS);
        List<ASN1ObjectIdentifier> seen = new ArrayList<>();
        for (int i = 0; i < extensions.size(); i++) {
            ASN1Sequence extension = sequence(extensions.getObjectAt(i), "Extension", 2, 3);
            if (!(extension.getObjectAt(0) instanceof ASN1ObjectIdentifier type)) {
                throw new MalformedRequest("Extension does not start with an OBJECT IDENTIFIER");
            }
            if (seen.contains(type)) {
                throw new MalformedRequest("extension " + type + " appears twice (RFC 5280 §4.2)");
            }
            seen.add(type);
            if (extension.size() == 3 && !(extension.getObjectAt(1) instanceof ASN1Boolean)) {
                throw new MalformedRequest("extension " + type + ": critical is not a BOOLEAN");
            }
            value(extension);
        }
        return extensions;
    }

    private static boolean critical(ASN1Sequence extension) {
        return extension.size() == 3 && ((ASN1Boolean) extension.getObjectAt(1)).isTrue();
    }

    private static byte[] value(ASN1Sequence extension) throws MalformedRequest {
        if (!(extension.getObjectAt(extension.size() - 1) instanceof ASN1OctetString value)) {
            throw new MalformedRequest("extension " + extension.getObjectAt(0) + ": extnValue is not an OCTET STRING");
        }
        return value.getOctets();
    }

    /** RFC 9654 §2.1: extnValue holds the DER of an OCTET STRING of 1 to 128 octets. */
    private static byte[] nonce(byte[] extnValue) throws MalformedRequest {
        byte[] nonce;
        try {
            nonce = ASN1OctetString.getInstance(ASN1Primitive.fromByteArray(extnValue)).getOctets();
        } catch (IOException | RuntimeException e) {
            throw new MalformedRequest("the nonce is not an OCTET STRING (RFC 9654 §2.1)");
        }
        if (nonce.length < 1 || nonce.length > OcspResponder.MAX_NONCE) {
            throw new MalformedRequest("nonce of " + nonce.length + " octets; RFC 9654 §2.1 allows 1 to " + OcspResponder.MAX_NONCE);
        }
        if (!Arrays.equals(extnValue, encodedNonce(nonce))) {
            throw new MalformedRequest("the nonce's OCTET STRING is not DER");
        }
        return nonce;
    }

    private static byte[] encodedNonce(byte[] nonce) {
        try {
            return new DEROctetString(nonce).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a nonce", e);
        }
    }

    private static ASN1Sequence sequence(ASN1Encodable element, String what, int min, int max) throws MalformedRequest {
        if (!(element instanceof ASN1Sequence sequence)) {
            throw new MalformedRequest(what + " is not a SEQUENCE");
        }
        if (sequence.size() < min || sequence.size() > max) {
            throw new MalformedRequest(what + " has " + sequence.size() + " elements, expected " + (min == max ? min : min + " to " + max));
        }
        return sequence;
    }

    private static ASN1Primitive explicit(ASN1Encodable element, int tag, String what) throws MalformedRequest {
        if (!(element instanceof ASN1TaggedObject tagged) || tagged.getTagClass() != BERTags.CONTEXT_SPECIFIC
                || tagged.getTagNo() != tag || !tagged.isExplicit()) {
            throw new MalformedRequest(what + " is not [" + tag + "] EXPLICIT");
        }
        return tagged.getExplicitBaseObject().toASN1Primitive();
    }
}
