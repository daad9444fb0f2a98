package org.certdir.crl.build;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The few DER encodings a CRL entry needs (X.690 §8, §10), written straight to bytes: a million entries
 * encoded through an object tree cost gigabytes of heap, encoded like this they cost their own size.
 */
final class Der {

    static final int INTEGER = 0x02;
    static final int SEQUENCE = 0x30;
    private static final int UTC_TIME = 0x17;
    private static final int GENERALIZED_TIME = 0x18;

    private Der() {
    }

    /** Tag and length (definite form, as few octets as possible). */
    static void header(ByteArrayOutputStream out, int tag, int length) {
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else if (length <= 0xff) {
            out.write(0x81);
            out.write(length);
        } else if (length <= 0xffff) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length);
        } else if (length <= 0xffffff) {
            out.write(0x83);
            out.write(length >> 16);
            out.write(length >> 8);
            out.write(length);
        } else {
            out.write(0x84);
            out.write(length >>> 24);
            out.write(length >> 16);
            out.write(length >> 8);
            out.write(length);
        }
    }

    static void integer(ByteArrayOutputStream out, BigInteger value) {
        byte[] content = value.toByteArray();
        header(out, INTEGER, content.length);
        out.writeBytes(content);
    }

    /**
     * RFC 5280 §5.1.2.4/§4.1.2.5: UTCTime for dates through 2049, GeneralizedTime from 2050, both in UTC to the
     * second with 'Z'.
     */
    static void time(ByteArrayOutputStream out, Instant instant) {
        LocalDateTime utc = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
        int year = utc.getYear();
        if (year < 1950 || year > 9999) {
            throw new IllegalArgumentException("time " + instant + " cannot be written in a certificate or CRL");
        }
        boolean utcTime = year < 2050;
        header(out, utcTime ? UTC_TIME : GENERALIZED_TIME, utcTime ? 13 : 15);
        if (!utcTime) {
            two(out, year / 100);
        }
        two(out, year % 100);
        two(out, utc.getMonthValue());
        two(out, utc.getDayOfMonth());
        two(out, utc.getHour());
        two(out, utc.getMinute());
        two(out, utc.getSecond());
        out.write('Z');
    }

    private static void two(ByteArrayOutputStream out, int value) {
        out.write('0' + value / 10);
        out.write('0' + value % 10);
    }
}
