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
        super(what + ": " + cause.getResultCode() + (cause.getDiagnosticMessage() == null ? "" : " (" + cause.getDiagnosticMessage() + ")"), cause);
        this.resultCode = cause.getResultCode();
    }

    public ResultCode resultCode() {
        return resultCode;
    }

    /** Whether the directory refused the record itself: skip it (and report it) rather than retry it for ever. */
    public boolean refusesRecord() {
        return REFUSING_THE_RECORD.contains(resultCode);
    }
}
