package org.certdir.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CaNameTest {

    @Test
    void fromCommonName_lowerCasesAndJoinsWithDashes() {
        assertEquals("demo-issuing-ca", CaName.fromCommonName("Demo Issuing CA").value());
        assertEquals("societe-generale-ca-2", CaName.fromCommonName("  Société Générale CA #2 ").value());
    }

    @Test
    void fromCommonName_withoutUsableCharacters_asksForAName() {
        assertEquals("cannot derive a CA name from common name '***': give one explicitly",
                assertThrows(IllegalArgumentException.class, () -> CaName.fromCommonName("***")).getMessage());
    }

    @Test
    void invalidName_isRejected_withTheRule() {
        assertEquals("CA name 'Bad Name' must be 1-64 characters of a-z, 0-9 and '-', not starting or ending with '-'",
                assertThrows(IllegalArgumentException.class, () -> new CaName("Bad Name")).getMessage());
    }
}
