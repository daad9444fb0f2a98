package org.certdir.ops.admin;

/** A request the admin API refuses with 400, naming the field at fault. */
final class BadRequest extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String field;

    BadRequest(String field, String message) {
        super(message);
        this.field = field;
    }

    String field() {
        return field;
    }
}
