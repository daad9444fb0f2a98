package org.certdir.ops.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.certdir.ops.CliFailure;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code certdir revoke | hold | release | status}: a certificate's status, changed or shown through the admin API. */
final class StatusCommands {

    private StatusCommands() {
    }

    static void print(PrintWriter out, JsonObject certificate) {
        out.printf("%s/%s  %s%n", certificate.getString("ca"), certificate.getString("serial"), certificate.getString("status"));
        out.printf("  subject     %s%n", certificate.getString("subject"));
        out.printf("  mail        %s%n", String.join(", ", certificate.getJsonArray("mail").stream().map(String::valueOf).toList()));
        out.printf("  usage       %s%n", certificate.getString("usage"));
        out.printf("  valid       %s .. %s%n", certificate.getString("notBefore"), certificate.getString("notAfter"));
        if (certificate.containsKey("revokedAt")) {
            out.printf("  revoked at  %s (%s)%n", certificate.getString("revokedAt"), certificate.getString("reason"));
        }
        if (certificate.containsKey("invalidityDate")) {
            out.printf("  invalid since %s%n", certificate.getString("invalidityDate"));
        }
        out.printf("  sha256      %s%n", certificate.getString("sha256"));
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Revoke a certificate. Acknowledged once the registry committed it; the directory, CRLs and OCSP follow.",
                    "Revoking a revoked certificate again is refused, except to raise its reason to keyCompromise."})
    static final class Revoke implements Callable<Integer> {

        @ParentCommand
        CertdirCommand parent;

        @Mixin
        AdminConnection admin;

        @Mixin
        CertificateTarget target;

        @Option(names = "--reason", required = true, paramLabel = "R",
                description = "unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn or aACompromise.")
        String reason;

        @Option(names = "--invalidity-date", paramLabel = "DATE", description = "When the key is known or suspected to have been compromised (2026-11-20 or 2026-11-20T08:30:00Z).")
        String invalidityDate;

        @Override
        public Integer call() {
            JsonObject body = new JsonObject().put("reason", reason);
            if (invalidityDate != null) {
                body.put("invalidityDate", invalidityDate);
            }
            print(parent.out, admin.client().post(target.path("revoke"), body));
            return 0;
        }
    }

    @Command(name = "hold", mixinStandardHelpOptions = true,
            description = "Put a certificate on hold (revoked with reason certificateHold until released).")
    static final class Hold implements Callable<Integer> {

        @ParentCommand
        CertdirCommand parent;

        @Mixin
        AdminConnection admin;

        @Mixin
        CertificateTarget target;

        @Override
        public Integer call() {
            print(parent.out, admin.client().post(target.path("hold"), new JsonObject()));
            return 0;
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true,
            description = "Release a held certificate: valid again, listed as removeFromCRL in the next delta CRL.")
    static final class Release implements Callable<Integer> {

        @ParentCommand
        CertdirCommand parent;

        @Mixin
        AdminConnection admin;

        @Mixin
        CertificateTarget target;

        @Override
        public Integer call() {
            print(parent.out, admin.client().post(target.path("release"), new JsonObject()));
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show a certificate's status, by CA and serial or by the certificate file itself.")
    static final class Status implements Callable<Integer> {

        @ParentCommand
        CertdirCommand parent;

        @Mixin
        AdminConnection admin;

        static final class Which {
            @ArgGroup(exclusive = false)
            BySerial bySerial;

            @Option(names = "--cert", paramLabel = "FILE", description = "The certificate (PEM or DER).")
            Path certificate;
        }

        static final class BySerial {
            @Option(names = "--ca", required = true, paramLabel = "NAME", description = "The issuing CA's short name.")
            String ca;

            @Option(names = "--serial", required = true, paramLabel = "HEX", description = "The serial number in hex.")
            String serial;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Which which;

        @Override
        public Integer call() {
            JsonObject certificate;
            if (which.certificate != null) {
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(which.certificate);
                } catch (IOException e) {
                    throw new CliFailure("cannot read " + which.certificate + ": " + e.getMessage());
                }
                certificate = admin.client().post("/admin/certificates/lookup", bytes);
            } else {
                certificate = admin.client().get("/admin/certificates/" + AdminClient.segment(which.bySerial.ca) + "/"
                        + AdminClient.segment(which.bySerial.serial));
            }
            print(parent.out, certificate);
            return 0;
        }
    }
}
