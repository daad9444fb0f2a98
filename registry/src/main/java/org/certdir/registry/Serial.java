package org.certdir.registry;

import java.math.BigInteger;
import java.util.HexFormat;

/** A certificate serial number (RFC 5280 §4.1.2.2: positive, at most 20 octets), written as lower-case hex. */
public record Serial(BigInteger value) {

    public Serial {
        if (value == null || value.signum() <= 0) {
            throw new IllegalArgumentException("serial number must be a positive integer, was " + value);
        }
        if (value.bitLength() > 160) {
            throw new IllegalArgumentException("serial number must fit in 20 octets, was " + value.bitLength() + " bits: " + value.toString(16));
        }
    }

    /** Parses hex as admins copy it: optional {@code 0x}, colons or spaces between octets, either case. */
    public static Serial parseHex(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("serial number is empty: give it in hex, e.g. 1a2b3c");
        }
        String hex = text.strip().replace(":", "").replace(" ", "");
        if (hex.startsWith("0x") || hex.startsWith("0X")) {
            hex = hex.substring(2);
        }
        if (hex.isEmpty() || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("serial number '" + text + "' is not hexadecimal");
        }
        return new Serial(new BigInteger(hex, 16));
    }

    public String hex() {
        return value.toString(16);
    }

    /** Colon-separated octets as {@code openssl x509 -serial} and most admin tools show them. */
    public String octets() {
        byte[] bytes = value.toByteArray();
        int start = bytes.length > 1 && bytes[0] == 0 ? 1 : 0;
        return HexFormat.ofDelimiter(":").formatHex(bytes, start, bytes.length);
    }

    @Override
    public String toString() {
        return hex();
    }
}
