package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code certdir cert import DIR} with 10,000 generated certificates, and a few bad files among them. */
class BulkImportIT {

    private static final int COUNT = 10_000;

    @RegisterExtension
    static final DemoService DEMO = new DemoService();

    @TempDir
    static Path files;

    static Service service;
    static Path data;

    @BeforeAll
    static void start() {
        service = DEMO.service();
        data = DEMO.data();
    }

    @Test
    void tenThousandCertificates_importThroughTheCli_andBadFilesAreReportedNotFatal() throws Exception {
        new TestPki(data).bulk(files, COUNT, false);
        Files.writeString(files.resolve("broken.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        Files.write(files.resolve("empty.der"), new byte[0]);
        Files.writeString(files.resolve("notes.txt"), "not picked up: not a certificate file name");

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long before = service.registry().search(new org.certdir.registry.CertificateQuery(null, null, null, 1, 0)).total();
        long started = System.nanoTime();
        int code = Main.run(new String[] {"cert", "import", "--url", service.adminUrl(), "--token-file", service.data().adminToken().toString(),
                files.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
        double seconds = (System.nanoTime() - started) / 1e9;

        assertEquals(1, code, "rejected files make the exit code 1:\n" + out + err);
        List<String> lines = out.toString().lines().toList();
        assertEquals("imported " + COUNT + " certificate(s), 0 CA(s); 0 already known; 2 rejected:", lines.get(0), out.toString());
        assertTrue(lines.get(1).startsWith("  " + files.resolve("broken.pem") + ": PEM cannot be read: "), lines.get(1));
        assertEquals("  " + files.resolve("empty.der") + ": the file is empty", lines.get(2));
        assertTrue(err.toString().contains("[##############################] " + String.format("%,d/%,d", COUNT + 2, COUNT + 2) + " 100%"),
                "progress bar: " + err.toString().lines().reduce((a, b) -> b).orElse(""));
        assertEquals(COUNT, service.registry().search(new org.certdir.registry.CertificateQuery(null, null, null, 1, 0)).total() - before,
                "the certificates the demo issued, plus the imported ones");
        System.out.printf("imported %d certificates through the CLI in %.1f s: %.0f certificates/s%n", COUNT, seconds, COUNT / seconds);

        StringWriter again = new StringWriter();
        assertEquals(1, Main.run(new String[] {"cert", "import", "--url", service.adminUrl(), "--token-file", service.data().adminToken().toString(),
                files.toString()}, new PrintWriter(again, true), new PrintWriter(new StringWriter(), true)));
        assertEquals("imported 0 certificate(s), 0 CA(s); " + COUNT + " already known; 2 rejected:", again.toString().lines().findFirst().orElseThrow());
    }
}
