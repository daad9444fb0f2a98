package org.certdir.directory.publication;

import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;

/** Writing to the directory failed; carries the LDAP result code so callers can tell a retryable outage apart. */
public class PublicationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ResultCode resultCode;

    public PublicationException(String what, LDAPException cause) {
        super(what + ": " + cause.getResultCode() + (cause.getDiagnosticMessage() == null ? "" : " (" + cause.getDiagnosticMessage() + ")"), cause);
        this.resultCode = cause.getResultCode();
    }

    public ResultCode resultCode() {
        return resultCode;
    }
}
