package org.certdir.ops.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import javax.security.auth.x500.X500Principal;
import org.certdir.ops.issuance.KeyAlgorithm;
import org.junit.jupiter.api.Test;

class CaRequestTest {

    @Test
    void parse_root_takesTheDefaults_andDerivesTheNameFromTheCn() throws Exception {
        CaRequest request = CaRequest.parse(null, "CN=Exämple Root CA,O=Example,C=DE", null, null, null, null, false);
        assertTrue(request.root());
        assertEquals("example-root-ca", request.name().value());
        assertEquals("Exämple Root CA", request.commonName());
        assertEquals(KeyAlgorithm.EC_P256, request.algorithm());
        assertEquals(Duration.ofDays(7300), request.validity());
        assertNull(request.pathLength(), "a root's path length is unbounded unless given");
        // RFC 4514 order: the last RDN written is the first encoded, as openssl and Java print names.
        assertEquals("CN=Exämple Root CA,O=Example,C=DE", new X500Principal(request.subject().getEncoded()).getName(X500Principal.RFC2253));
    }

    @Test
    void parse_underAParent_orForACsr_defaultsToPathLength0And10Years() {
        CaRequest issuing = CaRequest.parse("issuing", "CN=Issuing CA", "RSA-4096", null, null, "example-root-ca", false);
        assertFalse(issuing.root());
        assertEquals("issuing", issuing.name().value());
        assertEquals("example-root-ca", issuing.parent().value());
        assertEquals(KeyAlgorithm.RSA_4096, issuing.algorithm());
        assertEquals(0, issuing.pathLength());
        assertEquals(Duration.ofDays(3650), issuing.validity());
        CaRequest offline = CaRequest.parse(null, "CN=Offline CA", "ec-p384", 1825, 1, null, true);
        assertTrue(offline.csr());
        assertFalse(offline.root());
        assertEquals(1, offline.pathLength());
        assertEquals(Duration.ofDays(1825), offline.validity());
    }

    @Test
    void parse_eachProblem_namesItsField() {
        assertField("subject", () -> CaRequest.parse(null, " ", null, null, null, null, false));
        assertField("subject", () -> CaRequest.parse(null, "CN=A,CN=B", null, null, null, null, false));
        assertField("subject", () -> CaRequest.parse(null, "CN=" + "x".repeat(65), null, null, null, null, false));
        assertField("subject", () -> CaRequest.parse(null, "CN=A,C=Germany", null, null, null, null, false));
        assertField("name", () -> CaRequest.parse(null, "CN=---", null, null, null, null, false));
        assertField("name", () -> CaRequest.parse("-a", "CN=A", null, null, null, null, false));
        assertField("parent", () -> CaRequest.parse(null, "CN=A", null, null, null, "Root!", false));
        assertField("parent", () -> CaRequest.parse(null, "CN=A", null, null, null, "root", true));
        assertField("keyAlgorithm", () -> CaRequest.parse(null, "CN=A", "ec-p521", null, null, null, false));
        assertField("validityDays", () -> CaRequest.parse(null, "CN=A", null, 18251, null, null, false));
        assertField("pathLength", () -> CaRequest.parse(null, "CN=A", null, null, -1, null, false));
    }

    @Test
    void parse_aCnThatGivesNoName_asksForOne() {
        InvalidCaRequest refused = assertThrows(InvalidCaRequest.class, () -> CaRequest.parse(null, "CN=---", null, null, null, null, false));
        assertEquals("cannot derive a CA name from common name '---': give one explicitly", refused.getMessage());
    }

    private static void assertField(String field, org.junit.jupiter.api.function.Executable parse) {
        assertEquals(field, assertThrows(InvalidCaRequest.class, parse).field());
    }
}
