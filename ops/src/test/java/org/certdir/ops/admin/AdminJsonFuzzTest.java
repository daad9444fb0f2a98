package org.certdir.ops.admin;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.format.DateTimeParseException;
import org.certdir.registry.CaName;
import org.certdir.registry.RevocationReason;
import org.certdir.registry.Serial;

/**
 * The parts of the admin API's body parsing that can be called without a listener: the JSON decoding of
 * {@code AdminApi.jsonBody} (Vert.x's {@code RequestBody.asJsonObject}, i.e. {@link Buffer#toJsonObject}), which
 * may fail only with the DecodeException or ClassCastException that it answers with 400, and the parsers the
 * string fields go through (revocation reason, invalidity date, CA name and serial of the path). Each may refuse
 * only with the exception AdminApi maps to 400, with a message.
 *
 * <p>Not covered: {@code AdminApi.importCertificates} reads {@code files} with Vert.x's typed getters inline in the
 * route handler, so it cannot be called without an HTTP listener, and {@code {"files":"x"}} or
 * {@code {"files":[1]}} make those getters throw ClassCastException, a 500. Moving the body-to-request parsing
 * of each route into a function of the JsonObject that throws BadRequest would let a fuzz test call it directly.
 * Inputs: {@code AdminJsonFuzzTestInputs/body/} (README, "Fuzzing").
 */
class AdminJsonFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void body(byte[] bytes) {
        JsonObject body;
        try {
            body = Buffer.buffer(bytes).toJsonObject();
        } catch (DecodeException | ClassCastException refused) {
            return;
        }
        if (body == null) {
            return;
        }
        for (String field : body.fieldNames()) {
            if (body.getValue(field) instanceof String text) {
                parseAsEveryField(text);
            }
        }
    }

    private static void parseAsEveryField(String text) {
        try {
            RevocationReason.parse(text);
        } catch (IllegalArgumentException refused) {
            assertReason(refused);
        }
        try {
            java.time.Instant.parse(text);
        } catch (DateTimeParseException notAnInstant) {
            try {
                java.time.LocalDate.parse(text).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notADate) {
                assertReason(notADate);
            }
        }
        try {
            new CaName(text);
        } catch (IllegalArgumentException refused) {
            assertReason(refused);
        }
        try {
            Serial.parseHex(text);
        } catch (IllegalArgumentException refused) {
            assertReason(refused);
        }
    }

    private static void assertReason(RuntimeException refused) {
        assertNotNull(refused.getMessage(), "a refusal names its reason");
        assertFalse(refused.getMessage().isBlank(), "a refusal names its reason");
    }
}
