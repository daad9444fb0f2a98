package org.certdir.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RevocationReasonTest {

    @Test
    void parse_acceptsRfcNamesInAnyCaseAndSeparators() {
        assertEquals(RevocationReason.KEY_COMPROMISE, RevocationReason.parse("keyCompromise"));
        assertEquals(RevocationReason.KEY_COMPROMISE, RevocationReason.parse("key-compromise"));
        assertEquals(RevocationReason.CA_COMPROMISE, RevocationReason.parse("CACOMPROMISE"));
        assertEquals(RevocationReason.AA_COMPROMISE, RevocationReason.parse("aACompromise"));
    }

    @Test
    void parse_unknownReason_listsTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RevocationReason.parse("stolen"));
        assertEquals("revocation reason 'stolen' is not one of unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, "
                + "cessationOfOperation, certificateHold, removeFromCRL, privilegeWithdrawn, aACompromise", e.getMessage());
    }

    @Test
    void codes_followRfc5280_withSevenUnused() {
        assertEquals(8, RevocationReason.REMOVE_FROM_CRL.code());
        assertEquals(10, RevocationReason.AA_COMPROMISE.code());
        assertEquals("CRL reason code 7 is not defined by RFC 5280",
                assertThrows(IllegalArgumentException.class, () -> RevocationReason.ofCode(7)).getMessage());
    }
}
