package org.certdir.registry;

import java.time.Instant;

/** One admin action: who (the token's name), when, what, on which target, why, from which address. */
public record AuditRecord(long id, Instant at, String actor, String action, String target, String detail, String address) {
}
