package org.certdir.registry;

/** The registry's storage failed (disk, database); the change it carried was not made. */
public class RegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
