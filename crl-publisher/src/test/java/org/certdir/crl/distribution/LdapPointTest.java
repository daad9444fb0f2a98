package org.certdir.crl.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.time.Instant;
import org.certdir.registry.CaName;
import org.certdir.registry.CrlRecord;
import org.junit.jupiter.api.Test;

class LdapPointTest {

    @Test
    void crlTooLargeForTheDirectory_isRefusedWithTheSettingToRaise() {
        LdapPoint point = new LdapPoint("directory", null, 2 * 1024 * 1024);
        CrlRecord crl = new CrlRecord(1, new CaName("big-ca"), 7, null, 1, Instant.EPOCH, Instant.EPOCH.plusSeconds(60), 1, new byte[1_500_000]);
        IOException e = assertThrows(IOException.class, () -> point.publish(null, crl));
        assertEquals("CRL 7 of CA 'big-ca' (1500000 bytes) needs an LDAP request of about 3004096 bytes, more than the directory accepts (2097152):"
                + " raise certdir.ldap.max-pdu-size above 3004096", e.getMessage());
    }
}
