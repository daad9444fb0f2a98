package org.certdir.ops.admin;

import java.time.Duration;

/**
 * How far ahead an expiry report looks: a whole number of hours, days or weeks ({@code 12h}, {@code 30d}, {@code 2w}),
 * at most ten years. Written as the admin typed it, so the report can say what it covers in the same words.
 */
record ExpiryWindow(String text, Duration duration) {

    private static final Duration MAX = Duration.ofDays(3650);

    static ExpiryWindow parse(String text) {
        if (text == null || !text.matches("[0-9]{1,6}[hdw]")) {
            throw new IllegalArgumentException("within " + (text == null ? "is missing" : "'" + text + "' is not a duration")
                    + ": give a whole number of hours, days or weeks, e.g. 12h, 30d or 2w");
        }
        long amount = Long.parseLong(text.substring(0, text.length() - 1));
        Duration duration = switch (text.charAt(text.length() - 1)) {
            case 'h' -> Duration.ofHours(amount);
            case 'd' -> Duration.ofDays(amount);
            default -> Duration.ofDays(7 * amount);
        };
        if (duration.isZero() || duration.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("within " + text + " is out of range: give from 1h up to 3650d (ten years)");
        }
        return new ExpiryWindow(text, duration);
    }
}
