package org.certdir.ocsp.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class OcspRoutesTest {

    /** Bytes whose base64 holds '+', '/' and padding, the characters clients encode differently. */
    private static final byte[] REQUEST = {(byte) 0xfb, (byte) 0xff, (byte) 0xbf, 0x30, 0x01};

    @Test
    void decode_acceptsEveryFormClientsSend() {
        String standard = Base64.getEncoder().encodeToString(REQUEST);
        assertArrayEquals(REQUEST, OcspRoutes.decode(standard), "unencoded, '/' in the path");
        assertArrayEquals(REQUEST, OcspRoutes.decode(standard.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")), "URL-encoded");
        assertArrayEquals(REQUEST, OcspRoutes.decode(Base64.getUrlEncoder().withoutPadding().encodeToString(REQUEST)), "base64url, no padding");
        assertArrayEquals(REQUEST, OcspRoutes.decode(standard.replace("+", " ")), "a '+' a proxy turned into a space");
    }

    @Test
    void decode_ofWhatIsNotBase64_isNull() {
        assertNull(OcspRoutes.decode(""));
        assertNull(OcspRoutes.decode("%zz"));
        assertNull(OcspRoutes.decode("%4"));
        assertNull(OcspRoutes.decode("!!!!"));
        assertNull(OcspRoutes.decode("A"));
    }
}
