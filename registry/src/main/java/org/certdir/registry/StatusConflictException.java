package org.certdir.registry;

/** The change asked for does not fit the certificate's current status (e.g. releasing a revoked certificate). */
public class StatusConflictException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StatusConflictException(String message) {
        super(message);
    }
}
