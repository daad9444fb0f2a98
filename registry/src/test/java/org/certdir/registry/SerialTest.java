package org.certdir.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class SerialTest {

    @Test
    void parseHex_acceptsTheFormsAdminsCopy() {
        assertEquals("1a2b3c", Serial.parseHex("1A2B3C").hex());
        assertEquals("1a2b3c", Serial.parseHex("0x1a2b3c").hex());
        assertEquals("1a2b3c", Serial.parseHex("1a:2b:3c").hex());
        assertEquals("1a2b3c", Serial.parseHex(" 00:1a:2b:3c ").hex());
    }

    @Test
    void parseHex_rejectsNonHex_namingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Serial.parseHex("12g4"));
        assertEquals("serial number '12g4' is not hexadecimal", e.getMessage());
    }

    @Test
    void parseHex_rejectsEmpty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Serial.parseHex(" "));
        assertEquals("serial number is empty: give it in hex, e.g. 1a2b3c", e.getMessage());
    }

    @Test
    void serial_mustBePositiveAndFitIn20Octets() {
        assertEquals("serial number must be a positive integer, was 0",
                assertThrows(IllegalArgumentException.class, () -> new Serial(BigInteger.ZERO)).getMessage());
        BigInteger tooBig = BigInteger.ONE.shiftLeft(160);
        assertEquals("serial number must fit in 20 octets, was 161 bits: " + tooBig.toString(16),
                assertThrows(IllegalArgumentException.class, () -> new Serial(tooBig)).getMessage());
        new Serial(BigInteger.ONE.shiftLeft(159));
    }

    @Test
    void octets_areColonSeparatedWithoutSignOctet() {
        assertEquals("80:01", new Serial(new BigInteger("8001", 16)).octets());
    }
}
