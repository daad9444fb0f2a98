package org.certdir.ops.issuance;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any bytes sent as a CSR to {@code certdir cert issue --csr} or {@code POST /admin/certificates/issue-csr} are either a
 * request whose signature verified, or a refusal with a reason: {@link CertificationRequest#parse} throws nothing but
 * IllegalArgumentException with a message, which the admin API answers with 400 naming {@code csr}; anything else would
 * be a 500. Inputs: {@code CertificationRequestFuzzTestInputs/parse/} (README, "Fuzzing").
 */
class CertificationRequestFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void parse(byte[] file) {
        CertificationRequest request;
        try {
            request = CertificationRequest.parse(file);
        } catch (IllegalArgumentException refused) {
            assertNotNull(refused.getMessage(), "a refusal names its reason");
            assertFalse(refused.getMessage().isBlank(), "a refusal names its reason");
            return;
        }
        assertNotNull(request.publicKey());
        assertNotNull(request.mailAddresses());
    }
}
