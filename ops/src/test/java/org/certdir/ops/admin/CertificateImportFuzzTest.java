package org.certdir.ops.admin;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import org.certdir.registry.CertificateDetails;

/**
 * Any bytes given to {@code certdir cert import} or {@code POST /admin/certificates/import} (PEM, DER, PKCS#7) are
 * either certificates or a rejection with a reason: {@link CertificateFiles#read} and
 * {@link CertificateDetails#parse} throw nothing but IllegalArgumentException with a message, which the import
 * reports per file and the admin API answers with 400. Anything else would end as a 500 and stop the whole import.
 * Inputs: {@code CertificateImportFuzzTestInputs/read/} (README, "Fuzzing").
 */
class CertificateImportFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void read(byte[] file) {
        List<byte[]> certificates;
        try {
            certificates = CertificateFiles.read(file);
        } catch (IllegalArgumentException rejected) {
            assertReason(rejected);
            return;
        }
        assertFalse(certificates.isEmpty(), "a file read without error holds a certificate");
        for (byte[] der : certificates) {
            try {
                assertNotNull(CertificateDetails.parse(der).sha256());
            } catch (IllegalArgumentException rejected) {
                assertReason(rejected);
            }
        }
    }

    private static void assertReason(IllegalArgumentException rejected) {
        assertNotNull(rejected.getMessage(), "a rejection names its reason");
        assertFalse(rejected.getMessage().isBlank(), "a rejection names its reason");
    }
}
