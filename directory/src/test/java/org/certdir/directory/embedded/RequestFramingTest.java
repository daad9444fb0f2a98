package org.certdir.directory.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestFramingTest {

    private static final String BASE = "dc=example,dc=com";

    /**
     * Feeds {@code bytes} in pieces of {@code piece} octets, skipping a message with a problem; returns the bytes let
     * through before the first problem.
     */
    private static int feed(RequestFraming framing, byte[] bytes, int piece) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        int passed = 0;
        boolean stopped = false;
        int position = 0;
        while (position < bytes.length) {
            int to = Math.min(bytes.length, position + piece);
            if (framing.problem() != null) {
                position += framing.skip(to - position);
                continue;
            }
            int stop = framing.scan(buffer, position, to);
            if (!stopped) {
                passed += stop - position;
            }
            stopped |= framing.problem() != null;
            position = stop;
        }
        return passed;
    }

    @Test
    void filterAtTheLimit_passes_byteByByte_andWhole() {
        byte[] search = RawLdap.searchRequest(5, BASE, RawLdap.nestedOr(100), List.of("cn"));
        for (int piece : new int[] {1, 3, search.length}) {
            RequestFraming framing = new RequestFraming(100, 10_000);
            assertEquals(search.length, feed(framing, search, piece));
            assertNull(framing.problem());
        }
    }

    @Test
    void filterOneLevelTooDeep_isStoppedBeforeItsEnd_andTheNextMessagePasses() {
        byte[] deep = RawLdap.searchRequest(300, BASE, RawLdap.nestedOr(101), List.of("cn"));
        byte[] next = RawLdap.searchRequest(301, BASE, RawLdap.nestedOr(2), List.of("cn"));
        for (int piece : new int[] {1, 7, deep.length + next.length}) {
            RequestFraming framing = new RequestFraming(100, 10_000);
            int passed = feed(framing, RawLdap.concat(deep, next), piece);
            assertEquals(RequestFraming.Problem.FILTER_TOO_DEEP, framing.refusedProblem());
            assertEquals(300, framing.refusedMessageId());
            assertTrue(framing.refusedSearch());
            assertNull(framing.problem(), "the refused message was skipped");
            assertTrue(passed < deep.length, "never the whole refused message: " + passed);
        }
        RequestFraming framing = new RequestFraming(100, 10_000);
        ByteBuffer both = ByteBuffer.wrap(RawLdap.concat(deep, next));
        int stop = framing.scan(both, 0, both.limit());
        assertEquals(deep.length - stop, framing.remaining());
        assertEquals(deep.length - stop, framing.skip(both.limit() - stop));
        assertEquals(both.limit(), framing.scan(both, deep.length, both.limit()));
        assertNull(framing.problem());
    }

    @Test
    void tenThousandLevels_areStoppedAfterTheLimit() {
        byte[] deep = RawLdap.searchRequest(1, BASE, RawLdap.nestedOr(10_000), List.of("cn"));
        RequestFraming framing = new RequestFraming(100, 10_000);
        int stop = framing.scan(ByteBuffer.wrap(deep), 0, deep.length);
        assertEquals(RequestFraming.Problem.FILTER_TOO_DEEP, framing.problem());
        assertTrue(stop < 2_000, "stopped at the 101st level, not at " + stop);
    }

    @Test
    void notAndAndCount_aComparisonDoesNot() {
        // (!(&(|(mail=a)))) nested 33 times = 99 levels, plus the comparison: accepted at 99, refused at a limit of 98.
        byte[] filter = RawLdap.tlv(0xA3, RawLdap.concat(RawLdap.string(0x04, "mail"), RawLdap.string(0x04, "a")));
        for (int i = 0; i < 33; i++) {
            filter = RawLdap.tlv(0xA2, RawLdap.tlv(0xA0, RawLdap.tlv(0xA1, filter)));
        }
        byte[] search = RawLdap.searchRequest(9, BASE, filter, List.of());
        RequestFraming enough = new RequestFraming(99, 10_000);
        assertEquals(search.length, enough.scan(ByteBuffer.wrap(search), 0, search.length));
        assertNull(enough.problem());
        RequestFraming tooFew = new RequestFraming(98, 10_000);
        tooFew.scan(ByteBuffer.wrap(search), 0, search.length);
        assertEquals(RequestFraming.Problem.FILTER_TOO_DEEP, tooFew.problem());
    }

    @Test
    void tooManyElements_inAFlatFilter_areStopped() {
        ByteArrayOutputStream terms = new ByteArrayOutputStream();
        for (int i = 0; i < 4_000; i++) {
            terms.writeBytes(RawLdap.tlv(0xA3, RawLdap.concat(RawLdap.string(0x04, "mail"), RawLdap.string(0x04, "u" + i))));
        }
        byte[] search = RawLdap.searchRequest(2, BASE, RawLdap.tlv(0xA1, terms.toByteArray()), List.of("cn"));
        RequestFraming framing = new RequestFraming(100, 10_000);
        int stop = framing.scan(ByteBuffer.wrap(search), 0, search.length);
        assertEquals(RequestFraming.Problem.TOO_MANY_ELEMENTS, framing.problem());
        assertTrue(stop < search.length);
        assertEquals(search.length - stop, framing.skip(search.length - stop));
        assertNull(framing.problem());
    }

    @Test
    void indefiniteLength_isMalformed() {
        byte[] message = {0x30, (byte) 0x80, 0x02, 0x01, 0x01, 0x42, 0x00, 0x00, 0x00};
        RequestFraming framing = new RequestFraming(100, 10_000);
        framing.scan(ByteBuffer.wrap(message), 0, message.length);
        assertEquals(RequestFraming.Problem.MALFORMED, framing.problem());
        assertThrows(IllegalStateException.class, () -> framing.skip(1));
    }

    @Test
    void childLongerThanItsParent_isMalformed() {
        byte[] message = {0x30, 0x03, 0x02, 0x05, 0x01};
        RequestFraming framing = new RequestFraming(100, 10_000);
        framing.scan(ByteBuffer.wrap(message), 0, message.length);
        assertEquals(RequestFraming.Problem.MALFORMED, framing.problem());
    }

    @Test
    void deepNestingOutsideAFilter_isMalformed() {
        byte[] junk = RawLdap.string(0x04, "x");
        for (int i = 0; i < 500; i++) {
            junk = RawLdap.tlv(0x30, junk);
        }
        byte[] add = RawLdap.message(4, RawLdap.tlv(0x68, RawLdap.concat(RawLdap.string(0x04, BASE), junk)));
        RequestFraming framing = new RequestFraming(100, 10_000);
        framing.scan(ByteBuffer.wrap(add), 0, add.length);
        assertEquals(RequestFraming.Problem.MALFORMED, framing.problem());
    }

    @Test
    void limits_belowTheMinimum_areRefused_namingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ClientLimits(0, 4 << 20, 64, 256 << 10, java.time.Duration.ofMinutes(15)));
        assertEquals("the maximum filter depth must be at least 1, was 0", e.getMessage());
    }
}
