package org.certdir.ops.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.Callable;
import org.certdir.ops.CliFailure;
import org.certdir.ops.datadir.DataDirectory;
import org.certdir.registry.Serial;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code certdir cert renew}: a certificate renewed through the admin API, the result written to a file. */
@Command(name = "renew", mixinStandardHelpOptions = true,
        description = {"Renew a certificate: a new one from its CA's current certificate, with the old",
                "one's subject, mail addresses, key usage and extended key usage, a new serial,",
                "and the old one's length of validity (at most 1095 days, or --validity-days).",
                "Same key by default: the new certificate is written to --out (PEM). --new-key:",
                "a key of the old one's kind (or --key-algorithm) with the new certificate in a",
                "PKCS#12 (mode 0600). The old certificate stays valid until it expires, unless",
                "--revoke-old revokes it (superseded) in the same registry transaction.",
                "An expired certificate may be renewed. Refused: revoked and held certificates",
                "(issue a new one), CA certificates, OCSP signers, and the certificates of CAs",
                "certdir has no key for."})
final class CertRenewCommand implements Callable<Integer> {

    @ParentCommand
    CertCommand parent;

    @Mixin
    AdminConnection admin;

    @Mixin
    CertificateTarget target;

    @Option(names = "--new-key", description = "Generate a new key instead of certifying the old one again.")
    boolean newKey;

    @Option(names = "--key-algorithm", paramLabel = "ALG", description = "With --new-key: ec-p256, ec-p384, rsa-3072 or rsa-4096. Default: the old key's kind.")
    String keyAlgorithm;

    @Option(names = "--validity-days", paramLabel = "DAYS", description = "Validity in days (1-1095). Default: the old certificate's, at most 1095.")
    Integer validityDays;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the new certificate (PEM), or with --new-key the PKCS#12 "
            + "(mode 0600). Default: <old serial>-renewed.pem or .p12.")
    Path out;

    @Option(names = "--password-file", paramLabel = "FILE", description = "With --new-key: file holding the PKCS#12 password. Default: one is generated and printed.")
    Path passwordFile;

    @Option(names = "--revoke-old", description = "Revoke the old certificate (reason superseded) together with the renewal.")
    boolean revokeOld;

    @Override
    public Integer call() {
        // Checked here too, so that the line names the option the admin typed; the service refuses the same.
        if (!newKey && keyAlgorithm != null) {
            throw new CliFailure("--key-algorithm is for a new key: give --new-key too, or leave it out to keep the old key");
        }
        if (!newKey && passwordFile != null) {
            throw new CliFailure("--password-file protects the PKCS#12 of a new key: give --new-key too, or leave it out "
                    + "(a renewal for the same key writes only the certificate)");
        }
        Serial serial;
        try {
            serial = Serial.parseHex(target.serial);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(e.getMessage());
        }
        Path file = out != null ? out : Path.of(serial.hex() + "-renewed" + (newKey ? ".p12" : ".pem"));
        NewFile.require(file, "--out");
        JsonObject request = new JsonObject().put("ca", target.ca).put("serial", target.serial).put("newKey", newKey).put("revokeOld", revokeOld);
        if (keyAlgorithm != null) {
            request.put("keyAlgorithm", keyAlgorithm);
        }
        if (validityDays != null) {
            request.put("validityDays", validityDays);
        }
        if (passwordFile != null) {
            try {
                request.put("password", Files.readString(passwordFile, StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                throw new CliFailure("cannot read the password from " + passwordFile + ": " + e.getMessage());
            }
        }
        JsonObject renewal = admin.client().post("/admin/certificates/renew", request);
        JsonObject old = renewal.getJsonObject("old");
        JsonObject renewed = renewal.getJsonObject("renewed");
        try {
            if (newKey) {
                DataDirectory.writePrivate(file.toAbsolutePath(), Base64.getDecoder().decode(renewal.getString("pkcs12")));
            } else {
                DataDirectory.writePublic(file.toAbsolutePath(), renewal.getString("certificate").getBytes(StandardCharsets.US_ASCII));
            }
        } catch (IOException e) {
            throw new CliFailure("certificate " + old.getString("serial") + " was renewed as " + renewed.getString("serial") + " but " + file
                    + " cannot be written (" + e.getMessage() + ")" + (newKey ? ": revoke " + renewed.getString("serial") + " and renew again"
                    : ": 'certdir status --ca " + renewed.getString("ca") + " --serial " + renewed.getString("serial") + "' shows it"));
        }
        print(parent.parent.out, renewal, file);
        return 0;
    }

    private void print(PrintWriter print, JsonObject renewal, Path file) {
        JsonObject old = renewal.getJsonObject("old");
        JsonObject renewed = renewal.getJsonObject("renewed");
        boolean published = renewed.getString("usage").startsWith("encryption");
        print.printf("renewed certificate %s of CA %s:%n", old.getString("serial"), old.getString("ca"));
        print.printf("  new serial  %s%s%n", renewed.getString("serial"), published ? " (published)" : "");
        print.printf("  key         %s%n", newKey ? "new " + renewal.getString("keyAlgorithm") : "the same");
        print.printf("  subject     %s%n", renewed.getString("subject"));
        print.printf("  valid       %s .. %s (%d days)%n", renewed.getString("notBefore"), renewed.getString("notAfter"), renewal.getInteger("validityDays"));
        if (renewal.containsKey("note")) {
            print.printf("  note        %s%n", renewal.getString("note"));
        }
        String notAfter = old.getString("notAfter");
        print.printf("  old         %s%n", "revoked".equals(old.getString("status")) ? "revoked (" + old.getString("reason") + ")"
                : java.time.Instant.parse(notAfter).isAfter(java.time.Instant.now()) ? "valid until " + notAfter : "expired " + notAfter);
        print.printf("  %-11s %s%n", newKey ? "keys" : "certificate", file);
        if (renewal.containsKey("password")) {
            print.printf("  password    %s%n", renewal.getString("password"));
        }
    }
}
