package org.certdir.ops.admin;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.ops.http.HttpListeners;
import org.certdir.ops.issuance.CertificateIssuer;
import org.certdir.ops.issuance.CertificateIssuer.SigningCa;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.certdir.ops.issuance.KeyFiles;
import org.certdir.registry.Actor;
import org.certdir.registry.CaName;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.CertificateRecord;
import org.certdir.registry.Registry;
import org.certdir.registry.Serial;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews a certificate of a CA certdir holds the key of: {@code POST /admin/certificates/renew} with
 * {@code {"ca", "serial", "newKey", "keyAlgorithm", "validityDays", "password", "revokeOld"}}.
 *
 * <p>Design notes. As AD CS and EJBCA renew, the successor takes everything from the certificate being renewed (subject,
 * subject alternative name, key usage, extended key usage and its other extensions) and comes from the CA's current
 * certificate, with a new serial and, unless given, the old one's length of validity, bounded as {@code cert issue} bounds
 * it. By default it certifies the same key, so the holder keeps decrypting old mail with one key and only the certificate
 * changes; with {@code newKey} the service generates a key of the old one's kind (or {@code keyAlgorithm}) and hands it back
 * in a PKCS#12, as {@code cert issue} does. The old certificate stays valid until it expires, so mail signed or encrypted
 * with it meanwhile still works, unless {@code revokeOld} revokes it as superseded in the same registry transaction that
 * records the successor ({@link Registry#renew}). Expired certificates may be renewed; revoked and held ones are not (a
 * revocation means the holder or the key is not to be trusted: that asks for a new issuance, with its checks), nor CA
 * certificates, nor the delegated OCSP signers certdir issues anew itself.
 */
final class CertificateRenewal {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateRenewal.class);
    /** As {@code cert issue}: end-entity certificates of at most three years. */
    static final int MAX_VALIDITY_DAYS = 3 * 365;
    private static final int MIN_PASSWORD = 8;
    private static final String OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";

    /** What the admin asked for; null fields take the defaults. */
    record Request(String ca, String serial, boolean newKey, String keyAlgorithm, Integer validityDays, String password, boolean revokeOld) {
    }

    /**
     * The renewal as recorded; {@code pkcs12} holds the new key (null when the key stays), {@code generatedPassword} is
     * null unless one was generated, {@code note} says why the validity is not the old one's (else null).
     */
    record Result(Registry.Renewal renewal, KeyAlgorithm newKey, byte[] pkcs12, String generatedPassword, int validityDays, String note) {
    }

    private final Registry registry;
    private final DataDirectory data;
    private final CertificateIssuer issuer;
    private final SecureRandom random = new SecureRandom();

    CertificateRenewal(Registry registry, DataDirectory data, CertificateIssuer issuer) {
        this.registry = registry;
        this.data = data;
        this.issuer = issuer;
    }

    /** On the admin router, whose requests come with their body read ({@link AdminApi#register}). */
    void register(Router admin) {
        admin.post("/admin/certificates/renew").blockingHandler(this::renew);
    }

    private void renew(RoutingContext context) {
        JsonObject body = AdminApi.jsonBody(context);
        Request request = new Request(AdminApi.string(body, "ca"), AdminApi.string(body, "serial"), flag(body, "newKey"),
                AdminApi.string(body, "keyAlgorithm"), AdminApi.integer(body, "validityDays"), AdminApi.string(body, "password"), flag(body, "revokeOld"));
        Actor actor = AdminApi.actor(context);
        Result result = renew(request, actor);
        CertificateRecord old = result.renewal().old();
        CertificateRecord renewed = result.renewal().renewed();
        LOG.info("AUDIT {} renewed certificate {} of CA {} as {} ({}){}", actor.name(), old.details().serial(), old.ca(), renewed.details().serial(),
                result.newKey() == null ? "same key" : "new key " + result.newKey().configName(), request.revokeOld() ? ", the old one revoked (superseded)" : "");
        JsonObject json = new JsonObject()
                .put("old", CertificateJson.certificate(old))
                .put("renewed", CertificateJson.certificate(renewed))
                .put("validityDays", result.validityDays())
                .put("certificate", KeyFiles.pem(List.of(renewed.details().certificate())));
        if (result.newKey() != null) {
            json.put("keyAlgorithm", result.newKey().configName()).put("pkcs12", Base64.getEncoder().encodeToString(result.pkcs12()));
        }
        if (result.generatedPassword() != null) {
            json.put("password", result.generatedPassword());
        }
        if (result.note() != null) {
            json.put("note", result.note());
        }
        HttpListeners.json(context, 201, json);
    }

    Result renew(Request request, Actor actor) {
        if (request.ca() == null) {
            throw new BadRequest("ca", "ca is missing: give the short name of the CA that issued the certificate ('certdir ca list' shows them)");
        }
        if (request.serial() == null) {
            throw new BadRequest("serial", "serial is missing: give the serial number of the certificate to renew, in hex");
        }
        CaName caName = AdminApi.caName(request.ca());
        Serial serial = AdminApi.serial(request.serial());
        if (!request.newKey() && request.keyAlgorithm() != null) {
            throw new BadRequest("keyAlgorithm", "keyAlgorithm is for a new key: give newKey too, or leave it out to keep the old key");
        }
        if (!request.newKey() && request.password() != null) {
            throw new BadRequest("password", "password protects the PKCS#12 of a new key: give newKey too, or leave it out "
                    + "(a renewal for the same key hands back only the certificate)");
        }
        if (request.password() != null && request.password().length() < MIN_PASSWORD) {
            throw new BadRequest("password", "password must have at least " + MIN_PASSWORD + " characters, or leave it out to have one generated");
        }
        if (request.validityDays() != null && (request.validityDays() < 1 || request.validityDays() > MAX_VALIDITY_DAYS)) {
            throw new BadRequest("validityDays", "validityDays must be between 1 and " + MAX_VALIDITY_DAYS + ", was " + request.validityDays());
        }
        CaRecord ca = registry.requireCa(caName);
        CertificateRecord old = registry.requireCertificate(caName, serial);
        refuseOtherThanEndEntity(ca, old);
        KeyAlgorithm algorithm = request.newKey() ? newKeyAlgorithm(request.keyAlgorithm(), old) : null;

        int days;
        String note = null;
        if (request.validityDays() != null) {
            days = request.validityDays();
        } else {
            long oldDays = Math.max(1, Duration.between(old.details().notBefore(), old.details().notAfter()).toDays());
            days = (int) Math.min(oldDays, MAX_VALIDITY_DAYS);
            if (oldDays > MAX_VALIDITY_DAYS) {
                note = "the old certificate was valid for " + oldDays + " days, more than the maximum of " + MAX_VALIDITY_DAYS
                        + ": the renewal is valid for " + MAX_VALIDITY_DAYS;
            }
        }
        // The key is made before the registry's lock is taken: an RSA key takes a while, a signature does not.
        KeyPair keys = algorithm == null ? null : algorithm.generate();
        KeyFiles.KeyEntry caKey = caKey(ca);
        SigningCa signing = new SigningCa(ca.name(), ca.certificate().certificate(), caKey.key());
        Duration validity = Duration.ofDays(days);
        Registry.Renewal renewal = registry.renew(caName, serial, current -> {
            PublicKey key = keys == null ? current.details().certificate().getPublicKey() : keys.getPublic();
            return details(issuer.renewal(signing, current.details().certificate(), key, validity));
        }, request.revokeOld(), actor);
        if (keys == null) {
            return new Result(renewal, null, null, null, days, note);
        }
        String password = request.password() != null ? request.password() : generatePassword();
        byte[] pkcs12;
        try {
            pkcs12 = KeyFiles.pkcs12(password.toCharArray(), List.of(new KeyFiles.KeyEntry(alias(renewal.renewed()), keys.getPrivate(),
                    chain(renewal.renewed().details().certificate(), ca, caKey))));
        } catch (IOException e) {
            throw new IllegalStateException("cannot build the PKCS#12 of the renewal " + renewal.renewed().details().serial() + ": " + e.getMessage(), e);
        }
        return new Result(renewal, algorithm, pkcs12, request.password() == null ? password : null, days, note);
    }

    /** CA certificates, OCSP signers and certificates of CAs certdir has no key for are not renewed here: each says why. */
    private static void refuseOtherThanEndEntity(CaRecord ca, CertificateRecord old) {
        String which = "certificate " + old.details().serial() + " of CA '" + ca.name() + "'";
        if (!ca.managed()) {
            throw new BadRequest("ca", "CA '" + ca.name() + "' is registered for publication only: certdir has no key to renew its certificates; "
                    + "the CA that holds the key renews them");
        }
        if (old.details().ca()) {
            throw new BadRequest("serial", which + " is a CA certificate: cert renew renews end-entity certificates only");
        }
        List<String> purposes;
        try {
            purposes = old.details().certificate().getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new BadRequest("serial", which + " has an extended key usage that cannot be read: " + e.getMessage());
        }
        if (purposes != null && purposes.contains(OCSP_SIGNING)) {
            throw new BadRequest("serial", which + " is an OCSP signer: certdir issues its delegated OCSP signers anew itself before they expire");
        }
    }

    private static KeyAlgorithm newKeyAlgorithm(String asked, CertificateRecord old) {
        if (asked != null) {
            try {
                return KeyAlgorithm.parse(asked);
            } catch (IllegalArgumentException e) {
                throw new BadRequest("keyAlgorithm", e.getMessage());
            }
        }
        PublicKey oldKey = old.details().certificate().getPublicKey();
        return KeyAlgorithm.of(oldKey).orElseThrow(() -> new BadRequest("keyAlgorithm", "the old key (" + org.certdir.ops.profile.KeyType.describe(oldKey)
                + ") is of a kind certdir does not generate: give keyAlgorithm, one of " + KeyAlgorithm.names()));
    }

    private KeyFiles.KeyEntry caKey(CaRecord ca) {
        try {
            return KeyFiles.readPkcs12(data.root().resolve(ca.keyFile()), DataDirectory.secret(data.keysPassphrase()).toCharArray());
        } catch (IOException e) {
            throw new IllegalStateException("the key of CA '" + ca.name() + "' cannot be read: " + e.getMessage(), e);
        }
    }

    /** The new certificate, the CA's current certificate, then the CA's chain above it as its key file holds it. */
    private static List<X509Certificate> chain(X509Certificate renewed, CaRecord ca, KeyFiles.KeyEntry caKey) {
        List<X509Certificate> chain = new ArrayList<>(List.of(renewed, ca.certificate().certificate()));
        if (caKey.chain().size() > 1) {
            chain.addAll(caKey.chain().subList(1, caKey.chain().size()));
        }
        return chain;
    }

    /** The PKCS#12 alias, by what the key is for, as {@code cert issue} names its two keys. */
    private static String alias(CertificateRecord renewed) {
        return switch (renewed.details().usage()) {
            case ENCRYPTION -> "encryption";
            case SIGNING -> "signing";
            case ENCRYPTION_AND_SIGNING, OTHER -> "key";
        };
    }

    private static CertificateDetails details(X509Certificate certificate) {
        try {
            return CertificateDetails.parse(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode a certificate just issued", e);
        }
    }

    private static boolean flag(JsonObject body, String field) {
        Object value = body.getValue(field);
        if (value != null && !(value instanceof Boolean)) {
            throw new BadRequest(field, field + " must be true or false");
        }
        return Boolean.TRUE.equals(value);
    }

    private String generatePassword() {
        byte[] bytes = new byte[15];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
