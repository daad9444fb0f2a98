package org.certdir.ops.ca;

/**
 * A CA creation or installation refused for what was asked, naming the field at fault ({@code subject},
 * {@code parent}, {@code certificate}, ...) so that the admin API answers 400 with it and the CLI prints the message.
 */
public final class InvalidCaRequest extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidCaRequest(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
