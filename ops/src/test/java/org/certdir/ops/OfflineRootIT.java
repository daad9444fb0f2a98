package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.certdir.ops.issuance.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hierarchy whose root certdir never sees the key of: the root is made by {@code openssl req -x509}, certdir makes
 * the issuing CA's key and CSR ({@code certdir ca create --csr}), {@code openssl x509 -req} signs it, and
 * {@code certdir ca install} completes it; then openssl verifies a certificate it issues with CRLs (the root's from
 * {@code openssl ca -gencrl}, the issuing CA's fetched over HTTP) and OCSP. Each certificate the install must refuse
 * is refused with the line the admin sees, and leaves the CA pending.
 */
class OfflineRootIT {

    @RegisterExtension
    static final EmptyService SERVICE = new EmptyService();

    @TempDir
    Path work;

    private static final String PENDING_LINE = "offline-issuing-ca       pending    -            CN=Offline Issuing CA,O=Example";

    @Test
    void offlineRoot_signsTheCsr_installRefusesWhatDoesNotFit_thenTheCaIsServed() throws Exception {
        Interop.require("openssl", "openssl");
        Interop.require("curl", "curl");
        Path config = opensslConfig(work);
        Path rootKey = work.resolve("root.key");
        Path rootPem = work.resolve("root.pem");
        Interop.openssl("req", "-x509", "-config", config.toString(), "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                rootKey.toString(), "-out", rootPem.toString(), "-days", "3650");

        // certdir makes the key and the CSR; the CA is pending: listed, issuing nothing, no CRL.
        Path csr = work.resolve("offline.csr");
        EmptyService.Cli create = SERVICE.certdir("ca", "create", "--subject", "CN=Offline Issuing CA,O=Example", "--csr", csr.toString());
        assertEquals(0, create.code(), create.err());
        assertEquals(List.of("created pending CA offline-issuing-ca: its key is in the data directory, its CSR in " + csr,
                "  subject     CN=Offline Issuing CA,O=Example",
                "  next        have the root sign the CSR as a CA certificate, then: certdir ca install --cert ISSUED.pem --chain ROOT.pem"), create.lines());
        Path keyFile = SERVICE.data().resolve("keys/offline-issuing-ca.p12");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        Interop.Run request = Interop.run("openssl", "req", "-in", csr.toString(), "-noout", "-text", "-verify");
        assertEquals(0, request.exitCode(), request.err());
        assertTrue(request.err().contains("verify OK") || request.out().contains("verify OK"), request.out() + request.err());
        assertTrue(request.out().contains("Subject: O = Example, CN = Offline Issuing CA"), request.out());
        assertTrue(request.out().contains("CA:TRUE, pathlen:0"), request.out());
        assertTrue(request.out().contains("Certificate Sign, CRL Sign"), request.out());
        assertPendingOnly();
        assertEquals("certdir: CA 'offline-issuing-ca' is pending: it issues nothing until its certificate is installed ('certdir ca install')\n",
                SERVICE.certdir("cert", "issue", "--ca", "offline-issuing-ca", "--mail", "x@example.org", "--name", "X",
                        "--out", work.resolve("x.p12").toString()).err());
        assertEquals(22, Interop.run("curl", "-sS", "-f", "-o", "/dev/null", SERVICE.service().publicUrl() + "/crl/offline-issuing-ca.crl").exitCode(),
                "a pending CA has no CRL");
        assertEquals("certdir: a CA named 'offline-issuing-ca' is pending (its certificate is to come: 'certdir ca install'): give the new CA another name\n",
                SERVICE.certdir("ca", "create", "--subject", "CN=Offline Issuing CA 2,O=Example", "--name", "offline-issuing-ca",
                        "--csr", work.resolve("again.csr").toString()).err());

        // What the install must refuse, each leaving the CA pending.
        Path otherCsr = work.resolve("other.csr");
        Interop.openssl("req", "-new", "-config", config.toString(), "-subj", "/O=Example/CN=Offline Issuing CA", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", work.resolve("other.key").toString(), "-out", otherCsr.toString());
        Path otherKey = sign(otherCsr, config, "issuing_ext", "other.pem");
        assertInstallRefused("certdir: the certificate does not match the key of any pending CA (offline-issuing-ca): it was not issued for a CSR"
                + " 'certdir ca create --csr' wrote", "--cert", otherKey.toString(), "--chain", rootPem.toString());
        assertInstallRefused("certdir: the certificate does not match the key of pending CA 'offline-issuing-ca': it was not issued for the CSR"
                + " 'certdir ca create --csr' wrote for it", "--cert", otherKey.toString(), "--chain", rootPem.toString(), "--name", "offline-issuing-ca");
        assertInstallRefused("certdir: the certificate CN=Offline Issuing CA,O=Example is not a CA certificate: its basicConstraints does not say cA"
                + " (RFC 5280 §4.2.1.9); have the root issue it as a CA, e.g. with basicConstraints=critical,CA:TRUE,pathlen:0",
                "--cert", sign(csr, config, "leaf_ext", "leaf.pem").toString(), "--chain", rootPem.toString());
        assertInstallRefused("certdir: the certificate CN=Offline Issuing CA,O=Example lacks keyUsage keyCertSign and cRLSign: a CA certdir runs signs"
                + " certificates (keyCertSign) and CRLs (cRLSign), RFC 5280 §4.2.1.3; have the root issue it with keyUsage=critical,keyCertSign,cRLSign",
                "--cert", sign(csr, config, "no_usage_ext", "no-usage.pem").toString(), "--chain", rootPem.toString());
        Path issued = work.resolve("issued.pem");
        Interop.openssl("x509", "-req", "-in", csr.toString(), "-CA", rootPem.toString(), "-CAkey", rootKey.toString(), "-set_serial", "0x1001", "-days", "1825",
                "-copy_extensions", "copy", "-out", issued.toString());
        assertInstallRefused("certdir: the issuer of CN=Offline Issuing CA,O=Example (CN=Offline Root CA,O=Example) is neither in the chain given nor a CA"
                + " certdir holds: give its certificate, up to the root, with --chain", "--cert", issued.toString());
        assertInstallRefused("certdir: no CA named 'nope' is pending ('certdir ca list' shows them)", "--cert", issued.toString(), "--name", "nope");

        // The certificate the root issued for certdir's CSR (its extensions copied from the CSR), with the root.
        EmptyService.Cli install = SERVICE.certdir("ca", "install", "--cert", issued.toString(), "--chain", rootPem.toString());
        assertEquals(0, install.code(), install.err());
        assertEquals(List.of("installed CA offline-issuing-ca (managed), issued by CN=Offline Root CA,O=Example:",
                "  subject     CN=Offline Issuing CA,O=Example"), install.lines().subList(0, 2));
        assertEquals("  registered  offline-root-ca (published only): CN=Offline Root CA,O=Example", install.lines().get(3));
        List<String> list = SERVICE.certdir("ca", "list").lines();
        assertTrue(list.get(1).startsWith("offline-root-ca          external   "), list.toString());
        assertTrue(list.get(2).startsWith("offline-issuing-ca       managed    "), list.toString());
        assertEquals(3, list.size(), list.toString());

        EmptyService.Cli issue = SERVICE.certdir("cert", "issue", "--ca", "offline-issuing-ca", "--mail", "erin@example.org", "--name", "Erin Example",
                "--out", work.resolve("erin.p12").toString());
        assertEquals(0, issue.code(), issue.err());
        List<X509Certificate> chain = CaCreateIT.encryptionChain(work.resolve("erin.p12"), issue.lines().get(4).replace("  password    ", ""));
        assertEquals(KeyFiles.readPem(issued).get(0), chain.get(1), "the key file holds the installed certificate");
        assertEquals(KeyFiles.readPem(rootPem).get(0), chain.get(2), "and the chain up to the offline root");
        Path erin = Files.writeString(work.resolve("erin.pem"), KeyFiles.pem(List.of(chain.get(0))));
        Path both = Files.writeString(work.resolve("chain.pem"), KeyFiles.pem(chain.subList(1, 3)));

        // The root's CRL from openssl ca, the issuing CA's from where erin's certificate points.
        Path rootCrl = work.resolve("root.crl.pem");
        Interop.openssl("ca", "-gencrl", "-config", config.toString(), "-keyfile", rootKey.toString(), "-cert", rootPem.toString(), "-out", rootCrl.toString());
        Path issuingCrl = fetchCrl(CertificateUrls.crl(chain.get(0)).get(0));
        Interop.Run verify = Interop.run("openssl", "verify", "-crl_check_all", "-CAfile", rootPem.toString(), "-untrusted", issued.toString(),
                "-CRLfile", rootCrl.toString(), "-CRLfile", issuingCrl.toString(), erin.toString());
        assertEquals(0, verify.exitCode(), verify.out() + verify.err());
        assertEquals(erin + ": OK\n", verify.out());
        Interop.Run ocsp = Interop.run("openssl", "ocsp", "-issuer", issued.toString(), "-cert", erin.toString(), "-url", CertificateUrls.ocsp(chain.get(0)),
                "-CAfile", both.toString());
        assertTrue((ocsp.out() + ocsp.err()).contains("Response verify OK"), ocsp.out() + ocsp.err());
        assertTrue(ocsp.out().contains(erin + ": good"), ocsp.out());

        // A second CA under the same root: the root is held now (published only), so no chain is needed.
        Path second = work.resolve("second.csr");
        assertEquals(0, SERVICE.certdir("ca", "create", "--subject", "CN=Offline Second CA,O=Example", "--csr", second.toString()).code());
        Path secondIssued = work.resolve("second.pem");
        Interop.openssl("x509", "-req", "-in", second.toString(), "-CA", rootPem.toString(), "-CAkey", rootKey.toString(), "-set_serial", "0x1002", "-days",
                "1825", "-extfile", config.toString(), "-extensions", "issuing_ext", "-out", secondIssued.toString());
        EmptyService.Cli installSecond = SERVICE.certdir("ca", "install", "--cert", secondIssued.toString());
        assertEquals(0, installSecond.code(), installSecond.err());
        assertEquals(3, installSecond.lines().size(), "no CA registered besides it: " + installSecond.out());
        assertEquals("certdir: CA 'offline-second-ca' is not pending: its certificate is installed already ('certdir ca list')\n",
                SERVICE.certdir("ca", "install", "--cert", secondIssued.toString(), "--name", "offline-second-ca").err());
    }

    private void assertPendingOnly() {
        List<String> list = SERVICE.certdir("ca", "list").lines();
        assertEquals(List.of("NAME                     KEY        NOT AFTER    SUBJECT", PENDING_LINE), list);
    }

    private void assertInstallRefused(String error, String... options) throws Exception {
        String[] args = new String[options.length + 2];
        args[0] = "ca";
        args[1] = "install";
        System.arraycopy(options, 0, args, 2, options.length);
        EmptyService.Cli result = SERVICE.certdir(args);
        assertEquals(1, result.code(), result.out());
        assertEquals(error + "\n", result.err());
        assertPendingOnly();
    }

    /** A certificate for {@code csr} from the offline root, with the extensions of section {@code extensions}. */
    private Path sign(Path csr, Path config, String extensions, String name) throws Exception {
        Path out = work.resolve(name);
        Interop.openssl("x509", "-req", "-in", csr.toString(), "-CA", work.resolve("root.pem").toString(), "-CAkey", work.resolve("root.key").toString(),
                "-CAcreateserial", "-CAserial", work.resolve("root.srl").toString(), "-days", "365", "-extfile", config.toString(), "-extensions", extensions,
                "-out", out.toString());
        return out;
    }

    /** An openssl configuration in {@code work} for the root "O=Example, CN=Offline Root CA" and its {@code openssl ca -gencrl}. */
    static Path opensslConfig(Path work) throws Exception {
        Files.writeString(work.resolve("index.txt"), "");
        Files.writeString(work.resolve("crlnumber"), "01\n");
        return Files.writeString(work.resolve("openssl.cnf"), """
                [req]
                distinguished_name = dn
                prompt = no
                x509_extensions = root_ext
                [dn]
                O = Example
                CN = Offline Root CA
                [root_ext]
                basicConstraints = critical,CA:TRUE
                keyUsage = critical,keyCertSign,cRLSign
                subjectKeyIdentifier = hash
                [issuing_ext]
                basicConstraints = critical,CA:TRUE,pathlen:0
                keyUsage = critical,keyCertSign,cRLSign,digitalSignature
                subjectKeyIdentifier = hash
                authorityKeyIdentifier = keyid
                [leaf_ext]
                basicConstraints = critical,CA:FALSE
                keyUsage = critical,digitalSignature
                [no_usage_ext]
                basicConstraints = critical,CA:TRUE,pathlen:0
                [ca]
                default_ca = root_ca
                [root_ca]
                database = %s
                crlnumber = %s
                default_md = sha256
                default_crl_days = 30
                """.formatted(work.resolve("index.txt"), work.resolve("crlnumber")));
    }

    private Path fetchCrl(String url) throws Exception {
        Path der = work.resolve("issuing.crl");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Interop.Run curl = Interop.run("curl", "-sS", "-f", "-o", der.toString(), url);
        while (curl.exitCode() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            curl = Interop.run("curl", "-sS", "-f", "-o", der.toString(), url);
        }
        assertEquals(0, curl.exitCode(), url + ": " + curl.err());
        Path pem = work.resolve("issuing.crl.pem");
        Interop.openssl("crl", "-inform", "DER", "-in", der.toString(), "-out", pem.toString());
        return pem;
    }
}
