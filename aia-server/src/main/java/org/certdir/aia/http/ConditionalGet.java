package org.certdir.aia.http;

import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** RFC 9110 §13.1: whether a GET's validators say the client's copy is current, so a 304 will do. */
public final class ConditionalGet {

    private ConditionalGet() {
    }

    /** If-None-Match wins over If-Modified-Since when both are sent; an unparsable date means modified. */
    public static boolean notModified(RoutingContext context, String etag, Instant lastModified) {
        String ifNoneMatch = context.request().getHeader("If-None-Match");
        if (ifNoneMatch != null) {
            return ifNoneMatch.contains(etag) || ifNoneMatch.strip().equals("*");
        }
        String ifModifiedSince = context.request().getHeader("If-Modified-Since");
        if (ifModifiedSince != null) {
            try {
                // HTTP dates have whole seconds.
                Instant since = ZonedDateTime.parse(ifModifiedSince, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return !lastModified.truncatedTo(ChronoUnit.SECONDS).isAfter(since);
            } catch (DateTimeParseException e) {
                return false;
            }
        }
        return false;
    }
}
