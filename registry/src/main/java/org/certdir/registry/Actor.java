package org.certdir.registry;

/** Who asks for a change, recorded in the audit trail with it: the admin token's name and the client address. */
public record Actor(String name, String address) {

    /** The service itself, e.g. when it creates the demo PKI. */
    public static final Actor SERVICE = new Actor("certdir", "local");

    public Actor {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an actor needs a name for the audit trail");
        }
        address = address == null ? "" : address;
    }
}
