package org.certdir.ops.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.certdir.ops.CliFailure;
import org.certdir.ops.datadir.DataDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code certdir ca renew NAME [--validity-days N | --csr FILE]}: a new certificate for the same key of a CA certdir holds. */
@Command(name = "renew", mixinStandardHelpOptions = true,
        description = {"Renew a CA certdir holds, keeping its key and subject: a root signs its new",
                "certificate itself, a CA under a CA certdir holds gets it from that CA. Under a",
                "root kept elsewhere, --csr writes the request for that root to sign, and",
                "'certdir ca install --cert FILE' takes the certificate it issues. What the CA",
                "issued before still verifies, its CRLs and OCSP go on unchanged; from now on",
                "issuance and AIA use the new certificate, and the directory holds both while",
                "the old one is valid."})
final class CaRenewCommand implements Callable<Integer> {

    @ParentCommand
    CaCommand parent;

    @Mixin
    AdminConnection admin;

    @Parameters(index = "0", paramLabel = "NAME", description = "The CA's short name ('certdir ca list').")
    String name;

    @Option(names = "--validity-days", paramLabel = "DAYS",
            description = "Validity in days. Default: 7300 for a root, 3650 otherwise, never past the parent's notAfter.")
    Integer validityDays;

    @Option(names = "--csr", paramLabel = "FILE", description = "Write a renewal CSR for the root kept elsewhere that issued the CA to FILE.")
    Path csr;

    @Override
    public Integer call() {
        if (csr != null) {
            NewFile.require(csr, "--csr");
        }
        JsonObject request = new JsonObject();
        if (validityDays != null) {
            request.put("validityDays", validityDays);
        }
        if (csr != null) {
            request.put("csr", true);
        }
        JsonObject answer = admin.client().post("/admin/cas/" + AdminClient.segment(name) + "/renew", request);
        var out = parent.parent.out;
        if (csr != null) {
            try {
                DataDirectory.writePublic(csr.toAbsolutePath(), answer.getString("csr").getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new CliFailure("cannot write " + csr + " (" + e.getMessage() + "): ask again with another --csr");
            }
            out.printf("wrote the renewal CSR of CA %s (same key and subject) to %s%n", name, csr);
            out.printf("  next        have that root sign it as a CA certificate, then: certdir ca install --cert ISSUED.pem%n");
            return 0;
        }
        JsonObject ca = answer.getJsonObject("ca");
        JsonObject previous = answer.getJsonObject("previous");
        out.printf("renewed CA %s (same key), issued by %s:%n", ca.getString("name"), ca.getString("issuer"));
        out.printf("  not after   %s%n", ca.getString("notAfter"));
        out.printf("  sha256      %s%n", ca.getString("sha256"));
        out.printf("  replaces    %s (valid until %s)%n", previous.getString("sha256"), previous.getString("notAfter"));
        return 0;
    }
}
