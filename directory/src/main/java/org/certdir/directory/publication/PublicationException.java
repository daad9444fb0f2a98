package org.certdir.directory.publication;

import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import java.util.Set;

/**
 * Writing to the directory failed; carries the LDAP result code so callers can tell a retryable outage (the server
 * down, busy, slow) from a refusal of the record itself, which no retry of the same write can overcome.
 */
public class PublicationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Result codes (RFC 4511 §4.1.9, and the SDK's client-side ones) that say the server will not take this entry
     * as it is: its values, its name or its size. Anything else (server down, busy, unavailable, timeouts, "other",
     * operationsError) may pass and is retried.
     */
    private static final Set<ResultCode> REFUSING_THE_RECORD = Set.of(
            ResultCode.CONSTRAINT_VIOLATION,
            ResultCode.INVALID_ATTRIBUTE_SYNTAX,
            ResultCode.UNDEFINED_ATTRIBUTE_TYPE,
            ResultCode.INAPPROPRIATE_MATCHING,
            ResultCode.ATTRIBUTE_OR_VALUE_EXISTS,
            ResultCode.NAMING_VIOLATION,
            ResultCode.OBJECT_CLASS_VIOLATION,
            ResultCode.NOT_ALLOWED_ON_RDN,
            ResultCode.INVALID_DN_SYNTAX,
            ResultCode.SIZE_LIMIT_EXCEEDED,
            ResultCode.ADMIN_LIMIT_EXCEEDED,
            ResultCode.ENCODING_ERROR);

    private final ResultCode resultCode;

    public PublicationException(String what, LDAPException cause) {
        super(what + ": " + cause.getResultCode() + (cause.getDiagnosticMessage() == null ? "" : " (" + reason(cause.getDiagnosticMessage()) + ")"), cause);
        this.resultCode = cause.getResultCode();
    }

    /** Where ApacheDS's stack trace starts: {@code ":\n"}, then an exception's class name. */
    private static final java.util.regex.Pattern TRACE = java.util.regex.Pattern.compile(":\n(?=[\\w.$]+(?:Exception|Error)\\b)");
    /** Where the reason starts after the request ApacheDS repeats: a line starting {@code ": "}, or {@code ...Impl@1b2c3d: }. */
    private static final java.util.regex.Pattern REASON = java.util.regex.Pattern.compile("(?:\n|Impl@[0-9a-f]+): ");

    /**
     * A diagnostic message on one line, for a log line and /health. ApacheDS writes {@code "<code>: failed for <the whole
     * request, many lines>: <reason>"}, and for {@code other} its stack trace after that, whose innermost cause says what
     * happened ({@code java.io.IOException: No space left on device}); other servers write the reason alone.
     */
    static String reason(String diagnostic) {
        String head = diagnostic;
        String trace = "";
        java.util.regex.Matcher traceStart = TRACE.matcher(diagnostic);
        if (traceStart.find()) {
            head = diagnostic.substring(0, traceStart.start());
            trace = diagnostic.substring(traceStart.end());
        }
        int causedBy = trace.lastIndexOf("Caused by: ");
        if (causedBy >= 0) {
            int end = trace.indexOf('\n', causedBy);
            return trace.substring(causedBy + "Caused by: ".length(), end < 0 ? trace.length() : end).strip();
        }
        java.util.regex.Matcher reason = REASON.matcher(head);
        int start = 0;
        while (reason.find()) {
            start = reason.end();
        }
        return head.substring(start).strip().replaceAll("\\s*\\n\\s*", " ");
    }

    public ResultCode resultCode() {
        return resultCode;
    }

    /** Whether the directory refused the record itself: skip it (and report it) rather than retry it for ever. */
    public boolean refusesRecord() {
        return REFUSING_THE_RECORD.contains(resultCode);
    }
}
