package org.certdir.directory.embedded;

/** The embedded directory could not start; the message names the port or file at fault and what to do. */
public class DirectoryStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DirectoryStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
