package org.certdir.registry;

/** The registry's disk has no room for a change (SQLITE_FULL): nothing was changed; free space and try again. */
public class RegistryFullException extends RegistryException {

    private static final long serialVersionUID = 1L;

    public RegistryFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
