package org.certdir.ops.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import org.certdir.ops.CliFailure;
import org.certdir.ops.datadir.DataDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code certdir cert ...}: certificates in the registry. */
@Command(name = "cert", mixinStandardHelpOptions = true,
        description = "Import, issue, renew and list certificates.",
        subcommands = {ImportCommand.class, CertCommand.Issue.class, CertRenewCommand.class, CertCommand.ListCertificates.class})
final class CertCommand implements Runnable {

    @ParentCommand
    CertdirCommand parent;

    @Override
    public void run() {
        parent.out.println("certdir cert: give a subcommand: import, issue, renew or list ('certdir cert --help')");
    }

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = {"Issue an S/MIME pair for a mail address: an encryption and a separate signing certificate, recorded",
                    "and published (the encryption one), both keys in one PKCS#12 written to --out.",
                    "Or, with --csr, a certificate of --profile for the key of a CSR the user made (the key never leaves them),",
                    "written to --out as PEM ('certdir profile list' shows the profiles)."})
    static final class Issue implements Callable<Integer> {

        @ParentCommand
        CertCommand parent;

        @Mixin
        AdminConnection admin;

        @Option(names = "--mail", paramLabel = "ADDRESS", description = {"The mail address, e.g. dave@example.com. With --csr: the address(es)",
                "the certificate names (repeat it), instead of the CSR's."})
        List<String> mails = new ArrayList<>();

        @Option(names = "--name", paramLabel = "NAME", description = "The person's full name, e.g. \"Dave Example\" (with --csr: instead of the CSR's CN).")
        String name;

        @Option(names = "--csr", paramLabel = "FILE", description = "A PKCS#10 request (PEM or DER) for a key the user made.")
        Path csr;

        @Option(names = "--profile", paramLabel = "NAME", description = "With --csr: the profile of the certificate, e.g. smime-encryption.")
        String profile;

        @Option(names = "--ca", paramLabel = "NAME", description = "Issuing CA. Default: the only managed issuing CA.")
        String ca;

        @Option(names = "--out", paramLabel = "FILE", description = {"Where to write the PKCS#12 (mode 0600). Default: <mail>.p12.",
                "With --csr: the certificate (PEM). Default: the CSR's file name without its extension, then -cert.pem."})
        Path out;

        @Option(names = "--password-file", paramLabel = "FILE", description = "File holding the PKCS#12 password. Default: one is generated and printed.")
        Path passwordFile;

        @Option(names = "--key-algorithm", paramLabel = "ALG", description = "ec-p256 (default), ec-p384, rsa-3072 or rsa-4096.")
        String keyAlgorithm;

        @Option(names = "--validity-days", paramLabel = "DAYS", description = "Validity in days (default 730; with --csr, the profile's).")
        Integer validityDays;

        @Override
        public Integer call() {
            if (csr != null) {
                if (keyAlgorithm != null || passwordFile != null) {
                    throw new CliFailure("--key-algorithm and --password-file are for a new key pair: with --csr the key is the user's own");
                }
                return new CsrIssue(csr, profile, ca, mails, name, validityDays, out).run(admin, parent.parent.out);
            }
            if (profile != null) {
                throw new CliFailure("--profile goes with --csr: a new pair gets the profiles smime-encryption and smime-signing");
            }
            if (mails.size() != 1 || name == null) {
                throw new CliFailure("give --mail ADDRESS and --name NAME for a new key pair (one address), or --csr FILE --profile NAME for a key the"
                        + " user made");
            }
            String mail = mails.get(0);
            // A file name of the address's own characters: '/' and the like are legal in a local part (RFC 5322 atext).
            Path target = out != null ? out : Path.of(mail.replaceAll("[^A-Za-z0-9@._+-]", "_") + ".p12");
            NewFile.require(target, "--out");
            JsonObject request = new JsonObject().put("mail", mail).put("name", name);
            if (ca != null) {
                request.put("ca", ca);
            }
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
            JsonObject issued = admin.client().post("/admin/certificates/issue", request);
            try {
                DataDirectory.writePrivate(target.toAbsolutePath(), Base64.getDecoder().decode(issued.getString("pkcs12")));
            } catch (IOException e) {
                throw new CliFailure("the pair was issued but " + target + " cannot be written (" + e.getMessage()
                        + "): revoke serials " + issued.getJsonObject("encryption").getString("serial") + " and "
                        + issued.getJsonObject("signing").getString("serial") + " and issue again");
            }
            var print = parent.parent.out;
            print.printf("issued for %s by CA %s:%n", mail, issued.getJsonObject("encryption").getString("ca"));
            print.printf("  encryption  serial %s (published)%n", issued.getJsonObject("encryption").getString("serial"));
            print.printf("  signing     serial %s%n", issued.getJsonObject("signing").getString("serial"));
            print.printf("  keys        %s%n", target);
            if (issued.containsKey("password")) {
                print.printf("  password    %s%n", issued.getString("password"));
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = {"List certificates, newest first, by mail, status and CA;",
            "or with --expiring, the valid ones (and CA certificates) expiring soon, soonest first."})
    static final class ListCertificates implements Callable<Integer> {

        @ParentCommand
        CertCommand parent;

        @Mixin
        AdminConnection admin;

        @Option(names = "--mail", paramLabel = "ADDRESS", description = "Only certificates for this mail address.")
        String mail;

        @Option(names = "--status", paramLabel = "STATUS", description = "valid, revoked or on-hold.")
        String status;

        @Option(names = "--ca", paramLabel = "NAME", description = "Only certificates of this CA.")
        String ca;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N (1-1000, default ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--offset", paramLabel = "N", defaultValue = "0", description = "Skip the first N matches.")
        int offset;

        @Option(names = "--expiring", paramLabel = "DURATION", description = {"Only valid S/MIME certificates, and certificates of the",
                "CAs certdir holds, whose notAfter is within DURATION from now (12h, 30d, 2w), soonest first. Revoked, held",
                "and already expired ones are left out (--status valid lists those that expired), and so are OCSP signers."})
        String expiring;

        @Override
        public Integer call() {
            if (expiring != null) {
                return expiring();
            }
            JsonObject page = admin.client().get(AdminClient.query("/admin/certificates", "mail", mail, "status", status, "ca", ca,
                    "limit", Integer.toString(limit), "offset", Integer.toString(offset)));
            var print = parent.parent.out;
            JsonArray certificates = page.getJsonArray("certificates");
            print.printf("%-20s %-34s %-8s %-10s %-28s %s%n", "CA", "SERIAL", "STATUS", "USAGE", "MAIL", "NOT AFTER");
            for (int i = 0; i < certificates.size(); i++) {
                JsonObject certificate = certificates.getJsonObject(i);
                print.printf("%-20s %-34s %-8s %-10s %-28s %s%n", certificate.getString("ca"), certificate.getString("serial"),
                        certificate.getString("status"), certificate.getString("usage"),
                        String.join(",", certificate.getJsonArray("mail").stream().map(String::valueOf).toList()),
                        certificate.getString("notAfter").substring(0, 10));
            }
            print.printf("%d-%d of %d%n", certificates.isEmpty() ? 0 : offset + 1, offset + certificates.size(), page.getLong("total"));
            return 0;
        }

        private Integer expiring() {
            if (mail != null || status != null || offset != 0) {
                throw new CliFailure("--expiring lists the valid certificates of every address: leave out --mail, --status and --offset");
            }
            // Checked here too, so that the line names the option the admin typed; the service checks the range.
            if (!expiring.matches("[0-9]{1,6}[hdw]")) {
                throw new CliFailure("--expiring '" + expiring + "' is not a duration: give a whole number of hours, days or weeks, e.g. 12h, 30d or 2w");
            }
            JsonObject report = admin.client().get(AdminClient.query("/admin/certificates/expiring", "within", expiring, "ca", ca,
                    "limit", Integer.toString(limit)));
            var print = parent.parent.out;
            JsonArray certificates = report.getJsonArray("certificates");
            print.printf("%-20s %4s  %-20s %-34s %-10s %s%n", "NOT AFTER", "DAYS", "CA", "SERIAL", "USAGE", "MAIL OR SUBJECT");
            for (int i = 0; i < certificates.size(); i++) {
                JsonObject certificate = certificates.getJsonObject(i);
                JsonArray mails = certificate.getJsonArray("mail");
                print.printf("%-20s %4d  %-20s %-34s %-10s %s%n", certificate.getString("notAfter"), certificate.getLong("daysLeft"),
                        certificate.getString("ca"), certificate.getString("serial"), certificate.getString("usage"),
                        mails.isEmpty() ? certificate.getString("subject") : String.join(",", mails.stream().map(String::valueOf).toList()));
            }
            long total = report.getLong("total");
            print.printf("%d expiring within %s (by %s)%n", total, report.getString("within"), report.getString("until"));
            if (total > certificates.size()) {
                print.printf("%d more not shown: give a larger --limit (at most 1000) or --ca%n", total - certificates.size());
            }
            return 0;
        }
    }
}
