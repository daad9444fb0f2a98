package org.certdir.ops.cli;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.certdir.ops.CliFailure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code certdir ocsp signer request | install}: the delegated OCSP signer of a CA certdir does not hold. */
@Command(name = "ocsp", mixinStandardHelpOptions = true, description = "OCSP for a CA certdir does not hold: its delegated signer.",
        subcommands = {OcspCommand.Signer.class})
final class OcspCommand implements Runnable {

    @ParentCommand
    CertdirCommand parent;

    @Override
    public void run() {
        parent.out.println("certdir ocsp: give a subcommand: signer");
    }

    @Command(name = "signer", mixinStandardHelpOptions = true,
            description = "The delegated OCSP signer of a CA certdir does not hold: certdir makes the key and a CSR (request), the CA issues the "
                    + "certificate, certdir takes it (install) and answers OCSP for the CA from its mirrored CRLs.",
            subcommands = {Signer.Request.class, Signer.Install.class})
    static final class Signer implements Runnable {

        @ParentCommand
        OcspCommand parent;

        @Override
        public void run() {
            parent.parent.out.println("certdir ocsp signer: give a subcommand: request or install");
        }

        @Command(name = "request", mixinStandardHelpOptions = true,
                description = "Make the signer's key and write a CSR (id-kp-OCSPSigning, asking for id-pkix-ocsp-nocheck) for the CA to sign.")
        static final class Request implements Callable<Integer> {

            @ParentCommand
            Signer parent;

            @Mixin
            AdminConnection admin;

            @Option(names = "--ca", required = true, paramLabel = "NAME", description = "The CA ('certdir ca list'), one certdir does not hold.")
            String ca;

            @Option(names = "--out", paramLabel = "FILE", description = "Where the CSR goes (PEM). Default: <ca>-ocsp.csr here.")
            Path out;

            @Override
            public Integer call() {
                Path file = out != null ? out : Path.of(ca + "-ocsp.csr");
                JsonObject answer = admin.client().post("/admin/ocsp/signer/" + AdminClient.segment(ca) + "/request");
                try {
                    Files.writeString(file, answer.getString("csr"));
                } catch (java.io.IOException e) {
                    throw new CliFailure("cannot write " + file + ": " + e.getClass().getSimpleName() + " " + e.getMessage());
                }
                var print = parent.parent.parent.out;
                print.printf("made the OCSP signer key of CA %s; its CSR is in %s%n", ca, file);
                print.printf("  next  have the CA issue it (extendedKeyUsage OCSPSigning, id-pkix-ocsp-nocheck), then:"
                        + " certdir ocsp signer install --ca %s --cert ISSUED.pem%n", ca);
                return 0;
            }
        }

        @Command(name = "install", mixinStandardHelpOptions = true,
                description = "Take the signer certificate the CA issued: it must be the CA's, carry id-kp-OCSPSigning and match the pending key.")
        static final class Install implements Callable<Integer> {

            @ParentCommand
            Signer parent;

            @Mixin
            AdminConnection admin;

            @Option(names = "--ca", required = true, paramLabel = "NAME", description = "The CA ('certdir ca list').")
            String ca;

            @Option(names = "--cert", required = true, paramLabel = "FILE", description = "The certificate the CA issued (PEM or DER).")
            Path cert;

            @Override
            public Integer call() {
                byte[] certificate;
                try {
                    certificate = Files.readAllBytes(cert);
                } catch (java.io.IOException e) {
                    throw new CliFailure("cannot read " + cert + ": " + e.getClass().getSimpleName() + " " + e.getMessage());
                }
                JsonObject answer = admin.client().post("/admin/ocsp/signer/" + AdminClient.segment(ca) + "/install", certificate);
                var print = parent.parent.parent.out;
                print.printf("installed the OCSP signer of CA %s: %s, serial %s, valid until %s%n", ca, answer.getString("subject"),
                        answer.getString("serial"), answer.getString("notAfter"));
                for (Object warning : answer.getJsonArray("warnings")) {
                    print.printf("  warning  %s%n", warning);
                }
                return 0;
            }
        }
    }
}
