package org.certdir.ops.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.certdir.ops.CliFailure;

/**
 * {@code certdir cert issue --csr FILE --profile NAME}: a certificate of a profile for a key the user made, sent as a
 * PKCS#10 request (the private key never leaves them); the certificate is written to {@code out} as PEM.
 */
record CsrIssue(Path csr, String profile, String ca, List<String> mails, String name, Integer validityDays, Path out) {

    /** The CSR's file name without its extension, then {@code -cert.pem}: erin.csr gives erin-cert.pem. */
    Path target() {
        if (out != null) {
            return out;
        }
        String file = csr.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return csr.resolveSibling((dot > 0 ? file.substring(0, dot) : file) + "-cert.pem");
    }

    int run(AdminConnection admin, PrintWriter print) {
        Path target = target();
        NewFile.require(target, "--out");
        byte[] file;
        try {
            file = Files.readAllBytes(csr);
        } catch (IOException e) {
            throw new CliFailure("cannot read the CSR " + csr + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        JsonObject request = new JsonObject().put("csr", Base64.getEncoder().encodeToString(file));
        if (profile != null) {
            request.put("profile", profile);
        }
        if (ca != null) {
            request.put("ca", ca);
        }
        if (!mails.isEmpty()) {
            request.put("mail", new JsonArray(mails));
        }
        if (name != null) {
            request.put("name", name);
        }
        if (validityDays != null) {
            request.put("validityDays", validityDays);
        }
        JsonObject issued = admin.client().post("/admin/certificates/issue-csr", request);
        JsonObject certificate = issued.getJsonObject("certificate");
        try {
            Files.writeString(target, issued.getString("pem"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new CliFailure("the certificate was issued but " + target + " cannot be written (" + e.getMessage() + "): revoke serial "
                    + certificate.getString("serial") + " and issue again");
        }
        String usage = certificate.getString("usage");
        print.printf("issued for %s by CA %s, profile %s:%n", String.join(", ", certificate.getJsonArray("mail").stream().map(String::valueOf).toList()),
                certificate.getString("ca"), issued.getString("profile"));
        print.printf("  serial      %s%n", certificate.getString("serial"));
        print.printf("  subject     %s%n", certificate.getString("subject"));
        print.printf("  usage       %s%n", usage + (usage.startsWith("encryption") ? " (published in the directory)" : ""));
        print.printf("  not after   %s%n", certificate.getString("notAfter"));
        print.printf("  certificate %s%n", target);
        return 0;
    }
}
