package org.certdir.ops.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.Callable;
import org.certdir.ops.CliFailure;
import org.certdir.ops.datadir.DataDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code certdir ca list|create|install|import|renew}: the CAs in the registry, and new ones. */
@Command(name = "ca", mixinStandardHelpOptions = true, description = "The CAs in the registry, and new ones.",
        subcommands = {CaCommand.ListCas.class, CaCommand.Create.class, CaCommand.Install.class, CaCommand.Import.class, CaRenewCommand.class})
final class CaCommand implements Runnable {

    @ParentCommand
    CertdirCommand parent;

    @Override
    public void run() {
        parent.out.println("certdir ca: give a subcommand: list, create, install, import or renew ('certdir ca --help')");
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the CAs: short name (used in URLs and commands), managed, external (published only) or pending, subject.")
    static final class ListCas implements Callable<Integer> {

        @ParentCommand
        CaCommand parent;

        @Mixin
        AdminConnection admin;

        @Override
        public Integer call() {
            JsonObject answer = admin.client().get("/admin/cas");
            JsonArray cas = answer.getJsonArray("cas");
            var out = parent.parent.out;
            out.printf("%-24s %-10s %-12s %s%n", "NAME", "KEY", "NOT AFTER", "SUBJECT");
            for (int i = 0; i < cas.size(); i++) {
                JsonObject ca = cas.getJsonObject(i);
                out.printf("%-24s %-10s %-12s %s%n", ca.getString("name"), ca.getBoolean("managed") ? "managed" : "external",
                        ca.getString("notAfter").substring(0, 10), ca.getString("subject"));
            }
            JsonArray pending = answer.getJsonArray("pending", new JsonArray());
            for (int i = 0; i < pending.size(); i++) {
                JsonObject ca = pending.getJsonObject(i);
                out.printf("%-24s %-10s %-12s %s%n", ca.getString("name"), "pending", "-", ca.getString("subject"));
            }
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create a CA in the running service: a self-signed root, an issuing CA under a CA certdir holds (--parent),",
                    "or, for a root kept elsewhere (--csr), the CA's key and a CSR for that root to sign ('certdir ca install' then",
                    "takes the certificate). Its key stays in the data directory's keys/; it is served at once (CRLs, OCSP, directory)."})
    static final class Create implements Callable<Integer> {

        @ParentCommand
        CaCommand parent;

        @Mixin
        AdminConnection admin;

        @Option(names = "--subject", required = true, paramLabel = "DN",
                description = "The CA's distinguished name with one CN, e.g. \"CN=Example Issuing CA,O=Example,C=DE\".")
        String subject;

        @Option(names = "--name", paramLabel = "NAME", description = "Short name used in URLs and commands ([a-z0-9-]). Default: from the CN.")
        String name;

        @Option(names = "--parent", paramLabel = "NAME", description = "The CA (held by certdir) that signs the new one. Default: a self-signed root.")
        String parentCa;

        @Option(names = "--csr", paramLabel = "FILE", description = "Write a CSR for a root kept elsewhere to FILE instead of signing here.")
        Path csr;

        @Option(names = "--key-algorithm", paramLabel = "ALG", description = "ec-p256 (default), ec-p384, rsa-3072 or rsa-4096.")
        String keyAlgorithm;

        @Option(names = "--validity-days", paramLabel = "DAYS", description = "Validity in days. Default: 7300 for a root, 3650 otherwise.")
        Integer validityDays;

        @Option(names = "--path-length", paramLabel = "N",
                description = "How many CAs may follow below it (basicConstraints pathLen). Default: unbounded for a root, 0 otherwise.")
        Integer pathLength;

        @Override
        public Integer call() {
            if (csr != null) {
                NewFile.require(csr, "--csr");
            }
            JsonObject request = new JsonObject().put("subject", subject);
            put(request, "name", name);
            put(request, "parent", parentCa);
            put(request, "keyAlgorithm", keyAlgorithm);
            put(request, "validityDays", validityDays);
            put(request, "pathLength", pathLength);
            if (csr != null) {
                request.put("csr", true);
            }
            JsonObject answer = admin.client().post("/admin/cas", request);
            var out = parent.parent.out;
            if (csr != null) {
                JsonObject pending = answer.getJsonObject("pending");
                try {
                    DataDirectory.writePublic(csr.toAbsolutePath(), answer.getString("csr").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    throw new CliFailure("CA " + pending.getString("name") + " is pending but " + csr + " cannot be written (" + e.getMessage()
                            + "): the admin API keeps it, as \"csr\" of the pending CA in GET /admin/cas");
                }
                out.printf("created pending CA %s: its key is in the data directory, its CSR in %s%n", pending.getString("name"), csr);
                out.printf("  subject     %s%n", pending.getString("subject"));
                out.printf("  next        have the root sign the CSR as a CA certificate, then: certdir ca install --cert ISSUED.pem --chain ROOT.pem%n");
                return 0;
            }
            JsonObject ca = answer.getJsonObject("ca");
            out.printf("created CA %s (%s):%n", ca.getString("name"), parentCa == null ? "self-signed root" : "issued by " + parentCa);
            out.printf("  subject     %s%n", ca.getString("subject"));
            out.printf("  not after   %s%n", ca.getString("notAfter"));
            out.printf("  sha256      %s%n", ca.getString("sha256"));
            return 0;
        }
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = {"Complete a CA made with 'certdir ca create --csr': install the certificate the root issued for its CSR.",
                    "It must certify the pending key, be a CA certificate (basicConstraints CA, keyCertSign and cRLSign) and chain to",
                    "a root given with --chain or held by certdir; the CA is then served at once.",
                    "It also takes the certificate issued for a 'certdir ca renew --csr' request."})
    static final class Install implements Callable<Integer> {

        @ParentCommand
        CaCommand parent;

        @Mixin
        AdminConnection admin;

        @Option(names = "--cert", required = true, paramLabel = "FILE", description = "The CA certificate the root issued (PEM or DER).")
        Path certificate;

        @Option(names = "--chain", paramLabel = "FILE", description = "The certificates above it up to the root (PEM, DER or PKCS#7), unless certdir holds them.")
        Path chain;

        @Option(names = "--name", paramLabel = "NAME", description = "The pending CA. Default: the one whose key the certificate certifies.")
        String name;

        @Override
        public Integer call() {
            JsonObject request = new JsonObject().put("certificate", base64(certificate));
            if (chain != null) {
                request.put("chain", base64(chain));
            }
            put(request, "name", name);
            JsonObject answer = admin.client().post("/admin/cas/install", request);
            JsonObject ca = answer.getJsonObject("ca");
            var out = parent.parent.out;
            out.printf(answer.getBoolean("renewal", false) ? "renewed CA %s (same key), issued by %s:%n" : "installed CA %s (managed), issued by %s:%n",
                    ca.getString("name"), ca.getString("issuer"));
            out.printf("  subject     %s%n", ca.getString("subject"));
            out.printf("  not after   %s%n", ca.getString("notAfter"));
            JsonArray added = answer.getJsonArray("casAdded");
            for (int i = 0; i < added.size(); i++) {
                out.printf("  registered  %s (published only): %s%n", added.getJsonObject(i).getString("name"), added.getJsonObject(i).getString("subject"));
            }
            return 0;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Take over an existing CA with its key: certdir issues from it, signs its CRLs (continuing its CRL numbers) and",
                    "answers OCSP for it, at once. Its certificates and the revocations of its last CRL are recorded in the registry.",
                    "The key is stored in DATA/keys/ under the data directory's passphrase; the password file is read, never stored."})
    static final class Import implements Callable<Integer> {

        @ParentCommand
        CaCommand parent;

        @Mixin
        AdminConnection admin;

        @Option(names = "--pkcs12", paramLabel = "FILE", description = "The CA's key and certificate chain as PKCS#12 (with --password-file).")
        Path pkcs12;

        @Option(names = "--password-file", paramLabel = "FILE", description = "The PKCS#12 password: the file's first line.")
        Path passwordFile;

        @Option(names = "--key", paramLabel = "FILE", description = "The CA's key, unencrypted PEM (with --cert), instead of --pkcs12.")
        Path key;

        @Option(names = "--cert", paramLabel = "FILE", description = "With --key: the CA's certificate, then those above it (PEM).")
        Path certificate;

        @Option(names = "--certs", paramLabel = "FILE|DIR", description = "Certificates the CA issued: files, or directories read whole"
                + " (for openssl ca, its newcerts directory). Repeatable.")
        java.util.List<Path> certificates = new java.util.ArrayList<>();

        @Option(names = "--last-crl", paramLabel = "FILE", description = "The CA's last full CRL (PEM or DER): its revocations are recorded and"
                + " certdir's CRLs continue its number.")
        Path lastCrl;

        @Option(names = "--next-crl-number", paramLabel = "N", description = "The number certdir's first CRL of the CA gets (above the last CRL's).")
        Long nextCrlNumber;

        @Option(names = "--name", paramLabel = "NAME", description = "Short name used in URLs and commands ([a-z0-9-]). Default: from the CN.")
        String name;

        @Override
        public Integer call() {
            JsonObject request = new JsonObject();
            if ((pkcs12 == null) == (key == null)) {
                throw new CliFailure("give the CA's key either as --pkcs12 FILE --password-file FILE or as --key FILE --cert FILE");
            }
            if (pkcs12 != null) {
                if (passwordFile == null) {
                    throw new CliFailure("--pkcs12 needs --password-file FILE: the file whose first line is the PKCS#12 password");
                }
                request.put("pkcs12", base64(pkcs12)).put("password", password(passwordFile));
            } else {
                if (certificate == null) {
                    throw new CliFailure("--key needs --cert FILE: the CA's certificate (and those above it) in PEM");
                }
                request.put("key", base64(key)).put("certificate", base64(certificate));
            }
            JsonArray files = new JsonArray();
            for (Path file : certificateFiles()) {
                files.add(new JsonObject().put("name", file.toString()).put("data", base64(file)));
            }
            request.put("certificates", files);
            if (lastCrl != null) {
                request.put("lastCrl", base64(lastCrl));
            }
            put(request, "nextCrlNumber", nextCrlNumber);
            put(request, "name", name);
            JsonObject answer = admin.client().post("/admin/cas/import", request);
            JsonObject ca = answer.getJsonObject("ca");
            var out = parent.parent.out;
            out.printf("imported CA %s (managed%s): %s%n", ca.getString("name"),
                    answer.getBoolean("wasPublishedOnly") ? ", published only until now" : "", ca.getString("subject"));
            out.printf("  certificates  %d recorded, %d known, %d rejected%n", answer.getInteger("imported"), answer.getInteger("known"),
                    answer.getJsonArray("rejected").size());
            out.printf("  revocations   %d from its last CRL%n", answer.getInteger("revocations"));
            out.printf("  next CRL      number %d%n", answer.getLong("nextCrlNumber"));
            JsonArray added = answer.getJsonArray("casAdded");
            for (int i = 0; i < added.size(); i++) {
                out.printf("  registered    %s (published only): %s%n", added.getJsonObject(i).getString("name"), added.getJsonObject(i).getString("subject"));
            }
            JsonArray rejected = answer.getJsonArray("rejected");
            for (int i = 0; i < rejected.size(); i++) {
                JsonObject one = rejected.getJsonObject(i);
                out.printf("  rejected      %s%s: %s%n", one.getString("source"), one.getString("subject") == null ? "" : " (" + one.getString("subject") + ")",
                        one.getString("reason"));
            }
            return 0;
        }

        private java.util.List<Path> certificateFiles() {
            java.util.List<Path> files = new java.util.ArrayList<>();
            for (Path path : certificates) {
                if (Files.isDirectory(path)) {
                    try (java.util.stream.Stream<Path> walk = Files.walk(path)) {
                        walk.filter(Files::isRegularFile).sorted().forEach(files::add);
                    } catch (IOException | java.io.UncheckedIOException e) {
                        throw new CliFailure("cannot list " + path + ": " + e.getMessage());
                    }
                } else if (Files.isRegularFile(path)) {
                    files.add(path);
                } else {
                    throw new CliFailure("--certs " + path + ": no such file or directory");
                }
            }
            return files;
        }

        private static String password(Path file) {
            try {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                int end = text.indexOf('\n');
                return (end < 0 ? text : text.substring(0, end)).replace("\r", "");
            } catch (IOException e) {
                throw new CliFailure("cannot read the password file " + file + " (" + e.getClass().getSimpleName() + "): " + e.getMessage());
            }
        }
    }

    private static void put(JsonObject request, String field, Object value) {
        if (value != null) {
            request.put(field, value);
        }
    }

    private static String base64(Path file) {
        try {
            return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new CliFailure("cannot read " + file + " (" + e.getClass().getSimpleName() + "): " + e.getMessage());
        }
    }
}
