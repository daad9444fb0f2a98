package org.certdir.ops.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.certdir.registry.AuditRecord;
import org.certdir.registry.CaRecord;
import org.certdir.registry.CertificateDetails;
import org.certdir.registry.CertificateRecord;
import org.certdir.registry.StatusChange;

/** The JSON shapes of the admin API: what the README documents and the CLI reads. */
final class CertificateJson {

    private CertificateJson() {
    }

    static JsonObject certificate(CertificateRecord record) {
        CertificateDetails details = record.details();
        JsonObject json = new JsonObject()
                .put("ca", record.ca().value())
                .put("serial", details.serial().hex())
                .put("subject", details.subject())
                .put("issuer", details.issuer())
                .put("mail", new JsonArray(details.mailAddresses()))
                .put("usage", details.usage().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                .put("notBefore", details.notBefore().toString())
                .put("notAfter", details.notAfter().toString())
                .put("status", record.status().dbName())
                .put("sha256", details.sha256());
        if (record.revokedAt() != null) {
            json.put("revokedAt", record.revokedAt().toString());
        }
        if (record.reason() != null) {
            json.put("reason", record.reason().rfcName());
        }
        if (record.invalidityDate() != null) {
            json.put("invalidityDate", record.invalidityDate().toString());
        }
        return json;
    }

    static JsonObject ca(CaRecord ca) {
        return new JsonObject()
                .put("name", ca.name().value())
                .put("subject", ca.certificate().subject())
                .put("issuer", ca.certificate().issuer())
                .put("managed", ca.managed())
                .put("notAfter", ca.certificate().notAfter().toString())
                .put("sha256", ca.certificate().sha256());
    }

    /** A CA's own certificate in the shape of {@link #certificate}, usage {@code ca}, listed under the CA's own name. */
    static JsonObject caCertificate(CaRecord ca) {
        CertificateDetails details = ca.certificate();
        return new JsonObject()
                .put("ca", ca.name().value())
                .put("serial", details.serial().hex())
                .put("subject", details.subject())
                .put("issuer", details.issuer())
                .put("mail", new JsonArray(details.mailAddresses()))
                .put("usage", "ca")
                .put("notBefore", details.notBefore().toString())
                .put("notAfter", details.notAfter().toString())
                .put("status", "valid")
                .put("sha256", details.sha256());
    }

    static JsonObject audit(AuditRecord record) {
        return new JsonObject()
                .put("id", record.id())
                .put("at", record.at().toString())
                .put("actor", record.actor())
                .put("action", record.action())
                .put("target", record.target())
                .put("detail", record.detail())
                .put("address", record.address());
    }

    static JsonObject change(StatusChange change) {
        JsonObject json = new JsonObject()
                .put("revision", change.revision())
                .put("ca", change.ca().value())
                .put("serial", change.serial().hex())
                .put("status", change.status().dbName())
                .put("changedAt", change.changedAt().toString());
        if (change.reason() != null) {
            json.put("reason", change.reason().rfcName());
        }
        if (change.revokedAt() != null) {
            json.put("revokedAt", change.revokedAt().toString());
        }
        if (change.invalidityDate() != null) {
            json.put("invalidityDate", change.invalidityDate().toString());
        }
        return json;
    }
}
