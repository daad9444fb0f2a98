package org.certdir.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.certdir.ops.issuance.CertificateIssuer.Issued;
import org.certdir.ops.issuance.CertificateIssuer.SmimePurpose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A date-only invalidityDate is a day where the service runs, and "future" is decided by the service's clock. */
class InvalidityDateIT {

    /** UTC+14 (Kiribati): from 10:00 UTC on, its date is already tomorrow's in UTC. */
    private static final ZoneId FAR_EAST = ZoneId.of("Etc/GMT-14");

    @TempDir
    Path data;

    @Test
    void revoke_dateOnlyInvalidityDateOfToday_isAcceptedEastOfUtc_andTheNextDayIsFuture() throws Exception {
        // The service's clock is at or after 10:30 UTC, so its local date is one day ahead of the UTC date.
        Instant now = Instant.now();
        Instant tenThirty = LocalDate.ofInstant(now, ZoneOffset.UTC).atTime(LocalTime.of(10, 30)).toInstant(ZoneOffset.UTC);
        Clock clock = Clock.offset(Clock.system(FAR_EAST), now.isBefore(tenThirty) ? Duration.between(now, tenThirty) : Duration.ZERO);
        LocalDate today = LocalDate.now(clock);
        assertEquals(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).plusDays(1), today);

        try (Service service = Service.start(TestServices.config(data, 100), true, clock)) {
            AdminHttp admin = new AdminHttp(service);
            Issued issued = new TestPki(data).smime("dates@example.com", SmimePurpose.ENCRYPTION);
            assertEquals(200, admin.post("/admin/certificates/import", "application/x-pem-file",
                    TestPki.pem(issued).getBytes(StandardCharsets.US_ASCII)).status());
            String path = "/admin/certificates/demo-issuing-ca/" + issued.certificate().getSerialNumber().toString(16) + "/revoke";

            AdminHttp.Answer tomorrow = admin.post(path, new JsonObject().put("reason", "keyCompromise").put("invalidityDate", today.plusDays(1).toString()));
            assertEquals(400, tomorrow.status(), tomorrow.body().encode());
            assertEquals("invalidityDate " + today.plusDays(1) + " is in the future", tomorrow.error());

            AdminHttp.Answer revoked = admin.post(path, new JsonObject().put("reason", "keyCompromise").put("invalidityDate", today.toString()));
            assertEquals(200, revoked.status(), revoked.body().encode());
            assertEquals(today.atStartOfDay(FAR_EAST).toInstant().toString(), revoked.body().getString("invalidityDate"),
                    "the start of that day where the service runs");
        }
    }
}
