package org.certdir.registry;

/** The CA or certificate asked for is not in the registry. */
public class NotRegisteredException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public NotRegisteredException(String message) {
        super(message);
    }
}
